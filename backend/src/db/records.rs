//! A matter's records, read for one matter already known to be in scope
//! (or the citizen's own): its timeline, complaints, the citizen's own
//! opinion and its 处置单.

use crate::error::AppError;
use shared::case::TimelineEntry;
use shared::lifecycle::Opinion;
use sqlx::Row;

/// The timeline of a case (already known to be in scope), oldest first.
pub async fn timeline(pool: &sqlx::AnyPool, case_id: i64) -> Result<Vec<TimelineEntry>, AppError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM case_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.case_id = $1 ORDER BY e.id",
        crate::db::scope::TIMELINE_COLUMNS
    )))
    .bind(case_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(crate::db::scope::timeline_from_row).collect::<Result<Vec<_>, _>>()?)
}

/// The complaints of a case (already known to be in scope, or the citizen's own).
pub async fn complaints(pool: &sqlx::AnyPool, case_id: i64) -> Result<Vec<shared::case::ComplaintView>, AppError> {
    let rows = sqlx::query(
        "SELECT c.id, c.case_id, c.text, c.created_at, c.due_on, c.reply, c.replied_at, u.display_name AS replied_by_name \
         FROM complaints c LEFT JOIN users u ON u.id = c.replied_by WHERE c.case_id = $1 ORDER BY c.id",
    )
    .bind(case_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let due: String = r.try_get("due_on")?;
            Ok(shared::case::ComplaintView {
                id: r.try_get("id")?,
                case_id: r.try_get("case_id")?,
                text: r.try_get("text")?,
                created_at: r.try_get("created_at")?,
                due_on: due.parse().map_err(|e: chrono::ParseError| sqlx::Error::Decode(e.into()))?,
                reply: r.try_get("reply")?,
                replied_at: r.try_get("replied_at")?,
                replied_by_name: r.try_get("replied_by_name")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

/// The citizen's own opinion, if given.
pub async fn citizen_opinion_of(pool: &sqlx::AnyPool, case_id: i64) -> Result<Option<Opinion>, AppError> {
    let row = sqlx::query("SELECT opinion FROM citizen_opinions WHERE case_id = $1")
        .bind(case_id)
        .fetch_optional(pool)
        .await?;
    Ok(row.and_then(|r| r.try_get::<String, _>("opinion").ok()).and_then(|o| Opinion::parse(&o)))
}

/// The 处置单 of a case, in the order they were issued.
pub async fn dispositions(pool: &sqlx::AnyPool, case_id: i64) -> Result<Vec<shared::desk::DispositionView>, AppError> {
    let rows = sqlx::query(
        "SELECT d.*, u.name AS unit_name, cb.display_name AS created_by_name, rb.display_name AS replied_by_name \
         FROM dispositions d JOIN units u ON u.id = d.unit_id JOIN users cb ON cb.id = d.created_by \
         LEFT JOIN users rb ON rb.id = d.replied_by WHERE d.case_id = $1 ORDER BY d.id",
    )
    .bind(case_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(shared::desk::DispositionView {
                id: r.try_get("id")?,
                case_id: r.try_get("case_id")?,
                unit_id: r.try_get("unit_id")?,
                unit_name: r.try_get("unit_name")?,
                proposed_handling: r.try_get("proposed_handling")?,
                created_at: r.try_get("created_at")?,
                created_by_name: r.try_get("created_by_name")?,
                result: r.try_get("result")?,
                replied_at: r.try_get("replied_at")?,
                replied_by_name: r.try_get("replied_by_name")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}
