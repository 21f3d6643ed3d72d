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

/// The day in China of a stored instant (UTC, RFC 3339, as the timeline and
/// the audit log write it); a text that is no instant counts by its first ten
/// characters (`YYYY-MM-DD`), if they are a date.
pub fn china_day_of(at: &str) -> Option<NaiveDate> {
    match DateTime::parse_from_rfc3339(at) {
        Ok(t) => Some(china_today(t.with_timezone(&Utc))),
        Err(_) => parse_ymd(at.get(..10)?),
    }
}

/// [`china_day_of`] as text for a document (`2026-09-18`); text that is no
/// such time shows its first ten characters.
pub fn local_day(at: &str) -> String {
    china_day_of(at).map_or_else(|| at.chars().take(10).collect(), |d| d.to_string())
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
    fn local_day_is_the_china_day_of_a_stored_utc_time() {
        assert_eq!(local_day("2026-09-18T02:00:00Z"), "2026-09-18");
        assert_eq!(local_day("2026-09-18T16:30:00Z"), "2026-09-19");
        assert_eq!(local_day("2026-09-18 garbled"), "2026-09-18");
    }

    #[test]
    fn utc_evening_is_next_day_in_china() {
        let utc = DateTime::parse_from_rfc3339("2026-11-22T17:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(china_today(utc).to_string(), "2026-11-23");
        assert_eq!(china_local_from_millis(utc.timestamp_millis() as f64).to_string(), "2026-11-23 01:30:00");
        assert_eq!(china_day_of("2026-11-22T17:30:00Z"), NaiveDate::from_ymd_opt(2026, 11, 23));
        assert_eq!(china_day_of("2026-11-22T15:59:59.5+00:00"), NaiveDate::from_ymd_opt(2026, 11, 22));
        assert_eq!(china_day_of("2026-11-22"), NaiveDate::from_ymd_opt(2026, 11, 22));
        assert_eq!(china_day_of("昨天"), None);
    }
}

// Formatting and parsing by hand: chrono's strftime machinery would add
// tens of kilobytes to the field app for a handful of fixed formats.

/// `YYYY-MM-DD`, `None` unless exactly that with a real date.
pub fn parse_ymd(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(num(&s[0..4])? as i32, num(&s[5..7])?, num(&s[8..10])?)
}

/// `YYYYMMDD` (as in an ID number).
pub fn parse_compact_ymd(s: &str) -> Option<NaiveDate> {
    if s.len() != 8 {
        return None;
    }
    NaiveDate::from_ymd_opt(num(&s[0..4])? as i32, num(&s[4..6])?, num(&s[6..8])?)
}

/// `YYYY-MM-DDTHH:MM`, seconds `:SS` allowed.
pub fn parse_local_minute(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if !(b.len() == 16 || b.len() == 19) || b[10] != b'T' || b[13] != b':' || (b.len() == 19 && b[16] != b':') {
        return None;
    }
    let date = parse_ymd(&s[0..10])?;
    let secs = if b.len() == 19 { num(&s[17..19])? } else { 0 };
    date.and_hms_opt(num(&s[11..13])?, num(&s[14..16])?, secs)
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `YYYY-MM-DDTHH:MM` (the value of a `datetime-local` input).
pub fn format_local_minute(t: NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    format!("{:04}-{:02}-{:02}T{:02}:{:02}", t.year(), t.month(), t.day(), t.hour(), t.minute())
}

/// `YYYY-MM-DD HH:MM` for people.
pub fn format_minute(t: NaiveDateTime) -> String {
    format_local_minute(t).replace('T', " ")
}

/// `MM-DD`.
pub fn format_month_day(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:02}-{:02}", d.month(), d.day())
}

/// `HH:MM`.
pub fn format_hour_minute(t: NaiveDateTime) -> String {
    use chrono::Timelike;
    format!("{:02}:{:02}", t.hour(), t.minute())
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn fixed_formats_round_trip() {
        let t = parse_local_minute("2026-02-14T08:05").unwrap();
        assert_eq!(format_local_minute(t), "2026-02-14T08:05");
        assert_eq!(format_minute(t), "2026-02-14 08:05");
        assert_eq!(format_hour_minute(t), "08:05");
        assert_eq!(format_month_day(t.date()), "02-14");
        assert_eq!(parse_local_minute("2026-02-14T08:05:09").unwrap().format("%S").to_string(), "09");
        assert_eq!(parse_ymd("2026-02-30"), None);
        assert_eq!(parse_ymd("2026-2-3"), None);
        assert_eq!(parse_local_minute("昨天"), None);
        assert_eq!(parse_local_minute("2026-02-14 08:05"), None);
        assert_eq!(parse_compact_ymd("19491231"), NaiveDate::from_ymd_opt(1949, 12, 31));
        assert_eq!(parse_ymd("+026-02-14"), None);
    }
}
