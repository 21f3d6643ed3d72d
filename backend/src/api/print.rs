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
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use shared::case::CaseView;
use shared::error::ErrorCode;
use shared::org::UnitKind;
use shared::public::QueryCode;

/// The public page's address for a matter, as a phone camera must open it:
/// absolute, on the host the form was printed from.
fn lookup_url(headers: &HeaderMap, ctx: &ApiContext, number: &str, code: &str) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:8080");
    let scheme = if crate::api::security::is_https(headers, &ctx.security) { "https" } else { "http" };
    format!("{scheme}://{host}/public/case?n={}&c={code}", crate::api::public::percent(number))
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
    crate::render::print::agency_form_html(case, url)
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
    let html = crate::render::print::disposition_html(&case, d, &urges)?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response())
}
