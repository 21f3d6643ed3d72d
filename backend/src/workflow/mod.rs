//! The workflow service: the one place that writes a matter, a visit or a
//! command ([`create_case`], [`add_visit`], [`apply_command`]). The REST
//! handlers, the sync push and the overdue job only call these, so a change
//! does the same thing whether it was clicked at a desk or queued on a phone
//! offline. Visits are in `visits.rs`, the citizen's requests and the
//! replies to complaints in `citizen.rs`.
//!
//! Each function is given the caller's write transaction, the actor and the
//! day (or time) it acts on, and: checks the input with `shared`, loads the
//! case through the actor's [`crate::db::scope::Scope`], checks authority
//! and the lifecycle transition with `shared`, writes the change and its
//! timeline entry under a new change sequence number, and appends the audit
//! entry. A refusal writes nothing.

pub mod attachment;
pub mod citizen;
pub mod counters;
pub mod demo;
pub mod overdue;
pub mod push;
pub mod quality;
pub mod schedule;
pub mod upkeep;
mod visits;

pub use visits::{add_visit, assignment_ended};

use crate::db::audit::{self, AuditEntry};
use crate::db::session::CurrentUser;
use crate::db::text::to_text;
use crate::db::{now_text, Cell, Write, VISIT_COLUMNS};
use crate::error::AppError;
use chrono::{NaiveDate, NaiveDateTime};
use shared::authority::{may_act, may_act_from, may_record, may_take, Actor, Handling, Place};
use shared::case::{case_number, case_number_stem, CaseView, TimelineEntry};
use shared::command::{apply_to_view, CaseCommand};
use shared::error::{ApiError, ErrorCode};
use shared::intake::CheckedCase;
use shared::lifecycle::{HandlingLevel, Lifecycle, ScreeningOutcome};
use shared::org::UnitKind;
use shared::time::china_local;
use shared::validation::CheckedVisit;
use sqlx::Row;

