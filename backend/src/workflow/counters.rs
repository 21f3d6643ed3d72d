//! The statistics counters kept in step with the cases: after each write
//! of a `cases` row the matter's counter keys and the facts known only then
//! are stored on it and the counters moved ([`changed`]); at start the
//! counters are built once from the cases ([`ensure_built`]).

use crate::db::now_text;
use crate::db::stats::{facts, move_counters, move_members, rebuild_members, recount, write_all};
use crate::db::Db;
use crate::error::AppError;
use chrono::NaiveDate;
use shared::lifecycle::CaseStatus;
use shared::stats::{is_agency, keys_text, CaseFacts};
use sqlx::AnyConnection;

/// Case `id` changed from `old` (`None`: it was just created), on `today`
/// (`None`: a change that is not a step of the workflow, such as a new due
/// date). Records the facts known only now (screened or closed within the
/// limit, judged against the limit that ran until this change), the case's
/// counter keys, and moves the counters. Call it after the row's UPDATE or
/// INSERT, in the same transaction.
pub async fn changed(
    conn: &mut AnyConnection,
    id: i64,
    old: Option<CaseFacts>,
    today: Option<NaiveDate>,
) -> Result<(), AppError> {
    let Some(mut new) = facts(conn, id).await? else { return Ok(()) };
    if let (Some(old), Some(today)) = (&old, today) {
        if old.lifecycle.status == CaseStatus::Screening && new.lifecycle.status != CaseStatus::Screening {
            new.screened_in_time = Some(today <= old.due_on);
        }
        let was_closed = is_agency(&old.lifecycle) && old.lifecycle.is_closed();
        if is_agency(&new.lifecycle) && new.lifecycle.is_closed() && !was_closed {
            new.closed_in_time = Some(today <= old.due_on);
        }
    }
    sqlx::query("UPDATE cases SET stat_keys = $1, screened_in_time = $2, closed_in_time = $3 WHERE id = $4")
        .bind(keys_text(&new))
        .bind(new.screened_in_time.map(i64::from))
        .bind(new.closed_in_time.map(i64::from))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    move_members(conn, id, old.as_ref(), Some(&new)).await?;
    move_counters(conn, old.as_ref(), Some(&new)).await
}

/// Counts the counters afresh from the cases (and each case's keys): at
/// start-up when the statistics were never built (the cases registered
/// before this migration), and for a repair.
pub async fn rebuild(db: &Db) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    let (counters, keys) = recount(&mut tx).await?;
    write_all(&mut tx, &counters).await?;
    rebuild_members(&mut tx).await?;
    for (id, k) in keys {
        sqlx::query("UPDATE cases SET stat_keys = $1 WHERE id = $2 AND stat_keys <> $1")
            .bind(k)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("INSERT INTO settings (name, value) VALUES ('stats_built', $1) ON CONFLICT (name) DO NOTHING")
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Builds the statistics once (see [`rebuild`]); later they are kept.
pub async fn ensure_built(db: &Db) -> Result<(), AppError> {
    let built = sqlx::query("SELECT 1 FROM settings WHERE name = 'stats_built'").fetch_optional(&db.pool).await?;
    if built.is_none() {
        rebuild(db).await?;
    }
    Ok(())
}
