//! The ledger (台账) as an Excel workbook: every column a county files, one
//! row per matter in the user's jurisdiction. The private columns (身份证号,
//! 联系电话, 住址) are there only for those who may see private data, and
//! filled only for the matters they handle. Every download is audited.

use crate::db::audit::{self, AuditEntry};
use crate::db::scope::LedgerFilter;
use crate::db::session::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::ApiContext;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use shared::case::TimelineEntry;
use shared::desk::DispositionView;
use shared::error::ErrorCode;
use std::collections::BTreeMap;

/// Most rows one download holds; a larger territory narrows the dates.
pub const MAX_LEDGER_ROWS: i64 = 20_000;

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Checks a ledger filter from the query string.
pub fn ledger_filter(q: Result<Query<LedgerFilter>, QueryRejection>) -> AppResult<LedgerFilter> {
    let f = q.map(|Query(f)| f).map_err(|_| {
        AppError::new(ErrorCode::ValidationFailed, "查询条件无效（from、to、unit_id、stage、category、channel、q）")
    })?;
    if let Some(q) = &f.q {
        shared::validation::check_plain("查询内容", q)?;
        if q.chars().count() > 100 {
            return Err(AppError::new(ErrorCode::ValidationFailed, "查询内容不能超过 100 个字"));
        }
    }
    if let (Some(from), Some(to)) = (f.from, f.to) {
        if from > to {
            return Err(AppError::new(ErrorCode::ValidationFailed, "起始日期不能晚于截止日期"));
        }
    }
    Ok(f)
}

impl From<rust_xlsxwriter::XlsxError> for AppError {
    fn from(_: rust_xlsxwriter::XlsxError) -> AppError {
        AppError::new(ErrorCode::Internal, "台账文件生成失败")
    }
}

/// The ledger of the user's jurisdiction as an Excel workbook (.xlsx).
#[utoipa::path(get, path = "/api/cases/ledger.xlsx", tag = "cases", params(LedgerFilter), responses((status = 200, description = "台账（Excel）：有权查看个人信息者含身份证号、联系电话、住址列", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn ledger_xlsx(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    filter: Result<Query<LedgerFilter>, QueryRejection>,
) -> AppResult<Response> {
    let f = ledger_filter(filter)?;
    let scope = user.scope();
    let pool = &ctx.db.pool;
    let cases = scope.ledger_cases(pool, &f, None, MAX_LEDGER_ROWS + 1).await?;
    if cases.len() as i64 > MAX_LEDGER_ROWS {
        return Err(AppError::new(
            ErrorCode::ValidationFailed,
            format!("符合条件的事项超过 {MAX_LEDGER_ROWS} 件，请缩小受理日期范围"),
        ));
    }
    let dispositions = scope.ledger_dispositions(pool, &f, None).await?;
    let follow_ups = scope.ledger_events(pool, &f, None, "follow_up").await?;
    let archives = scope.ledger_events(pool, &f, None, "archive").await?;
    let mut by_case: BTreeMap<i64, Vec<&DispositionView>> = BTreeMap::new();
    for d in &dispositions {
        by_case.entry(d.case_id).or_default().push(d);
    }
    let mut follow_by_case: BTreeMap<i64, Vec<&TimelineEntry>> = BTreeMap::new();
    for e in &follow_ups {
        follow_by_case.entry(e.case_id).or_default().push(e);
    }
    let archived: BTreeMap<i64, &TimelineEntry> = archives.iter().map(|e| (e.case_id, e)).collect();

    let private = scope.may_see_any_contact();
    let mut with_contact = Vec::new();
    let mut rows = Vec::with_capacity(cases.len());
    for c in &cases {
        if c.phone.is_some() || c.id_number.is_some() || c.address.is_some() {
            with_contact.push(c.id);
        }
        rows.push(crate::render::ledger::ledger_row(
            c,
            by_case.get(&c.id).map_or(&[][..], |v| &v[..]),
            follow_by_case.get(&c.id).map_or(&[][..], |v| &v[..]),
            archived.get(&c.id).copied(),
        ));
    }
    // Writing the workbook is CPU work (a second per few thousand rows
    // unoptimised): off the async workers.
    let bytes = tokio::task::spawn_blocking(move || crate::render::ledger::workbook(&rows, private))
        .await
        .map_err(|_| AppError::new(ErrorCode::Internal, "台账文件生成失败"))??;

    let mut tx = ctx.db.begin_write().await?;
    audit::append(
        &mut tx,
        AuditEntry {
            actor_id: Some(user.id),
            action: "case.export_ledger",
            entity: "case",
            entity_id: "ledger".to_string(),
            before: None,
            after: Some(serde_json::json!({
                "filter": f,
                "rows": cases.len(),
                "private_columns": private,
                "contact_case_ids": with_contact,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((
        [
            (header::CONTENT_TYPE, XLSX_TYPE),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''%E5%8F%B0%E8%B4%A6.xlsx",
            ),
        ],
        bytes,
    )
        .into_response())
}
