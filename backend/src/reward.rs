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

use crate::api::extract::{ApiJson, ApiPath};
use crate::db::audit::{self, AuditEntry};
use crate::db::session::CurrentUser;
use crate::db::{now_text, Write};
use crate::error::{AppError, AppResult};
use crate::ApiContext;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use shared::error::ErrorCode;
use shared::org::Role;
use shared::reward::{
    batch_budget_warning, category_from_history, check_claim, complaint_stops_claim, fund_warning, integrity_flags,
    mask_account, money_text, BatchStage, BatchStep, BatchStepRequest, BatchStepView, BatchView, ClaimFacts,
    ClaimInput, ClaimKind, ClaimMaterialView, ClaimProblem, ClaimRequest, ClaimRequestKind, ClaimStatus, ClaimView,
    DossierMaterial, DuplicateAttempt, FundView, HistoryView, IntegrityFlag, PetitionHistory, RewardCategory,
};
use shared::time::china_today;
use sqlx::any::AnyRow;
use sqlx::Row;

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/api/reward/history/{case_id}", get(get_history).put(put_history))
        .route("/api/reward/claims", get(list_claims).post(create_claim))
        .route("/api/reward/claims/{id}/complaint", post(complaint))
        .route("/api/reward/batches", get(list_batches).post(create_batch))
        .route("/api/reward/batches/{id}", get(get_batch))
        .route("/api/reward/batches/{id}/steps", post(batch_step))
        .route("/api/reward/funds/{year}", get(get_fund).put(put_fund))
        .route("/api/reward/flags", get(flags))
        .route("/api/reward/referrals", post(refer))
}

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

fn dec(row: &AnyRow, col: &str) -> Result<Decimal, sqlx::Error> {
    let s: String = row.try_get(col)?;
    s.parse().map_err(|e: rust_decimal::Error| sqlx::Error::Decode(e.into()))
}

fn material_code(m: DossierMaterial) -> &'static str {
    match m {
        DossierMaterial::ResolutionReport => "resolution_report",
        DossierMaterial::AgentDetails => "agent_details",
        DossierMaterial::ProcessRecords => "process_records",
        DossierMaterial::PaymentAccount => "payment_account",
        DossierMaterial::OtherEvidence => "other_evidence",
    }
}

fn material_parse(s: &str) -> Option<DossierMaterial> {
    DossierMaterial::ALL.into_iter().find(|m| material_code(*m) == s)
}

fn category_parse(s: Option<String>) -> Option<RewardCategory> {
    s.and_then(|s| RewardCategory::ALL.into_iter().find(|c| c.letter() == s))
}

// ---------------------------------------------------------------- history