fn json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// Registers a new matter. Returns the new case id, or the existing one if
/// this `client_ref` was registered before (a re-sent offline creation).
pub async fn create_case(w: &mut Write, user: &CurrentUser, c: &CheckedCase) -> Result<(i64, bool), AppError> {
    if !user.role.may_register_cases() {
        return Err(AppError::new(ErrorCode::Forbidden, "您的角色不能登记信访事项"));
    }
    if let Some(r) = &c.client_ref {
        if let Some(row) =
            sqlx::query("SELECT id FROM cases WHERE client_ref = $1").bind(r).fetch_optional(w.conn()).await?
        {
            return Ok((row.try_get(0)?, false));
        }
    }
    let Some((kind, _)) = user.scope().unit(w.conn(), c.unit_id).await? else {
        return Err(AppError::new(ErrorCode::OutOfJurisdiction, "只能为本辖区的单位登记事项"));
    };
    let lifecycle = Lifecycle::new(kind.handling_level());
    let due = c.level.due_date(&crate::db::calendar::current(), c.received_on);
    let seq = w.next_seq().await?;
    let year = chrono::Datelike::year(&c.received_on);
    // 编号: per prefix and year, in order of registration.
    let prefix = crate::db::org::number_prefix(w.conn(), c.unit_id).await?;
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM cases WHERE number LIKE $1")
        .bind(format!("{}%", case_number_stem(&prefix, year)))
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
    let number = case_number(&prefix, year, n + 1);
    let id: i64 = sqlx::query(
        "INSERT INTO cases (number, unit_id, citizen_name, id_number, phone, address, summary, brief, stage, status, lifecycle, \
         handling_level, level, channel, source, category, task_group, accepted_on, due_on, due_unscheduled, agent_id, client_ref, rev, created_at, registered_by, query_code, unit_path) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, \
         (SELECT path FROM units WHERE id = $2)) RETURNING id",
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
    .bind(crate::db::new_query_code())
    .fetch_one(w.conn())
    .await?
    .try_get(0)?;
    crate::workflow::counters::changed(w.conn(), id, None, None).await?;
    audit::record(
        w,
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
async fn check_agent(w: &mut Write, agent_id: i64, case: &CaseView) -> Result<String, AppError> {
    let row = sqlx::query(
        "SELECT u.display_name, n.path, u.agent_kind FROM users u JOIN units n ON n.id = u.unit_id WHERE u.id = $1",
    )
    .bind(agent_id)
    .fetch_optional(w.conn())
    .await?
    .ok_or_else(|| AppError::new(ErrorCode::ValidationFailed, "代办员不存在"))?;
    let agent_kind = crate::db::text::opt_from_text("agent_kind", row.try_get("agent_kind")?)?;
    let agent_path: String = row.try_get("path")?;
    let case_path: String =
        sqlx::query("SELECT path FROM units WHERE id = $1").bind(case.unit_id).fetch_one(w.conn()).await?.try_get(0)?;
    may_take(agent_kind, &agent_path, &case_path)?;
    Ok(row.try_get("display_name")?)
}

/// Records a change of the assigned agent: the former agent's assignment
/// ends now (their visits dated before it are still accepted), the new one
/// begins.
async fn record_assignment(w: &mut Write, case_id: i64, from: Option<i64>, to: Option<i64>) -> Result<(), AppError> {
    if from == to {
        return Ok(());
    }
    let now = now_text();
    let ended = sqlx::query("UPDATE case_assignments SET ended_at = $1 WHERE case_id = $2 AND ended_at IS NULL")
        .bind(&now)
        .bind(case_id)
        .execute(w.conn())
        .await?
        .rows_affected();
    if let (0, Some(former)) = (ended, from) {
        // Assigned before assignments were kept (or by the demo data): the
        // start is unknown, the end is now — which is all the rule needs.
        sqlx::query("INSERT INTO case_assignments (case_id, agent_id, assigned_at, ended_at) VALUES ($1, $2, $3, $3)")
            .bind(case_id)
            .bind(former)
            .bind(&now)
            .execute(w.conn())
            .await?;
    }
    if let Some(agent) = to {
        sqlx::query("INSERT INTO case_assignments (case_id, agent_id, assigned_at) VALUES ($1, $2, $3)")
            .bind(case_id)
            .bind(agent)
            .bind(&now)
            .execute(w.conn())
            .await?;
    }
    Ok(())
}

/// The authority rule's view of a case.
pub fn handling(case: &CaseView) -> Handling<'_> {
    Handling {
        lifecycle: &case.lifecycle,
        agent_id: case.agent_id,
        agent_name: case.agent_name.as_deref(),
        registered_by: case.registered_by,
    }
}

/// Applies a command to a case. Returns the timeline entry written.
pub async fn apply_command(
    w: &mut Write,
    user: &CurrentUser,
    case_id: i64,
    cmd: &CaseCommand,
    today: NaiveDate,
) -> Result<TimelineEntry, AppError> {
    cmd.validate()?;
    let scope = user.scope();
    // Out of scope and missing answer alike, so case ids cannot be walked.
    let before = scope.case_for_write(w.conn(), case_id).await?.ok_or_else(AppError::not_found)?;
    let actor = Actor { id: user.id, role: user.role };
    may_act(actor, cmd, &handling(&before))?;
    let place = CasePlace::of(w.conn(), &before).await?;
    may_act_from(actor, &place.seen_by(user), cmd)?;
    apply_checked(w, Some(user), &before, cmd, today).await
}

/// Where a case is handled now and the units holding its 处置单: what the
/// desk rule (`shared::authority::may_act_from`) needs beside the case.
pub struct CasePlace {
    pub handling_unit_path: String,
    pub handling_unit_name: String,
    pub handling_unit_kind: UnitKind,
    pub level: HandlingLevel,
    /// (unit, answered) for every 处置单 of the case.
    pub dispositions: Vec<(i64, bool)>,
}

impl CasePlace {
    pub async fn of(conn: &mut sqlx::AnyConnection, case: &CaseView) -> Result<CasePlace, AppError> {
        let unit = sqlx::query("SELECT path, name, kind FROM units WHERE id = $1")
            .bind(case.handling_unit_id.unwrap_or(case.unit_id))
            .fetch_one(&mut *conn)
            .await?;
        let dispositions = sqlx::query("SELECT unit_id, result FROM dispositions WHERE case_id = $1 ORDER BY id")
            .bind(case.id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get::<i64, _>("unit_id")?, r.try_get::<Option<String>, _>("result")?.is_some())))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(CasePlace {
            handling_unit_path: unit.try_get("path")?,
            handling_unit_name: unit.try_get("name")?,
            handling_unit_kind: crate::db::text::from_text("kind", &unit.try_get::<String, _>("kind")?)?,
            level: case.lifecycle.level,
            dispositions,
        })
    }

    pub fn seen_by<'a>(&'a self, user: &'a CurrentUser) -> Place<'a> {
        Place {
            actor_unit_id: user.unit_id,
            actor_unit_path: &user.unit_path,
            actor_unit_kind: user.unit_kind,
            handling_unit_path: &self.handling_unit_path,
            handling_unit_name: &self.handling_unit_name,
            handling_unit_kind: self.handling_unit_kind,
            level: self.level,
            dispositions: &self.dispositions,
        }
    }
}

