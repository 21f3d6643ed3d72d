//! Local time for the people using the system. Deadlines and dates are in
//! China Standard Time (UTC+8, no daylight saving), whatever the time zone of
//! the server or the phone.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

/// Converts an instant to China Standard Time.
pub fn china_local(utc: DateTime<Utc>) -> NaiveDateTime {
    utc.naive_utc() + Duration::hours(8)
}

/// Today's date in China for an instant.
pub fn china_today(utc: DateTime<Utc>) -> NaiveDate {
    china_local(utc).date()
}

/// Converts milliseconds since the Unix epoch (as JavaScript's `Date.now()`
/// gives them) to China Standard Time.
pub fn china_local_from_millis(ms: f64) -> NaiveDateTime {
    let utc = DateTime::<Utc>::from_timestamp_millis(ms as i64).unwrap_or_default();
    china_local(utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_evening_is_next_day_in_china() {
        let utc = DateTime::parse_from_rfc3339("2026-11-22T17:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(china_today(utc).to_string(), "2026-11-23");
        assert_eq!(china_local_from_millis(utc.timestamp_millis() as f64).to_string(), "2026-11-23 01:30:00");
    }
}
