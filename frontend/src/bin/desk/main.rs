//! 代办通 desk workbench (工作台): the browser application of township
//! stations and leaders, departments, the banner centre, the league bureau
//! and administrators. Its own entry (`dist/desk/`, served at `/desk/`): the
//! phone never downloads it. It talks to the API directly (no offline
//! store) and takes every rule from `shared`.
//!
//! `route` and `chart` are pure (native tests); everything else is WebAssembly only.

#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

#[cfg(target_arch = "wasm32")]
mod actions;
#[cfg(target_arch = "wasm32")]
mod admin;
#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod assessment;
#[cfg(target_arch = "wasm32")]
mod bulletin;
mod chart;
#[cfg(target_arch = "wasm32")]
mod detail;
#[cfg(target_arch = "wasm32")]
mod inbox;
#[cfg(target_arch = "wasm32")]
mod intake;
#[cfg(target_arch = "wasm32")]
mod list;
#[cfg(target_arch = "wasm32")]
mod reward;
mod route;
#[cfg(target_arch = "wasm32")]
mod stats;
#[cfg(target_arch = "wasm32")]
mod ui;

#[cfg(target_arch = "wasm32")]
fn main() {
    leptos::mount::mount_to_body(app::App);
}

/// Natively only the pure router and chart helpers are built, for its unit tests.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