/// The unit a matter reported up to `to` goes to: the case's ancestor of
/// that level's kind (the township, the banner, the league).
async fn unit_above(w: &mut Write, case: &CaseView, to: HandlingLevel) -> Result<(i64, String), AppError> {
    let row = sqlx::query(
        "SELECT u.id, u.name FROM units u, units c WHERE c.id = $1 AND u.kind = $2 \
         AND c.path LIKE u.path || '%' ORDER BY u.path DESC LIMIT 1",
    )
    .bind(case.unit_id)
    .bind(shared::desk::unit_kind_at(to).as_str())
    .fetch_optional(w.conn())
    .await?;
    match row {
        Some(r) => Ok((r.try_get("id")?, r.try_get("name")?)),
        None => Err(AppError::new(ErrorCode::ValidationFailed, format!("找不到该事项所属的{}单位", to.label()))),
    }
}

/// A competent unit a matter may be transferred to: a department (事权单位)
/// of the matter's banner or township. Returns its name.
async fn transfer_target(w: &mut Write, case: &CaseView, unit_id: i64) -> Result<String, AppError> {
    let row = sqlx::query(
        "SELECT u.name, u.kind, u.path, c.path AS case_path FROM units u, units c WHERE u.id = $1 AND c.id = $2",
    )
    .bind(unit_id)
    .bind(case.unit_id)
    .fetch_optional(w.conn())
    .await?
    .ok_or_else(|| AppError::new(ErrorCode::ValidationFailed, "承办单位不存在"))?;
    let kind: UnitKind = crate::db::text::from_text("kind", &row.try_get::<String, _>("kind")?)?;
    let path: String = row.try_get("path")?;
    let case_path: String = row.try_get("case_path")?;
    shared::desk::may_transfer_to(kind, &path, &case_path)?;
    Ok(row.try_get("name")?)
}

