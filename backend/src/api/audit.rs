//! `GET /api/audit/verify`: the audit chain checked on request.

use crate::db::audit::{seal_reads, verify, Verification};
use crate::db::session::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::ApiContext;
use axum::extract::State;
use axum::Json;
use shared::error::ErrorCode;

#[utoipa::path(get, path = "/api/audit/verify", tag = "audit", responses((status = 200, body = Verification), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn verify_endpoint(State(ctx): State<ApiContext>, user: CurrentUser) -> AppResult<Json<Verification>> {
    if !user.role.may_verify_audit() {
        return Err(AppError::new(ErrorCode::Forbidden, "只有管理员和旗县、盟市信访部门可以核验审计日志"));
    }
    // Reads up to now are sealed first, so the answer covers them too.
    seal_reads(&ctx.db).await?;
    Ok(Json(verify(&ctx.db.pool).await?))
}
