//! Time limits (办理时限) by matter level, and how a deadline is shown.
//!
//! DOMAIN.md "The five stages", stage 2: village matter 5 working days;
//! township (or county department) matter 15; needing several departments 30
//! after the solution plan is fixed; major and complex 60 after the
//! consultation convened by the banner's leaders.

use crate::calendar::{Calendar, Counted};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

crate::code_enum! {
    /// The level and complexity of a matter, which fixes its handling limit.
    pub enum MatterLevel {
        Village = "village" => "村级事项",
        Township = "township" => "镇级事项",
        MultiDepartment = "multi_department" => "多部门协调",
        MajorComplex = "major_complex" => "重大复杂",
    }
}

impl MatterLevel {
    /// The limit in working days.
    pub fn limit_working_days(self) -> u32 {
        match self {
            MatterLevel::Village => 5,
            MatterLevel::Township => 15,
            MatterLevel::MultiDepartment => 30,
            MatterLevel::MajorComplex => 60,
        }
    }

    /// The due date for a matter whose clock started on `start` (the day it
    /// was accepted, or the day the plan / consultation fixed it).
    pub fn due_date(self, cal: &Calendar, start: NaiveDate) -> Counted<NaiveDate> {
        cal.add_working_days(start, self.limit_working_days())
    }
}

/// Calendar days after conclusion within which the follow-up visit is due
/// (终结回访, "事项终结后15日内").
pub const FOLLOW_UP_CALENDAR_DAYS: u32 = 15;

/// Working days late from which the overdue job suggests reporting the
/// matter up (上报) to the level above.
pub const ESCALATION_WARNING_DAYS: i64 = 5;
/// Working days to handle and answer a complaint about the agency service
/// (投诉举报 "于15个工作日内予以处理和回复").
pub const COMPLAINT_REPLY_WORKING_DAYS: u32 = 15;
/// Working days a reward batch is publicly noticed (公示 5 个工作日).
pub const REWARD_NOTICE_WORKING_DAYS: u32 = 5;

/// The last day for the follow-up visit after a matter concluded on `concluded`:
/// 15 calendar days, rolled past rest days.
pub fn follow_up_due(cal: &Calendar, concluded: NaiveDate) -> Counted<NaiveDate> {
    cal.calendar_period_end(concluded, FOLLOW_UP_CALENDAR_DAYS)
}

/// The last day to reply to a complaint received on `received`.
pub fn complaint_reply_due(cal: &Calendar, received: NaiveDate) -> Counted<NaiveDate> {
    cal.add_working_days(received, COMPLAINT_REPLY_WORKING_DAYS)
}

/// The last day of a reward public notice published on `published`.
pub fn reward_notice_end(cal: &Calendar, published: NaiveDate) -> Counted<NaiveDate> {
    cal.add_working_days(published, REWARD_NOTICE_WORKING_DAYS)
}

/// Where "today" stands against a deadline, in working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "days", rename_all = "snake_case")]
pub enum DueStatus {
    /// N working days are left after today (N ≥ 1).
    DueIn(i64),
    /// The deadline is today.
    DueToday,
    /// The deadline passed N working days ago (N ≥ 1).
    Overdue(i64),
}

impl DueStatus {
    /// Compares `today` with `due` on the calendar.
    pub fn at(cal: &Calendar, due: NaiveDate, today: NaiveDate) -> DueStatus {
        if today == due {
            return DueStatus::DueToday;
        }
        let n = cal.working_days_between(today, due).value;
        if n > 0 {
            DueStatus::DueIn(n)
        } else if due < today {
            // Count working days elapsed since the due date; a due date
            // followed only by rest days is still "overdue by 0" → show 1.
            DueStatus::Overdue((-n).max(1))
        } else {
            // due is after today but only rest days lie between.
            DueStatus::DueToday
        }
    }

    /// Whether this deadline needs attention soon (≤ 2 working days or late).
    pub fn is_urgent(self) -> bool {
        match self {
            DueStatus::DueIn(n) => n <= 2,
            DueStatus::DueToday | DueStatus::Overdue(_) => true,
        }
    }

    /// The Chinese text shown beside a case, e.g. "剩 3 个工作日".
    pub fn label(self) -> String {
        match self {
            DueStatus::DueIn(n) => format!("剩 {n} 个工作日"),
            DueStatus::DueToday => "今天到期".to_string(),
            DueStatus::Overdue(n) => format!("已超期 {n} 个工作日"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn limits_by_level() {
        let cal = Calendar::official();
        assert_eq!(MatterLevel::Village.due_date(cal, d("2026-02-12")).value, d("2026-02-26"));
        // 15 working days from Mon 2026-03-02 → Mon 2026-03-23
        assert_eq!(MatterLevel::Township.due_date(cal, d("2026-03-02")).value, d("2026-03-23"));
        let v: Vec<u32> = MatterLevel::ALL.iter().map(|l| l.limit_working_days()).collect();
        assert_eq!(v, [5, 15, 30, 60]);
        for l in MatterLevel::ALL {
            assert_eq!(MatterLevel::parse(l.as_str()), Some(l));
        }
    }

    #[test]
    fn follow_up_complaint_and_notice_periods() {
        let cal = Calendar::official();
        assert_eq!(follow_up_due(cal, d("2026-09-16")).value, d("2026-10-08"));
        assert_eq!(reward_notice_end(cal, d("2026-09-28")).value, d("2026-10-10"));
        // 15 working days from Mon 2026-04-27: May Day 05-01..05-05 off, Sat 05-09 is 调休.
        assert_eq!(complaint_reply_due(cal, d("2026-04-27")).value, d("2026-05-20"));
    }

    #[test]
    fn due_status_display() {
        let cal = Calendar::official();
        let due = d("2026-02-26");
        assert_eq!(DueStatus::at(cal, due, due), DueStatus::DueToday);
        assert_eq!(DueStatus::at(cal, due, d("2026-02-12")), DueStatus::DueIn(5));
        assert_eq!(DueStatus::at(cal, due, d("2026-02-27")), DueStatus::Overdue(1));
        // Sat 2026-02-28 is 调休: a working day, so overdue by 2.
        assert_eq!(DueStatus::at(cal, due, d("2026-02-28")), DueStatus::Overdue(2));
        assert_eq!(DueStatus::DueIn(3).label(), "剩 3 个工作日");
        assert_eq!(DueStatus::Overdue(2).label(), "已超期 2 个工作日");
        assert!(DueStatus::DueIn(2).is_urgent() && !DueStatus::DueIn(3).is_urgent());
    }

    #[test]
    fn due_on_friday_seen_on_weekend() {
        let cal = Calendar::official();
        // Due Fri 2026-03-06, seen on Sun 2026-03-08: late, no working day elapsed yet.
        assert_eq!(DueStatus::at(cal, d("2026-03-06"), d("2026-03-08")), DueStatus::Overdue(1));
        // Due Mon 2026-03-09 seen on Sat 03-07: 1 working day left.
        assert_eq!(DueStatus::at(cal, d("2026-03-09"), d("2026-03-07")), DueStatus::DueIn(1));
    }
}
