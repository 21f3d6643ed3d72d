//! Bytes out: XLSX workbooks and printable HTML pages, built from shared
//! types only (no database, no HTTP).

pub mod bulletin;
pub mod reward_report;
pub mod xlsx;
