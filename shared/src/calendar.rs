//! The official PRC working-day calendar and period counting.
//!
//! Rules (DOMAIN.md "Working days", 民法典 art. 201/203):
//! - weekends are rest days, statutory holidays are rest days, and adjusted
//!   weekend workdays (调休) are working days;
//! - the start day of a period is not counted: counting begins the next day;
//! - a period in calendar days whose last day is a rest day ends on the next
//!   working day.
//!
//! The State Council publishes each year's schedule around November. The
//! schedules for 2023–2026 ship in `data/prc_calendar.tsv`; an administrator
//! can load later years with [`Calendar::with_schedule`]. Any result computed
//! across a year with no schedule carries `unscheduled = true` so the UI can say
//! that the date is provisional.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// How the official schedule overrides the weekday/weekend default for a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DayOverride {
    /// A statutory holiday (休), even if it falls on a weekday.
    Off,
    /// An adjusted working day (调休上班), even if it falls on a weekend.
    Work,
}

/// A value computed on the calendar, with a flag saying whether any day it
/// depended on lies in a year without an official schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Counted<T> {
    pub value: T,
    /// True when the computation crossed a year with no official schedule:
    /// weekends were assumed to be the only rest days there.
    pub unscheduled: bool,
}

/// A working-day calendar: weekends plus the official overrides of the years
/// it has a schedule for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    overrides: BTreeMap<NaiveDate, DayOverride>,
    scheduled_years: BTreeSet<i32>,
}

/// An error in a schedule text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "日历数据第 {} 行有误：{}", self.line, self.message)
    }
}

impl std::error::Error for ScheduleError {}

/// One day of a year's schedule, as an administrator enters it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CalendarDay {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub day: NaiveDate,
    pub kind: DayOverride,
}

/// A year's schedule as the administration API shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarYear {
    pub year: i32,
    /// Whether deadlines across this year count with an official schedule.
    pub scheduled: bool,
    /// Whether the schedule was entered by an administrator (otherwise it is
    /// the one shipped with the program, or none).
    pub entered: bool,
    pub days: Vec<CalendarDay>,
}

/// Checks a year's schedule as entered: every day in `year`, none listed
/// twice. Returns the days in date order.
pub fn check_schedule(
    year: i32,
    days: &[CalendarDay],
) -> Result<Vec<(NaiveDate, DayOverride)>, crate::error::ApiError> {
    use crate::error::{ApiError, ErrorCode};
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::new(ErrorCode::ValidationFailed, "年份应在 2000–2100 之间"));
    }
    let mut seen = BTreeMap::new();
    for d in days {
        if d.day.year() != year {
            return Err(ApiError::new(ErrorCode::ValidationFailed, format!("{} 不在 {year} 年内", d.day)));
        }
        if seen.insert(d.day, d.kind).is_some() {
            return Err(ApiError::new(ErrorCode::ValidationFailed, format!("{} 重复出现", d.day)));
        }
    }
    Ok(seen.into_iter().collect())
}

const OFFICIAL_TSV: &str = include_str!("../data/prc_calendar.tsv");

