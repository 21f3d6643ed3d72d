//! The reward fund's workbooks: a batch's public-notice list (公示名单) and
//! payment list (发放清单), and the year's performance self-evaluation
//! (绩效自评表) in the shape of seed 004's 项目支出绩效自评表.
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
use crate::ApiContext;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet};
use shared::error::ErrorCode;
use shared::export::spreadsheet_text;
use shared::org::Role;
use shared::reward::{money_text, self_evaluation, BatchStage, BatchView, SelfEvalInput, SelfEvaluation};
use sqlx::Row;

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/api/reward/batches/{id}/notice.xlsx", get(notice_xlsx))
        .route("/api/reward/batches/{id}/payment.xlsx", get(payment_xlsx))
        .route("/print/reward/batches/{id}/payment", get(payment_print))
        .route("/api/reward/funds/{year}/self-evaluation.xlsx", get(self_evaluation_xlsx))
}

fn formats() -> (Format, Format, Format) {
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let money = Format::new().set_border(FormatBorder::Thin).set_num_format("0.00");
    (head, cell, money)
}

pub(crate) fn table(
    ws: &mut Worksheet,
    top: u32,
    heads: &[(&str, f64)],
    rows: &[Vec<String>],
    money_col: Option<usize>,
) -> AppResult<()> {
    let (head, cell, money) = formats();
    for (c, (title, width)) in heads.iter().enumerate() {
        ws.write_string_with_format(top, c as u16, *title, &head)?;
        ws.set_column_width(c as u16, *width)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (rr, cc) = (top + 1 + r as u32, c as u16);
            // Amounts as numbers with two decimals (summable in Excel); the
            // text is exact to the fen, so the f64 of it is too.
            match (Some(c) == money_col, v.parse::<f64>()) {
                (true, Ok(n)) => ws.write_number_with_format(rr, cc, n, &money)?,
                _ => ws.write_string_with_format(rr, cc, spreadsheet_text(v), &cell)?,
            };
        }
    }
    Ok(())
}

