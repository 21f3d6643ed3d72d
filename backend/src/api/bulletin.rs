//! The monthly bulletin (月通报) and the year summary (年汇总) a township or
//! the banner sends to the units below it — as JSON for the desk, a
//! printable page and an XLSX workbook — and the agents' appraisal.
//!
//! Every figure comes from the kept counters (`case_stats`), the list of
//! overdue matters from the cases' (unit path, status, due date) index, the
//! ranking of villages from `assessment::ranking` (read by
//! `crate::db::bulletin`); the page and the workbook are built by
//! `crate::render::bulletin`.

use crate::db::session::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::ApiContext;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Datelike;
use shared::bulletin::{Appraisal, Bulletin, BulletinKind};
use shared::error::ErrorCode;
use shared::stats::MonthRange;

/// `?month=YYYY-MM` (月通报) or `?year=YYYY` (年汇总), and the unit.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BulletinQuery {
    /// The month of a monthly bulletin (YYYY-MM).
    #[serde(default)]
    pub month: Option<String>,
    /// The year of a year summary.
    #[serde(default)]
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    #[serde(default)]
    #[param(minimum = 1)]
    pub unit_id: Option<i64>,
}

fn reader(user: &CurrentUser) -> AppResult<()> {
    crate::api::stats::desk_reader(user, "通报")
}

fn bad(m: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::ValidationFailed, m)
}

/// The bulletin a query asks for.
pub async fn build_for(
    ctx: &ApiContext,
    user: &CurrentUser,
    q: Result<Query<BulletinQuery>, QueryRejection>,
) -> AppResult<Bulletin> {
    reader(user)?;
    let Query(q) = q.map_err(|e| bad(format!("通报条件无效：{}", e.body_text())))?;
    let today = shared::time::china_today(chrono::Utc::now());
    let (kind, period) = match (&q.month, q.year) {
        (Some(m), None) => (BulletinKind::Month, MonthRange::parse(m, m)?),
        (None, Some(y)) if (2000..=2100).contains(&y) => {
            (BulletinKind::Year, crate::db::assessment::year_range(y, today))
        }
        (None, Some(_)) => return Err(bad("年度应为 2000–2100")),
        (None, None) => {
            // The last whole month: the bulletin a township sends early in the next.
            let last = today.with_day(1).and_then(|d| d.pred_opt()).unwrap_or(today);
            let m = shared::stats::month_of(last);
            (BulletinKind::Month, MonthRange::parse(&m, &m)?)
        }
        (Some(_), Some(_)) => return Err(bad("请只给出月份（month）或年度（year）之一")),
    };
    if period.from > shared::stats::month_of(today) {
        return Err(bad("通报月份不能晚于本月"));
    }
    let unit_id = q.unit_id.unwrap_or(user.unit_id);
    let (_, path, name) = crate::db::stats::unit_named(&ctx.db.pool, user, unit_id, "通报").await?;
    crate::db::bulletin::build(&ctx.db.pool, kind, unit_id, name, &path, period, today).await
}

#[utoipa::path(get, path = "/api/bulletin", tag = "assessment", params(BulletinQuery), responses((status = 200, body = Bulletin), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn bulletin(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    q: Result<Query<BulletinQuery>, QueryRejection>,
) -> AppResult<Json<Bulletin>> {
    Ok(Json(build_for(&ctx, &user, q).await?))
}

/// `GET /print/bulletin?month=…|year=…`: the bulletin on A4.
pub async fn bulletin_print(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    q: Result<Query<BulletinQuery>, QueryRejection>,
) -> AppResult<Response> {
    let b = build_for(&ctx, &user, q).await?;
    let html = crate::render::bulletin::page_html(&b, crate::render::letters::chinese_date(b.made_on))
        .map_err(|_| AppError::new(ErrorCode::Internal, "通报生成失败"))?;
    Ok(([(header::CACHE_CONTROL, "no-store")], axum::response::Html(html)).into_response())
}

/// `GET /api/bulletin.xlsx?month=…|year=…`: the bulletin as a workbook,
/// one sheet per table.
#[utoipa::path(get, path = "/api/bulletin.xlsx", tag = "assessment", params(BulletinQuery), responses((status = 200, description = "通报（Excel）", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn bulletin_xlsx(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    q: Result<Query<BulletinQuery>, QueryRejection>,
) -> AppResult<Response> {
    let b = build_for(&ctx, &user, q).await?;
    let bytes = tokio::task::spawn_blocking(move || crate::render::bulletin::workbook(&b))
        .await
        .map_err(|_| AppError::new(ErrorCode::Internal, "通报生成失败"))??;
    Ok(crate::api::reward_report::xlsx_response(bytes, "bulletin.xlsx", &crate::api::public::percent("通报.xlsx")))
}

/// `?from=YYYY-MM&to=YYYY-MM&unit_id=N`
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AppraisalQuery {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    #[param(minimum = 1)]
    pub unit_id: Option<i64>,
}

#[utoipa::path(get, path = "/api/appraisal", tag = "assessment", params(AppraisalQuery), responses((status = 200, body = Appraisal), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn appraisal(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    q: Result<Query<AppraisalQuery>, QueryRejection>,
) -> AppResult<Json<Appraisal>> {
    reader(&user)?;
    let Query(q) = q.map_err(|e| bad(format!("考评条件无效：{}", e.body_text())))?;
    let today = shared::time::china_today(chrono::Utc::now());
    let period = MonthRange::parse(
        q.from.as_deref().unwrap_or(&format!("{:04}-01", today.year())),
        q.to.as_deref().unwrap_or(&shared::stats::month_of(today)),
    )?;
    let unit_id = q.unit_id.unwrap_or(user.unit_id);
    let (_, path, unit_name) = crate::db::stats::unit_named(&ctx.db.pool, &user, unit_id, "代办员考评").await?;
    let agents = crate::db::bulletin::appraise(&ctx.db.pool, &path, &period).await?;
    Ok(Json(Appraisal { unit_id, unit_name, period, agents }))
}
