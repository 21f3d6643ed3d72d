//! The server's integration tests, as one test binary (one link instead of
//! one per file): `cargo test -p backend --test it`, or one module with
//! `cargo test -p backend --test it -- stats::`.
//!
//! Every module runs in this one process, on parallel threads: anything
//! process-wide (the working-day calendar in `backend::db::calendar`, the global
//! `tracing` subscriber, environment variables, fixed paths) is shared by
//! all of them. `common` says how tests that change such state run alone.

#[macro_use]
mod common;

mod accounts;
mod api;
mod assessment;
mod desk;
mod desk_docs;
mod fault_injection;
mod house;
mod openapi;
mod public;
mod push_perf;
mod races;
mod reward;
mod safe_names;
mod security;
mod stats;
mod volume;
mod workflow;
