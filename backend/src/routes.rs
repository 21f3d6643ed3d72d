//! Every route of the server, grouped by prefix: a URL leads to its handler
//! in one hop. `tests/it/house.rs` checks this table against the OpenAPI
//! document, so a route cannot be added here without its documentation.

use crate::api::{
    assessment, attachments, audit, auth, bulletin, calendar, cases, desk, dossier, extract, ledger, openapi, org,
    print, public, reward, reward_report, security, stats, sync,
};
use crate::db::files::MAX_ATTACHMENT_BYTES;
use crate::error::AppError;
use crate::{ApiContext, MAX_BODY_BYTES};
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::{any, get, patch, post, put};
use axum::Router;
use shared::error::ErrorCode;
use std::path::PathBuf;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// The JSON API (`/api/…`).
pub fn api_router() -> Router<ApiContext> {
    Router::new()
        // Signing in.
        .route("/api/login", post(auth::login))
        .route("/api/logout", post(auth::logout))
        .route("/api/me", get(auth::me))
        .route("/api/me/password", post(auth::change_password))
        // Matters: the REST write path and the desk's documents.
        .route("/api/cases", get(cases::list_cases).post(cases::create_case))
        .route("/api/cases/export.csv", get(cases::export_csv))
        .route("/api/cases/ledger.xlsx", get(ledger::ledger_xlsx))
        .route("/api/cases/{id}", get(cases::get_case))
        .route("/api/cases/{id}/visits", post(cases::post_visit))
        .route("/api/cases/{id}/commands", post(cases::post_command))
        .route("/api/cases/{id}/dossier.zip", get(dossier::dossier_zip))
        .route("/api/complaints/{id}/reply", post(cases::reply_complaint))
        // The desk's queues and boards.
        .route("/api/desk/inbox", get(desk::inbox))
        .route("/api/desk/cases", get(desk::cases))
        .route("/api/desk/boards", get(desk::boards))
        .route("/api/desk/duplicates", get(desk::duplicates))
        .route("/api/desk/departments", get(desk::departments))
        // The phone's sync.
        .route("/api/sync/push", post(sync::push))
        .route("/api/sync/pull", get(sync::pull))
        // The audit chain.
        .route("/api/audit/verify", get(audit::verify_endpoint))
        .route("/api/openapi.json", get(openapi::document))
        // Statistics and 质检.
        .route("/api/stats", get(stats::unit_stats))
        .route("/api/stats/quality", get(stats::list_inspections).post(stats::inspect))
        .route("/api/stats/quality/sample", get(stats::sample))
        // The village assessment and its letters.
        .route("/api/assessment", get(assessment::list))
        .route("/api/assessment/{unit_id}", get(assessment::village))
        .route("/api/assessment/entries", post(assessment::add_entry))
        .route("/api/assessment/entries/{id}/withdraw", post(assessment::withdraw))
        .route(
            "/api/assessment/entries/{id}/evidence",
            post(assessment::add_evidence).layer(DefaultBodyLimit::max(MAX_ATTACHMENT_BYTES + 1024)),
        )
        .route("/api/assessment/evidence/{id}", get(assessment::evidence))
        .route("/api/assessment/letters", post(assessment::issue_letter))
        .route("/api/assessment/letters/{id}/acknowledge", post(assessment::acknowledge))
        // 月通报/年汇总 and the agents' appraisal.
        .route("/api/bulletin", get(bulletin::bulletin))
        .route("/api/bulletin.xlsx", get(bulletin::bulletin_xlsx))
        .route("/api/appraisal", get(bulletin::appraisal))
        // The reward fund.
        .route("/api/reward/history/{case_id}", get(reward::get_history).put(reward::put_history))
        .route("/api/reward/claims", get(reward::list_claims).post(reward::create_claim))
        .route("/api/reward/claims/{id}/complaint", post(reward::complaint))
        .route("/api/reward/batches", get(reward::list_batches).post(reward::create_batch))
        .route("/api/reward/batches/{id}", get(reward::get_batch))
        .route("/api/reward/batches/{id}/steps", post(reward::batch_step))
        .route("/api/reward/batches/{id}/notice.xlsx", get(reward_report::notice_xlsx))
        .route("/api/reward/batches/{id}/payment.xlsx", get(reward_report::payment_xlsx))
        .route("/print/reward/batches/{id}/payment", get(reward_report::payment_print))
        .route("/api/reward/funds/{year}", get(reward::get_fund).put(reward::put_fund))
        .route("/api/reward/funds/{year}/self-evaluation.xlsx", get(reward_report::self_evaluation_xlsx))
        .route("/api/reward/flags", get(reward::flags))
        .route("/api/reward/referrals", post(reward::refer))
        // Organisation and administration.
        .route("/api/units", get(org::list_units))
        .route("/api/agents", get(org::list_agents))
        .route("/api/admin/units", get(org::list_admin_units).post(org::create_unit))
        .route("/api/admin/units/{id}", patch(org::update_unit))
        .route("/api/admin/settings", get(org::get_settings).put(org::put_settings))
        .route("/api/admin/users", get(org::list_users).post(org::create_user))
        .route("/api/admin/users/{id}", patch(org::update_user))
        .route("/api/admin/calendar/{year}", get(calendar::get_year).put(calendar::put_year))
        // Photos and files.
        .route(
            "/api/cases/{id}/attachments/{attachment_id}",
            put(attachments::upload).layer(DefaultBodyLimit::max(MAX_ATTACHMENT_BYTES + 1024)),
        )
        .route("/api/attachments/{attachment_id}", get(attachments::download))
        .route("/api/{*rest}", any(api_not_found))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Whatever a layer answers on its own (405, 413, a path that does
        // not parse …) leaves as JSON `{code, message}` too.
        .layer(axum::middleware::from_fn(extract::json_errors))
        // Answers compressed as the client accepts (brotli, gzip): a pull of
        // a village's cases on a 2G link is mostly repeated Chinese text and
        // JSON keys. Small answers and files already compressed are left alone.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::CompressionLevel::Fastest)
                .compress_when(
                    SizeAbove::new(512)
                        .and(NotForContentType::IMAGES)
                        .and(NotForContentType::const_new("application/pdf")),
                ),
        )
        // API answers are per user and change with every sync: never cache.
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
}

