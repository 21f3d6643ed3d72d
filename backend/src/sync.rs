//! The field app's sync endpoints (protocol: `shared::sync`, ARCHITECTURE.md).
//!
//! Push applies each mutation in its own transaction and records the answer
//! in `applied_mutations` inside that same transaction (zero2prod's
//! idempotency pattern), so a retried push replays answers instead of
//! applying changes twice. Pull pages through the change sequence, limited to
//! the user's jurisdiction.

use crate::auth::CurrentUser;
use crate::cases::audit_contact_read;
use crate::db::now_text;
use crate::error::{ApiJson, AppError, AppResult};
use crate::workflow;
use crate::ApiContext;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use shared::error::ErrorCode;
use shared::sync::{
    Change, MutationResult, MutationStatus, PullResponse, PushRequest, PushResponse, MAX_PUSH_BATCH, PULL_PAGE_SIZE,
};
use shared::validation::check_uuid;
use sqlx::Row;

pub fn router() -> Router<ApiContext> {
    Router::new().route("/api/sync/push", post(push)).route("/api/sync/pull", get(pull))
}

/// The push body as it arrives: each change is decoded on its own, so one
/// change this server cannot read (an old or broken client) is answered
/// `rejected` instead of failing the whole batch and blocking the queue.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPush {
    client_id: String,
    mutations: Vec<RawMutation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMutation {
    id: u64,
    change: serde_json::Value,
}

/// How often one mutation may fail with a server error before it is answered
/// `rejected`, so that no single record can block the records behind it.
const MAX_SERVER_FAILURES: u32 = 3;

#[utoipa::path(post, path = "/api/sync/push", tag = "sync", request_body = PushRequest, responses((status = 200, body = PushResponse), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
async fn push(
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
    let now = now_text();
    // The device's last user; the answers themselves are guarded per mutation.
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
        if m.id == 0 || m.id > i64::MAX as u64 {
            results.push(MutationResult::rejected(m.id, ErrorCode::ValidationFailed, "变更编号无效"));
            continue;
        }
        let decoded = serde_json::from_value::<Change>(m.change.clone());
        let digest = digest(match &decoded {
            Ok(change) => serde_json::to_string(change).unwrap_or_default(),
            Err(_) => m.change.to_string(),
        });
        let change = decoded.map_err(|e| format!("无法识别的变更内容：{e}"));
        match push_one(&ctx, &user, &req.client_id, m.id, change, &digest).await {
            Ok(r) => {
                ctx.push_failures.clear(&req.client_id, m.id);
                results.push(r)
            }
            Err(e) if ctx.push_failures.failed(&req.client_id, m.id) >= MAX_SERVER_FAILURES => {
                tracing::error!(client_id = %req.client_id, mutation_id = m.id, error = %e.0, "mutation keeps failing: rejected");
                let r = MutationResult::rejected(
                    m.id,
                    ErrorCode::Internal,
                    format!("服务器多次无法处理此条记录（{}），已退回，请联系管理员", e.0.message),
                );
                record_result(&ctx, &user, &req.client_id, &r, &digest).await?;
                ctx.push_failures.clear(&req.client_id, m.id);
                results.push(r);
            }
            // A server fault: the device keeps this and everything after it
            // and retries; exactly-once makes the retry safe.
            Err(e) => return Err(e),
        }
    }
    Ok(Json(PushResponse { results }))
}

/// SHA-256 of a change's canonical JSON.
fn digest(json: String) -> String {
    Sha256::digest(json.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Counts server errors per mutation (in memory: a restart forgives).
#[derive(Default)]
pub struct PushFailures(std::sync::Mutex<std::collections::HashMap<(String, u64), u32>>);

impl PushFailures {
    fn failed(&self, client: &str, id: u64) -> u32 {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.clear();
        }
        let n = map.entry((client.to_string(), id)).or_insert(0);
        *n += 1;
        *n
    }

    fn clear(&self, client: &str, id: u64) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if !map.is_empty() {
            map.remove(&(client.to_string(), id));
        }
    }
}

