//! Bytes out: printable HTML (askama), XLSX and ZIP, from shared types only.

pub mod letters;
