//! The audit log: every change (who, when, what, before/after) in an
//! append-only table whose rows each carry the hash of the previous row, so
//! editing or deleting any row breaks the chain at that point.
//!
//! Appends take the row lock of `audit_head` first, which serialises them:
//! the chain has no forks even with concurrent writers.

use crate::auth::CurrentUser;
use crate::db::{now_text, Tx};
use crate::error::{AppError, AppResult};
use crate::ApiContext;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use shared::error::ErrorCode;
use sqlx::{AnyPool, Row};

pub const GENESIS: &str = "genesis";

pub fn router() -> Router<ApiContext> {
    Router::new().route("/api/audit/verify", get(verify_endpoint))
}

/// What happened, for [`append`].
pub struct AuditEntry<'a> {
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// The hash of a row: SHA-256 over its fields, each prefixed with its
/// length (so no two different rows can run together into the same bytes),
/// in order `prev_hash, at, actor, action, entity, entity_id, before, after`.
fn row_hash(fields: [&str; 8]) -> String {
    let mut h = Sha256::new();
    for part in fields {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn actor_text(actor: Option<i64>) -> String {
    actor.map_or(String::new(), |a| a.to_string())
}

/// Appends one entry inside the caller's transaction.
pub async fn append(tx: &mut Tx, e: AuditEntry<'_>) -> Result<(), sqlx::Error> {
    let prev: String = sqlx::query("UPDATE audit_head SET last_hash = last_hash WHERE id = 1 RETURNING last_hash")
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    let at = now_text();
    let before = e.before.map(|v| v.to_string()).unwrap_or_default();
    let after = e.after.map(|v| v.to_string()).unwrap_or_default();
    let hash = row_hash([&prev, &at, &actor_text(e.actor_id), e.action, e.entity, &e.entity_id, &before, &after]);
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, before, after, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&at)
    .bind(e.actor_id)
    .bind(e.action)
    .bind(e.entity)
    .bind(&e.entity_id)
    .bind(&before)
    .bind(&after)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1").bind(&hash).execute(&mut **tx).await?;
    Ok(())
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Verification {
    pub ok: bool,
    pub rows: i64,
    /// The first row whose link or content does not match.
    pub first_broken_id: Option<i64>,
    pub message: String,
}

/// One row of the log, read by column name.
#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: String,
    actor_id: Option<i64>,
    action: String,
    entity: String,
    entity_id: String,
    before: Option<String>,
    after: Option<String>,
    prev_hash: String,
    hash: String,
}

/// Walks the whole chain in order and reports the first broken link.
pub async fn verify(pool: &AnyPool) -> Result<Verification, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, at, actor_id, action, entity, entity_id, before, after, prev_hash, hash FROM audit_log ORDER BY id",
    )
    .fetch_all(pool)
    .await?;
    let mut prev = GENESIS.to_string();
    let mut count = 0i64;
    for r in &rows {
        count += 1;
        let r = <AuditRow as sqlx::FromRow<sqlx::any::AnyRow>>::from_row(r)?;
        let id = r.id;
        let (stored_prev, stored_hash) = (r.prev_hash, r.hash);
        let computed = row_hash([
            &stored_prev,
            &r.at,
            &actor_text(r.actor_id),
            &r.action,
            &r.entity,
            &r.entity_id,
            &r.before.unwrap_or_default(),
            &r.after.unwrap_or_default(),
        ]);

        if stored_prev != prev || computed != stored_hash {
            return Ok(Verification {
                ok: false,
                rows: count,
                first_broken_id: Some(id),
                message: format!("审计链在第 {id} 条记录处断开：记录被修改或删除"),
            });
        }
        prev = stored_hash;
    }
    let head: String =
        sqlx::query("SELECT last_hash FROM audit_head WHERE id = 1").fetch_one(pool).await?.try_get(0)?;
    if head != prev {
        return Ok(Verification {
            ok: false,
            rows: count,
            first_broken_id: None,
            message: "审计链末尾的记录被删除".to_string(),
        });
    }
    Ok(Verification {
        ok: true, rows: count, first_broken_id: None, message: format!("审计链完整，共 {count} 条记录")
    })
}

#[utoipa::path(get, path = "/api/audit/verify", tag = "audit", responses((status = 200, body = Verification), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
async fn verify_endpoint(State(ctx): State<ApiContext>, user: CurrentUser) -> AppResult<Json<Verification>> {
    if !user.role.may_verify_audit() {
        return Err(AppError::new(ErrorCode::Forbidden, "只有管理员和旗县、盟市信访部门可以核验审计日志"));
    }
    Ok(Json(verify(&ctx.db.pool).await?))
}