/// Printable pages (`/print/…`): A4 HTML, compressed.
fn print_router() -> Router<ApiContext> {
    Router::new()
        .route("/print/cases/{id}/agency-form", get(print::agency_form))
        .route("/print/cases/{id}/disposition/{unit_id}", get(print::disposition_form))
        .layer(tower_http::compression::CompressionLayer::new())
        .merge(
            Router::new()
                .route("/print/letters/{id}", get(assessment::print_letter))
                .route("/print/bulletin", get(bulletin::bulletin_print)),
        )
}

/// The citizens' pages (`/public…`), HTML that works without JavaScript.
fn public_router() -> Router<ApiContext> {
    Router::new()
        .route("/public", get(public::home))
        .route("/public/", get(public::home))
        .route("/public/case", get(public::case_page))
        .route("/public/reward-notice", get(public::reward_notice))
        .route("/public/case/urge", post(public::urge))
        .route("/public/case/complaint", post(public::complain))
        .route("/public/case/opinion", post(public::give_opinion))
        .route("/public/case/review", post(public::ask_review))
        // Pages travel compressed: ≤ 30 KB each on a weak signal.
        .layer(tower_http::compression::CompressionLayer::new())
}

async fn api_not_found() -> AppError {
    AppError::new(ErrorCode::NotFound, "接口不存在")
}

/// The whole application: API, printable and public pages, health check,
/// and the built SPA from `dist` (any other path serves `index.html`, so
/// deep links work).
pub fn app(ctx: ApiContext, dist: PathBuf) -> Router {
    let index = dist.join("index.html");
    // The desk workbench: its own build in `dist/desk/`, served at `/desk/`
    // (any path below it serves its `index.html`).
    let desk = dist.join("desk");
    let desk_index = desk.join("index.html");
    // The CSP allows the inline scripts of both pages, by hash.
    let pages: String =
        [&index, &desk_index].iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect::<Vec<_>>().join("\n");
    let csp: std::sync::Arc<str> = security::content_security_policy(Some(&pages)).into();
    // Trunk's files are served brotli-compressed where scripts/build-frontend
    // wrote a `.br` beside them and the browser accepts it.
    let spa = ServeDir::new(&dist).precompressed_br().fallback(ServeFile::new(index).precompressed_br());
    let desk_spa =
        ServeDir::new(&desk).precompressed_br().fallback(ServeFile::new(desk_index.clone()).precompressed_br());
    Router::new()
        .nest_service("/desk", desk_spa)
        .merge(api_router())
        .route("/healthz", get(|| async { "ok" }))
        .route("/robots.txt", get(security::robots))
        .merge(public_router())
        .merge(print_router())
        .fallback_service(spa)
        .layer(axum::middleware::from_fn_with_state(ctx.clone(), security::check_origin))
        .layer(axum::middleware::from_fn_with_state(csp, security::headers))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(ctx)
}
