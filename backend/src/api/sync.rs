//! The field app's sync endpoints (protocol: `shared::sync`, ARCHITECTURE.md).
//!
//! Push applies a batch in as few transactions as it can (see
//! `workflow::push::apply_part`: a refused mutation is undone alone), and records every
//! answer in `applied_mutations` inside the transaction that made the
//! change (zero2prod's idempotency pattern), so a retried push replays
//! answers instead of applying changes twice. Pull pages through the change
//! sequence, limited to the user's jurisdiction.

use crate::api::extract::ApiJson;
use crate::db::session::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::workflow::push;
use crate::ApiContext;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use shared::error::ErrorCode;
use shared::sync::{PullResponse, PushRequest, PushResponse, RawPush, MAX_PUSH_BATCH, PULL_PAGE_SIZE};
use shared::validation::check_uuid;

#[utoipa::path(post, path = "/api/sync/push", tag = "sync", request_body = PushRequest, responses((status = 200, body = PushResponse), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn push(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiJson(req): ApiJson<RawPush>,
) -> AppResult<Json<PushResponse>> {
    check_uuid(&req.client_id).map_err(|_| AppError::new(ErrorCode::ValidationFailed, "设备编号格式无效"))?;
    if req.mutations.len() > MAX_PUSH_BATCH {
        return Err(AppError::new(
            ErrorCode::ValidationFailed,
            format!("一次最多同步 {MAX_PUSH_BATCH} 条，请分批提交"),
        ));
    }
    let client = req.client_id.as_str();
    let results = push::apply_batch(&ctx.db, &ctx.push_failures, &user, client, &req.mutations).await?;
    Ok(Json(PushResponse { results }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PullParams {
    /// The cursor of the last page received (0 for everything).
    #[serde(default)]
    #[param(minimum = 0)]
    cursor: i64,
}

#[utoipa::path(get, path = "/api/sync/pull", tag = "sync", params(PullParams), responses((status = 200, body = PullResponse), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn pull(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    params: Result<Query<PullParams>, QueryRejection>,
) -> AppResult<Json<PullResponse>> {
    let Query(params) = params.map_err(|_| AppError::new(ErrorCode::ValidationFailed, "同步游标无效，应为非负整数"))?;
    if params.cursor < 0 {
        return Err(AppError::new(ErrorCode::ValidationFailed, "同步游标无效，应为非负整数"));
    }
    // A phone holds what its user works on, not a county's territory.
    let scope = user.scope().for_phone();
    let mut cases = scope.cases_changed_since(&ctx.db.pool, params.cursor, PULL_PAGE_SIZE as i64 + 1).await?;
    let has_more = cases.len() > PULL_PAGE_SIZE;
    cases.truncate(PULL_PAGE_SIZE);
    let cursor = cases.last().map_or(params.cursor, |c| c.rev);
    let visits = scope.visits_of_cases_changed_between(&ctx.db.pool, params.cursor, cursor).await?;
    let timeline = scope.timeline_of_cases_changed_between(&ctx.db.pool, params.cursor, cursor).await?;
    let with_contact: Vec<i64> = cases
        .iter()
        .filter(|c| c.phone.is_some() || c.id_number.is_some() || c.address.is_some())
        .map(|c| c.id)
        .collect();
    if !with_contact.is_empty() {
        // The device now holds these citizens' private details: audit it.
        crate::db::audit::record_read(&ctx.db, user.id, "contact.sync", "case", &with_contact).await?;
    }
    Ok(Json(PullResponse { cursor, has_more, cases, visits, timeline }))
}
