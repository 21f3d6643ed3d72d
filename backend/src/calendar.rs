//! The working-day calendar the server counts with: the official schedule
//! shipped in `shared` plus the years an administrator entered (table
//! `calendar_days`), and the administration API for those years.
//!
//! The calendar lives in one process-wide cell: deadlines are counted deep
//! inside the write path (`workflow`, `overdue`, the public pages), where
//! only [`current`] is needed instead of `Calendar::official()`. The cell
//! is filled from the database when it is opened ([`load`], called by
//! `Db::connect`) and updated when an administrator saves a year. Loading
//! adds years and never forgets one, so several databases opened by one
//! process (the tests) do not undo each other's schedules.

use crate::api::extract::{ApiJson, ApiPath};
use crate::db::audit::{self, AuditEntry};
use crate::db::session::CurrentUser;
use crate::db::Write;
use crate::error::{AppError, AppResult};
use crate::ApiContext;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use shared::calendar::{check_schedule, Calendar, CalendarDay, CalendarYear, DayOverride};
use shared::command::CaseCommand;
use shared::error::ErrorCode;
use shared::org::Role;
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock, RwLock};

fn cell() -> &'static RwLock<Arc<Calendar>> {
    static CELL: OnceLock<RwLock<Arc<Calendar>>> = OnceLock::new();
    CELL.get_or_init(|| RwLock::new(Arc::new(Calendar::official().clone())))
}

/// The calendar to count working days with now.
pub fn current() -> Arc<Calendar> {
    cell().read().unwrap_or_else(|e| e.into_inner()).clone()
}

fn update(change: impl FnOnce(Calendar) -> Calendar) {
    let mut guard = cell().write().unwrap_or_else(|e| e.into_inner());
    let next = change((**guard).clone());
    *guard = Arc::new(next);
}

fn kind_text(k: DayOverride) -> &'static str {
    match k {
        DayOverride::Off => "off",
        DayOverride::Work => "work",
    }
}

/// The schedules entered in this database, per year.
async fn entered(pool: &AnyPool, year: Option<i32>) -> Result<BTreeMap<i32, Vec<(NaiveDate, DayOverride)>>, AppError> {
    let rows = sqlx::query("SELECT day, year, kind FROM calendar_days WHERE ($1 = 0 OR year = $1) ORDER BY day")
        .bind(i64::from(year.unwrap_or(0)))
        .fetch_all(pool)
        .await?;
    let mut years: BTreeMap<i32, Vec<(NaiveDate, DayOverride)>> = BTreeMap::new();
    for r in rows {
        let day: String = r.try_get("day")?;
        let day = shared::time::parse_ymd(&day)
            .ok_or_else(|| AppError::new(ErrorCode::Internal, format!("日历数据有误：{day}")))?;
        let kind = match r.try_get::<String, _>("kind")?.as_str() {
            "off" => DayOverride::Off,
            "work" => DayOverride::Work,
            other => return Err(AppError::new(ErrorCode::Internal, format!("日历数据有误：{other}"))),
        };
        let y: i64 = r.try_get("year")?;
        years.entry(y as i32).or_default().push((day, kind));
    }
    Ok(years)
}

/// Adds the years entered in the database to the calendar in use.
pub async fn load(pool: &AnyPool) -> Result<(), AppError> {
    let years = entered(pool, None).await?;
    update(|mut cal| {
        for (y, days) in &years {
            cal = cal.with_schedule(*y, days);
        }
        cal
    });
    Ok(())
}

pub fn router() -> Router<ApiContext> {
    Router::new().route("/api/admin/calendar/{year}", get(get_year).put(put_year))
}

fn admin_only(user: &CurrentUser) -> AppResult<()> {
    if user.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::Forbidden, "只有系统管理员可以维护工作日安排"))
    }
}

fn year_from(year: i64) -> AppResult<i32> {
    if (2000..=2100).contains(&year) {
        Ok(year as i32)
    } else {
        Err(AppError::new(ErrorCode::ValidationFailed, "年份应在 2000–2100 之间"))
    }
}

async fn year_view(pool: &AnyPool, year: i32) -> AppResult<CalendarYear> {
    let entered = entered(pool, Some(year)).await?;
    let cal = current();
    let days = match entered.get(&year) {
        Some(days) => days.iter().map(|(day, kind)| CalendarDay { day: *day, kind: *kind }).collect(),
        None => Calendar::official().days_of(year),
    };
    Ok(CalendarYear {
        year,
        scheduled: entered.contains_key(&year) || cal.has_schedule(year),
        entered: entered.contains_key(&year),
        days,
    })
}

/// A year's working-day schedule: the holidays and adjusted workdays, and
/// whether deadlines across the year count with it.
#[utoipa::path(get, path = "/api/admin/calendar/{year}", tag = "admin", params(("year" = i64, Path, minimum = 2000, maximum = 2100, description = "年份")), responses((status = 200, body = CalendarYear), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
async fn get_year(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(year): ApiPath<i64>,
) -> AppResult<Json<CalendarYear>> {
    admin_only(&user)?;
    Ok(Json(year_view(&ctx.db.pool, year_from(year)?).await?))
}

