//! The reward fund's workbooks: a batch's public-notice list (公示名单) and
//! payment list (发放清单), and the year's performance self-evaluation
//! (绩效自评表) in the shape of seed 004's 项目支出绩效自评表. The bytes are
//! built by `crate::render::reward_report`.
//!
//! The notice list carries what the public notice shows. The payment list
//! carries the accounts (private): only the league bureau or finance may
//! download it, once the league has approved the batch, and every download
//! is audited with the claims it lists.

use crate::api::extract::ApiPath;
use crate::api::ledger::XLSX_TYPE;
use crate::db::audit::{self, AuditEntry};
use crate::db::session::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::render::reward_report::{notice_workbook, payment_list_html, payment_workbook, self_evaluation_workbook};
use crate::ApiContext;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use shared::error::ErrorCode;
use shared::org::Role;
use shared::reward::{money_text, self_evaluation, BatchStage, BatchView, SelfEvaluation};

pub(crate) fn xlsx_response(bytes: Vec<u8>, ascii_name: &str, utf8_name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{utf8_name}");
    ([(header::CONTENT_TYPE, XLSX_TYPE.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response()
}

pub async fn batch(ctx: &ApiContext, user: &CurrentUser, id: i64) -> AppResult<BatchView> {
    let axum::Json(b) = crate::api::reward::get_batch(State(ctx.clone()), user.clone(), ApiPath(id)).await?;
    Ok(b)
}

fn title(b: &BatchView, what: &str) -> String {
    format!("{} {} 年第 {} 季度信访代办奖补资金{what}", b.unit_name, b.year, b.quarter)
}

/// The public-notice list: names, units, categories and amounts of the
/// claims not stopped — what `/public/reward-notice` shows.
#[utoipa::path(get, path = "/api/reward/batches/{id}/notice.xlsx", tag = "reward", params(("id" = i64, Path, minimum = 1)), responses((status = 200, description = "公示名单（Excel）", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn notice_xlsx(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let b = batch(&ctx, &user, id).await?;
    let rows: Vec<Vec<String>> = b
        .claims
        .iter()
        .filter(|c| c.status != shared::reward::ClaimStatus::Stopped)
        .enumerate()
        .map(|(i, c)| {
            vec![
                (i + 1).to_string(),
                c.agent_name.clone(),
                c.unit_name.clone(),
                c.category.map_or("酌情补贴".to_string(), |x| format!("{}类", x.letter())),
                c.amount_text.clone(),
            ]
        })
        .collect();
    let total: Decimal = b.total;
    let notice = match b.stage {
        BatchStage::InNotice { published, ends } => format!("公示期：{published} 至 {ends}"),
        _ => String::new(),
    };
    let name = title(&b, "公示名单");
    let bytes = tokio::task::spawn_blocking(move || -> AppResult<Vec<u8>> {
        Ok(notice_workbook(&name, &notice, &rows, total)?)
    })
    .await
    .map_err(|_| AppError::new(ErrorCode::Internal, "公示名单生成失败"))??;
    Ok(xlsx_response(bytes, "notice.xlsx", "%E5%85%AC%E7%A4%BA%E5%90%8D%E5%8D%95.xlsx"))
}

/// The payment list for the treasury: payee and account of each claim
/// approved (private: league bureau and finance only, audited).
#[utoipa::path(get, path = "/api/reward/batches/{id}/payment.xlsx", tag = "reward", params(("id" = i64, Path, minimum = 1)), responses((status = 200, description = "发放清单（Excel，含收款账号）", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn payment_xlsx(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let PaymentList { ids, rows, total, name, treasury } = payment_list(&ctx, &user, id).await?;
    let bytes = tokio::task::spawn_blocking(move || -> AppResult<Vec<u8>> {
        Ok(payment_workbook(&name, &treasury, &rows, total)?)
    })
    .await
    .map_err(|_| AppError::new(ErrorCode::Internal, "发放清单生成失败"))??;
    audit_payment_list(&ctx, &user, id, &ids, "xlsx").await?;
    Ok(xlsx_response(bytes, "payment.xlsx", "%E5%8F%91%E6%94%BE%E6%B8%85%E5%8D%95.xlsx"))
}

/// A batch's payment list: its title, the treasury reference, one row per
/// claim not stopped (with the account) and the total.
struct PaymentList {
    ids: Vec<i64>,
    rows: Vec<Vec<String>>,
    total: Decimal,
    name: String,
    treasury: String,
}

/// The payment list of batch `id`, for the league bureau or finance only,
/// once the league approved the batch.
async fn payment_list(ctx: &ApiContext, user: &CurrentUser, id: i64) -> AppResult<PaymentList> {
    if !matches!(user.role, Role::LeagueBureau | Role::FinanceReviewer) {
        return Err(AppError::new(ErrorCode::Forbidden, "发放清单含收款账号，只有盟信访局和财政可以下载"));
    }
    let b = batch(ctx, user, id).await?;
    if !matches!(b.stage, BatchStage::LeagueApproved | BatchStage::Paid { .. }) {
        return Err(AppError::new(ErrorCode::Conflict, "盟信访局终审通过后才能生成发放清单"));
    }
    let ids: Vec<i64> =
        b.claims.iter().filter(|c| c.status != shared::reward::ClaimStatus::Stopped).map(|c| c.id).collect();
    let mut rows = Vec::new();
    for (i, c) in b.claims.iter().filter(|c| ids.contains(&c.id)).enumerate() {
        let account = crate::db::reward::account_number(&ctx.db.pool, c.id).await?;
        rows.push(vec![
            (i + 1).to_string(),
            c.agent_name.clone(),
            c.account_name.clone(),
            account,
            c.case_number.clone(),
            c.category.map_or("酌情补贴".to_string(), |x| format!("{}类", x.letter())),
            c.amount_text.clone(),
        ]);
    }
    let treasury = b.treasury_ref.clone().map(|t| format!("国库集中支付凭证号：{t}")).unwrap_or_default();
    Ok(PaymentList { ids, rows, total: b.total, name: title(&b, "发放清单"), treasury })
}

/// Every copy of the accounts is audited with the claims it lists.
pub async fn audit_payment_list(
    ctx: &ApiContext,
    user: &CurrentUser,
    id: i64,
    ids: &[i64],
    form: &str,
) -> AppResult<()> {
    let mut tx = ctx.db.begin_write().await?;
    audit::append(
        &mut tx,
        AuditEntry {
            actor_id: Some(user.id),
            action: "reward.payment_list",
            entity: "reward_batch",
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({"claim_ids": ids, "accounts": true, "form": form})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `GET /print/reward/batches/{id}/payment`: the payment list on A4, with
/// signature lines (same rules and audit as the workbook).
pub async fn payment_print(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let PaymentList { ids, rows, total, name, treasury } = payment_list(&ctx, &user, id).await?;
    let html = payment_list_html(name, treasury, rows, money_text(total))
        .map_err(|_| AppError::new(ErrorCode::Internal, "发放清单生成失败"))?;
    audit_payment_list(&ctx, &user, id, &ids, "print").await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], axum::response::Html(html)).into_response())
}

/// `GET /api/reward/funds/{year}/self-evaluation.xlsx` query.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SelfEvalQuery {
    /// The planned number of matters (预期指标值); default: the claims filed
    /// in the year's batches, stopped ones excluded.
    #[serde(default)]
    #[param(minimum = 1, maximum = 100000)]
    pub target: Option<u32>,
}

