//! The field app's sync endpoints (protocol: `shared::sync`, ARCHITECTURE.md).
//!
//! Push applies each mutation in its own transaction and records the answer
//! in `applied_mutations` inside that same transaction (zero2prod's
//! idempotency pattern), so a retried push replays answers instead of
//! applying changes twice. Pull pages through the change sequence, limited to
//! the user's jurisdiction.

use crate::auth::CurrentUser;
use crate::cases::{add_visit, audit_contact_read};
use crate::db::now_text;
use crate::error::{ApiJson, AppError, AppResult};
use crate::workflow;
use crate::ApiContext;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use shared::error::ErrorCode;
use shared::sync::{
    Change, Mutation, MutationResult, MutationStatus, PullResponse, PushRequest, PushResponse, MAX_PUSH_BATCH,
    PULL_PAGE_SIZE,
};
use shared::validation::check_uuid;
use sqlx::Row;

pub fn router() -> Router<ApiContext> {
    Router::new().route("/api/sync/push", post(push)).route("/api/sync/pull", get(pull))
}

#[utoipa::path(post, path = "/api/sync/push", tag = "sync", request_body = PushRequest, responses((status = 200, body = PushResponse), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
async fn push(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiJson(req): ApiJson<PushRequest>,
) -> AppResult<Json<PushResponse>> {
    check_uuid(&req.client_id).map_err(|_| AppError::new(ErrorCode::ValidationFailed, "设备编号格式无效"))?;
    if req.mutations.len() > MAX_PUSH_BATCH {
        return Err(AppError::new(
            ErrorCode::ValidationFailed,
            format!("一次最多同步 {MAX_PUSH_BATCH} 条，请分批提交"),
        ));
    }
    if req.mutations.iter().any(|m| m.id == 0 || m.id > i64::MAX as u64) {
        return Err(AppError::new(ErrorCode::ValidationFailed, "变更编号无效"));
    }
    let now = now_text();
    sqlx::query(
        "INSERT INTO sync_clients (client_id, user_id, first_seen, last_seen) VALUES ($1, $2, $3, $3) \
         ON CONFLICT (client_id) DO UPDATE SET user_id = $2, last_seen = $3",
    )
    .bind(&req.client_id)
    .bind(user.id)
    .bind(&now)
    .execute(&ctx.db.pool)
    .await?;

    let mut results = Vec::with_capacity(req.mutations.len());
    for m in &req.mutations {
        results.push(push_one(&ctx, &user, &req.client_id, m).await?);
    }
    Ok(Json(PushResponse { results }))
}

/// Applies one mutation exactly once. A database failure aborts the request
/// (the device keeps the mutation and retries); a refusal is recorded and
/// answered as `rejected`.
async fn push_one(ctx: &ApiContext, user: &CurrentUser, client_id: &str, m: &Mutation) -> AppResult<MutationResult> {
    let mutation_id = m.id as i64;
    let mut tx = ctx.db.begin_write().await?;
    if let Some(prev) =
        sqlx::query("SELECT status, code, message FROM applied_mutations WHERE client_id = $1 AND mutation_id = $2")
            .bind(client_id)
            .bind(mutation_id)
            .fetch_optional(&mut *tx)
            .await?
    {
        tx.rollback().await?;
        return Ok(stored_result(m.id, &prev)?);
    }
    // The shared rule first (desk-only commands are refused from the phone queue).
    let outcome = match m.change.check_offline() {
        Err(e) => Err(AppError::from(e)),
        Ok(()) => match &m.change {
            Change::AddVisit { visit } => add_visit(&mut tx, user, visit).await.map(|_| ()),
            Change::Command { case_id, command } => {
                workflow::apply_command(&mut tx, user, *case_id, command).await.map(|_| ())
            }
            Change::CreateCase { case } => workflow::create_case(&mut tx, user, case).await.map(|_| ()),
            Change::CommandOnNew { client_ref, command } => {
                match sqlx::query("SELECT id FROM cases WHERE client_ref = $1")
                    .bind(client_ref)
                    .fetch_optional(&mut *tx)
                    .await?
                {
                    None => Err(AppError::new(ErrorCode::NotFound, "找不到本机登记的该事项（登记可能被退回）")),
                    Some(row) => workflow::apply_command(&mut tx, user, row.try_get(0)?, command).await.map(|_| ()),
                }
            }
        },
    };
    let result = match outcome {
        Ok(()) => MutationResult::applied(m.id),
        Err(AppError(e)) if e.code == ErrorCode::Internal => return Err(AppError(e)),
        Err(AppError(e)) => {
            // Undo anything the refused change may have done, then record
            // the refusal on its own.
            tx.rollback().await?;
            tx = ctx.db.begin_write().await?;
            tracing::info!(client_id, mutation_id, code = ?e.code, "mutation rejected");
            MutationResult::rejected(m.id, e.code, e.message)
        }
    };
    sqlx::query(
        "INSERT INTO applied_mutations (client_id, mutation_id, user_id, status, code, message, applied_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(client_id)
    .bind(mutation_id)
    .bind(user.id)
    .bind(match result.status {
        MutationStatus::Applied => "applied",
        MutationStatus::Rejected => "rejected",
    })
    .bind(result.code.map(|c| c.as_str()))
    .bind(result.message.clone())
    .bind(now_text())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(result)
}

fn stored_result(id: u64, row: &sqlx::any::AnyRow) -> Result<MutationResult, sqlx::Error> {
    let status: String = row.try_get(0)?;
    if status == "applied" {
        return Ok(MutationResult::applied(id));
    }
    let code: Option<String> = row.try_get(1)?;
    let message: Option<String> = row.try_get(2)?;
    let code = code.as_deref().map_or(ErrorCode::Other, ErrorCode::parse);
    Ok(MutationResult::rejected(id, code, message.unwrap_or_default()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PullParams {
    #[serde(default)]
    cursor: i64,
}

#[utoipa::path(get, path = "/api/sync/pull", tag = "sync", params(PullParams), responses((status = 200, body = PullResponse), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
async fn pull(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    params: Result<Query<PullParams>, QueryRejection>,
) -> AppResult<Json<PullResponse>> {
    let Query(params) = params.map_err(|_| AppError::new(ErrorCode::ValidationFailed, "同步游标无效，应为非负整数"))?;
    if params.cursor < 0 {
        return Err(AppError::new(ErrorCode::ValidationFailed, "同步游标无效，应为非负整数"));
    }
    let scope = user.scope();
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
        audit_contact_read(&ctx, &user, "contact.sync", &with_contact).await?;
    }
    Ok(Json(PullResponse { cursor, has_more, cases, visits, timeline }))
}