async fn history_of(conn: &mut sqlx::AnyConnection, case_id: i64) -> AppResult<Option<HistoryView>> {
    let row = sqlx::query(
        "SELECT h.*, u.display_name AS recorded_by_name FROM petition_histories h \
         JOIN users u ON u.id = h.recorded_by WHERE h.case_id = $1",
    )
    .bind(case_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let n = |c: &str| -> Result<u32, sqlx::Error> { Ok(r.try_get::<i64, _>(c)?.clamp(0, 999) as u32) };
    let b = |c: &str| -> Result<bool, sqlx::Error> { Ok(r.try_get::<i64, _>(c)? != 0) };
    let history = PetitionHistory {
        record_year: r.try_get::<i64, _>("record_year")? as i32,
        first_year: r.try_get::<i64, _>("first_year")? as i32,
        beijing_visits: n("beijing_visits")?,
        beijing_this_year: b("beijing_this_year")?,
        region_visits: n("region_visits")?,
        region_this_year: b("region_this_year")?,
        league_visits: n("league_visits")?,
        league_petitions: n("league_petitions")?,
        key_matter: b("key_matter")?,
        appeal: b("appeal")?,
    };
    let (category, reason) = category_from_history(&history);
    Ok(Some(HistoryView {
        case_id,
        history,
        category,
        amount_text: category.map(|c| money_text(c.amount())),
        reason,
        recorded_by_name: r.try_get("recorded_by_name")?,
        recorded_at: r.try_get("recorded_at")?,
    }))
}

#[utoipa::path(get, path = "/api/reward/history/{case_id}", tag = "reward", params(("case_id" = i64, Path, minimum = 1)), responses((status = 200, body = Option<HistoryView>), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn get_history(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(case_id): ApiPath<i64>,
) -> AppResult<Json<Option<HistoryView>>> {
    let mut conn = ctx.db.pool.acquire().await?;
    user.scope().case_for_write(&mut conn, case_id).await?.ok_or_else(AppError::not_found)?;
    Ok(Json(history_of(&mut conn, case_id).await?))
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
    let before = history_of(w.conn(), case_id).await?;
    let path: String =
        sqlx::query("SELECT unit_path FROM cases WHERE id = $1").bind(case_id).fetch_one(w.conn()).await?.try_get(0)?;
    sqlx::query("DELETE FROM petition_histories WHERE case_id = $1").bind(case_id).execute(w.conn()).await?;
    sqlx::query(
        "INSERT INTO petition_histories (case_id, unit_path, record_year, first_year, beijing_visits, beijing_this_year, \
         region_visits, region_this_year, league_visits, league_petitions, key_matter, appeal, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(case_id)
    .bind(&path)
    .bind(i64::from(h.record_year))
    .bind(i64::from(h.first_year))
    .bind(i64::from(h.beijing_visits))
    .bind(i64::from(h.beijing_this_year))
    .bind(i64::from(h.region_visits))
    .bind(i64::from(h.region_this_year))
    .bind(i64::from(h.league_visits))
    .bind(i64::from(h.league_petitions))
    .bind(i64::from(h.key_matter))
    .bind(i64::from(h.appeal))
    .bind(user.id)
    .bind(now_text())
    .execute(w.conn())
    .await?;
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
    Ok(Json(history_of(&mut conn, case_id).await?.ok_or_else(AppError::not_found)?))
}

// ---------------------------------------------------------------- claims

const CLAIM_SELECT: &str = "SELECT rc.*, c.number AS case_number, un.name AS unit_name, \
     ag.display_name AS agent_name, cb.display_name AS claimed_by_name \
     FROM reward_claims rc JOIN cases c ON c.id = rc.case_id JOIN units un ON un.id = c.unit_id \
     JOIN users ag ON ag.id = rc.agent_id JOIN users cb ON cb.id = rc.claimed_by \
     WHERE (rc.unit_path LIKE $1 OR rc.agent_id = $2)";

async fn claim_view(conn: &mut sqlx::AnyConnection, r: &AnyRow) -> AppResult<ClaimView> {
    let id: i64 = r.try_get("id")?;
    let rows = sqlx::query(
        "SELECT m.material, m.attachment_id, a.file_name FROM reward_claim_materials m \
         JOIN attachments a ON a.id = m.attachment_id WHERE m.claim_id = $1 ORDER BY m.material, m.attachment_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut materials = Vec::new();
    for m in rows {
        let code: String = m.try_get("material")?;
        let Some(material) = material_parse(&code) else { continue };
        materials.push(ClaimMaterialView {
            material,
            label: material.label().to_string(),
            attachment_id: m.try_get("attachment_id")?,
            file_name: m.try_get("file_name")?,
        });
    }
    materials.sort_by_key(|m| (m.material, m.attachment_id.clone()));
    let status: String = r.try_get("status")?;
    let status = ClaimStatus::parse(&status).ok_or_else(|| sqlx::Error::Decode(format!("status {status}").into()))?;
    let amount = dec(r, "amount")?;
    let account: String = r.try_get("account_number")?;
    Ok(ClaimView {
        id,
        case_id: r.try_get("case_id")?,
        case_number: r.try_get("case_number")?,
        unit_name: r.try_get("unit_name")?,
        agent_id: r.try_get("agent_id")?,
        agent_name: r.try_get("agent_name")?,
        claimed_by_name: r.try_get("claimed_by_name")?,
        kind: r.try_get("kind")?,
        category: category_parse(r.try_get("category")?),
        proposed_category: category_parse(r.try_get("proposed_category")?),
        category_reason: r.try_get("category_reason")?,
        justification: r.try_get("justification")?,
        amount,
        amount_text: money_text(amount),
        league_approval: r.try_get("league_approval")?,
        account_name: r.try_get("account_name")?,
        account_masked: mask_account(&account),
        status,
        status_label: status.label().to_string(),
        batch_id: r.try_get("batch_id")?,
        stopped_reason: r.try_get("stopped_reason")?,
        materials,
        created_at: r.try_get("created_at")?,
    })
}

async fn claims_where(
    conn: &mut sqlx::AnyConnection,
    user: &CurrentUser,
    tail: &str,
    arg: Option<i64>,
) -> AppResult<Vec<ClaimView>> {
    let sql = format!("{CLAIM_SELECT} {tail} ORDER BY rc.id");
    let scope = user.scope();
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(scope.path_pattern().to_string()).bind(scope.user_id());
    if let Some(a) = arg {
        q = q.bind(a);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(claim_view(conn, r).await?);
    }
    Ok(out)
}

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
    let mut claims = claims_where(&mut conn, &user, "", None).await?;
    if let Some(s) = q.status {
        claims.retain(|c| c.status == s);
    }
    Ok(Json(claims))
}

/// The township a matter belongs to (its batches are the township's).
async fn township_of(conn: &mut sqlx::AnyConnection, case_path: &str) -> AppResult<i64> {
    let row = sqlx::query(
        "SELECT id FROM units WHERE kind = 'township' AND $1 LIKE path || '%' ORDER BY LENGTH(path) DESC LIMIT 1",
    )
    .bind(case_path)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(r) => Ok(r.try_get(0)?),
        None => Err(bad("该事项不属于任何苏木镇（街道），奖补由苏木镇初审")),
    }
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
    if let Some(r) = sqlx::query("SELECT id FROM reward_claims WHERE case_id = $1")
        .bind(req.case_id)
        .fetch_optional(w.conn())
        .await?
    {
        let existing: i64 = r.try_get(0)?;
        sqlx::query(
            "INSERT INTO reward_duplicate_attempts (case_id, existing_claim_id, claimant_id, at) VALUES ($1, $2, $3, $4)",
        )
        .bind(req.case_id)
        .bind(existing)
        .bind(user.id)
        .bind(now_text())
        .execute(w.conn())
        .await?;
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
    let agent = sqlx::query("SELECT agent_kind, registered, public_employee FROM users WHERE id = $1")
        .bind(agent_id)
        .fetch_optional(w.conn())
        .await?
        .ok_or_else(|| bad("代办员不存在"))?;
    let agent_kind: Option<String> = agent.try_get("agent_kind")?;
    if agent_kind.is_none() {
        return Err(bad("所选人员不是代办员"));
    }
    let assigned: i64 = sqlx::query("SELECT COUNT(*) FROM case_assignments WHERE case_id = $1 AND agent_id = $2")
        .bind(req.case_id)
        .bind(agent_id)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
    let handled = assigned > 0 || case.agent_id == Some(agent_id);
    // The materials: attachments of this very matter, each typed once or more.
    let mut materials = Vec::new();
    for m in &req.materials {
        shared::validation::check_uuid(&m.attachment_id).map_err(|_| bad("材料的附件编号格式无效"))?;
        let on_case = sqlx::query("SELECT 1 FROM attachments WHERE id = $1 AND case_id = $2")
            .bind(&m.attachment_id)
            .bind(req.case_id)
            .fetch_optional(w.conn())
            .await?;
        if on_case.is_none() {
            return Err(bad(format!("材料“{}”的附件不属于该事项", m.material.label())));
        }
        if !materials.contains(&(m.material, m.attachment_id.clone())) {
            materials.push((m.material, m.attachment_id.clone()));
        }
    }
    let history = history_of(w.conn(), req.case_id).await?;
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
        agent_registered: agent.try_get::<i64, _>("registered")? != 0,
        agent_public_employee: agent.try_get::<i64, _>("public_employee")? != 0,
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
    let path: String = sqlx::query("SELECT unit_path FROM cases WHERE id = $1")
        .bind(req.case_id)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
    let township = township_of(w.conn(), &path).await?;
    let kind_text = match kind {
        ClaimKind::Resolved { .. } => "resolved",
        ClaimKind::PartialSubsidy { .. } => "partial_subsidy",
    };
    let inserted = sqlx::query(
        "INSERT INTO reward_claims (case_id, unit_path, township_id, agent_id, claimed_by, kind, category, proposed_category, \
         category_reason, justification, amount, league_approval, account_name, account_number, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
    )
    .bind(req.case_id)
    .bind(&path)
    .bind(township)
    .bind(agent_id)
    .bind(user.id)
    .bind(kind_text)
    .bind(category.map(|c| c.letter().to_string()))
    .bind(proposed.map(|c| c.letter().to_string()))
    .bind(&reason)
    .bind(&justification)
    .bind(money_text(amount))
    .bind(&approval)
    .bind(&account_name)
    .bind(&account_number)
    .bind(ClaimStatus::Pending.as_str())
    .bind(now_text())
    .fetch_one(w.conn())
    .await;
    let claim_id: i64 = match inserted {
        Ok(r) => r.try_get(0)?,
        // A concurrent claim on the same matter won the race: still one.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(conflict(ClaimProblem::AlreadyRewarded.message()))
        }
        Err(e) => return Err(e.into()),
    };
    for (m, a) in &materials {
        sqlx::query("INSERT INTO reward_claim_materials (claim_id, material, attachment_id) VALUES ($1, $2, $3)")
            .bind(claim_id)
            .bind(material_code(*m))
            .bind(a)
            .execute(w.conn())
            .await?;
    }
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
    let view = claims_where(&mut conn, &user, "AND rc.id = $3", Some(claim_id)).await?;
    Ok((StatusCode::CREATED, Json(view.into_iter().next().ok_or_else(AppError::not_found)?)))
}

