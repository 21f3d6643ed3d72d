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
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook};
use shared::case::{CaseView, TimelineEntry};
use shared::command::CaseCommand;
use shared::desk::DispositionView;
use shared::error::ErrorCode;
use shared::export::spreadsheet_text;
use shared::time::local_day;
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

/// What a follow-up (回访) entry says, for one cell.
fn follow_up_text(e: &TimelineEntry) -> String {
    match &e.command {
        CaseCommand::FollowUp { method, resolved, note } => format!(
            "{} {}：{}；{}",
            local_day(&e.at),
            method.label(),
            if *resolved { "已息诉罢访" } else { "未息诉罢访" },
            note
        ),
        _ => format!("{} {}", local_day(&e.at), e.label),
    }
}

/// The columns, with their widths; the private ones are marked.
const COLUMNS: &[(&str, f64, bool)] = &[
    ("编号", 20.0, false),
    ("受理日期", 11.0, false),
    ("渠道", 6.0, false),
    ("来源", 9.0, false),
    ("信访人", 10.0, false),
    ("身份证号", 20.0, true),
    ("联系电话", 13.0, true),
    ("住址", 20.0, true),
    ("反映的问题及诉求", 40.0, false),
    ("内容分类", 12.0, false),
    ("专班组", 14.0, false),
    ("登记单位", 14.0, false),
    ("承办单位", 14.0, false),
    ("代办员", 10.0, false),
    ("阶段/状态", 16.0, false),
    ("期限", 12.0, false),
    ("处置单", 36.0, false),
    ("领导批示", 24.0, false),
    ("处理结果", 30.0, false),
    ("告知方式", 9.0, false),
    ("信访人意见", 10.0, false),
    ("终结日期", 11.0, false),
    ("回访", 30.0, false),
    ("归档", 11.0, false),
];

/// The cells of one matter, in the order of [`COLUMNS`] (private ones
/// included; the caller drops them when the reader may not see them).
pub fn ledger_row(
    c: &CaseView,
    dispositions: &[&DispositionView],
    follow_ups: &[&TimelineEntry],
    archived: Option<&TimelineEntry>,
) -> Vec<String> {
    let disposition_text = dispositions
        .iter()
        .map(|d| format!("{}：{}", d.unit_name, d.result.as_deref().unwrap_or("（未回复）")))
        .collect::<Vec<_>>()
        .join("\n");
    // A deadline is shown while the matter is open.
    let due = if !c.stage.is_closed() {
        if c.due_unscheduled {
            format!("{}（节假日安排未公布）", c.due_on)
        } else {
            c.due_on.to_string()
        }
    } else {
        String::new()
    };
    vec![
        c.number.clone(),
        c.accepted_on.to_string(),
        c.channel.label().to_string(),
        c.source.label().to_string(),
        c.citizen_name.clone(),
        c.id_number.clone().unwrap_or_default(),
        c.phone.clone().unwrap_or_default(),
        c.address.clone().unwrap_or_default(),
        c.summary.clone(),
        c.category.map_or("", |x| x.label()).to_string(),
        c.task_group.map_or("", |x| x.label()).to_string(),
        c.unit_name.clone(),
        c.handling_unit_name.clone().unwrap_or_else(|| c.unit_name.clone()),
        c.agent_name.clone().unwrap_or_default(),
        format!("{}/{}", c.stage.label(), c.lifecycle.status.label()),
        due,
        disposition_text,
        c.leader_instruction.clone().unwrap_or_default(),
        c.result.clone().unwrap_or_default(),
        c.notice_form.map_or("", |n| n.label()).to_string(),
        c.opinion.map_or("", |o| o.label()).to_string(),
        c.concluded_on.map(|d| d.to_string()).unwrap_or_default(),
        follow_ups.iter().map(|e| follow_up_text(e)).collect::<Vec<_>>().join("\n"),
        archived.map(|e| local_day(&e.at)).unwrap_or_default(),
    ]
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
        rows.push(ledger_row(
            c,
            by_case.get(&c.id).map_or(&[][..], |v| &v[..]),
            follow_by_case.get(&c.id).map_or(&[][..], |v| &v[..]),
            archived.get(&c.id).copied(),
        ));
    }
    // Writing the workbook is CPU work (a second per few thousand rows
    // unoptimised): off the async workers.
    let bytes = tokio::task::spawn_blocking(move || workbook(&rows, private))
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

/// The workbook of the ledger rows ([`ledger_row`]); without the private
/// columns unless `private`.
fn workbook(rows: &[Vec<String>], private: bool) -> AppResult<Vec<u8>> {
    let keep: Vec<usize> = (0..COLUMNS.len()).filter(|i| private || !COLUMNS[*i].2).collect();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("台账")?;
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    for (col, i) in keep.iter().enumerate() {
        let (title, width, _) = COLUMNS[*i];
        ws.write_string_with_format(0, col as u16, title, &head)?;
        ws.set_column_width(col as u16, width)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (col, i) in keep.iter().enumerate() {
            ws.write_string_with_format(r as u32 + 1, col as u16, spreadsheet_text(&row[*i]), &cell)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    if !keep.is_empty() {
        ws.autofilter(0, 0, rows.len() as u32, keep.len() as u16 - 1)?;
    }
    Ok(wb.save_to_buffer()?)
}
