//! The bulletin's tables, as printed (A4 page) and as a workbook (one
//! sheet per table).

use askama::Template;
use rust_decimal::Decimal;
use rust_xlsxwriter::XlsxError;
use shared::assessment::rate_text;
use shared::bulletin::{Bulletin, BulletinKind, BulletinRow};

fn pct(r: Option<Decimal>) -> String {
    rate_text(r)
}

/// One table of a bulletin: its title, column heads and rows of text.
pub type Table = (String, Vec<&'static str>, Vec<Vec<String>>);

/// The tables of a bulletin, in order, as printed and as sheets.
pub fn tables(b: &Bulletin) -> Vec<Table> {
    let unit_rows = |rows: &[BulletinRow]| -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| {
                vec![
                    r.rank.to_string(),
                    r.unit_name.clone(),
                    r.total.to_string(),
                    r.agency.to_string(),
                    pct(r.rates[0]),
                    pct(r.rates[1]),
                    pct(r.rates[2]),
                    pct(r.rates[3]),
                    r.overdue_now.to_string(),
                ]
            })
            .collect()
    };
    let unit_heads =
        vec!["名次", "单位", "受理事项", "代办事项", "代办率", "网访占比率", "办结率", "化解率", "当前超期"];
    let figures: Vec<Vec<String>> = b
        .figures
        .iter()
        .map(|f| {
            vec![
                f.kind.label().to_string(),
                f.numerator.to_string(),
                f.denominator.to_string(),
                pct(f.rate),
                f.target.map(|t| format!("≥ {}", pct(Some(t)))).unwrap_or_default(),
                match f.met {
                    Some(true) => "达标".to_string(),
                    Some(false) => "未达标".to_string(),
                    None => String::new(),
                },
            ]
        })
        .collect();
    let overdue: Vec<Vec<String>> = b
        .overdue
        .iter()
        .map(|o| {
            vec![
                o.number.clone(),
                o.unit_name.clone(),
                o.handling.clone(),
                o.category.clone(),
                o.accepted_on.to_string(),
                o.due_on.to_string(),
                o.days_over.to_string(),
            ]
        })
        .collect();
    let assessment: Vec<Vec<String>> = b
        .assessment
        .iter()
        .map(|a| {
            let r = &a.result;
            vec![
                a.rank.to_string(),
                a.unit_name.clone(),
                a.parent_name.clone(),
                (r.organisation + r.rules).to_string(),
                r.performance.iter().copied().sum::<Decimal>().round_dp(2).to_string(),
                (r.bonus_writeups + r.bonus_major + r.bonus_warnings).to_string(),
                r.deduction_part.to_string(),
                format!("{:.2}", r.total),
                match r.vetoed {
                    Some(v) => format!("{}（一票否决：{}）", r.grade.label(), v.label()),
                    None => r.grade.label().to_string(),
                },
            ]
        })
        .collect();
    let letters: Vec<Vec<String>> = b
        .letters
        .iter()
        .map(|l| {
            vec![
                l.number.clone(),
                l.kind.label().to_string(),
                l.unit_name.clone(),
                l.reason.clone(),
                l.issued_on.to_string(),
                l.acknowledged_on.map(|d| d.to_string()).unwrap_or_else(|| "未签收".to_string()),
            ]
        })
        .collect();
    let period_name = match b.kind {
        BulletinKind::Month => "本月",
        BulletinKind::Year => "全年",
    };
    vec![
        (format!("{}主要指标", period_name), vec!["指标", "分子", "分母", "比率", "目标", "是否达标"], figures),
        (format!("各单位{period_name}情况排名"), unit_heads.clone(), unit_rows(&b.rows)),
        ("各单位年度累计排名".to_string(), unit_heads, unit_rows(&b.rows_year)),
        (
            format!("超期未办结事项（共 {} 件，列出期限最早的 {} 件）", b.overdue_total, b.overdue.len()),
            vec!["事项编号", "登记单位", "办理单位", "内容分类", "受理日期", "办理期限", "超期工作日"],
            overdue,
        ),
        (
            "嘎查村（社区）信访代办工作考核排名（年度累计）".to_string(),
            vec!["名次", "嘎查村（社区）", "苏木镇", "组织与制度", "工作实绩", "加分", "减分项得分", "总分", "等级"],
            assessment,
        ),
        (format!("{period_name}发出的函件"), vec!["文号", "函件", "收函单位", "事由", "发函日期", "签收"], letters),
    ]
}

#[derive(Template)]
#[template(path = "print/bulletin.html")]
struct BulletinPage<'a> {
    b: &'a Bulletin,
    tables: Vec<Table>,
    made_on: String,
}

/// The bulletin on A4 (`made_on`: the date it was made, in Chinese).
pub fn page_html(b: &Bulletin, made_on: String) -> askama::Result<String> {
    BulletinPage { tables: tables(b), made_on, b }.render()
}

/// The workbook of a bulletin.
pub fn workbook(b: &Bulletin) -> Result<Vec<u8>, XlsxError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let names = ["主要指标", "本期排名", "年度累计", "超期事项", "考核排名", "函件"];
    for (i, (title, heads, rows)) in tables(b).into_iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(names[i])?;
        ws.write_string_with_format(0, 0, &b.title, &rust_xlsxwriter::Format::new().set_bold().set_font_size(14))?;
        ws.write_string(1, 0, &title)?;
        let widths: Vec<(&str, f64)> =
            heads.iter().map(|h| (*h, if h.chars().count() > 4 || *h == "事由" { 22.0 } else { 12.0 })).collect();
        crate::render::xlsx::table(ws, 2, &widths, &rows, None)?;
    }
    wb.save_to_buffer()
}
