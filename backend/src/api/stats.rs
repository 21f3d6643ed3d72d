//! Statistics (issue 12): the figures of a unit for a period (`GET
//! /api/stats`) and the quality inspection (质检) by the banner's
//! supervision centre. The counters they read, and their maintenance, are
//! in [`crate::db::stats`]; an inspection's writes in
//! [`crate::workflow::quality`].

use crate::api::extract::ApiJson;
use crate::db::session::CurrentUser;
use crate::db::Write;
use crate::error::{AppError, AppResult};
use crate::workflow::quality::{inspector, record_inspection};
use crate::ApiContext;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use chrono::Datelike;
use shared::case::CaseView;
use shared::error::ErrorCode;
use shared::stats::{Inspection, InspectionView, MonthRange, UnitStats};

/// `GET /api/stats` and the quality endpoints' query: a unit in the user's
/// scope (default: the user's own) and a period of months (default: this
/// year up to this month).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    #[serde(default)]
    #[param(minimum = 1)]
    pub unit_id: Option<i64>,
    /// First month (YYYY-MM).
    #[serde(default)]
    pub from: Option<String>,
    /// Last month (YYYY-MM).
    #[serde(default)]
    pub to: Option<String>,
    /// How many matters to draw (质检 sample), 1–200.
    #[serde(default)]
    pub size: Option<i64>,
}

/// Only the desk's users read figures (statistics, the assessment, the
/// bulletin, the appraisal); `what` names the page in the refusal.
pub fn desk_reader(user: &CurrentUser, what: &str) -> AppResult<()> {
    if shared::desk::role_level(user.role).is_none() {
        return Err(AppError::new(ErrorCode::Forbidden, format!("{}不能查看{what}", user.role.label())));
    }
    Ok(())
}

fn desk_user(user: &CurrentUser) -> AppResult<()> {
    desk_reader(user, "统计")
}

struct Checked {
    unit_id: i64,
    unit_name: String,
    unit_path: String,
    range: MonthRange,
}

async fn checked(
    ctx: &ApiContext,
    user: &CurrentUser,
    q: Result<Query<StatsQuery>, QueryRejection>,
) -> AppResult<(Checked, StatsQuery)> {
    let Query(q) =
        q.map_err(|e| AppError::new(ErrorCode::ValidationFailed, format!("统计条件无效：{}", e.body_text())))?;
    let today = shared::time::china_today(chrono::Utc::now());
    let range = MonthRange::parse(
        q.from.as_deref().unwrap_or(&format!("{:04}-01", today.year())),
        q.to.as_deref().unwrap_or(&shared::stats::month_of(today)),
    )?;
    let unit_id = q.unit_id.unwrap_or(user.unit_id);
    let (_, unit_path, unit_name) = crate::db::stats::unit_named(&ctx.db.pool, user, unit_id, "统计").await?;
    Ok((Checked { unit_id, unit_name, unit_path, range }, q))
}

#[utoipa::path(get, path = "/api/stats", tag = "stats", params(StatsQuery), responses((status = 200, body = UnitStats), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn unit_stats(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    q: Result<Query<StatsQuery>, QueryRejection>,
) -> AppResult<Json<UnitStats>> {
    desk_user(&user)?;
    let (c, _) = checked(&ctx, &user, q).await?;
    let today = shared::time::china_today(chrono::Utc::now());
    let soon = crate::db::calendar::current().add_working_days(today, 2).value;
    Ok(Json(
        crate::db::stats::stats_of(&ctx.db.pool, c.unit_id, c.unit_name, &c.unit_path, c.range, today, soon).await?,
    ))
}

#[utoipa::path(get, path = "/api/stats/quality/sample", tag = "stats", params(StatsQuery), responses((status = 200, description = "随机抽取的已办结、未质检事项", body = Vec<CaseView>), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn sample(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    q: Result<Query<StatsQuery>, QueryRejection>,
) -> AppResult<Json<Vec<CaseView>>> {
    inspector(&user)?;
    let (c, q) = checked(&ctx, &user, q).await?;
    let size = q.size.unwrap_or(10);
    if !(1..=200).contains(&size) {
        return Err(AppError::new(ErrorCode::ValidationFailed, "抽样数量应为 1–200"));
    }
    let (from, to) = c.range.days();
    Ok(Json(user.scope().quality_sample(&ctx.db.pool, &c.unit_path, from, to, size).await?))
}

#[utoipa::path(get, path = "/api/stats/quality", tag = "stats", params(StatsQuery), responses((status = 200, body = Vec<InspectionView>), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn list_inspections(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    q: Result<Query<StatsQuery>, QueryRejection>,
) -> AppResult<Json<Vec<InspectionView>>> {
    desk_user(&user)?;
    let (c, _) = checked(&ctx, &user, q).await?;
    let (from, to) = c.range.days();
    Ok(Json(user.scope().inspections(&ctx.db.pool, &c.unit_path, from, to).await?))
}

#[utoipa::path(post, path = "/api/stats/quality", tag = "stats", request_body = Inspection, responses((status = 200, body = InspectionView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn inspect(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiJson(i): ApiJson<Inspection>,
) -> AppResult<Json<InspectionView>> {
    let today = shared::time::china_today(chrono::Utc::now());
    let mut w = Write::begin(&ctx.db, 1).await?;
    let view = record_inspection(&mut w, &user, &i, today).await?;
    w.commit().await?;
    Ok(Json(view))
}