// ---------------------------------------------------------------- batches

struct BatchRow {
    id: i64,
    unit_id: i64,
    unit_path: String,
    unit_name: String,
    year: i32,
    quarter: u32,
    stage: BatchStage,
    treasury_ref: Option<String>,
}

fn opt_date(r: &AnyRow, col: &str) -> Result<Option<NaiveDate>, sqlx::Error> {
    let s: Option<String> = r.try_get(col)?;
    s.map(|s| s.parse().map_err(|e: chrono::ParseError| sqlx::Error::Decode(e.into()))).transpose()
}

fn batch_row(r: &AnyRow) -> Result<BatchRow, sqlx::Error> {
    let stage: String = r.try_get("stage")?;
    let missing = || sqlx::Error::Decode("batch dates missing".into());
    let stage = match stage.as_str() {
        "draft" => BatchStage::Draft,
        "township_reviewed" => BatchStage::TownshipReviewed,
        "in_notice" => BatchStage::InNotice {
            published: opt_date(r, "notice_published")?.ok_or_else(missing)?,
            ends: opt_date(r, "notice_ends")?.ok_or_else(missing)?,
        },
        "county_reviewed" => BatchStage::CountyReviewed,
        "league_approved" => BatchStage::LeagueApproved,
        "paid" => BatchStage::Paid { on: opt_date(r, "paid_on")?.ok_or_else(missing)? },
        other => return Err(sqlx::Error::Decode(format!("batch stage {other}").into())),
    };
    Ok(BatchRow {
        id: r.try_get("id")?,
        unit_id: r.try_get("unit_id")?,
        unit_path: r.try_get("unit_path")?,
        unit_name: r.try_get("unit_name")?,
        year: r.try_get::<i64, _>("year")? as i32,
        quarter: r.try_get::<i64, _>("quarter")? as u32,
        stage,
        treasury_ref: r.try_get("treasury_ref")?,
    })
}

