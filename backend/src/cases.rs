//! Cases over HTTP: the list of my cases, one case with its records, and
//! adding a visit record. Reads and the scope check go through
//! [`crate::jurisdiction::Scope`]; the rules come from `shared`.

use crate::auth::CurrentUser;
use crate::db::{next_change_seq, now_text, Tx};
use crate::error::{ApiJson, AppError, AppResult};
use crate::jurisdiction::case_exists;
use crate::ApiContext;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use shared::case::{CaseDetail, CaseView, NewVisit, Visit};
use shared::error::{ApiError, ErrorCode};
use shared::time::china_local;
use shared::validation::check_new_visit;
use sqlx::Row;

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/api/cases", get(list_cases))
        .route("/api/cases/{id}", get(get_case))
        .route("/api/cases/{id}/visits", post(post_visit))
}

async fn list_cases(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
) -> AppResult<Json<Vec<CaseView>>> {
    Ok(Json(user.scope().list_cases(&ctx.db.pool).await?))
}

async fn get_case(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<CaseDetail>> {
    let scope = user.scope();
    let case = scope
        .find_case(&ctx.db.pool, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let visits = scope.visits_of_case(&ctx.db.pool, id).await?;
    Ok(Json(CaseDetail { case, visits }))
}

async fn post_visit(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    Path(id): Path<i64>,
    ApiJson(visit): ApiJson<NewVisit>,
) -> AppResult<(StatusCode, Json<Visit>)> {
    if visit.case_id != id {
        return Err(AppError::new(
            ErrorCode::ValidationFailed,
            "记录所属事项与地址不一致",
        ));
    }
    let mut tx = ctx.db.begin_write().await?;
    let inserted = add_visit(&mut tx, &user, &visit).await?;
    tx.commit().await?;
    let status = if inserted {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(Visit {
            id: visit.id,
            case_id: visit.case_id,
            visited_at: visit.visited_at,
            method: visit.method,
            note: visit.note,
            recorded_by: user.id,
            recorded_by_name: user.display_name.clone(),
        }),
    ))
}

/// Appends a visit to a case inside `tx`. Returns `Ok(false)` when this very
/// visit (same id, same case) is already stored: appending is idempotent.
/// Refusals are `ApiError`s with a Chinese message; nothing is written then.
pub async fn add_visit(tx: &mut Tx, user: &CurrentUser, v: &NewVisit) -> Result<bool, AppError> {
    check_new_visit(v, china_local(chrono::Utc::now()))?;
    let stage = match user.scope().case_stage_for_write(tx, v.case_id).await? {
        Some(stage) => stage,
        None if case_exists(tx, v.case_id).await? => {
            return Err(ApiError::new(
                ErrorCode::OutOfJurisdiction,
                "该事项不在您的辖区内，不能添加记录",
            )
            .into())
        }
        None => return Err(AppError::not_found()),
    };
    if !stage.accepts_records() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("该事项已{}，不能再添加走访记录", stage.label()),
        )
        .into());
    }
    if let Some(row) = sqlx::query("SELECT case_id FROM visits WHERE id = $1")
        .bind(&v.id)
        .fetch_optional(&mut **tx)
        .await?
    {
        let existing_case: i64 = row.try_get(0)?;
        return if existing_case == v.case_id {
            Ok(false)
        } else {
            Err(ApiError::new(ErrorCode::Conflict, "记录编号已被其他事项使用").into())
        };
    }
    let seq = next_change_seq(tx).await?;
    sqlx::query(
        "INSERT INTO visits (id, case_id, visited_at, method, note, recorded_by, created_at, rev) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&v.id)
    .bind(v.case_id)
    .bind(&v.visited_at)
    .bind(v.method.as_str())
    .bind(&v.note)
    .bind(user.id)
    .bind(now_text())
    .bind(seq)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE cases SET rev = $1 WHERE id = $2")
        .bind(seq)
        .bind(v.case_id)
        .execute(&mut **tx)
        .await?;
    Ok(true)
}
