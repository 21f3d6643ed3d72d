//! The quality inspection (质检) of a closed agency matter by the banner's
//! supervision centre: who may inspect, and the inspection's writes (its
//! row, the case's verdict, the counters, the audit entry).

use crate::db::audit::{self, AuditEntry};
use crate::db::session::CurrentUser;
use crate::db::stats::facts;
use crate::db::{now_text, Write};
use crate::error::{AppError, AppResult};
use crate::workflow::counters::changed;
use chrono::NaiveDate;
use shared::error::ErrorCode;
use shared::org::Role;
use shared::stats::{is_agency, Inspection, InspectionView};
use sqlx::Row;

/// Only the banner's supervision centre inspects (质检).
pub fn inspector(user: &CurrentUser) -> AppResult<()> {
    if user.role != Role::CountyCentre {
        return Err(AppError::new(ErrorCode::Forbidden, "只有旗县代办中心（督导）可以进行质检"));
    }
    Ok(())
}

/// Records a quality inspection of a closed agency matter in the
/// inspector's scope: the inspection row, the case's verdict (the last
/// inspection counts) and its counters, the audit entry.
pub async fn record_inspection(
    w: &mut Write,
    user: &CurrentUser,
    i: &Inspection,
    today: NaiveDate,
) -> Result<InspectionView, AppError> {
    inspector(user)?;
    i.validate()?;
    let case = user.scope().case_for_write(w.conn(), i.case_id).await?.ok_or_else(AppError::not_found)?;
    if !(is_agency(&case.lifecycle) && case.lifecycle.is_closed()) {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("只能质检已办结的代办事项（当前状态：{}）", case.lifecycle.status.label()),
        ));
    }
    let old = facts(w.conn(), case.id).await?;
    let unit_path = old.as_ref().map(|f| f.unit_path.clone()).unwrap_or_default();
    let id: i64 = sqlx::query(
        "INSERT INTO quality_checks (case_id, unit_path, passed, reasons, fix_asked, inspected_by, inspected_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(case.id)
    .bind(&unit_path)
    .bind(i64::from(i.passed))
    .bind(i.reasons.trim())
    .bind(i.fix_asked.trim())
    .bind(user.id)
    .bind(today.to_string())
    .bind(now_text())
    .fetch_one(w.conn())
    .await?
    .try_get(0)?;
    let seq = w.next_seq().await?;
    sqlx::query("UPDATE cases SET quality_passed = $1 WHERE id = $2")
        .bind(i64::from(i.passed))
        .bind(case.id)
        .execute(w.conn())
        .await?;
    changed(w.conn(), case.id, old, None).await?;
    w.touch_case(case.id, seq);
    audit::record(
        w,
        AuditEntry {
            actor_id: Some(user.id),
            action: "case.quality_check",
            entity: "case",
            entity_id: case.id.to_string(),
            before: None,
            after: Some(
                serde_json::json!({"passed": i.passed, "reasons": i.reasons.trim(), "fix_asked": i.fix_asked.trim()}),
            ),
        },
    )
    .await?;
    Ok(InspectionView {
        id,
        case_id: case.id,
        case_number: case.number,
        passed: i.passed,
        reasons: i.reasons.trim().to_string(),
        fix_asked: i.fix_asked.trim().to_string(),
        inspected_by_name: user.display_name.clone(),
        inspected_on: today,
    })
}