/// Enters (or replaces) a year's schedule as the State Council published
/// it: every holiday (`off`) and adjusted workday (`work`). An empty list
/// removes what was entered (the year counts with the built-in schedule
/// again, or with none).
#[utoipa::path(put, path = "/api/admin/calendar/{year}", tag = "admin", params(("year" = i64, Path, minimum = 2000, maximum = 2100, description = "年份")), request_body = Vec<CalendarDay>, responses((status = 200, body = CalendarYear), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
async fn put_year(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(year): ApiPath<i64>,
    ApiJson(days): ApiJson<Vec<CalendarDay>>,
) -> AppResult<Json<CalendarYear>> {
    admin_only(&user)?;
    let year = year_from(year)?;
    if days.len() > 366 {
        return Err(AppError::new(ErrorCode::ValidationFailed, "一年最多 366 天"));
    }
    let checked = check_schedule(year, &days)?;
    let before = year_view(&ctx.db.pool, year).await?;
    let change = |cal: Calendar| {
        if !checked.is_empty() {
            cal.with_schedule(year, &checked)
        } else if Calendar::official().has_schedule(year) {
            let official: Vec<_> = Calendar::official().days_of(year).iter().map(|d| (d.day, d.kind)).collect();
            cal.with_schedule(year, &official)
        } else {
            cal.without_schedule(year)
        }
    };
    let next = change((*current()).clone());
    let mut w = Write::begin(&ctx.db, 64).await?;
    sqlx::query("DELETE FROM calendar_days WHERE year = $1").bind(i64::from(year)).execute(w.conn()).await?;
    for (day, kind) in &checked {
        sqlx::query("INSERT INTO calendar_days (day, year, kind) VALUES ($1, $2, $3)")
            .bind(day.to_string())
            .bind(i64::from(year))
            .bind(kind_text(*kind))
            .execute(w.conn())
            .await?;
    }
    let recounted = recount_unscheduled(&ctx, &mut w, &next).await?;
    audit::record(
        &mut w,
        AuditEntry {
            actor_id: Some(user.id),
            action: "calendar.set_year",
            entity: "calendar",
            entity_id: year.to_string(),
            before: serde_json::to_value(&before.days).ok(),
            after: Some(serde_json::json!({"days": days, "recounted_cases": recounted})),
        },
    )
    .await?;
    w.commit().await?;
    update(change);
    Ok(Json(year_view(&ctx.db.pool, year).await?))
}

/// The day a matter's current limit started: the last command that set a
/// new limit (plan fixed: its date; escalation taken, or a review found the
/// claim reasonable: the day it happened), else the day it was accepted.
fn limit_start(accepted_on: NaiveDate, events: &[shared::case::TimelineEntry]) -> NaiveDate {
    let mut start = accepted_on;
    for e in events {
        match &e.command {
            CaseCommand::FixPlan { fixed_on, .. } => start = *fixed_on,
            CaseCommand::Escalate { .. } | CaseCommand::ReviewDecided { claim_reasonable: true, .. } => {
                if let Ok(day) = shared::time::local_day(&e.at).parse() {
                    start = day;
                }
            }
            _ => {}
        }
    }
    start
}

/// Counts again, with `cal`, the deadline of every open matter whose
/// deadline was counted across a year without a schedule (so the
/// "节假日安排未公布" warning goes once the year is entered). Returns the
/// ids of the matters whose deadline changed; phones pull them again.
async fn recount_unscheduled(ctx: &ApiContext, w: &mut Write, cal: &Calendar) -> AppResult<Vec<i64>> {
    let system = crate::db::scope::Scope::system();
    let all = crate::db::scope::LedgerFilter::default();
    let pool = &ctx.db.pool;
    let flagged: Vec<_> = system
        .ledger_cases(pool, &all, None, i64::MAX)
        .await?
        .into_iter()
        .filter(|c| c.due_unscheduled && c.stage.deadline_applies())
        .collect();
    let mut changed = Vec::new();
    for c in flagged {
        let mut events = Vec::new();
        for kind in ["fix_plan", "escalate", "review_decided"] {
            events.extend(system.ledger_events(pool, &all, Some(c.id), kind).await?);
        }
        events.sort_by_key(|e| e.id);
        let due = c.level.due_date(cal, limit_start(c.accepted_on, &events));
        if due.value == c.due_on && due.unscheduled == c.due_unscheduled {
            continue;
        }
        let seq = w.next_seq().await?;
        let stats_before = crate::stats::facts(w.conn(), c.id).await?;
        sqlx::query("UPDATE cases SET due_on = $1, due_unscheduled = $2, rev = $3 WHERE id = $4")
            .bind(due.value.to_string())
            .bind(i64::from(due.unscheduled))
            .bind(seq)
            .bind(c.id)
            .execute(w.conn())
            .await?;
        // The open matter's due date moved: its due-date counter moves too.
        crate::stats::changed(w.conn(), c.id, stats_before, None).await?;
        w.forget_case(c.id);
        changed.push(c.id);
    }
    Ok(changed)
}
