//! The reward fund (奖补资金, seed 000) at the desk: each matter's petition
//! record (the category follows from it: `shared::reward::category_from_history`),
//! claims with their typed dossier materials, the quarterly batch chain
//! (township first review → 5-working-day public notice → banner review →
//! league final review → treasury payment), the year's fund, and the league's
//! integrity flags with their referral to discipline inspection.
//!
//! Rules are `shared::reward`'s; this module gathers the facts, checks who
//! acts, writes one transaction per request (`db::Write`) and audits every
//! change. Claims and batches are read through the user's
//! [`crate::db::scope::Scope`] (their unit path, as the cases are).
//! The queries are `crate::db::reward`'s, `crate::db::reward_batch`'s and
//! `crate::db::reward_flags`'s; the batch chain's handlers are in [`batches`].

use crate::api::extract::{ApiJson, ApiPath};
use crate::db::audit::{self, AuditEntry};
use crate::db::reward::{self as db, ClaimsOf, NewClaim};
use crate::db::reward_flags;
use crate::db::session::CurrentUser;
use crate::db::Write;
use crate::error::{AppError, AppResult};
use crate::ApiContext;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use shared::error::ErrorCode;
use shared::org::Role;
use shared::reward::{
    category_from_history, check_claim, mask_account, money_text, ClaimInput, ClaimKind, ClaimProblem, ClaimRequest,
    ClaimRequestKind, ClaimStatus, ClaimView, FundView, HistoryView, IntegrityFlag, PetitionHistory,
};
use shared::time::china_today;

/// The batch chain's handlers (with their `utoipa` paths), here by their
/// `crate::api::reward::…` names as the router and the API document use them.
mod batches;
pub use batches::*;

fn today() -> NaiveDate {
    china_today(chrono::Utc::now())
}

fn bad(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::ValidationFailed, message)
}

fn forbidden(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::Forbidden, message)
}

fn conflict(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::Conflict, message)
}

fn is_township(role: Role) -> bool {
    matches!(role, Role::TownshipStaff | Role::TownshipLeader)
}

/// A required text: not blank, within `max` characters, no control characters.
fn text(label: &str, value: &str, max: usize) -> AppResult<String> {
    shared::validation::check_text(label, value, max)?;
    Ok(value.trim().to_string())
}

// ---------------------------------------------------------------- history

#[utoipa::path(get, path = "/api/reward/history/{case_id}", tag = "reward", params(("case_id" = i64, Path, minimum = 1)), responses((status = 200, body = Option<HistoryView>), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn get_history(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(case_id): ApiPath<i64>,
) -> AppResult<Json<Option<HistoryView>>> {
    let mut conn = ctx.db.pool.acquire().await?;
    user.scope().case_for_write(&mut conn, case_id).await?.ok_or_else(AppError::not_found)?;
    Ok(Json(db::history_of(&mut conn, case_id).await?))
}

/// Records (or corrects) a matter's petition record: the station, the
/// banner centre, or the matter's own agent.
#[utoipa::path(put, path = "/api/reward/history/{case_id}", tag = "reward", params(("case_id" = i64, Path, minimum = 1)), request_body = PetitionHistory, responses((status = 200, body = HistoryView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn put_history(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(case_id): ApiPath<i64>,
    ApiJson(h): ApiJson<PetitionHistory>,
) -> AppResult<Json<HistoryView>> {
    h.check().map_err(bad)?;
    let mut w = Write::begin(&ctx.db, 1).await?;
    let case = user.scope().case_for_write(w.conn(), case_id).await?.ok_or_else(AppError::not_found)?;
    let may = match user.role {
        Role::FieldAgent => case.agent_id == Some(user.id),
        Role::TownshipStaff | Role::TownshipLeader | Role::CountyCentre => true,
        _ => false,
    };
    if !may {
        return Err(forbidden("信访记录由代办员本人、苏木镇代办站或旗县代办中心登记"));
    }
    let before = db::history_of(w.conn(), case_id).await?;
    let path = db::case_unit_path(w.conn(), case_id).await?;
    db::replace_history(w.conn(), case_id, &path, &h, user.id).await?;
    let (category, reason) = category_from_history(&h);
    audit::record(
        &mut w,
        AuditEntry {
            actor_id: Some(user.id),
            action: "reward.history",
            entity: "case",
            entity_id: case_id.to_string(),
            before: before.map(|b| serde_json::json!(b.history)),
            after: Some(serde_json::json!({"history": h, "category": category, "reason": reason})),
        },
    )
    .await?;
    w.commit().await?;
    let mut conn = ctx.db.pool.acquire().await?;
    Ok(Json(db::history_of(&mut conn, case_id).await?.ok_or_else(AppError::not_found)?))
}

