//! Printable forms (A4, print CSS, Chinese fonts): the 信访事项代办单 with
//! every field, signature lines, and the citizen's query code with a QR code
//! (SVG) that opens their matter's public page; the 信访事项处置单 of each
//! unit a matter was transferred to. Private fields are on it, so
//! only those handling the matter may print it, and every print is audited.

use crate::api::extract::ApiPath;
use crate::db::scope::Contact;
use crate::db::session::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::ApiContext;
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use shared::case::CaseView;
use shared::error::ErrorCode;
use shared::lifecycle::{NoticeForm, Opinion};
use shared::org::UnitKind;
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

/// The public page's address for a matter, as a phone camera must open it:
/// absolute, on the host the form was printed from.
fn lookup_url(headers: &HeaderMap, ctx: &ApiContext, number: &str, code: &str) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:8080");
    let scheme = if crate::api::security::is_https(headers, &ctx.security) { "https" } else { "http" };
    format!("{scheme}://{host}/public/case?n={}&c={code}", crate::api::public::percent(number))
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

/// `GET /print/cases/{id}/agency-form`: the 代办单, ready to print.
pub async fn agency_form(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let scope = user.scope();
    let case = scope.find_case(&ctx.db.pool, id, Contact::IfHandling).await?.ok_or_else(AppError::not_found)?;
    if !scope.handles(case.agent_id) {
        return Err(AppError::new(ErrorCode::Forbidden, "只有办理该事项的人员可以打印代办单"));
    }
    crate::api::cases::audit_contact_read(&ctx, &user, "case.print_agency_form", &[case.id]).await?;
    let html = agency_form_html(&ctx, &headers, &case)?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response())
}

/// The 代办单 of a matter as HTML (shared with the dossier).
pub fn agency_form_html(ctx: &ApiContext, headers: &HeaderMap, case: &CaseView) -> AppResult<String> {
    let code = case.query_code.as_deref().and_then(|c| QueryCode::parse(c).ok());
    let url = code.as_ref().map(|c| lookup_url(headers, ctx, &case.number, c.as_str())).unwrap_or_default();
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

/// `GET /print/cases/{id}/disposition/{unit_id}`: the 处置单 the matter was
/// transferred to that unit with (the latest, if it went there twice),
/// ready to print. The same rules as the 代办单: only those handling the
/// matter, and audited.
pub async fn disposition_form(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath((id, unit_id)): ApiPath<(i64, i64)>,
) -> AppResult<Response> {
    let scope = user.scope();
    let all = crate::db::scope::LedgerFilter::default();
    let case = scope
        .ledger_cases(&ctx.db.pool, &all, Some(id), 1)
        .await?
        .into_iter()
        .next()
        .ok_or_else(AppError::not_found)?;
    // A department prints its own 处置单 (without the citizen's contacts,
    // which `ledger_cases` leaves out for it); the station and the centre
    // handling the matter print any.
    let own_form = user.unit_kind == UnitKind::Department && unit_id == user.unit_id;
    if user.unit_kind == UnitKind::Department && !own_form {
        return Err(AppError::new(ErrorCode::Forbidden, "只能打印本单位的处置单"));
    }
    if !own_form && !scope.handles(case.agent_id) {
        return Err(AppError::new(ErrorCode::Forbidden, "只有办理该事项的人员可以打印处置单"));
    }
    let dispositions = scope.ledger_dispositions(&ctx.db.pool, &all, Some(id)).await?;
    let d = dispositions
        .iter()
        .rev()
        .find(|d| d.unit_id == unit_id)
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, "该事项没有交该单位办理的处置单"))?;
    let urges = scope.ledger_events(&ctx.db.pool, &all, Some(id), "urge").await?;
    crate::api::cases::audit_contact_read(&ctx, &user, "case.print_disposition_form", &[case.id]).await?;
    let html = disposition_html(&case, d, &urges)?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response())
}
