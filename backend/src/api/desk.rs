//! The desk workbench's reads: a unit's inbox queues, the paged and filtered
//! case list, the due boards and the possible-duplicate check at intake.
//! Every query is the user's [`crate::db::scope::Scope`]'s; the queues'
//! meaning and the review levels are `shared::desk`'s.

use crate::db::scope::DeskDay;
use crate::db::session::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::ApiContext;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use chrono::NaiveDate;
use shared::case::{Channel, Stage};
use shared::desk::{role_level, CasePage, DeskFilter, DueBoards, DuplicateCandidate, Inbox, InboxQueue};
use shared::error::ErrorCode;
use shared::routing::ContentCategory;
use shared::time::china_today;

/// Only the desk's users: not field agents (their phone has its own list),
/// not administrators (they manage accounts, not cases).
fn desk_user(user: &CurrentUser) -> AppResult<()> {
    if role_level(user.role).is_none() {
        return Err(AppError::new(ErrorCode::Forbidden, format!("{}不使用办公桌面", user.role.label())));
    }
    Ok(())
}

/// Today, the last day that counts as due soon (due within 2 working days:
/// `DueStatus::is_urgent`), and the level this user decides reviews at.
fn desk_day(user: &CurrentUser) -> DeskDay {
    let today = china_today(chrono::Utc::now());
    DeskDay {
        today,
        soon: crate::db::calendar::current().add_working_days(today, 2).value,
        review_level: role_level(user.role).map_or("", |l| l.as_str()),
    }
}

#[utoipa::path(get, path = "/api/desk/inbox", tag = "desk", responses((status = 200, body = Inbox), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn inbox(State(ctx): State<ApiContext>, user: CurrentUser) -> AppResult<Json<Inbox>> {
    desk_user(&user)?;
    let queues = InboxQueue::for_desk(user.role, user.desk_kind());
    let counts = user.scope().queue_counts(&ctx.db.pool, user.unit_id, &desk_day(&user), &queues).await?;
    Ok(Json(Inbox { unit_id: user.unit_id, unit_name: user.unit_name.clone(), queues: counts }))
}

/// `GET /api/desk/cases` query.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeskQuery {
    #[serde(default)]
    pub queue: Option<InboxQueue>,
    /// A name (any part, with or without `·`), number or words of the problem.
    #[serde(default)]
    #[param(max_length = 100)]
    pub q: Option<String>,
    #[serde(default)]
    pub stage: Option<Stage>,
    /// That unit and the units below it.
    #[serde(default)]
    #[param(minimum = 1)]
    pub unit_id: Option<i64>,
    #[serde(default)]
    #[param(minimum = 1)]
    pub agent_id: Option<i64>,
    #[serde(default)]
    pub category: Option<ContentCategory>,
    #[serde(default)]
    pub channel: Option<Channel>,
    /// Accepted on or after (YYYY-MM-DD).
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// Accepted on or before (YYYY-MM-DD).
    #[serde(default)]
    pub to: Option<NaiveDate>,
    /// A statistics counter (`closed`, `channel:online` …): only the
    /// matters behind it (the drill-down of a figure on 统计).
    #[serde(default)]
    #[param(max_length = 60)]
    pub stat: Option<String>,
    #[serde(default)]
    #[param(minimum = 0)]
    pub offset: i64,
    #[serde(default = "page_size")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: i64,
}

fn page_size() -> i64 {
    50
}

impl DeskQuery {
    pub fn filter(&self) -> DeskFilter {
        DeskFilter {
            queue: self.queue,
            q: self.q.clone(),
            stage: self.stage,
            unit_id: self.unit_id,
            agent_id: self.agent_id,
            category: self.category,
            channel: self.channel,
            from: self.from,
            to: self.to,
            stat: self.stat.clone(),
        }
    }
}