impl Calendar {
    /// The official PRC calendar for 2023–2026 shipped with the program.
    pub fn official() -> &'static Calendar {
        static CAL: OnceLock<Calendar> = OnceLock::new();
        CAL.get_or_init(|| Calendar::parse(OFFICIAL_TSV).expect("bundled calendar data is valid"))
    }

    /// Parses a schedule in the format of `data/prc_calendar.tsv`:
    /// `year<TAB>YYYY` declares a year as scheduled; `YYYY-MM-DD<TAB>off|work<TAB>name`
    /// overrides one day. Blank lines and `#` comments are ignored.
    pub fn parse(text: &str) -> Result<Calendar, ScheduleError> {
        let mut cal = Calendar::default();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |message: &str| ScheduleError { line: i + 1, message: message.to_string() };
            let mut cols = line.split('\t');
            let first = cols.next().unwrap_or_default();
            if first == "year" {
                let y = cols.next().and_then(|y| y.trim().parse::<i32>().ok()).ok_or_else(|| err("年份无效"))?;
                cal.scheduled_years.insert(y);
                continue;
            }
            let date = crate::time::parse_ymd(first).ok_or_else(|| err("日期无效"))?;
            let kind = match cols.next().map(str::trim) {
                Some("off") => DayOverride::Off,
                Some("work") => DayOverride::Work,
                _ => return Err(err("类型应为 off 或 work")),
            };
            cal.overrides.insert(date, kind);
        }
        for d in cal.overrides.keys() {
            if !cal.scheduled_years.contains(&d.year()) {
                return Err(ScheduleError {
                    line: 0, message: format!("{} 年有调整日期但未声明该年份", d.year())
                });
            }
        }
        Ok(cal)
    }

    /// Adds (or replaces) the official schedule of one year, as an
    /// administrator does when the State Council publishes it.
    pub fn with_schedule(mut self, year: i32, days: &[(NaiveDate, DayOverride)]) -> Self {
        self.overrides.retain(|d, _| d.year() != year);
        for (d, k) in days {
            debug_assert_eq!(d.year(), year);
            self.overrides.insert(*d, *k);
        }
        self.scheduled_years.insert(year);
        self
    }

    /// Forgets the schedule of one year (its days count by weekday again,
    /// and results across it are flagged unscheduled).
    pub fn without_schedule(mut self, year: i32) -> Self {
        self.overrides.retain(|d, _| d.year() != year);
        self.scheduled_years.remove(&year);
        self
    }

    /// The days of `year` the schedule overrides, in date order.
    pub fn days_of(&self, year: i32) -> Vec<CalendarDay> {
        self.overrides
            .iter()
            .filter(|(d, _)| d.year() == year)
            .map(|(d, k)| CalendarDay { day: *d, kind: *k })
            .collect()
    }

    /// Whether the calendar has the official schedule for `year`.
    pub fn has_schedule(&self, year: i32) -> bool {
        self.scheduled_years.contains(&year)
    }

    /// The years this calendar has an official schedule for.
    pub fn scheduled_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.scheduled_years.iter().copied()
    }

    /// Whether `day` is a working day.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        match self.overrides.get(&day) {
            Some(DayOverride::Off) => false,
            Some(DayOverride::Work) => true,
            None => !matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The date `n` working days after `start` (the start day itself is not
    /// counted). `n = 0` returns `start`.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Counted<NaiveDate> {
        let mut day = start;
        let mut left = n;
        let mut unscheduled = false;
        while left > 0 {
            day += Duration::days(1);
            unscheduled |= !self.has_schedule(day.year());
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        Counted { value: day, unscheduled }
    }

    /// Working days counted from `start` (exclusive) to `end` (inclusive);
    /// negative when `end` is before `start`. So
    /// `working_days_between(s, add_working_days(s, n)) == n`.
    pub fn working_days_between(&self, start: NaiveDate, end: NaiveDate) -> Counted<i64> {
        let (from, to, sign) = if end >= start { (start, end, 1) } else { (end, start, -1) };
        let mut count = 0i64;
        let mut unscheduled = false;
        let mut day = from;
        while day < to {
            day += Duration::days(1);
            unscheduled |= !self.has_schedule(day.year());
            if self.is_working_day(day) {
                count += 1;
            }
        }
        Counted { value: sign * count, unscheduled }
    }

    /// The first working day on or after `day`.
    pub fn next_working_day_from(&self, day: NaiveDate) -> Counted<NaiveDate> {
        let mut d = day;
        let mut unscheduled = !self.has_schedule(d.year());
        while !self.is_working_day(d) {
            d += Duration::days(1);
            unscheduled |= !self.has_schedule(d.year());
        }
        Counted { value: d, unscheduled }
    }

    /// The end of a period of `days` calendar days starting after `start`:
    /// `start + days`, rolled forward to the next working day if that is a
    /// rest day (民法典 art. 203).
    pub fn calendar_period_end(&self, start: NaiveDate, days: u32) -> Counted<NaiveDate> {
        let last = start + Duration::days(i64::from(days));
        let mut c = self.next_working_day_from(last);
        c.unscheduled |= !self.has_schedule(start.year());
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entered_year_counts_and_is_no_longer_unscheduled() {
        let d = |s: &str| crate::time::parse_ymd(s).unwrap();
        let off = |s: &str| CalendarDay { day: d(s), kind: DayOverride::Off };
        let days = [off("2027-01-01"), CalendarDay { day: d("2027-01-02"), kind: DayOverride::Work }];
        let checked = check_schedule(2027, &days).unwrap();
        let before = Calendar::official().add_working_days(d("2026-12-30"), 2);
        assert!(before.unscheduled);
        let cal = Calendar::official().clone().with_schedule(2027, &checked);
        let after = cal.add_working_days(d("2026-12-30"), 2);
        // 31st (Thu), 1st off, 2nd (Sat) a workday.
        assert_eq!((after.value, after.unscheduled), (d("2027-01-02"), false));
        assert_eq!(cal.days_of(2027).len(), 2);
        assert!(!cal.clone().without_schedule(2027).has_schedule(2027));
        assert!(check_schedule(2027, &[off("2026-12-31")]).is_err());
        assert!(check_schedule(2027, &[off("2027-01-01"), off("2027-01-01")]).is_err());
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn domain_examples() {
        let cal = Calendar::official();
        // accepted Thu 2026-02-12, village matter (5 working days) → 2026-02-26
        assert_eq!(cal.add_working_days(d("2026-02-12"), 5), Counted { value: d("2026-02-26"), unscheduled: false });
        // accepted Fri 2026-09-18, 5 working days → 2026-09-24 (Sun 20th is 调休)
        assert_eq!(cal.add_working_days(d("2026-09-18"), 5).value, d("2026-09-24"));
        // concluded 2026-09-16, follow-up within 15 calendar days → 10-01 is a holiday → 10-08
        assert_eq!(cal.calendar_period_end(d("2026-09-16"), 15).value, d("2026-10-08"));
        // reward notice published Mon 2026-09-28 for 5 working days → Sat 10-10 (调休)
        assert_eq!(cal.add_working_days(d("2026-09-28"), 5).value, d("2026-10-10"));
    }

    #[test]
    fn adjusted_workdays_and_holidays() {
        let cal = Calendar::official();
        assert!(cal.is_working_day(d("2026-02-14")), "Sat 2026-02-14 is 调休");
        assert!(!cal.is_working_day(d("2026-02-16")), "春节");
        assert!(!cal.is_working_day(d("2026-10-01")));
        assert!(cal.is_working_day(d("2026-10-12")), "an ordinary Monday");
        assert!(!cal.is_working_day(d("2026-10-11")), "an ordinary Sunday");
    }

    #[test]
    fn unscheduled_years_are_flagged() {
        let cal = Calendar::official();
        let c = cal.add_working_days(d("2026-12-28"), 10);
        assert!(c.unscheduled, "2027 has no official schedule in the bundled data");
        assert!(!cal.add_working_days(d("2026-12-01"), 5).unscheduled);
        let cal2 = cal.clone().with_schedule(2027, &[(d("2027-01-01"), DayOverride::Off)]);
        let c2 = cal2.add_working_days(d("2026-12-28"), 10);
        assert!(!c2.unscheduled);
        assert_eq!(c2.value, cal2.add_working_days(d("2026-12-28"), 10).value);
        assert!(!cal2.is_working_day(d("2027-01-01")));
    }

    #[test]
    fn parse_rejects_bad_lines() {
        assert!(Calendar::parse("2026-13-01\toff\tx").is_err());
        assert!(Calendar::parse("year\t2026\n2026-01-01\tmaybe").is_err());
        assert!(Calendar::parse("2026-01-01\toff\tx").is_err(), "undeclared year");
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn any_date() -> impl Strategy<Value = NaiveDate> {
            (0i64..(365 * 5)).prop_map(|o| d("2022-06-01") + Duration::days(o))
        }

        proptest! {
            #[test]
            fn add_then_count_back(start in any_date(), n in 0u32..80) {
                let cal = Calendar::official();
                let end = cal.add_working_days(start, n).value;
                prop_assert_eq!(cal.working_days_between(start, end).value, i64::from(n));
                prop_assert_eq!(cal.working_days_between(end, start).value, -i64::from(n));
            }

            #[test]
            fn deadlines_never_on_rest_days(start in any_date(), n in 1u32..80, days in 0u32..60) {
                let cal = Calendar::official();
                prop_assert!(cal.is_working_day(cal.add_working_days(start, n).value));
                prop_assert!(cal.is_working_day(cal.calendar_period_end(start, days).value));
            }
        }
    }
}
