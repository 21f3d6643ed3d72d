//! HTTP only: extractors, handlers, errors, security headers, printable
//! pages. No SQL here: handlers call `workflow` to change matters and `db`
//! to read, and `render` for documents.

pub mod assessment;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod bulletin;
pub mod calendar;
pub mod cases;
pub mod desk;
pub mod dossier;
pub mod extract;
pub mod ledger;
pub mod openapi;
pub mod org;
pub mod print;
pub mod public;
pub mod reward;
pub mod reward_report;
pub mod security;
pub mod stats;
pub mod sync;