fn stage_code(s: BatchStage) -> &'static str {
    match s {
        BatchStage::Draft => "draft",
        BatchStage::TownshipReviewed => "township_reviewed",
        BatchStage::InNotice { .. } => "in_notice",
        BatchStage::CountyReviewed => "county_reviewed",
        BatchStage::LeagueApproved => "league_approved",
        BatchStage::Paid { .. } => "paid",
    }
}

/// A batch in the user's scope: batches of their township or of the
/// townships below their banner or league.
async fn batch_in_scope(conn: &mut sqlx::AnyConnection, user: &CurrentUser, id: i64) -> AppResult<BatchRow> {
    let row = sqlx::query(
        "SELECT b.*, u.name AS unit_name FROM reward_batches b JOIN units u ON u.id = b.unit_id \
         WHERE b.id = $1 AND b.unit_path LIKE $2",
    )
    .bind(id)
    .bind(user.scope().path_pattern().to_string())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| AppError::new(ErrorCode::NotFound, "批次不存在或不在您的辖区内"))?;
    Ok(batch_row(&row)?)
}

async fn budget_of(conn: &mut sqlx::AnyConnection, year: i32) -> AppResult<Option<Decimal>> {
    let row = sqlx::query("SELECT budget FROM reward_funds WHERE year = $1")
        .bind(i64::from(year))
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| dec(&r, "budget")).transpose()?)
}

/// Amounts committed in the year's batches (claims not stopped), and paid;
/// leaving out one batch when asked (to check that batch against the rest).
async fn committed_and_paid(
    conn: &mut sqlx::AnyConnection,
    year: i32,
    except_batch: Option<i64>,
) -> AppResult<(Decimal, Decimal)> {
    let rows = sqlx::query(
        "SELECT rc.amount, rc.status, rc.batch_id FROM reward_claims rc JOIN reward_batches b ON b.id = rc.batch_id \
         WHERE b.year = $1 AND rc.status IN ('in_batch', 'paid')",
    )
    .bind(i64::from(year))
    .fetch_all(conn)
    .await?;
    let (mut committed, mut paid) = (Decimal::ZERO, Decimal::ZERO);
    for r in rows {
        let batch: Option<i64> = r.try_get("batch_id")?;
        if except_batch.is_some() && batch == except_batch {
            continue;
        }
        let amount = dec(&r, "amount")?;
        committed += amount;
        if r.try_get::<String, _>("status")? == ClaimStatus::Paid.as_str() {
            paid += amount;
        }
    }
    Ok((committed, paid))
}

