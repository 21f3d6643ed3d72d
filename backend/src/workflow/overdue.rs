//! The overdue job: finds matters past their handling limit, records an
//! automatic urging (催办) on each, marks them overdue, and warns when a
//! matter is so late it should be reported up. It acts at most once per case
//! per day, so running it twice (two servers, a restart) changes nothing more.

use crate::db::Db;
use crate::error::AppError;
use crate::workflow::apply_checked;
use chrono::NaiveDate;
use shared::command::CaseCommand;
use shared::deadline::{DueStatus, ESCALATION_WARNING_DAYS};
use sqlx::Row;

/// `status IN ('screening', 'handling')`: the matters whose clock runs
/// (`shared::stats::is_open`, the desk's due queues). Not by stage: a matter
/// answered or redirected at screening keeps the stage 甄别受理 but its
/// clock stopped, and urging it is refused (the job used to stop there).
fn clock_running() -> String {
    let statuses = [shared::lifecycle::CaseStatus::Screening, shared::lifecycle::CaseStatus::Handling];
    let statuses: Vec<String> = statuses.iter().map(|s| format!("'{}'", s.as_str())).collect();
    format!("status IN ({})", statuses.join(", "))
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct OverdueReport {
    /// Cases urged automatically in this run.
    pub urged: u32,
    /// Of them, cases late enough to be reported up.
    pub escalation_warnings: u32,
}

/// One pass over all cases whose clock runs, as of `today` (China time).
pub async fn run_once(db: &Db, today: NaiveDate) -> Result<OverdueReport, AppError> {
    let today_s = today.to_string();
    let ids: Vec<i64> = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM cases WHERE {} AND due_on < $1 \
         AND (last_auto_urge_on IS NULL OR last_auto_urge_on < $1) ORDER BY id",
        clock_running()
    )))
    .bind(&today_s)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| r.try_get(0))
    .collect::<Result<_, _>>()?;
    let mut report = OverdueReport::default();
    for id in ids {
        let mut w = crate::db::Write::begin(db, 1).await?;
        // Re-check inside the write transaction: another run may have acted.
        let still_due = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT 1 FROM cases WHERE id = $1 AND {} AND due_on < $2 \
             AND (last_auto_urge_on IS NULL OR last_auto_urge_on < $2)",
            clock_running()
        )))
        .bind(id)
        .bind(&today_s)
        .fetch_optional(w.conn())
        .await?
        .is_some();
        if !still_due {
            continue;
        }
        let case = crate::db::scope::Scope::system()
            .case_for_write(w.conn(), id)
            .await?
            .expect("the system scope sees every case");
        let late = match DueStatus::at(&crate::db::calendar::current(), case.due_on, today) {
            DueStatus::Overdue(n) => n,
            _ => 1,
        };
        let warn = late >= ESCALATION_WARNING_DAYS && case.lifecycle.level.above().is_some();
        let note = if warn {
            format!(
                "系统自动催办：已超期 {late} 个工作日，建议上报{}",
                case.lifecycle.level.above().map_or("", |l| l.label())
            )
        } else {
            format!("系统自动催办：已超期 {late} 个工作日")
        };
        apply_checked(&mut w, None, &case, &CaseCommand::Urge { note }, today).await?;
        sqlx::query(
            "UPDATE cases SET last_auto_urge_on = $1, overdue_since = COALESCE(overdue_since, $2) WHERE id = $3",
        )
        .bind(&today_s)
        .bind(case.due_on.succ_opt().unwrap_or(case.due_on).to_string())
        .bind(id)
        .execute(w.conn())
        .await?;
        w.commit().await?;
        report.urged += 1;
        if warn {
            report.escalation_warnings += 1;
        }
    }
    Ok(report)
}

/// Runs the job now and then every `every` until the process ends.
pub fn spawn(db: Db, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            let today = shared::time::china_today(chrono::Utc::now());
            match run_once(&db, today).await {
                Ok(r) if r.urged > 0 => {
                    tracing::info!(urged = r.urged, warnings = r.escalation_warnings, "overdue job")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = ?e, "overdue job failed"),
            }
        }
    });
}