// ---------------------------------------------------------------- claims

/// `GET /api/reward/claims` query.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ClaimQuery {
    #[serde(default)]
    pub status: Option<ClaimStatus>,
}

#[utoipa::path(get, path = "/api/reward/claims", tag = "reward", params(ClaimQuery), responses((status = 200, body = Vec<ClaimView>), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn list_claims(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    q: Result<Query<ClaimQuery>, QueryRejection>,
) -> AppResult<Json<Vec<ClaimView>>> {
    let Query(q) = q.map_err(|_| bad("查询条件无效"))?;
    let mut conn = ctx.db.pool.acquire().await?;
    let mut claims = db::claims(&mut conn, &user.scope(), ClaimsOf::All).await?;
    if let Some(s) = q.status {
        claims.retain(|c| c.status == s);
    }
    Ok(Json(claims))
}

fn problems_message(problems: &[ClaimProblem]) -> String {
    problems.iter().map(|p| p.message()).collect::<Vec<_>>().join("；")
}

/// Files a claim: the agent for their own matter, or the township station
/// for an agent. Checked by `shared::reward::check_claim`; one per matter ever.
#[utoipa::path(post, path = "/api/reward/claims", tag = "reward", request_body = ClaimRequest, responses((status = 201, body = ClaimView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn create_claim(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiJson(req): ApiJson<ClaimRequest>,
) -> AppResult<(StatusCode, Json<ClaimView>)> {
    let justification = text("申报理由", &req.justification, 2000)?;
    let account_name = text("收款人", &req.account_name, 50)?;
    let account_number = text("收款账号", &req.account_number, 40)?;
    if !account_number.chars().all(|c| c.is_ascii_digit() || c == ' ') {
        return Err(bad("收款账号只能由数字组成"));
    }
    if req.materials.len() > 50 {
        return Err(bad("材料过多（最多 50 件）"));
    }
    let mut w = Write::begin(&ctx.db, 1).await?;
    let case = user.scope().case_for_write(w.conn(), req.case_id).await?.ok_or_else(AppError::not_found)?;
    // Who is rewarded (谁代办、奖补谁) and who may file.
    let agent_id = match user.role {
        Role::FieldAgent => {
            if req.agent_id.is_some_and(|a| a != user.id) {
                return Err(forbidden("代办员只能为本人代办的事项申报"));
            }
            user.id
        }
        Role::TownshipStaff | Role::TownshipLeader => {
            req.agent_id.or(case.agent_id).ok_or_else(|| bad("该事项没有代办员，无法申报奖补"))?
        }
        _ => return Err(forbidden("奖补由代办员本人或苏木镇代办站申报")),
    };
    // 一事一补, ever: a second claim is refused and the attempt kept for the
    // league's integrity check.
    if let Some(existing) = db::claim_on_case(w.conn(), req.case_id).await? {
        db::insert_duplicate_attempt(w.conn(), req.case_id, existing, user.id).await?;
        audit::record(
            &mut w,
            AuditEntry {
                actor_id: Some(user.id),
                action: "reward.claim.duplicate",
                entity: "case",
                entity_id: req.case_id.to_string(),
                before: None,
                after: Some(serde_json::json!({"existing_claim_id": existing})),
            },
        )
        .await?;
        w.commit().await?;
        return Err(conflict(ClaimProblem::AlreadyRewarded.message()));
    }
    let agent = db::agent_facts(w.conn(), agent_id).await?.ok_or_else(|| bad("代办员不存在"))?;
    if agent.agent_kind.is_none() {
        return Err(bad("所选人员不是代办员"));
    }
    let assigned = db::agent_assigned(w.conn(), req.case_id, agent_id).await?;
    let handled = assigned || case.agent_id == Some(agent_id);
    // The materials: attachments of this very matter, each typed once or more.
    let mut materials = Vec::new();
    for m in &req.materials {
        shared::validation::check_uuid(&m.attachment_id).map_err(|_| bad("材料的附件编号格式无效"))?;
        if !db::attachment_on_case(w.conn(), &m.attachment_id, req.case_id).await? {
            return Err(bad(format!("材料“{}”的附件不属于该事项", m.material.label())));
        }
        if !materials.contains(&(m.material, m.attachment_id.clone())) {
            materials.push((m.material, m.attachment_id.clone()));
        }
    }
    let history = db::history_of(w.conn(), req.case_id).await?;
    let (kind, category, proposed, reason, approval) = match &req.claim {
        ClaimRequestKind::Resolved { proposed_category } => {
            let h = history
                .as_ref()
                .ok_or_else(|| bad("请先登记该事项的信访记录（进京、赴区、到盟走访及跨度），类别由记录确定"))?;
            let category = h.category.ok_or_else(|| bad(format!("按信访记录不能确定奖补类别：{}", h.reason)))?;
            (ClaimKind::Resolved { category }, Some(category), *proposed_category, h.reason.clone(), None)
        }
        ClaimRequestKind::PartialSubsidy { amount, league_approval, .. } => {
            let approval = match league_approval {
                Some(a) => Some(text("盟信访局批准及理由", a, 500)?),
                None => None,
            };
            (
                ClaimKind::PartialSubsidy { amount: *amount },
                None,
                None,
                "酌情补贴（第十条）：未息诉罢访，但做了大量工作，并正确引导信访人依法通过其他途径解决".to_string(),
                approval,
            )
        }
    };
    if approval.is_some()
        && !matches!(kind, ClaimKind::PartialSubsidy { amount } if amount > shared::reward::partial_subsidy_cap())
    {
        return Err(bad("盟信访局批准只用于超过 500 元的酌情补贴"));
    }
    let input = ClaimInput {
        kind,
        agent_registered: agent.registered,
        agent_public_employee: agent.public_employee,
        claimant_handled_matter: handled,
        matter_resolved: case.lifecycle.resolved,
        citizen_guided_to_lawful_route: matches!(
            req.claim,
            ClaimRequestKind::PartialSubsidy { guided_to_lawful_route: true, .. }
        ),
        earlier_claims_on_matter: 0,
        league_over_cap_approval: approval.is_some(),
        materials: materials.iter().map(|(m, _)| *m).collect(),
    };
    let amount = check_claim(&input).map_err(|p| bad(problems_message(&p)))?;
    let path = db::case_unit_path(w.conn(), req.case_id).await?;
    let township = db::township_of(w.conn(), &path)
        .await?
        .ok_or_else(|| bad("该事项不属于任何苏木镇（街道），奖补由苏木镇初审"))?;
    let kind_text = match kind {
        ClaimKind::Resolved { .. } => "resolved",
        ClaimKind::PartialSubsidy { .. } => "partial_subsidy",
    };
    let claim = NewClaim {
        case_id: req.case_id,
        unit_path: &path,
        township_id: township,
        agent_id,
        claimed_by: user.id,
        kind: kind_text,
        category,
        proposed_category: proposed,
        category_reason: &reason,
        justification: &justification,
        amount,
        league_approval: &approval,
        account_name: &account_name,
        account_number: &account_number,
    };
    // None: a concurrent claim on the same matter won the race: still one.
    let Some(claim_id) = db::insert_claim(w.conn(), &claim).await? else {
        return Err(conflict(ClaimProblem::AlreadyRewarded.message()));
    };
    db::insert_claim_materials(w.conn(), claim_id, &materials).await?;
    audit::record(
        &mut w,
        AuditEntry {
            actor_id: Some(user.id),
            action: "reward.claim",
            entity: "reward_claim",
            entity_id: claim_id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "case_id": req.case_id, "agent_id": agent_id, "kind": kind_text, "category": category,
                "proposed_category": proposed, "amount": money_text(amount), "league_approval": approval,
                "account": mask_account(&account_number), "materials": materials.len(),
            })),
        },
    )
    .await?;
    w.commit().await?;
    let mut conn = ctx.db.pool.acquire().await?;
    let view = db::claims(&mut conn, &user.scope(), ClaimsOf::Id(claim_id)).await?;
    Ok((StatusCode::CREATED, Json(view.into_iter().next().ok_or_else(AppError::not_found)?)))
}

