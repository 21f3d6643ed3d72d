//! The reward fund's workbooks — a batch's public-notice list (公示名单) and
//! payment list (发放清单), the year's performance self-evaluation
//! (绩效自评表) — and the payment list's printable page.

use crate::render::xlsx::{formats, table};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Workbook, XlsxError};
use shared::reward::{money_text, SelfEvaluation};

/// The public-notice list: `name` and the `notice` period above the rows
/// (number, agent, unit, category, amount) and their `total`.
pub fn notice_workbook(name: &str, notice: &str, rows: &[Vec<String>], total: Decimal) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("公示名单")?;
    ws.write_string(0, 0, name)?;
    ws.write_string(1, 0, notice)?;
    table(
        ws,
        2,
        &[("序号", 6.0), ("代办员", 12.0), ("所在单位", 18.0), ("类别", 10.0), ("金额（元）", 12.0)],
        rows,
        Some(4),
    )?;
    let last = 3 + rows.len() as u32;
    ws.write_string(last, 3, "合计")?;
    ws.write_number_with_format(last, 4, money_text(total).parse::<f64>().unwrap_or(0.0), &formats().2)?;
    wb.save_to_buffer()
}

/// The payment list: `name` and the `treasury` reference above the rows
/// (number, agent, payee, account, matter, category, amount) and their `total`.
pub fn payment_workbook(
    name: &str,
    treasury: &str,
    rows: &[Vec<String>],
    total: Decimal,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("发放清单")?;
    ws.write_string(0, 0, name)?;
    ws.write_string(1, 0, treasury)?;
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
        rows,
        Some(6),
    )?;
    let last = 3 + rows.len() as u32;
    ws.write_string(last, 5, "合计")?;
    ws.write_number_with_format(last, 6, money_text(total).parse::<f64>().unwrap_or(0.0), &formats().2)?;
    wb.save_to_buffer()
}

#[derive(askama::Template)]
#[template(path = "print/payment_list.html")]
struct PaymentListPage {
    title: String,
    treasury: String,
    rows: Vec<Vec<String>>,
    total: String,
}

/// The payment list on A4, with signature lines.
pub fn payment_list_html(
    title: String,
    treasury: String,
    rows: Vec<Vec<String>>,
    total: String,
) -> askama::Result<String> {
    askama::Template::render(&PaymentListPage { title, treasury, rows, total })
}

/// The performance self-evaluation in the shape of seed 004's
/// 项目支出绩效自评表.
pub fn self_evaluation_workbook(e: &SelfEvaluation) -> Result<Vec<u8>, XlsxError> {
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
    ws.write_string(last + 1, 0, "注：效益指标为定性指标，由盟信访局评定后计入总分；其余得分由系统按实际数据计算。")?;
    wb.save_to_buffer()
}