fn step_label(step: &str) -> &'static str {
    match step {
        "create" => "汇总申报",
        "township_review" => "苏木镇初审",
        "publish_notice" => "公示",
        "complaint" => "公示期举报",
        "county_review" => "旗县复审",
        "league_approve" => "盟信访局终审",
        "pay" => "发放",
        _ => "其他",
    }
}

async fn batch_view(conn: &mut sqlx::AnyConnection, user: &CurrentUser, b: BatchRow) -> AppResult<BatchView> {
    let claims = claims_where(conn, user, "AND rc.batch_id = $3", Some(b.id)).await?;
    let total: Decimal = claims.iter().filter(|c| c.status != ClaimStatus::Stopped).map(|c| c.amount).sum();
    let steps = sqlx::query(
        "SELECT s.*, u.display_name, u.role FROM reward_batch_steps s JOIN users u ON u.id = s.actor_id \
         WHERE s.batch_id = $1 ORDER BY s.id",
    )
    .bind(b.id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| -> Result<BatchStepView, sqlx::Error> {
        let step: String = r.try_get("step")?;
        let role: String = r.try_get("role")?;
        let on: String = r.try_get("on_date")?;
        Ok(BatchStepView {
            label: step_label(&step).to_string(),
            step,
            opinion: r.try_get("opinion")?,
            actor_name: r.try_get("display_name")?,
            actor_role: Role::parse(&role).map_or(role.clone(), |r| r.label().to_string()),
            on: on.parse().map_err(|e: chrono::ParseError| sqlx::Error::Decode(e.into()))?,
            at: r.try_get("at")?,
        })
    })
    .collect::<Result<Vec<_>, _>>()?;
    let budget_warning = if matches!(b.stage, BatchStage::Paid { .. }) {
        None
    } else {
        let budget = budget_of(conn, b.year).await?;
        let (others, _) = committed_and_paid(conn, b.year, Some(b.id)).await?;
        batch_budget_warning(b.year, budget, others, total)
    };
    Ok(BatchView {
        id: b.id,
        unit_id: b.unit_id,
        unit_name: b.unit_name,
        year: b.year,
        quarter: b.quarter,
        stage_label: b.stage.label().to_string(),
        stage: b.stage,
        total,
        total_text: money_text(total),
        treasury_ref: b.treasury_ref,
        claims,
        steps,
        budget_warning,
    })
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
    let exists = sqlx::query("SELECT id FROM reward_batches WHERE unit_id = $1 AND year = $2 AND quarter = $3")
        .bind(user.unit_id)
        .bind(i64::from(req.year))
        .bind(i64::from(req.quarter))
        .fetch_optional(w.conn())
        .await?;
    if exists.is_some() {
        return Err(conflict(format!("{}年第{}季度的批次已建立", req.year, req.quarter)));
    }
    let at = now_text();
    let id: i64 = sqlx::query(
        "INSERT INTO reward_batches (unit_id, unit_path, year, quarter, stage, created_by, created_at) \
         VALUES ($1, $2, $3, $4, 'draft', $5, $6) RETURNING id",
    )
    .bind(user.unit_id)
    .bind(&user.unit_path)
    .bind(i64::from(req.year))
    .bind(i64::from(req.quarter))
    .bind(user.id)
    .bind(&at)
    .fetch_one(w.conn())
    .await?
    .try_get(0)?;
    // Filed before the quarter's next day (stored times are UTC text; the
    // date prefix compares as text on both databases).
    let taken = sqlx::query(
        "UPDATE reward_claims SET batch_id = $1, status = 'in_batch' \
         WHERE township_id = $2 AND status = 'pending' AND batch_id IS NULL AND created_at < $3",
    )
    .bind(id)
    .bind(user.unit_id)
    .bind(next.to_string())
    .execute(w.conn())
    .await?
    .rows_affected();
    if taken == 0 {
        return Err(conflict(format!("{}年第{}季度没有待汇总的奖补申报", req.year, req.quarter)));
    }
    insert_step(&mut w, id, "create", None, &opinion, user.id, today).await?;
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
    let b = batch_in_scope(&mut conn, &user, id).await?;
    Ok((StatusCode::CREATED, Json(batch_view(&mut conn, &user, b).await?)))
}

