//! The reward fund's quarterly batch chain at the desk (township first
//! review → public notice → banner review → league final review → treasury
//! payment) and the complaints received during the public notice: part of
//! [`crate::reward`], which re-exports these handlers. The queries are
//! `crate::db::reward_batch`'s.

use super::{bad, conflict, forbidden, is_township, text, today};
use crate::api::extract::{ApiJson, ApiPath};
use crate::db::audit::{self, AuditEntry};
use crate::db::reward::{self as db, ClaimsOf};
use crate::db::reward_batch::{self};
use crate::db::session::CurrentUser;
use crate::db::{LockTable, Write};
use crate::error::{AppError, AppResult};
use crate::ApiContext;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use shared::error::ErrorCode;
use shared::reward::{
    batch_budget_warning, complaint_stops_claim, BatchStep, BatchStepRequest, BatchView, ClaimStatus,
};

fn no_batch() -> AppError {
    AppError::new(ErrorCode::NotFound, "批次不存在或不在您的辖区内")
}

/// `POST /api/reward/batches`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBatch {
    pub year: i32,
    #[schema(minimum = 1, maximum = 4)]
    pub quarter: u32,
    pub opinion: String,
}

fn quarter_bounds(year: i32, quarter: u32) -> Option<(NaiveDate, NaiveDate)> {
    let start = NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1)?;
    let next = if quarter == 4 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, quarter * 3 + 1, 1)?
    };
    Some((start, next))
}

/// The township gathers its pending claims filed up to the quarter's end
/// into that quarter's batch (第十二条: 每季度审批发放一次).
#[utoipa::path(post, path = "/api/reward/batches", tag = "reward", request_body = NewBatch, responses((status = 201, body = BatchView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn create_batch(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiJson(req): ApiJson<NewBatch>,
) -> AppResult<(StatusCode, Json<BatchView>)> {
    if !is_township(user.role) || user.unit_kind != shared::org::UnitKind::Township {
        return Err(forbidden("奖补批次由苏木镇（街道）代办站汇总"));
    }
    let opinion = text("汇总说明", &req.opinion, 500)?;
    if !(1..=4).contains(&req.quarter) || !(2000..=2100).contains(&req.year) {
        return Err(bad("年度或季度无效"));
    }
    let (start, next) = quarter_bounds(req.year, req.quarter).ok_or_else(|| bad("年度或季度无效"))?;
    let today = today();
    if start > today {
        return Err(bad("该季度尚未开始"));
    }
    let mut w = Write::begin(&ctx.db, 1).await?;
    if reward_batch::batch_exists(w.conn(), user.unit_id, req.year, req.quarter).await? {
        return Err(conflict(format!("{}年第{}季度的批次已建立", req.year, req.quarter)));
    }
    let id =
        reward_batch::insert_batch(w.conn(), user.unit_id, &user.unit_path, req.year, req.quarter, user.id).await?;
    let taken = reward_batch::take_pending_claims(w.conn(), id, user.unit_id, next).await?;
    if taken == 0 {
        return Err(conflict(format!("{}年第{}季度没有待汇总的奖补申报", req.year, req.quarter)));
    }
    reward_batch::insert_step(w.conn(), id, "create", None, &opinion, user.id, today).await?;
    audit::record(
        &mut w,
        AuditEntry {
            actor_id: Some(user.id),
            action: "reward.batch.create",
            entity: "reward_batch",
            entity_id: id.to_string(),
            before: None,
            after: Some(
                serde_json::json!({"year": req.year, "quarter": req.quarter, "claims": taken, "opinion": opinion}),
            ),
        },
    )
    .await?;
    w.commit().await?;
    let mut conn = ctx.db.pool.acquire().await?;
    let b = reward_batch::batch_in_scope(&mut conn, &user.scope(), id).await?.ok_or_else(no_batch)?;
    Ok((StatusCode::CREATED, Json(reward_batch::batch_view(&mut conn, &user.scope(), b).await?)))
}

#[utoipa::path(get, path = "/api/reward/batches", tag = "reward", responses((status = 200, body = Vec<BatchView>), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn list_batches(State(ctx): State<ApiContext>, user: CurrentUser) -> AppResult<Json<Vec<BatchView>>> {
    let mut conn = ctx.db.pool.acquire().await?;
    let scope = user.scope();
    let mut out = Vec::new();
    for b in reward_batch::batches_in_scope(&mut conn, &scope).await? {
        out.push(reward_batch::batch_view(&mut conn, &scope, b).await?);
    }
    Ok(Json(out))
}

#[utoipa::path(get, path = "/api/reward/batches/{id}", tag = "reward", params(("id" = i64, Path, minimum = 1)), responses((status = 200, body = BatchView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn get_batch(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<BatchView>> {
    let mut conn = ctx.db.pool.acquire().await?;
    let b = reward_batch::batch_in_scope(&mut conn, &user.scope(), id).await?.ok_or_else(no_batch)?;
    Ok(Json(reward_batch::batch_view(&mut conn, &user.scope(), b).await?))
}