/// Gathers the year's facts (the whole fund: the league's table).
pub async fn evaluate(ctx: &ApiContext, year: i32, target: Option<u32>) -> AppResult<SelfEvaluation> {
    let mut i = crate::db::reward::self_eval_input(&ctx.db.pool, year).await?;
    if let Some(t) = target {
        i.target_matters = t;
    }
    Ok(self_evaluation(&i))
}

#[utoipa::path(get, path = "/api/reward/funds/{year}/self-evaluation.xlsx", tag = "reward", params(("year" = i32, Path), SelfEvalQuery), responses((status = 200, description = "项目支出绩效自评表（Excel）", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn self_evaluation_xlsx(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(year): ApiPath<i32>,
    q: Result<Query<SelfEvalQuery>, QueryRejection>,
) -> AppResult<Response> {
    if !matches!(user.role, Role::LeagueBureau | Role::FinanceReviewer) {
        return Err(AppError::new(ErrorCode::Forbidden, "绩效自评由盟信访局开展（第十四条）"));
    }
    let Query(q) = q.map_err(|_| AppError::new(ErrorCode::ValidationFailed, "查询条件无效（target 为正整数）"))?;
    if q.target == Some(0) || !(2000..=2100).contains(&year) {
        return Err(AppError::new(ErrorCode::ValidationFailed, "年度或预期件数无效"));
    }
    let e = evaluate(&ctx, year, q.target).await?;
    let bytes = tokio::task::spawn_blocking(move || -> AppResult<Vec<u8>> { Ok(self_evaluation_workbook(&e)?) })
        .await
        .map_err(|_| AppError::new(ErrorCode::Internal, "绩效自评表生成失败"))??;
    Ok(xlsx_response(bytes, "self-evaluation.xlsx", "%E7%BB%A9%E6%95%88%E8%87%AA%E8%AF%84%E8%A1%A8.xlsx"))
}
