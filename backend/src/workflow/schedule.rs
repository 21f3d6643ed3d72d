//! The recount of open matters' deadlines after the working-day calendar
//! changed (an administrator entered a year's schedule).

use crate::db::Write;
use crate::error::AppResult;
use shared::calendar::Calendar;

/// Counts again, with `cal`, the deadline of every open matter whose
/// deadline was counted across a year without a schedule (so the
/// "节假日安排未公布" warning goes once the year is entered). Returns the
/// ids of the matters whose deadline changed; phones pull them again.
pub async fn recount_unscheduled(w: &mut Write, cal: &Calendar) -> AppResult<Vec<i64>> {
    let system = crate::db::scope::Scope::system();
    let all = crate::db::scope::LedgerFilter::default();
    let flagged: Vec<_> = system
        .ledger_cases(w.conn(), &all, None, i64::MAX)
        .await?
        .into_iter()
        .filter(|c| c.due_unscheduled && c.stage.deadline_applies())
        .collect();
    let mut changed = Vec::new();
    for c in flagged {
        let mut events = Vec::new();
        for kind in ["fix_plan", "escalate", "review_decided"] {
            events.extend(system.ledger_events(w.conn(), &all, Some(c.id), kind).await?);
        }
        events.sort_by_key(|e| e.id);
        let due = c.level.due_date(cal, shared::case::limit_start(c.accepted_on, &events));
        if due.value == c.due_on && due.unscheduled == c.due_unscheduled {
            continue;
        }
        let seq = w.next_seq().await?;
        let stats_before = crate::db::stats::facts(w.conn(), c.id).await?;
        sqlx::query("UPDATE cases SET due_on = $1, due_unscheduled = $2, rev = $3 WHERE id = $4")
            .bind(due.value.to_string())
            .bind(i64::from(due.unscheduled))
            .bind(seq)
            .bind(c.id)
            .execute(w.conn())
            .await?;
        // The open matter's due date moved: its due-date counter moves too.
        crate::workflow::counters::changed(w.conn(), c.id, stats_before, None).await?;
        w.forget_case(c.id);
        changed.push(c.id);
    }
    Ok(changed)
}
