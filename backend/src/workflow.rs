//! The workflow service: the one place that writes a matter, a visit or a
//! command ([`create_case`], [`add_visit`], [`apply_command`]). The REST
//! handlers, the sync push and the overdue job only call these, so a change
//! does the same thing whether it was clicked at a desk or queued on a phone
//! offline.
//!
//! Each function is given the caller's write transaction, the actor and the
//! day (or time) it acts on, and: checks the input with `shared`, loads the
//! case through the actor's [`crate::jurisdiction::Scope`], checks authority
//! and the lifecycle transition with `shared`, writes the change and its
//! timeline entry under a new change sequence number, and appends the audit
//! entry. A refusal writes nothing.

use crate::audit::{self, AuditEntry};
use crate::auth::CurrentUser;
use crate::db::{next_change_seq, now_text, Tx};
use crate::error::AppError;
use crate::text::to_text;
use chrono::{NaiveDate, NaiveDateTime};
use shared::authority::{may_act, may_record, may_take, Actor, Handling};
use shared::calendar::Calendar;
use shared::case::{case_number, CaseView, TimelineEntry, CASE_NUMBER_PREFIX};
use shared::command::{apply_to_view, CaseCommand};
use shared::error::{ApiError, ErrorCode};
use shared::intake::CheckedCase;
use shared::lifecycle::{Lifecycle, ScreeningOutcome};
use shared::time::china_local;
use shared::validation::CheckedVisit;
use sqlx::Row;

fn json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// Registers a new matter. Returns the new case id, or the existing one if
/// this `client_ref` was registered before (a re-sent offline creation).
pub async fn create_case(tx: &mut Tx, user: &CurrentUser, c: &CheckedCase) -> Result<(i64, bool), AppError> {
    if !user.role.may_register_cases() {
        return Err(AppError::new(ErrorCode::Forbidden, "您的角色不能登记信访事项"));
    }
    if let Some(r) = &c.client_ref {
        if let Some(row) =
            sqlx::query("SELECT id FROM cases WHERE client_ref = $1").bind(r).fetch_optional(&mut **tx).await?
        {
            return Ok((row.try_get(0)?, false));
        }
    }
    let Some((kind, _)) = user.scope().unit(tx, c.unit_id).await? else {
        return Err(AppError::new(ErrorCode::OutOfJurisdiction, "只能为本辖区的单位登记事项"));
    };
    let lifecycle = Lifecycle::new(kind.handling_level());
    let due = c.level.due_date(Calendar::official(), c.received_on);
    let seq = next_change_seq(tx).await?;
    let year = chrono::Datelike::year(&c.received_on);
    // 编号: per year, in order of registration.
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM cases WHERE number LIKE $1")
        .bind(format!("{CASE_NUMBER_PREFIX}〔{year}〕%"))
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    let number = case_number(year, n + 1);
    let id: i64 = sqlx::query(
        "INSERT INTO cases (number, unit_id, citizen_name, id_number, phone, address, summary, brief, stage, status, lifecycle, \
         handling_level, level, channel, source, category, task_group, accepted_on, due_on, due_unscheduled, agent_id, client_ref, rev, created_at, registered_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25) RETURNING id",
    )
    .bind(&number)
    .bind(c.unit_id)
    .bind(c.citizen_name.as_str())
    .bind(c.id_number.as_ref().map(|i| i.as_str()))
    .bind(c.phone.as_ref().map(|p| p.as_str()))
    .bind(&c.address)
    .bind(&c.summary)
    .bind(&c.brief)
    .bind(lifecycle.stage().as_str())
    .bind(lifecycle.status.as_str())
    .bind(serde_json::to_string(&lifecycle).unwrap_or_default())
    .bind(to_text(&lifecycle.level))
    .bind(c.level.as_str())
    .bind(c.channel.as_str())
    .bind(c.source.as_str())
    .bind(c.category.map(|x| x.as_str()))
    .bind(c.category.map(|x| to_text(&x.task_group())))
    .bind(c.received_on.to_string())
    .bind(due.value.to_string())
    .bind(i64::from(due.unscheduled))
    .bind(Option::<i64>::None)
    .bind(&c.client_ref)
    .bind(seq)
    .bind(now_text())
    .bind(user.id)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    audit::append(
        tx,
        AuditEntry {
            actor_id: Some(user.id),
            action: "case.create",
            entity: "case",
            entity_id: id.to_string(),
            before: None,
            after: Some(json(&c.to_new_case())),
        },
    )
    .await?;
    Ok((id, true))
}