/// One step of the batch chain, by its role, with its opinion.
#[utoipa::path(post, path = "/api/reward/batches/{id}/steps", tag = "reward", params(("id" = i64, Path, minimum = 1)), request_body = BatchStepRequest, responses((status = 200, body = BatchView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn batch_step(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<BatchStepRequest>,
) -> AppResult<Json<BatchView>> {
    let opinion = text("审核意见", &req.opinion, 1000)?;
    let today = today();
    let mut w = Write::begin(&ctx.db, 1).await?;
    // The batch is locked before it is read: a step pressed several times
    // at once sees the stage the first one left, and is refused.
    w.lock_rows(LockTable::RewardBatches, &[id]).await?;
    let b = reward_batch::batch_in_scope(w.conn(), &user.scope(), id).await?.ok_or_else(no_batch)?;
    let below = b.unit_path.starts_with(&user.unit_path);
    shared::reward::may_do_step(&req.step, user.role, user.unit_id == b.unit_id, below)?;
    let step = match req.step.as_str() {
        "township_review" => BatchStep::TownshipReview,
        "publish_notice" => BatchStep::PublishNotice { on: today },
        "county_review" => BatchStep::CountyReview { on: today },
        "league_approve" => BatchStep::LeagueApprove,
        _ => BatchStep::Pay { on: today },
    };
    let cal = ctx.calendar();
    let next = b.stage.advance(&cal, step).map_err(conflict)?;
    let mut treasury_ref = None;
    if let BatchStep::Pay { .. } = step {
        let r = req.treasury_ref.as_deref().ok_or_else(|| bad("发放须填写国库集中支付凭证号"))?;
        treasury_ref = Some(text("国库集中支付凭证号", r, 60)?);
        // 第十五条: no spending beyond the budget.
        let budget = db::budget_of(w.conn(), b.year)
            .await?
            .ok_or_else(|| conflict(format!("{} 年奖补资金预算尚未下达，不能发放", b.year)))?;
        let (others, _) = db::committed_and_paid(w.conn(), b.year, Some(b.id)).await?;
        let (all, _) = db::committed_and_paid(w.conn(), b.year, None).await?;
        let this = all - others;
        if others + this > budget {
            return Err(conflict(
                batch_budget_warning(b.year, Some(budget), others, this).unwrap_or_else(|| "超出预算".into()),
            ));
        }
        reward_batch::pay_claims(w.conn(), b.id).await?;
    } else if req.treasury_ref.is_some() {
        return Err(bad("只有发放环节填写国库支付凭证号"));
    }
    reward_batch::set_stage(w.conn(), b.id, next, &treasury_ref).await?;
    reward_batch::insert_step(w.conn(), b.id, &req.step, None, &opinion, user.id, today).await?;
    audit::record(
        &mut w,
        AuditEntry {
            actor_id: Some(user.id),
            action: "reward.batch.step",
            entity: "reward_batch",
            entity_id: b.id.to_string(),
            before: Some(serde_json::json!(b.stage)),
            after: Some(
                serde_json::json!({"step": req.step, "stage": next, "opinion": opinion, "treasury_ref": treasury_ref}),
            ),
        },
    )
    .await?;
    w.commit().await?;
    let mut conn = ctx.db.pool.acquire().await?;
    let b = reward_batch::batch_in_scope(&mut conn, &user.scope(), id).await?.ok_or_else(no_batch)?;
    Ok(Json(reward_batch::batch_view(&mut conn, &user.scope(), b).await?))
}

/// `POST /api/reward/claims/{id}/complaint`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintRequest {
    /// What the complaint (举报投诉) says, as received by the township.
    pub text: String,
}

/// A complaint received during the public notice stops that claim, and only
/// that claim (第十三条: 未收到举报投诉的进入复审).
#[utoipa::path(post, path = "/api/reward/claims/{id}/complaint", tag = "reward", params(("id" = i64, Path, minimum = 1)), request_body = ComplaintRequest, responses((status = 200, body = BatchView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn complaint(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(claim_id): ApiPath<i64>,
    ApiJson(req): ApiJson<ComplaintRequest>,
) -> AppResult<Json<BatchView>> {
    let body = text("举报内容", &req.text, 2000)?;
    let today = today();
    let mut w = Write::begin(&ctx.db, 1).await?;
    let claim = db::claims(w.conn(), &user.scope(), ClaimsOf::Id(claim_id))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, "申报不存在或不在您的辖区内"))?;
    let batch_id = claim.batch_id.ok_or_else(|| conflict("该申报尚未进入批次公示"))?;
    let b = reward_batch::batch_in_scope(w.conn(), &user.scope(), batch_id).await?.ok_or_else(no_batch)?;
    if !(is_township(user.role) && user.unit_id == b.unit_id) {
        return Err(forbidden("公示期举报由本苏木镇（街道）代办站登记"));
    }
    if claim.status != ClaimStatus::InBatch {
        return Err(conflict(format!("该申报{}，不能再登记举报", claim.status.label())));
    }
    if !complaint_stops_claim(b.stage, today) {
        return Err(conflict("不在公示期内：公示期内的举报才中止申报，其他问题请按信访程序办理"));
    }
    let reason = format!("公示期内收到举报：{body}");
    reward_batch::stop_claim(w.conn(), claim_id, &reason).await?;
    reward_batch::insert_step(w.conn(), b.id, "complaint", Some(claim_id), &reason, user.id, today).await?;
    audit::record(
        &mut w,
        AuditEntry {
            actor_id: Some(user.id),
            action: "reward.claim.stop",
            entity: "reward_claim",
            entity_id: claim_id.to_string(),
            before: Some(serde_json::json!({"status": claim.status})),
            after: Some(serde_json::json!({"status": ClaimStatus::Stopped, "reason": reason})),
        },
    )
    .await?;
    w.commit().await?;
    let mut conn = ctx.db.pool.acquire().await?;
    let b = reward_batch::batch_in_scope(&mut conn, &user.scope(), batch_id).await?.ok_or_else(no_batch)?;
    Ok(Json(reward_batch::batch_view(&mut conn, &user.scope(), b).await?))
}
