//! A citizen's own requests from the public pages, each one write: the
//! evaluation of a closed matter, the request for 复查/复核, the 催办 of an
//! overdue matter and a complaint about the service. Each checks what the
//! matter allows now, then records the request through the workflow
//! ([`citizen_opinion`], [`citizen_review`], [`citizen_urge`],
//! [`add_complaint`], below) in a write of its own, on today's date in China. The matter was found by the
//! citizen's number and key before. The station's reply to a complaint
//! ([`answer_complaint`]) is here too.

use super::*;
use crate::db::{Db, Write};
use crate::error::AppResult;
use shared::case::Stage;
use shared::deadline::DueStatus;
use shared::lifecycle::Opinion;

/// The citizen's evaluation of matter `case_id` (once: a double tap records
/// once). Returns `false`, recording nothing, if the matter is not closed.
pub async fn give_opinion(db: &Db, case_id: i64, opinion: Opinion) -> AppResult<bool> {
    let stage = crate::db::public::stage(&db.pool, case_id).await?;
    if !stage.is_some_and(Stage::is_closed) {
        return Ok(false);
    }
    let mut w = Write::begin(db, 1).await?;
    citizen_opinion(&mut w, case_id, opinion).await?;
    w.commit().await?;
    Ok(true)
}

/// A dissatisfied citizen asks for 复查/复核. Returns `false`, recording
/// nothing, if the citizen was not dissatisfied or the matter is not open to
/// a review now.
pub async fn ask_review(db: &Db, case_id: i64) -> AppResult<bool> {
    if crate::db::records::citizen_opinion_of(&db.pool, case_id).await? != Some(Opinion::Dissatisfied) {
        return Ok(false);
    }
    let mut w = Write::begin(db, 1).await?;
    let done = match citizen_review(&mut w, case_id, shared::time::china_today(chrono::Utc::now())).await {
        Ok(_) => true,
        // Already under review, or the matter is not (or no longer) open to
        // one: nothing is recorded twice.
        Err(e) if e.0.code != shared::error::ErrorCode::Internal => false,
        Err(e) => return Err(e),
    };
    w.commit().await?;
    Ok(done)
}

/// 催办 of an overdue matter (once a day at most). Returns whether it was
/// recorded now (`false`: not overdue, or urged already today).
pub async fn urge(db: &Db, case_id: i64) -> AppResult<bool> {
    let today = shared::time::china_today(chrono::Utc::now());
    let (stage, due) = crate::db::public::stage_and_due(&db.pool, case_id).await?;
    let stage = stage.unwrap_or(Stage::Archived);
    let mut urged = false;
    if stage.deadline_applies()
        && matches!(DueStatus::at(&crate::db::calendar::current(), due, today), DueStatus::Overdue(_))
    {
        let mut w = Write::begin(db, 1).await?;
        if citizen_urge(&mut w, case_id, today).await? {
            urged = true;
        }
        w.commit().await?;
    }
    Ok(urged)
}

/// A complaint about the service (`text` already checked by the caller).
pub async fn complain(db: &Db, case_id: i64, text: &str) -> AppResult<()> {
    let mut w = Write::begin(db, 1).await?;
    add_complaint(&mut w, case_id, text, shared::time::china_today(chrono::Utc::now())).await?;
    w.commit().await?;
    Ok(())
}

/// A citizen's 催办 from the public page, on an overdue matter: recorded as
/// an urge by the system on the citizen's behalf, at most once a day.
/// Returns whether it was recorded now (false: already urged today).
pub async fn citizen_urge(w: &mut Write, case_id: i64, today: NaiveDate) -> Result<bool, AppError> {
    let first_today = sqlx::query(
        "INSERT INTO public_urges (case_id, on_date) VALUES ($1, $2) ON CONFLICT (case_id, on_date) DO NOTHING",
    )
    .bind(case_id)
    .bind(today.to_string())
    .execute(w.conn())
    .await?
    .rows_affected()
        == 1;
    if !first_today {
        return Ok(false);
    }
    let case =
        crate::db::scope::Scope::system().case_for_write(w.conn(), case_id).await?.ok_or_else(AppError::not_found)?;
    let cmd = CaseCommand::Urge { note: "信访人通过查询页面催办".to_string() };
    apply_checked(w, None, &case, &cmd, today).await?;
    Ok(true)
}

