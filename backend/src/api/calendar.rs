//! The working-day calendar's administration API: a year's schedule as
//! entered (table `calendar_days`) or built in, and entering one. The
//! calendar in use and its storage are in [`crate::db::calendar`]; the
//! recount of open matters' deadlines after a change in
//! [`crate::workflow::schedule`].

use crate::api::extract::{ApiJson, ApiPath};
use crate::db::audit::{self, AuditEntry};
use crate::db::session::CurrentUser;
use crate::db::{Db, Write};
use crate::error::{AppError, AppResult};
use crate::ApiContext;
use axum::extract::State;
use axum::Json;
use shared::calendar::{check_schedule, Calendar, CalendarDay, CalendarYear};
use shared::error::ErrorCode;
use shared::org::Role;

use crate::db::calendar::current;

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

pub async fn year_view(db: &Db, year: i32) -> AppResult<CalendarYear> {
    let entered = crate::db::calendar::entered(&db.pool, Some(year)).await?;
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
pub async fn get_year(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(year): ApiPath<i64>,
) -> AppResult<Json<CalendarYear>> {
    admin_only(&user)?;
    Ok(Json(year_view(&ctx.db, year_from(year)?).await?))
}

/// Enters (or replaces) a year's schedule as the State Council published
/// it: every holiday (`off`) and adjusted workday (`work`). An empty list
/// removes what was entered (the year counts with the built-in schedule
/// again, or with none).
#[utoipa::path(put, path = "/api/admin/calendar/{year}", tag = "admin", params(("year" = i64, Path, minimum = 2000, maximum = 2100, description = "年份")), request_body = Vec<CalendarDay>, responses((status = 200, body = CalendarYear), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn put_year(
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
    let before = year_view(&ctx.db, year).await?;
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
    crate::db::calendar::replace_year(w.conn(), year, &checked).await?;
    let recounted = crate::workflow::schedule::recount_unscheduled(&mut w, &next).await?;
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
    crate::db::calendar::update(change);
    Ok(Json(year_view(&ctx.db, year).await?))
}