async fn insert_step(
    w: &mut Write,
    batch: i64,
    step: &str,
    claim: Option<i64>,
    opinion: &str,
    actor: i64,
    on: NaiveDate,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO reward_batch_steps (batch_id, step, claim_id, opinion, actor_id, on_date, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(batch)
    .bind(step)
    .bind(claim)
    .bind(opinion)
    .bind(actor)
    .bind(on.to_string())
    .bind(now_text())
    .execute(w.conn())
    .await?;
    Ok(())
}

#[utoipa::path(get, path = "/api/reward/batches", tag = "reward", responses((status = 200, body = Vec<BatchView>), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn list_batches(State(ctx): State<ApiContext>, user: CurrentUser) -> AppResult<Json<Vec<BatchView>>> {
    let mut conn = ctx.db.pool.acquire().await?;
    let rows = sqlx::query(
        "SELECT b.*, u.name AS unit_name FROM reward_batches b JOIN units u ON u.id = b.unit_id \
         WHERE b.unit_path LIKE $1 ORDER BY b.year DESC, b.quarter DESC, b.id",
    )
    .bind(user.scope().path_pattern().to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        out.push(batch_view(&mut conn, &user, batch_row(r)?).await?);
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
    let b = batch_in_scope(&mut conn, &user, id).await?;
    Ok(Json(batch_view(&mut conn, &user, b).await?))
}

/// Who does each step (第十三条、第十四条), or why this user may not.
fn may_do_step(step: &str, user: &CurrentUser, b: &BatchRow) -> AppResult<()> {
    let below = b.unit_path.starts_with(&user.unit_path);
    let (ok, who) = match step {
        "township_review" | "publish_notice" => {
            (is_township(user.role) && user.unit_id == b.unit_id, "本苏木镇（街道）代办站或分管领导")
        }
        "county_review" => (user.role == Role::CountyCentre && below, "旗县信访代办中心"),
        "league_approve" => (user.role == Role::LeagueBureau && below, "盟信访局"),
        "pay" => (matches!(user.role, Role::LeagueBureau | Role::FinanceReviewer) && below, "盟信访局或财政"),
        _ => return Err(bad("环节无效（township_review、publish_notice、county_review、league_approve、pay）")),
    };
    if ok {
        Ok(())
    } else {
        Err(forbidden(format!("“{}”须由{who}办理", step_label(step))))
    }
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
    let b = batch_in_scope(w.conn(), &user, id).await?;
    may_do_step(&req.step, &user, &b)?;
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
        let budget = budget_of(w.conn(), b.year)
            .await?
            .ok_or_else(|| conflict(format!("{} 年奖补资金预算尚未下达，不能发放", b.year)))?;
        let (others, _) = committed_and_paid(w.conn(), b.year, Some(b.id)).await?;
        let (all, _) = committed_and_paid(w.conn(), b.year, None).await?;
        let this = all - others;
        if others + this > budget {
            return Err(conflict(
                batch_budget_warning(b.year, Some(budget), others, this).unwrap_or_else(|| "超出预算".into()),
            ));
        }
        sqlx::query("UPDATE reward_claims SET status = 'paid' WHERE batch_id = $1 AND status = 'in_batch'")
            .bind(b.id)
            .execute(w.conn())
            .await?;
    } else if req.treasury_ref.is_some() {
        return Err(bad("只有发放环节填写国库支付凭证号"));
    }
    let (published, ends, paid_on) = match next {
        BatchStage::InNotice { published, ends } => (Some(published.to_string()), Some(ends.to_string()), None),
        BatchStage::Paid { on } => (None, None, Some(on.to_string())),
        _ => (None, None, None),
    };
    sqlx::query(
        "UPDATE reward_batches SET stage = $1, notice_published = COALESCE($2, notice_published), \
         notice_ends = COALESCE($3, notice_ends), paid_on = COALESCE($4, paid_on), \
         treasury_ref = COALESCE($5, treasury_ref) WHERE id = $6",
    )
    .bind(stage_code(next))
    .bind(published)
    .bind(ends)
    .bind(paid_on)
    .bind(&treasury_ref)
    .bind(b.id)
    .execute(w.conn())
    .await?;
    insert_step(&mut w, b.id, &req.step, None, &opinion, user.id, today).await?;
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
    let b = batch_in_scope(&mut conn, &user, id).await?;
    Ok(Json(batch_view(&mut conn, &user, b).await?))
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
    let claim = claims_where(w.conn(), &user, "AND rc.id = $3", Some(claim_id))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, "申报不存在或不在您的辖区内"))?;
    let batch_id = claim.batch_id.ok_or_else(|| conflict("该申报尚未进入批次公示"))?;
    let b = batch_in_scope(w.conn(), &user, batch_id).await?;
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
    sqlx::query("UPDATE reward_claims SET status = 'stopped', stopped_reason = $1 WHERE id = $2")
        .bind(&reason)
        .bind(claim_id)
        .execute(w.conn())
        .await?;
    insert_step(&mut w, b.id, "complaint", Some(claim_id), &reason, user.id, today).await?;
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
    let b = batch_in_scope(&mut conn, &user, batch_id).await?;
    Ok(Json(batch_view(&mut conn, &user, b).await?))
}