/// A citizen's complaint about the service: recorded with its reply due date.
pub async fn add_complaint(w: &mut Write, case_id: i64, text: &str, today: NaiveDate) -> Result<i64, AppError> {
    shared::validation::check_text("投诉内容", text, 1000)?;
    let due = shared::deadline::complaint_reply_due(&crate::db::calendar::current(), today);
    let id: i64 =
        sqlx::query("INSERT INTO complaints (case_id, text, created_at, due_on) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(case_id)
            .bind(text.trim())
            .bind(now_text())
            .bind(due.value.to_string())
            .fetch_one(w.conn())
            .await?
            .try_get(0)?;
    let seq = w.next_seq().await?;
    w.touch_case(case_id, seq);
    audit::record(
        w,
        AuditEntry {
            actor_id: None,
            action: "complaint.add",
            entity: "complaint",
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({"case_id": case_id, "text": text.trim(), "due_on": due.value})),
        },
    )
    .await?;
    Ok(id)
}

/// The station's reply to a complaint on a case in the user's scope.
pub async fn answer_complaint(
    w: &mut Write,
    user: &CurrentUser,
    complaint_id: i64,
    text: &str,
) -> Result<(), AppError> {
    if !shared::authority::may_answer_complaint(user.role) {
        return Err(AppError::new(ErrorCode::Forbidden, format!("{}不能答复投诉", user.role.label())));
    }
    shared::validation::check_text("答复内容", text, shared::command::MAX_FORM_TEXT)?;
    let row = sqlx::query("SELECT case_id, reply FROM complaints WHERE id = $1")
        .bind(complaint_id)
        .fetch_optional(w.conn())
        .await?
        .ok_or_else(AppError::not_found)?;
    let case_id: i64 = row.try_get("case_id")?;
    // Out of scope and missing answer alike.
    user.scope().case_for_write(w.conn(), case_id).await?.ok_or_else(AppError::not_found)?;
    if row.try_get::<Option<String>, _>("reply")?.is_some() {
        return Err(AppError::new(ErrorCode::Conflict, "该投诉已答复"));
    }
    sqlx::query("UPDATE complaints SET reply = $1, replied_at = $2, replied_by = $3 WHERE id = $4")
        .bind(text.trim())
        .bind(now_text())
        .bind(user.id)
        .bind(complaint_id)
        .execute(w.conn())
        .await?;
    let seq = w.next_seq().await?;
    w.touch_case(case_id, seq);
    audit::record(
        w,
        AuditEntry {
            actor_id: Some(user.id),
            action: "complaint.reply",
            entity: "complaint",
            entity_id: complaint_id.to_string(),
            before: None,
            after: Some(serde_json::json!({"reply": text.trim()})),
        },
    )
    .await?;
    Ok(())
}

/// The citizen's own evaluation from the public page, once per matter (a
/// second tap, or a second opinion, records nothing). Returns whether it was
/// recorded now.
pub async fn citizen_opinion(w: &mut Write, case_id: i64, opinion: Opinion) -> Result<bool, AppError> {
    let old = crate::db::stats::facts(w.conn(), case_id).await?;
    let recorded = sqlx::query(
        "INSERT INTO citizen_opinions (case_id, opinion, at) VALUES ($1, $2, $3) ON CONFLICT (case_id) DO NOTHING",
    )
    .bind(case_id)
    .bind(opinion.as_str())
    .bind(now_text())
    .execute(w.conn())
    .await?
    .rows_affected()
        == 1;
    if recorded {
        // 参评: the statistics count the citizen's own evaluation.
        crate::workflow::counters::changed(w.conn(), case_id, old, None).await?;
        let seq = w.next_seq().await?;
        w.touch_case(case_id, seq);
        audit::record(
            w,
            AuditEntry {
                actor_id: None,
                action: "citizen.opinion",
                entity: "case",
                entity_id: case_id.to_string(),
                before: None,
                after: Some(serde_json::json!({"opinion": opinion})),
            },
        )
        .await?;
    }
    Ok(recorded)
}

/// The dissatisfied citizen's request for 复查/复核 from the public page, on
/// their behalf, where the lifecycle allows it now.
pub async fn citizen_review(w: &mut Write, case_id: i64, today: NaiveDate) -> Result<TimelineEntry, AppError> {
    let case =
        crate::db::scope::Scope::system().case_for_write(w.conn(), case_id).await?.ok_or_else(AppError::not_found)?;
    let cmd = CaseCommand::RequestReview { note: "信访人通过查询页面申请复查/复核".to_string() };
    apply_checked(w, None, &case, &cmd, today).await
}