/// Applies a command whose permission was checked (or that the system
/// issues, `actor = None`). Shared with the overdue job.
pub async fn apply_checked(
    w: &mut Write,
    actor: Option<&CurrentUser>,
    before: &CaseView,
    cmd: &CaseCommand,
    today: NaiveDate,
) -> Result<TimelineEntry, AppError> {
    // What only the server knows: the name of the unit a 处置单 goes to.
    let mut cmd = cmd.clone();
    if let CaseCommand::Transfer { unit, unit_id: Some(unit_id), .. } = &mut cmd {
        *unit = transfer_target(w, before, *unit_id).await?;
    }
    let cmd = &cmd;
    let mut after = apply_to_view(before, cmd, today, &crate::db::calendar::current()).map_err(|e| {
        AppError::new(ErrorCode::Conflict, format!("{}（当前状态：{}）", e.message, before.lifecycle.status.label()))
    })?;
    if let CaseCommand::Screen { outcome: ScreeningOutcome::AcceptAgency { .. }, agent_id: Some(agent), .. }
    | CaseCommand::Assign { agent_id: agent, .. } = cmd
    {
        after.agent_name = Some(check_agent(w, *agent, before).await?);
    }
    record_assignment(w, before.id, before.agent_id, after.agent_id).await?;
    if let CaseCommand::Escalate { to, .. } = cmd {
        // 上报 hands the matter to the unit of the level above.
        let (id, name) = unit_above(w, before, *to).await?;
        after.handling_unit_id = Some(id);
        after.handling_unit_name = Some(name);
    }
    w.forget_case(before.id);
    let lifecycle = after.lifecycle.clone();

    let seq = w.next_seq().await?;
    let stats_before = crate::db::stats::facts(w.conn(), before.id).await?;
    sqlx::query(
        "UPDATE cases SET stage = $1, status = $2, lifecycle = $3, handling_level = $4, agent_id = $5, category = $6, task_group = $7, \
         proposed_handling = $8, leader_opinion = $9, leader_instruction = $10, notice_form = $11, result = $12, opinion = $13, \
         concluded_on = $14, follow_up_due = $15, level = $16, due_on = $17, due_unscheduled = $18, overdue_since = $19, rev = $20, \
         handling_unit_id = $21, plan_fixed_on = $22, review_by = $23 WHERE id = $24",
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
    .bind(after.handling_unit_id)
    .bind(after.plan_fixed_on.map(|d| d.to_string()))
    .bind(shared::desk::review_decider(lifecycle.status, lifecycle.level).map(|l| l.as_str()))
    .bind(before.id)
    .execute(w.conn())
    .await?;
    let at = now_text();
    let actor_id = actor.map(|a| a.id);
    match cmd {
        CaseCommand::Transfer { unit_id: Some(unit_id), proposed_handling, .. } => {
            sqlx::query(
                "INSERT INTO dispositions (case_id, unit_id, proposed_handling, created_at, created_by) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(before.id)
            .bind(*unit_id)
            .bind(proposed_handling)
            .bind(&at)
            .bind(actor_id.unwrap_or_default())
            .execute(w.conn())
            .await?;
        }
        CaseCommand::DepartmentReply { unit_id, result } => {
            sqlx::query(
                "UPDATE dispositions SET result = $1, replied_at = $2, replied_by = $3 \
                 WHERE case_id = $4 AND unit_id = $5 AND result IS NULL",
            )
            .bind(result)
            .bind(&at)
            .bind(actor_id)
            .bind(before.id)
            .bind(*unit_id)
            .execute(w.conn())
            .await?;
        }
        _ => {}
    }
    // After the 处置单: a transferred matter counts for its department too.
    crate::workflow::counters::changed(w.conn(), before.id, stats_before, Some(today)).await?;
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
    .fetch_one(w.conn())
    .await?
    .try_get(0)?;
    audit::record(
        w,
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

/// The commands `user` may issue on `case` now (the desk's buttons).
pub async fn desk_actions(pool: &sqlx::AnyPool, user: &CurrentUser, case: &CaseView) -> Result<Vec<String>, AppError> {
    let mut conn = pool.acquire().await?;
    let place = CasePlace::of(&mut conn, case).await?;
    let actor = Actor { id: user.id, role: user.role };
    Ok(shared::authority::desk_commands(actor, &place.seen_by(user), case).into_iter().map(str::to_string).collect())
}