// ---------------------------------------------------------------- fund

async fn fund_view(conn: &mut sqlx::AnyConnection, year: i32) -> AppResult<FundView> {
    let budget = budget_of(conn, year).await?.unwrap_or(Decimal::ZERO);
    let (committed, paid) = committed_and_paid(conn, year, None).await?;
    let remaining = budget - committed;
    let mut warning = fund_warning(year, budget, committed, today());
    if budget == Decimal::ZERO && warning.is_none() {
        warning = Some(format!("{year} 年奖补资金预算尚未下达"));
    }
    Ok(FundView {
        year,
        budget,
        committed,
        paid,
        remaining,
        budget_text: money_text(budget),
        committed_text: money_text(committed),
        paid_text: money_text(paid),
        remaining_text: money_text(remaining),
        execution_rate: (budget > Decimal::ZERO).then(|| (paid / budget).round_dp(4)),
        warning,
    })
}

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
    Ok(Json(fund_view(&mut conn, year).await?))
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
    let before = budget_of(w.conn(), year).await?;
    sqlx::query("DELETE FROM reward_funds WHERE year = $1").bind(i64::from(year)).execute(w.conn()).await?;
    sqlx::query("INSERT INTO reward_funds (year, budget, set_by, set_at) VALUES ($1, $2, $3, $4)")
        .bind(i64::from(year))
        .bind(money_text(req.budget))
        .bind(user.id)
        .bind(now_text())
        .execute(w.conn())
        .await?;
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
    Ok(Json(fund_view(&mut conn, year).await?))
}

// ---------------------------------------------------------------- integrity

async fn current_flags(conn: &mut sqlx::AnyConnection, user: &CurrentUser) -> AppResult<Vec<IntegrityFlag>> {
    let pattern = user.scope().path_pattern().to_string();
    let rows = sqlx::query(
        "SELECT rc.id, rc.case_id, rc.agent_id, rc.account_number, rc.amount, rc.category, c.number, c.agent_id AS case_agent, \
         ag.display_name AS agent_name, \
         (SELECT COUNT(*) FROM visits v WHERE v.case_id = rc.case_id) AS visits, \
         (SELECT COUNT(*) FROM case_assignments a WHERE a.case_id = rc.case_id AND a.agent_id = rc.agent_id) AS assigned \
         FROM reward_claims rc JOIN cases c ON c.id = rc.case_id JOIN users ag ON ag.id = rc.agent_id \
         WHERE rc.unit_path LIKE $1 ORDER BY rc.id",
    )
    .bind(&pattern)
    .fetch_all(&mut *conn)
    .await?;
    let mut facts = Vec::with_capacity(rows.len());
    for r in &rows {
        let case_id: i64 = r.try_get("case_id")?;
        let agent_id: i64 = r.try_get("agent_id")?;
        let case_agent: Option<i64> = r.try_get("case_agent")?;
        let history = history_of(conn, case_id).await?;
        facts.push(ClaimFacts {
            claim_id: r.try_get("id")?,
            case_id,
            case_number: r.try_get("number")?,
            agent_id,
            agent_name: r.try_get("agent_name")?,
            account_number: r.try_get("account_number")?,
            amount: dec(r, "amount")?,
            category: category_parse(r.try_get("category")?),
            history_category: history.and_then(|h| h.category),
            visits: r.try_get::<i64, _>("visits")?.clamp(0, i64::from(u32::MAX)) as u32,
            agent_assigned: r.try_get::<i64, _>("assigned")? > 0 || case_agent == Some(agent_id),
        });
    }
    let attempts = sqlx::query(
        "SELECT d.case_id, d.existing_claim_id, u.display_name, d.at FROM reward_duplicate_attempts d \
         JOIN users u ON u.id = d.claimant_id JOIN reward_claims rc ON rc.id = d.existing_claim_id \
         WHERE rc.unit_path LIKE $1 ORDER BY d.id",
    )
    .bind(&pattern)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| -> Result<DuplicateAttempt, sqlx::Error> {
        Ok(DuplicateAttempt {
            case_id: r.try_get(0)?,
            existing_claim_id: r.try_get(1)?,
            claimant_name: r.try_get(2)?,
            at: r.try_get(3)?,
        })
    })
    .collect::<Result<Vec<_>, _>>()?;
    let mut flags = integrity_flags(&facts, &attempts);
    for f in &mut flags {
        let r = sqlx::query(
            "SELECT r.note, r.at, u.display_name FROM reward_referrals r JOIN users u ON u.id = r.referred_by \
             WHERE r.flag_key = $1",
        )
        .bind(&f.key)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(r) = r {
            let (note, at, by): (String, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            f.referral = Some(format!("{by} 于 {at} 移交纪检监察机关：{note}"));
        }
    }
    Ok(flags)
}

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
    Ok(Json(current_flags(&mut conn, &user).await?))
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
    let flag = current_flags(w.conn(), &user)
        .await?
        .into_iter()
        .find(|f| f.key == req.flag_key)
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, "该核查线索不存在或已消除"))?;
    if flag.referral.is_some() {
        return Err(conflict("该线索已移交纪检监察机关"));
    }
    sqlx::query(
        "INSERT INTO reward_referrals (flag_key, kind, evidence, note, referred_by, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&flag.key)
    .bind(flag.kind.as_str())
    .bind(&flag.evidence)
    .bind(&note)
    .bind(user.id)
    .bind(now_text())
    .execute(w.conn())
    .await?;
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
    let flag = current_flags(&mut conn, &user)
        .await?
        .into_iter()
        .find(|f| f.key == req.flag_key)
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, "该核查线索不存在"))?;
    Ok((StatusCode::CREATED, Json(flag)))
}

