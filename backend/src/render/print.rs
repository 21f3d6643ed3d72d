//! Printable forms (A4, print CSS, Chinese fonts) as HTML: the 信访事项代办单
//! with the citizen's query code and its QR code (SVG), and the 信访事项处置单.

use crate::error::{AppError, AppResult};
use askama::Template;
use shared::case::CaseView;
use shared::error::ErrorCode;
use shared::lifecycle::{NoticeForm, Opinion};
use shared::public::QueryCode;

#[derive(Template)]
#[template(path = "print/agency_form.html")]
struct AgencyForm<'a> {
    c: &'a CaseView,
    id_number: &'a str,
    address: &'a str,
    phone: &'a str,
    result: &'a str,
    notice: Vec<(&'static str, bool)>,
    opinion: Vec<(&'static str, bool)>,
    code_grouped: String,
    lookup_url: String,
    qr_svg: String,
}

/// A QR code of `text` as an SVG element.
pub fn qr_svg(text: &str) -> AppResult<String> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|_| AppError::new(ErrorCode::Internal, "二维码生成失败"))?;
    let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(180, 180).quiet_zone(true).build();
    // Inline in HTML: the XML declaration is not wanted there.
    Ok(match svg.find("<svg") {
        Some(start) => svg[start..].to_string(),
        None => svg,
    })
}

/// The 代办单 of a matter as HTML, with the QR code of `url` (its public
/// page; none when empty).
pub fn agency_form_html(case: &CaseView, url: String) -> AppResult<String> {
    let code = case.query_code.as_deref().and_then(|c| QueryCode::parse(c).ok());
    AgencyForm {
        c: case,
        id_number: case.id_number.as_deref().unwrap_or(""),
        address: case.address.as_deref().unwrap_or(""),
        phone: case.phone.as_deref().unwrap_or(""),
        result: case.result.as_deref().unwrap_or(""),
        notice: NoticeForm::ALL.iter().map(|n| (n.label(), case.notice_form == Some(*n))).collect(),
        opinion: Opinion::ALL.iter().map(|o| (o.label(), case.opinion == Some(*o))).collect(),
        code_grouped: code.as_ref().map(QueryCode::grouped).unwrap_or_default(),
        qr_svg: if url.is_empty() { String::new() } else { qr_svg(&url)? },
        lookup_url: url,
    }
    .render()
    .map_err(|_| AppError::new(ErrorCode::Internal, "代办单生成失败"))
}

#[derive(Template)]
#[template(path = "print/disposition_form.html")]
pub struct DispositionForm<'a> {
    pub c: &'a CaseView,
    pub d: &'a shared::desk::DispositionView,
    pub date: String,
    pub phone: &'a str,
    pub address: &'a str,
    /// 进度催办: (day, who, note).
    pub urges: Vec<(String, String, String)>,
    pub replied_on: String,
}

impl DispositionForm<'_> {
    pub fn render_html(&self) -> AppResult<String> {
        self.render().map_err(|_| AppError::new(ErrorCode::Internal, "处置单生成失败"))
    }
}

/// The urge entries of a timeline, as the 处置单 lists them.
pub fn urge_lines(entries: &[shared::case::TimelineEntry]) -> Vec<(String, String, String)> {
    entries
        .iter()
        .map(|e| {
            let note = match &e.command {
                shared::command::CaseCommand::Urge { note } => note.clone(),
                _ => e.label.clone(),
            };
            (shared::time::local_day(&e.at), e.actor_name.clone(), note)
        })
        .collect()
}

/// The 处置单 of a matter for one unit, as HTML (shared with the dossier).
pub fn disposition_html(
    c: &CaseView,
    d: &shared::desk::DispositionView,
    urges: &[shared::case::TimelineEntry],
) -> AppResult<String> {
    DispositionForm {
        c,
        d,
        date: shared::time::local_day(&d.created_at),
        phone: c.phone.as_deref().unwrap_or(""),
        address: c.address.as_deref().unwrap_or(""),
        urges: urge_lines(urges),
        replied_on: d.replied_at.as_deref().map(shared::time::local_day).unwrap_or_default(),
    }
    .render_html()
}
