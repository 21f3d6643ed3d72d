//! 代办通 field app: a Leptos client-side app compiled to WebAssembly.
//! It runs from IndexedDB first (`sync::store`), syncs through
//! `sync::engine`, shows what the view-model (`view`) computes, and takes
//! every rule from the `shared` crate.
//!
//! Layout: `pages/` one file per screen, `components/` their pieces,
//! `sync/` the device database, the outbox and the engine, `view` the pure
//! view-model, `route` the typed router. `view`, `route` and
//! `sync::outbox` are pure and also compile natively for their unit tests
//! (`cargo test -p frontend`); everything else is WebAssembly only.

#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod js;
#[cfg(target_arch = "wasm32")]
mod pages;
mod route;
#[cfg(target_arch = "wasm32")]
mod state;
mod sync;
#[cfg(target_arch = "wasm32")]
mod util;
mod view;

#[cfg(target_arch = "wasm32")]
fn main() {
    leptos::mount::mount_to_body(app::App);
}

/// Natively only the pure modules are built, for their unit tests.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
