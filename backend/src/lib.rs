//! 代办通 server library: the API router and what it needs. `main.rs` only
//! parses the configuration and serves [`app`].

pub mod assessment;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod bulletin;
pub mod calendar;
pub mod cases;
pub mod db;
pub mod demo;
pub mod desk;
pub mod dossier;
pub mod error;
pub mod jurisdiction;
pub mod ledger;
pub mod openapi;
pub mod org;
pub mod overdue;
pub mod print;
pub mod public;
pub mod render;
pub mod reward;
pub mod reward_report;
pub mod security;
pub mod stats;
pub mod sync;
pub mod text;
pub mod workflow;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::Router;
use db::Db;
use shared::error::ErrorCode;
use std::path::PathBuf;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// The largest JSON body the API accepts. A push of the largest batch of
/// visits with long notes fits well below it.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Shared state of every handler (realworld-axum-sqlx's `ApiContext`).
#[derive(Clone)]
pub struct ApiContext {
    pub db: Db,
    /// Where files live (attachments under `attachments/`).
    pub data_dir: PathBuf,
    /// Failed sign-ins per source and name, to slow down password guessing.
    pub login_throttle: std::sync::Arc<auth::LoginThrottle>,
    /// Server errors per pushed mutation (see `sync::push`).
    pub push_failures: std::sync::Arc<sync::PushFailures>,
    pub security: std::sync::Arc<security::SecurityConfig>,
    /// Failed look-ups on the public pages, per address and per number.
    pub lookup_throttle: std::sync::Arc<public::LookupThrottle>,
}

impl ApiContext {
    pub fn new(db: Db, data_dir: PathBuf) -> Self {
        ApiContext {
            db,
            data_dir,
            login_throttle: Default::default(),
            push_failures: Default::default(),
            security: Default::default(),
            lookup_throttle: Default::default(),
        }
    }

    /// The working-day calendar deadlines count with (the official one plus
    /// the years an administrator entered; see [`calendar`]).
    pub fn calendar(&self) -> std::sync::Arc<shared::calendar::Calendar> {
        calendar::current()
    }

    pub fn with_security(mut self, security: security::SecurityConfig) -> Self {
        self.security = std::sync::Arc::new(security);
        self
    }
}

/// The JSON API: one router per module, merged.
pub fn api_router() -> Router<ApiContext> {
    Router::new()
        .merge(auth::router())
        .merge(cases::router())
        .merge(desk::router())
        .merge(stats::router())
        .merge(assessment::api_router())
        .merge(bulletin::api_router())
        .merge(reward::router())
        .merge(reward_report::router())
        .merge(sync::router())
        .merge(audit::router())
        .merge(org::router())
        .merge(calendar::router())
        .merge(ledger::router())
        .merge(dossier::router())
        .merge(openapi::router())
        .merge(attachments::router())
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Whatever a layer answers on its own (405, 413, a path that does
        // not parse …) leaves as JSON `{code, message}` too.
        .layer(axum::middleware::from_fn(error::json_errors))
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

async fn api_not_found() -> error::AppError {
    error::AppError::new(ErrorCode::NotFound, "接口不存在")
}

/// The whole application: API, health check, and the built SPA from `dist`
/// (any other path serves `index.html`, so deep links work).
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
        .merge(public::router())
        .merge(print::router())
        .merge(assessment::print_router())
        .merge(bulletin::print_router())
        .fallback_service(spa)
        .layer(axum::middleware::from_fn_with_state(ctx.clone(), security::check_origin))
        .layer(axum::middleware::from_fn_with_state(csp, security::headers))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(ctx)
}
