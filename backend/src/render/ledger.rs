//! The ledger (台账) as an Excel workbook: one row per matter, every column
//! a county files, the private ones (身份证号, 联系电话, 住址) only when the
//! reader may see them.

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, XlsxError};
use shared::case::{CaseView, TimelineEntry};
use shared::command::CaseCommand;
use shared::desk::DispositionView;
use shared::export::spreadsheet_text;
use shared::time::local_day;

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

/// The workbook of the ledger rows ([`ledger_row`]); without the private
/// columns unless `private`.
pub fn workbook(rows: &[Vec<String>], private: bool) -> Result<Vec<u8>, XlsxError> {
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
    wb.save_to_buffer()
}