/// Checks that `agent_id` may take the case (`shared::authority::may_take`)
/// and returns their name.
async fn check_agent(tx: &mut Tx, agent_id: i64, case: &CaseView) -> Result<String, AppError> {
    let row = sqlx::query(
        "SELECT u.display_name, n.path, u.agent_kind FROM users u JOIN units n ON n.id = u.unit_id WHERE u.id = $1",
    )
    .bind(agent_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| AppError::new(ErrorCode::ValidationFailed, "代办员不存在"))?;
    let agent_kind = crate::text::opt_from_text("agent_kind", row.try_get("agent_kind")?)?;
    let agent_path: String = row.try_get("path")?;
    let case_path: String = sqlx::query("SELECT path FROM units WHERE id = $1")
        .bind(case.unit_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    may_take(agent_kind, &agent_path, &case_path)?;
    Ok(row.try_get("display_name")?)
}

/// Records a change of the assigned agent: the former agent's assignment
/// ends now (their visits dated before it are still accepted), the new one
/// begins.
async fn record_assignment(tx: &mut Tx, case_id: i64, from: Option<i64>, to: Option<i64>) -> Result<(), AppError> {
    if from == to {
        return Ok(());
    }
    let now = now_text();
    let ended = sqlx::query("UPDATE case_assignments SET ended_at = $1 WHERE case_id = $2 AND ended_at IS NULL")
        .bind(&now)
        .bind(case_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if let (0, Some(former)) = (ended, from) {
        // Assigned before assignments were kept (or by the demo data): the
        // start is unknown, the end is now — which is all the rule needs.
        sqlx::query("INSERT INTO case_assignments (case_id, agent_id, assigned_at, ended_at) VALUES ($1, $2, $3, $3)")
            .bind(case_id)
            .bind(former)
            .bind(&now)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(agent) = to {
        sqlx::query("INSERT INTO case_assignments (case_id, agent_id, assigned_at) VALUES ($1, $2, $3)")
            .bind(case_id)
            .bind(agent)
            .bind(&now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The authority rule's view of a case.
pub fn handling(case: &CaseView) -> Handling<'_> {
    Handling {
        level: case.lifecycle.level,
        agent_id: case.agent_id,
        agent_name: case.agent_name.as_deref(),
        registered_by: case.registered_by,
    }
}

/// Applies a command to a case. Returns the timeline entry written.
pub async fn apply_command(
    tx: &mut Tx,
    user: &CurrentUser,
    case_id: i64,
    cmd: &CaseCommand,
    today: NaiveDate,
) -> Result<TimelineEntry, AppError> {
    cmd.validate()?;
    let scope = user.scope();
    // Out of scope and missing answer alike, so case ids cannot be walked.
    let before = scope.case_for_write(tx, case_id).await?.ok_or_else(AppError::not_found)?;
    may_act(Actor { id: user.id, role: user.role }, cmd, &handling(&before))?;
    apply_checked(tx, Some(user), &before, cmd, today).await
}

/// Applies a command whose permission was checked (or that the system
/// issues, `actor = None`). Shared with the overdue job.
pub async fn apply_checked(
    tx: &mut Tx,
    actor: Option<&CurrentUser>,
    before: &CaseView,
    cmd: &CaseCommand,
    today: NaiveDate,
) -> Result<TimelineEntry, AppError> {
    let mut after = apply_to_view(before, cmd, today, Calendar::official()).map_err(|e| {
        AppError::new(ErrorCode::Conflict, format!("{}（当前状态：{}）", e.message, before.lifecycle.status.label()))
    })?;
    if let CaseCommand::Screen { outcome: ScreeningOutcome::AcceptAgency { .. }, agent_id: Some(agent), .. }
    | CaseCommand::Assign { agent_id: agent, .. } = cmd
    {
        after.agent_name = Some(check_agent(tx, *agent, before).await?);
    }
    record_assignment(tx, before.id, before.agent_id, after.agent_id).await?;
    let lifecycle = after.lifecycle.clone();

    let seq = next_change_seq(tx).await?;
    sqlx::query(
        "UPDATE cases SET stage = $1, status = $2, lifecycle = $3, handling_level = $4, agent_id = $5, category = $6, task_group = $7, \
         proposed_handling = $8, leader_opinion = $9, leader_instruction = $10, notice_form = $11, result = $12, opinion = $13, \
         concluded_on = $14, follow_up_due = $15, level = $16, due_on = $17, due_unscheduled = $18, overdue_since = $19, rev = $20 \
         WHERE id = $21",
    )
    .bind(after.stage.as_str())
    .bind(lifecycle.status.as_str())
    .bind(serde_json::to_string(&lifecycle).unwrap_or_default())
    .bind(to_text(&lifecycle.level))
    .bind(after.agent_id)
    .bind(after.category.map(|c| c.as_str()))
    .bind(after.task_group.map(|g| to_text(&g)))
    .bind(&after.proposed_handling)
    .bind(&after.leader_opinion)
    .bind(&after.leader_instruction)
    .bind(after.notice_form.map(|n| to_text(&n)))
    .bind(&after.result)
    .bind(after.opinion.map(|o| to_text(&o)))
    .bind(after.concluded_on.map(|d| d.to_string()))
    .bind(after.follow_up_due.map(|d| d.to_string()))
    .bind(after.level.as_str())
    .bind(after.due_on.to_string())
    .bind(i64::from(after.due_unscheduled))
    .bind(after.overdue_since.map(|d| d.to_string()))
    .bind(seq)
    .bind(before.id)
    .execute(&mut **tx)
    .await?;
    let at = now_text();
    let label = cmd.label();
    let event_id: i64 = sqlx::query(
        "INSERT INTO case_events (case_id, kind, label, payload, actor_id, at, rev) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(before.id)
    .bind(cmd.kind())
    .bind(&label)
    .bind(serde_json::to_string(cmd).unwrap_or_default())
    .bind(actor.map(|a| a.id))
    .bind(&at)
    .bind(seq)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    audit::append(
        tx,
        AuditEntry {
            actor_id: actor.map(|a| a.id),
            action: cmd.kind(),
            entity: "case",
            entity_id: before.id.to_string(),
            before: Some(json(before)),
            after: Some(json(&after)),
        },
    )
    .await?;
    Ok(TimelineEntry {
        id: event_id,
        case_id: before.id,
        command: cmd.clone(),
        label,
        actor_id: actor.map(|a| a.id),
        actor_name: actor.map_or_else(|| "系统".to_string(), |a| a.display_name.clone()),
        at,
    })
}

/// Appends a visit to a case inside `tx`. Returns `Ok(false)` when this very
/// visit (same id, same case) is already stored: appending is idempotent.
/// Refusals are `ApiError`s with a Chinese message; nothing is written then.
pub async fn add_visit(tx: &mut Tx, user: &CurrentUser, v: &CheckedVisit) -> Result<bool, AppError> {
    // Out of scope and missing answer alike, so case ids cannot be walked.
    let case = user.scope().case_for_write(tx, v.case_id).await?.ok_or_else(AppError::not_found)?;
    if !case.stage.accepts_records() {
        return Err(
            ApiError::new(ErrorCode::Conflict, format!("该事项已{}，不能再添加走访记录", case.stage.label())).into()
        );
    }
    let mine_until = assignment_ended(tx, v.case_id, user.id).await?;
    may_record(Actor { id: user.id, role: user.role }, &handling(&case), v.visited_at, mine_until)?;
    if let Some(row) =
        sqlx::query("SELECT case_id FROM visits WHERE id = $1").bind(&v.id).fetch_optional(&mut **tx).await?
    {
        let existing_case: i64 = row.try_get(0)?;
        return if existing_case == v.case_id {
            Ok(false)
        } else {
            Err(ApiError::new(ErrorCode::Conflict, "记录编号已被其他事项使用").into())
        };
    }
    let seq = next_change_seq(tx).await?;
    sqlx::query(
        "INSERT INTO visits (id, case_id, visited_at, method, note, recorded_by, created_at, rev, lat_e6, lng_e6, accuracy_m) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&v.id)
    .bind(v.case_id)
    .bind(&v.wire.visited_at)
    .bind(v.method.as_str())
    .bind(&v.note)
    .bind(user.id)
    .bind(now_text())
    .bind(seq)
    .bind(v.position.map(|p| p.lat_e6))
    .bind(v.position.map(|p| p.lng_e6))
    .bind(v.position.map(|p| p.accuracy_m))
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE cases SET rev = $1 WHERE id = $2").bind(seq).bind(v.case_id).execute(&mut **tx).await?;
    audit::append(
        tx,
        AuditEntry {
            actor_id: Some(user.id),
            action: "visit.add",
            entity: "visit",
            entity_id: v.id.clone(),
            before: None,
            after: serde_json::to_value(&v.wire).ok(),
        },
    )
    .await?;
    Ok(true)
}

/// When the case's last assignment to `agent` ended (China local time), if
/// it was assigned to them and no longer is.
pub async fn assignment_ended(tx: &mut Tx, case_id: i64, agent: i64) -> Result<Option<NaiveDateTime>, AppError> {
    let row = sqlx::query("SELECT MAX(ended_at) FROM case_assignments WHERE case_id = $1 AND agent_id = $2")
        .bind(case_id)
        .bind(agent)
        .fetch_one(&mut **tx)
        .await?;
    let ended: Option<String> = row.try_get(0)?;
    Ok(ended
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| china_local(t.with_timezone(&chrono::Utc))))
}

/// The timeline of a case (already known to be in scope), oldest first.
pub async fn timeline(pool: &sqlx::AnyPool, case_id: i64) -> Result<Vec<TimelineEntry>, AppError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM case_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.case_id = $1 ORDER BY e.id",
        crate::jurisdiction::TIMELINE_COLUMNS
    )))
    .bind(case_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(crate::jurisdiction::timeline_from_row).collect::<Result<Vec<_>, _>>()?)
}
