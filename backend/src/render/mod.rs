//! Bytes out: XLSX workbooks, ZIP files and printable HTML, made from
//! `shared` types only (no database, no HTTP).

pub mod bulletin;
pub mod dossier;
pub mod ledger;
pub mod letters;
pub mod print;
pub mod reward_report;
pub mod xlsx;