// ---------------------------------------------------------------- fund

fn desk_user(user: &CurrentUser) -> AppResult<()> {
    if matches!(user.role, Role::FieldAgent | Role::Admin) {
        return Err(forbidden("奖补资金情况在办公桌面查看"));
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/reward/funds/{year}", tag = "reward", params(("year" = i32, Path)), responses((status = 200, body = FundView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn get_fund(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(year): ApiPath<i32>,
) -> AppResult<Json<FundView>> {
    desk_user(&user)?;
    let mut conn = ctx.db.pool.acquire().await?;
    Ok(Json(db::fund_view(&mut conn, year, today()).await?))
}

/// `PUT /api/reward/funds/{year}`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FundRequest {
    pub budget: Decimal,
}

/// The league bureau (or finance) sets the year's budget as allocated.
#[utoipa::path(put, path = "/api/reward/funds/{year}", tag = "reward", params(("year" = i32, Path)), request_body = FundRequest, responses((status = 200, body = FundView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn put_fund(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(year): ApiPath<i32>,
    ApiJson(req): ApiJson<FundRequest>,
) -> AppResult<Json<FundView>> {
    if !matches!(user.role, Role::LeagueBureau | Role::FinanceReviewer)
        || user.unit_kind != shared::org::UnitKind::League
    {
        return Err(forbidden("奖补资金预算由盟信访局或盟财政局登记"));
    }
    if !(2000..=2100).contains(&year) {
        return Err(bad("年度无效"));
    }
    if req.budget < Decimal::ZERO || req.budget.normalize().scale() > 2 || req.budget > Decimal::from(1_000_000_000) {
        return Err(bad("预算金额应为不小于 0 的金额，最多两位小数"));
    }
    let mut w = Write::begin(&ctx.db, 1).await?;
    let before = db::budget_of(w.conn(), year).await?;
    db::replace_budget(w.conn(), year, req.budget, user.id).await?;
    audit::record(
        &mut w,
        AuditEntry {
            actor_id: Some(user.id),
            action: "reward.fund",
            entity: "reward_fund",
            entity_id: year.to_string(),
            before: before.map(|b| serde_json::json!(money_text(b))),
            after: Some(serde_json::json!(money_text(req.budget))),
        },
    )
    .await?;
    w.commit().await?;
    let mut conn = ctx.db.pool.acquire().await?;
    Ok(Json(db::fund_view(&mut conn, year, today()).await?))
}

