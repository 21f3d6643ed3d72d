//! A citizen's own requests from the public pages, each one write: the
//! evaluation of a closed matter, the request for 复查/复核, the 催办 of an
//! overdue matter and a complaint about the service. Each checks what the
//! matter allows now, then records the request through the workflow
//! ([`crate::workflow::citizen_opinion`], [`crate::workflow::citizen_review`],
//! [`crate::workflow::citizen_urge`], [`crate::workflow::add_complaint`]) in
//! a write of its own, on today's date in China. The matter was found by the
//! citizen's number and key before.

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
    crate::workflow::citizen_opinion(&mut w, case_id, opinion).await?;
    w.commit().await?;
    Ok(true)
}

/// A dissatisfied citizen asks for 复查/复核. Returns `false`, recording
/// nothing, if the citizen was not dissatisfied or the matter is not open to
/// a review now.
pub async fn ask_review(db: &Db, case_id: i64) -> AppResult<bool> {
    if crate::workflow::citizen_opinion_of(&db.pool, case_id).await? != Some(Opinion::Dissatisfied) {
        return Ok(false);
    }
    let mut w = Write::begin(db, 1).await?;
    let done =
        match crate::workflow::citizen_review(&mut w, case_id, shared::time::china_today(chrono::Utc::now())).await {
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
        if crate::workflow::citizen_urge(&mut w, case_id, today).await? {
            urged = true;
        }
        w.commit().await?;
    }
    Ok(urged)
}

/// A complaint about the service (`text` already checked by the caller).
pub async fn complain(db: &Db, case_id: i64, text: &str) -> AppResult<()> {
    let mut w = Write::begin(db, 1).await?;
    crate::workflow::add_complaint(&mut w, case_id, text, shared::time::china_today(chrono::Utc::now())).await?;
    w.commit().await?;
    Ok(())
}
