//! Enum ⇄ database text. The stored text of every domain enum is its serde
//! (JSON) name, so one pair of helpers serves them all.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// The stored text of an enum value.
pub fn to_text<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// Parses stored text back; a decode error names the column.
pub fn from_text<T: DeserializeOwned>(column: &str, s: &str) -> Result<T, sqlx::Error> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|e| sqlx::Error::Decode(format!("{column}: {s}: {e}").into()))
}

/// Parses an optional stored text.
pub fn opt_from_text<T: DeserializeOwned>(column: &str, s: Option<String>) -> Result<Option<T>, sqlx::Error> {
    s.map(|s| from_text(column, &s)).transpose()
}

/// A stored `YYYY-MM-DD` date.
pub fn date(s: &str) -> Result<chrono::NaiveDate, sqlx::Error> {
    s.parse().map_err(|e: chrono::ParseError| sqlx::Error::Decode(format!("date {s:?}: {e}").into()))
}