// ---------------------------------------------------------------- integrity

fn league_only(user: &CurrentUser) -> AppResult<()> {
    if user.role != Role::LeagueBureau {
        return Err(forbidden("奖补资金核查由盟信访局办理"));
    }
    Ok(())
}

/// The league's integrity findings (第十七条), each with its evidence.
#[utoipa::path(get, path = "/api/reward/flags", tag = "reward", responses((status = 200, body = Vec<IntegrityFlag>), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn flags(State(ctx): State<ApiContext>, user: CurrentUser) -> AppResult<Json<Vec<IntegrityFlag>>> {
    league_only(&user)?;
    let mut conn = ctx.db.pool.acquire().await?;
    Ok(Json(reward_flags::current_flags(&mut conn, &user.scope()).await?))
}

/// `POST /api/reward/referrals`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralRequest {
    /// The finding's `key`.
    pub flag_key: String,
    pub note: String,
}

/// Records the referral of a finding to discipline inspection, with the
/// evidence as it stood.
#[utoipa::path(post, path = "/api/reward/referrals", tag = "reward", request_body = ReferralRequest, responses((status = 201, body = IntegrityFlag), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn refer(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiJson(req): ApiJson<ReferralRequest>,
) -> AppResult<(StatusCode, Json<IntegrityFlag>)> {
    league_only(&user)?;
    let note = text("移交说明", &req.note, 1000)?;
    let mut w = Write::begin(&ctx.db, 1).await?;
    let flag = reward_flags::flag(w.conn(), &user.scope(), &req.flag_key)
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, "该核查线索不存在或已消除"))?;
    if flag.referral.is_some() {
        return Err(conflict("该线索已移交纪检监察机关"));
    }
    reward_flags::insert_referral(w.conn(), &flag, &note, user.id).await?;
    audit::record(
        &mut w,
        AuditEntry {
            actor_id: Some(user.id),
            action: "reward.referral",
            entity: "reward_flag",
            entity_id: flag.key.clone(),
            before: None,
            after: Some(serde_json::json!({"kind": flag.kind, "claims": flag.claim_ids, "evidence": flag.evidence, "note": note})),
        },
    )
    .await?;
    w.commit().await?;
    let mut conn = ctx.db.pool.acquire().await?;
    let flag = reward_flags::flag(&mut conn, &user.scope(), &req.flag_key)
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, "该核查线索不存在"))?;
    Ok((StatusCode::CREATED, Json(flag)))
}