// ---------------------------------------------------------------- public notice

/// One line of the public notice: the agent's name and unit, the category
/// and the amount — never an ID number, an account or the citizen.
pub struct NoticeLine {
    pub agent_name: String,
    pub unit_name: String,
    pub category: String,
    pub amount: String,
}

pub struct NoticeBatch {
    pub township: String,
    pub year: i32,
    pub quarter: u32,
    pub published: String,
    pub ends: String,
    pub office_phone: Option<String>,
    pub lines: Vec<NoticeLine>,
    pub total: String,
}

/// The batches whose public notice runs today, for the public page.
pub async fn notices(pool: &sqlx::AnyPool, today: NaiveDate) -> AppResult<Vec<NoticeBatch>> {
    let rows = sqlx::query(
        "SELECT b.id, b.year, b.quarter, b.notice_published, b.notice_ends, u.name, u.office_phone \
         FROM reward_batches b JOIN units u ON u.id = b.unit_id \
         WHERE b.stage = 'in_notice' AND b.notice_published <= $1 AND b.notice_ends >= $1 ORDER BY u.name, b.id",
    )
    .bind(today.to_string())
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let lines = sqlx::query(
            "SELECT ag.display_name, un.name AS unit_name, rc.category, rc.amount FROM reward_claims rc \
             JOIN users ag ON ag.id = rc.agent_id JOIN cases c ON c.id = rc.case_id JOIN units un ON un.id = c.unit_id \
             WHERE rc.batch_id = $1 AND rc.status = 'in_batch' ORDER BY rc.id",
        )
        .bind(id)
        .fetch_all(pool)
        .await?;
        let mut total = Decimal::ZERO;
        let mut ls = Vec::new();
        for l in &lines {
            let amount = dec(l, "amount")?;
            total += amount;
            let cat: Option<String> = l.try_get("category")?;
            ls.push(NoticeLine {
                agent_name: l.try_get("display_name")?,
                unit_name: l.try_get("unit_name")?,
                category: cat.map_or("酌情补贴".to_string(), |c| format!("{c}类")),
                amount: money_text(amount),
            });
        }
        out.push(NoticeBatch {
            township: r.try_get("name")?,
            year: r.try_get::<i64, _>("year")? as i32,
            quarter: r.try_get::<i64, _>("quarter")? as u32,
            published: r.try_get("notice_published")?,
            ends: r.try_get("notice_ends")?,
            office_phone: r.try_get("office_phone")?,
            lines: ls,
            total: money_text(total),
        });
    }
    Ok(out)
}