/// Applies one mutation exactly once. A server fault (the database
/// unreachable …) aborts the request (the device keeps the mutation and
/// retries); a refusal is recorded and answered as `rejected`. A mutation id
/// seen before replays its stored answer — only for the same user and the
/// same content (by digest); otherwise it is refused, never silently dropped.
async fn push_one(
    ctx: &ApiContext,
    user: &CurrentUser,
    client_id: &str,
    id: u64,
    change: Result<Change, String>,
    digest: &str,
) -> AppResult<MutationResult> {
    let mutation_id = id as i64;
    let mut tx = ctx.db.begin_write().await?;
    if let Some(prev) = sqlx::query(
        "SELECT status, code, message, user_id, digest FROM applied_mutations WHERE client_id = $1 AND mutation_id = $2",
    )
    .bind(client_id)
    .bind(mutation_id)
    .fetch_optional(&mut *tx)
    .await?
    {
        tx.rollback().await?;
        let prev = <StoredAnswer as sqlx::FromRow<sqlx::any::AnyRow>>::from_row(&prev)?;
        if prev.user_id != user.id {
            return Ok(MutationResult::rejected(
                id,
                ErrorCode::Conflict,
                "该设备编号下的这条变更属于其他用户，未予处理（请退出后重新登录再同步）",
            ));
        }
        if prev.digest.as_deref().is_some_and(|d| d != digest) {
            return Ok(MutationResult::rejected(
                id,
                ErrorCode::Conflict,
                format!("变更编号 {id} 已用于另一条内容不同的记录，此条未被保存，请重新提交"),
            ));
        }
        return Ok(prev.result(id));
    }
    let outcome = match &change {
        Err(why) => Err(AppError::new(ErrorCode::ValidationFailed, why.clone())),
        // The shared rule first (desk-only commands are refused from the phone queue).
        Ok(change) => match change.check_offline() {
            Err(e) => Err(AppError::from(e)),
            Ok(()) => apply_change(&mut tx, user, change).await,
        },
    };
    let result = match outcome {
        Ok(()) => MutationResult::applied(id),
        Err(AppError(e)) if e.code == ErrorCode::Internal => return Err(AppError(e)),
        Err(AppError(e)) => {
            // Undo anything the refused change may have done; the refusal is
            // recorded on its own.
            tx.rollback().await?;
            tracing::info!(client_id, mutation_id, code = ?e.code, "mutation rejected");
            let r = MutationResult::rejected(id, e.code, e.message);
            record_result(ctx, user, client_id, &r, digest).await?;
            return Ok(r);
        }
    };
    insert_result(&mut tx, user, client_id, &result, digest).await?;
    tx.commit().await?;
    Ok(result)
}

async fn apply_change(tx: &mut crate::db::Tx, user: &CurrentUser, change: &Change) -> AppResult<()> {
    let now = chrono::Utc::now();
    let today = shared::time::china_today(now);
    match change {
        Change::AddVisit { visit } => {
            let visit = shared::validation::check_visit(visit, shared::time::china_local(now))?;
            workflow::add_visit(tx, user, &visit).await.map(|_| ())
        }
        Change::Command { case_id, command } => {
            workflow::apply_command(tx, user, *case_id, command, today).await.map(|_| ())
        }
        Change::CreateCase { case } => workflow::create_case(tx, user, &case.check(today)?).await.map(|_| ()),
        Change::CommandOnNew { client_ref, command } => {
            check_uuid(client_ref)?;
            let row = sqlx::query("SELECT id FROM cases WHERE client_ref = $1")
                .bind(client_ref)
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(|| AppError::new(ErrorCode::NotFound, "找不到本机登记的该事项（登记可能被退回）"))?;
            workflow::apply_command(tx, user, row.try_get(0)?, command, today).await.map(|_| ())
        }
    }
}

/// Stores a refusal in its own transaction.
async fn record_result(
    ctx: &ApiContext,
    user: &CurrentUser,
    client_id: &str,
    r: &MutationResult,
    digest: &str,
) -> AppResult<()> {
    let mut tx = ctx.db.begin_write().await?;
    insert_result(&mut tx, user, client_id, r, digest).await?;
    tx.commit().await?;
    Ok(())
}

async fn insert_result(
    tx: &mut crate::db::Tx,
    user: &CurrentUser,
    client_id: &str,
    r: &MutationResult,
    digest: &str,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO applied_mutations (client_id, mutation_id, user_id, status, code, message, applied_at, digest) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(client_id)
    .bind(r.id as i64)
    .bind(user.id)
    .bind(match r.status {
        MutationStatus::Applied => "applied",
        MutationStatus::Rejected => "rejected",
    })
    .bind(r.code.map(|c| c.as_str()))
    .bind(r.message.clone())
    .bind(now_text())
    .bind(digest)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A stored answer, read by column name.
#[derive(sqlx::FromRow)]
struct StoredAnswer {
    status: String,
    code: Option<String>,
    message: Option<String>,
    user_id: i64,
    digest: Option<String>,
}

impl StoredAnswer {
    fn result(self, id: u64) -> MutationResult {
        if self.status == "applied" {
            return MutationResult::applied(id);
        }
        let code = self.code.as_deref().map_or(ErrorCode::Other, ErrorCode::parse);
        MutationResult::rejected(id, code, self.message.unwrap_or_default())
    }
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