/// The query, checked: its texts and bounds, and the unit inside the scope
/// (its path, to narrow the list to it and below).
pub async fn checked_query(
    ctx: &ApiContext,
    user: &CurrentUser,
    q: Result<Query<DeskQuery>, QueryRejection>,
) -> AppResult<(DeskQuery, Option<String>)> {
    let Query(q) =
        q.map_err(|e| AppError::new(ErrorCode::ValidationFailed, format!("查询条件无效：{}", e.body_text())))?;
    if let Some(text) = &q.q {
        shared::validation::check_plain("查询内容", text)?;
        if text.chars().count() > 100 {
            return Err(AppError::new(ErrorCode::ValidationFailed, "查询内容不能超过 100 个字"));
        }
    }
    if q.stat.as_deref().is_some_and(|k| !shared::stats::valid_key(k)) {
        return Err(AppError::new(ErrorCode::ValidationFailed, "统计项无效"));
    }
    if q.offset < 0 || !(1..=200).contains(&q.limit) {
        return Err(AppError::new(ErrorCode::ValidationFailed, "分页参数无效（offset ≥ 0，limit 为 1–200）"));
    }
    let unit_path = match q.unit_id {
        None => None,
        Some(id) => {
            let mut conn = ctx.db.pool.acquire().await?;
            let (_, path) = user
                .scope()
                .unit(&mut conn, id)
                .await?
                .ok_or_else(|| AppError::new(ErrorCode::ValidationFailed, "单位不存在或不在本辖区"))?;
            Some(path)
        }
    };
    Ok((q, unit_path))
}

#[utoipa::path(get, path = "/api/desk/cases", tag = "desk", params(DeskQuery), responses((status = 200, body = CasePage), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn cases(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    q: Result<Query<DeskQuery>, QueryRejection>,
) -> AppResult<Json<CasePage>> {
    desk_user(&user)?;
    let (q, unit_path) = checked_query(&ctx, &user, q).await?;
    let page = user
        .scope()
        .desk_page(&ctx.db.pool, user.unit_id, &desk_day(&user), &q.filter(), unit_path.as_deref(), (q.offset, q.limit))
        .await?;
    Ok(Json(page))
}

#[utoipa::path(get, path = "/api/desk/boards", tag = "desk", responses((status = 200, body = DueBoards), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn boards(State(ctx): State<ApiContext>, user: CurrentUser) -> AppResult<Json<DueBoards>> {
    desk_user(&user)?;
    Ok(Json(user.scope().due_boards(&ctx.db.pool, user.unit_id, &desk_day(&user)).await?))
}

/// `GET /api/desk/duplicates` query: the matter being registered.
#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DuplicateQuery {
    #[param(max_length = 50)]
    pub citizen_name: String,
    #[serde(default)]
    #[param(max_length = 18)]
    pub id_number: String,
    #[serde(default)]
    #[param(max_length = 20)]
    pub phone: String,
    #[param(max_length = 2000)]
    pub summary: String,
}

#[utoipa::path(get, path = "/api/desk/duplicates", tag = "desk", params(DuplicateQuery), responses((status = 200, body = Vec<DuplicateCandidate>), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn duplicates(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    q: Result<Query<DuplicateQuery>, QueryRejection>,
) -> AppResult<Json<Vec<DuplicateCandidate>>> {
    desk_user(&user)?;
    let Query(q) =
        q.map_err(|_| AppError::new(ErrorCode::ValidationFailed, "查询条件无效（citizen_name、summary 必填）"))?;
    for (field, text, max) in [
        ("姓名", &q.citizen_name, 50),
        ("身份证号", &q.id_number, 18),
        ("联系电话", &q.phone, 20),
        ("诉求", &q.summary, 2000),
    ] {
        shared::validation::check_plain(field, text)?;
        if text.chars().count() > max {
            return Err(AppError::new(ErrorCode::ValidationFailed, format!("{field}过长")));
        }
    }
    let id_number = q.id_number.trim().to_uppercase();
    let found =
        user.scope().duplicates(&ctx.db.pool, q.citizen_name.trim(), &id_number, q.phone.trim(), &q.summary).await?;
    Ok(Json(found))
}

#[utoipa::path(get, path = "/api/desk/departments", tag = "desk", responses((status = 200, description = "可流转的职能部门（本旗县、本苏木镇）", body = Vec<shared::org::UnitView>), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn departments(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
) -> AppResult<Json<Vec<shared::org::UnitView>>> {
    desk_user(&user)?;
    Ok(Json(user.scope().departments(&ctx.db.pool).await?))
}
