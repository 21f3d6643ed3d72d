//! 代办通 server library. `main.rs` parses the configuration, calls
//! [`startup`] and serves [`app`]; every route is in [`routes`].
//!
//! Layers, each a folder (ARCHITECTURE.md): `api/` HTTP only, `workflow/`
//! the only writer of cases, `render/` bytes out, `db/` SQL only.

pub mod api;
pub mod db;
pub mod error;
pub mod render;
pub mod routes;
pub mod startup;
pub mod workflow;

use db::Db;
use std::path::PathBuf;

pub use routes::app;

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
    pub login_throttle: std::sync::Arc<api::auth::LoginThrottle>,
    /// Server errors per pushed mutation (see `sync::push`).
    pub push_failures: std::sync::Arc<workflow::push::PushFailures>,
    pub security: std::sync::Arc<api::security::SecurityConfig>,
    /// Failed look-ups on the public pages, per address and per number.
    pub lookup_throttle: std::sync::Arc<api::public::LookupThrottle>,
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
    /// the years an administrator entered; see [`db::calendar`]).
    pub fn calendar(&self) -> std::sync::Arc<shared::calendar::Calendar> {
        db::calendar::current()
    }

    pub fn with_security(mut self, security: api::security::SecurityConfig) -> Self {
        self.security = std::sync::Arc::new(security);
        self
    }
}
