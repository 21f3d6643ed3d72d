//! Bytes out: XLSX workbooks, ZIP files and printable HTML, made from
//! `shared` types only (no database, no HTTP).

pub mod bulletin;
pub mod letters;
pub mod reward_report;
pub mod xlsx;