pub(crate) fn xlsx_response(bytes: Vec<u8>, ascii_name: &str, utf8_name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{utf8_name}");
    ([(header::CONTENT_TYPE, XLSX_TYPE.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response()
}

async fn batch(ctx: &ApiContext, user: &CurrentUser, id: i64) -> AppResult<BatchView> {
    let axum::Json(b) = crate::reward::get_batch(State(ctx.clone()), user.clone(), ApiPath(id)).await?;
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
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("公示名单")?;
        ws.write_string(0, 0, &name)?;
        ws.write_string(1, 0, &notice)?;
        table(
            ws,
            2,
            &[("序号", 6.0), ("代办员", 12.0), ("所在单位", 18.0), ("类别", 10.0), ("金额（元）", 12.0)],
            &rows,
            Some(4),
        )?;
        let last = 3 + rows.len() as u32;
        ws.write_string(last, 3, "合计")?;
        ws.write_number_with_format(last, 4, money_text(total).parse::<f64>().unwrap_or(0.0), &formats().2)?;
        Ok(wb.save_to_buffer()?)
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
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("发放清单")?;
        ws.write_string(0, 0, &name)?;
        ws.write_string(1, 0, &treasury)?;
        table(
            ws,
            2,
            &[
                ("序号", 6.0),
                ("代办员", 12.0),
                ("收款人", 12.0),
                ("收款账号", 24.0),
                ("事项编号", 20.0),
                ("类别", 10.0),
                ("金额（元）", 12.0),
            ],
            &rows,
            Some(6),
        )?;
        let last = 3 + rows.len() as u32;
        ws.write_string(last, 5, "合计")?;
        ws.write_number_with_format(last, 6, money_text(total).parse::<f64>().unwrap_or(0.0), &formats().2)?;
        Ok(wb.save_to_buffer()?)
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
        let account: String = sqlx::query("SELECT account_number FROM reward_claims WHERE id = $1")
            .bind(c.id)
            .fetch_one(&ctx.db.pool)
            .await?
            .try_get(0)?;
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
async fn audit_payment_list(ctx: &ApiContext, user: &CurrentUser, id: i64, ids: &[i64], form: &str) -> AppResult<()> {
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

#[derive(askama::Template)]
#[template(path = "print/payment_list.html")]
struct PaymentListPage {
    title: String,
    treasury: String,
    rows: Vec<Vec<String>>,
    total: String,
}

/// `GET /print/reward/batches/{id}/payment`: the payment list on A4, with
/// signature lines (same rules and audit as the workbook).
pub async fn payment_print(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let PaymentList { ids, rows, total, name, treasury } = payment_list(&ctx, &user, id).await?;
    let html = askama::Template::render(&PaymentListPage { title: name, treasury, rows, total: money_text(total) })
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
    let budget: Decimal = match sqlx::query("SELECT budget FROM reward_funds WHERE year = $1")
        .bind(i64::from(year))
        .fetch_optional(&ctx.db.pool)
        .await?
    {
        Some(r) => r.try_get::<String, _>(0)?.parse().unwrap_or(Decimal::ZERO),
        None => Decimal::ZERO,
    };
    let rows = sqlx::query(
        "SELECT rc.amount, rc.status, rc.kind, b.paid_on, c.opinion FROM reward_claims rc \
         JOIN reward_batches b ON b.id = rc.batch_id JOIN cases c ON c.id = rc.case_id \
         WHERE b.year = $1 AND rc.status IN ('in_batch', 'paid')",
    )
    .bind(i64::from(year))
    .fetch_all(&ctx.db.pool)
    .await?;
    let mut i = SelfEvalInput {
        year,
        budget,
        paid: Decimal::ZERO,
        claims_paid: 0,
        resolved_paid: 0,
        paid_in_year: 0,
        target_matters: 0,
        opinions: 0,
        satisfied: 0,
    };
    for r in &rows {
        i.target_matters += 1;
        if r.try_get::<String, _>("status")? != "paid" {
            continue;
        }
        let amount: String = r.try_get("amount")?;
        i.paid += amount.parse::<Decimal>().unwrap_or(Decimal::ZERO);
        i.claims_paid += 1;
        if r.try_get::<String, _>("kind")? == "resolved" {
            i.resolved_paid += 1;
        }
        let paid_on: Option<String> = r.try_get("paid_on")?;
        if paid_on.is_some_and(|d| d.starts_with(&format!("{year:04}-"))) {
            i.paid_in_year += 1;
        }
        let opinion: Option<String> = r.try_get("opinion")?;
        if let Some(o) = opinion {
            i.opinions += 1;
            if o == "satisfied" || o == "fairly_satisfied" {
                i.satisfied += 1;
            }
        }
    }
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
    let bytes = tokio::task::spawn_blocking(move || -> AppResult<Vec<u8>> {
        let (head, cell, money) = formats();
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("绩效自评表")?;
        ws.write_string(0, 0, "项目支出绩效自评表")?;
        ws.write_string(1, 0, format!("（ {} 年度）", e.year))?;
        ws.write_string_with_format(2, 0, "项目名称", &head)?;
        ws.write_string_with_format(2, 1, "信访代办奖补资金", &cell)?;
        ws.write_string_with_format(2, 2, "实施单位", &head)?;
        ws.write_string_with_format(2, 3, "盟信访局", &cell)?;
        for (c, t) in ["项目预算执行情况（元）", "全年预算数（A）", "全年执行数（B）", "分值", "执行率（B/A）", "得分"]
            .iter()
            .enumerate()
        {
            ws.write_string_with_format(3, c as u16, *t, &head)?;
        }
        ws.write_string_with_format(4, 0, "年度资金总额", &cell)?;
        ws.write_number_with_format(4, 1, money_text(e.budget).parse::<f64>().unwrap_or(0.0), &money)?;
        ws.write_number_with_format(4, 2, money_text(e.executed).parse::<f64>().unwrap_or(0.0), &money)?;
        ws.write_number_with_format(4, 3, 10.0, &cell)?;
        ws.write_string_with_format(
            4,
            4,
            format!("{}%", (e.execution_rate * Decimal::from(100)).round_dp(2).normalize()),
            &cell,
        )?;
        ws.write_string_with_format(4, 5, e.execution_score.to_string(), &cell)?;
        let rows: Vec<Vec<String>> = e
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.level1.clone(),
                    r.level2.clone(),
                    r.level3.clone(),
                    r.weight.to_string(),
                    r.target.clone(),
                    r.actual.clone(),
                    r.score.map_or(String::new(), |s| s.normalize().to_string()),
                ]
            })
            .collect();
        table(
            ws,
            6,
            &[
                ("一级指标", 12.0),
                ("二级指标", 18.0),
                ("三级指标", 30.0),
                ("分值", 8.0),
                ("预期指标值", 14.0),
                ("实际完成指标值", 16.0),
                ("得分", 8.0),
            ],
            &rows,
            None,
        )?;
        let last = 7 + rows.len() as u32;
        ws.write_string_with_format(last, 0, "总分", &head)?;
        ws.write_string_with_format(last, 3, "100", &cell)?;
        ws.write_string_with_format(last, 6, e.total.normalize().to_string(), &cell)?;
        ws.write_string(
            last + 1,
            0,
            "注：效益指标为定性指标，由盟信访局评定后计入总分；其余得分由系统按实际数据计算。",
        )?;
        Ok(wb.save_to_buffer()?)
    })
    .await
    .map_err(|_| AppError::new(ErrorCode::Internal, "绩效自评表生成失败"))??;
    Ok(xlsx_response(bytes, "self-evaluation.xlsx", "%E7%BB%A9%E6%95%88%E8%87%AA%E8%AF%84%E8%A1%A8.xlsx"))
}
