//! Cases (信访事项), their stages, and the records agents add to them.

use crate::command::{limit_restart, CaseCommand};
use crate::lifecycle::Opinion;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

// The basic codes and the aggregate live below the records and the commands
// (`vocab`, `case_view`); their old paths stay.
pub use crate::case_view::CaseView;
pub use crate::vocab::{Channel, GeoPoint, NewVisit, Source, Stage, VisitMethod};

/// The 编号 of the `n`-th matter (from 1) registered in `year` under
/// `prefix`, e.g. `阿左代〔2026〕007号`. The sequence runs per prefix and year.
pub fn case_number(prefix: &str, year: i32, n: i64) -> String {
    format!("{prefix}〔{year}〕{n:03}号")
}

/// What every 编号 of one prefix and year starts with (the sequence counts
/// the numbers that do).
pub fn case_number_stem(prefix: &str, year: i32) -> String {
    format!("{prefix}〔{year}〕")
}

/// The prefix of the 编号 where neither the unit tree nor the deployment's
/// settings name one (阿拉善左旗 信访代办).
pub const CASE_NUMBER_PREFIX: &str = "阿左代";

/// One entry of a case's timeline: a command applied, by whom, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    pub id: i64,
    pub case_id: i64,
    pub command: CaseCommand,
    pub label: String,
    /// `None` for the system (the overdue job).
    pub actor_id: Option<i64>,
    pub actor_name: String,
    /// UTC, RFC 3339.
    pub at: String,
}

/// The day from which the handling limit of a matter accepted on
/// `accepted_on` counts, after the commands of its timeline (oldest first):
/// intake, or the last command that started the limit again
/// ([`crate::command::limit_restart`], the rule `apply_to_view` stored the
/// deadline by), on the day in China it was applied. Counting the deadline
/// again (a year's holidays entered later) starts here.
pub fn limit_start(accepted_on: NaiveDate, timeline: &[TimelineEntry]) -> NaiveDate {
    let (mut start, mut plan_fixed) = (accepted_on, false);
    for e in timeline {
        // An entry whose time is no instant restarts nothing but a plan
        // (whose day is its own): it counts from the start so far.
        let on = crate::time::china_day_of(&e.at).unwrap_or(start);
        if let Some(restart) = limit_restart(&e.command, on, plan_fixed) {
            start = restart.from;
        }
        plan_fixed |= matches!(e.command, CaseCommand::FixPlan { .. });
    }
    start
}

/// A photo or scan attached to a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentView {
    pub id: String,
    pub case_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by_name: String,
    pub at: String,
}

/// A visit record (走访记录). Its id is a UUID made on the device, so the same
/// visit saved offline and synced later is recognisably the same record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Visit {
    pub id: String,
    pub case_id: i64,
    /// Local date and time of the visit, `YYYY-MM-DDTHH:MM`.
    pub visited_at: String,
    pub method: VisitMethod,
    pub note: String,
    pub recorded_by: i64,
    pub recorded_by_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<GeoPoint>,
}

/// A case with its records, as `GET /api/cases/{id}` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseDetail {
    pub case: CaseView,
    pub visits: Vec<Visit>,
    #[serde(default)]
    pub timeline: Vec<TimelineEntry>,
    #[serde(default)]
    pub attachments: Vec<AttachmentView>,
    /// Complaints the citizen made about the service, with their replies.
    #[serde(default)]
    pub complaints: Vec<ComplaintView>,
    /// The citizen's own evaluation from the public page, if given (compare
    /// with the opinion the agent recorded at closure).
    #[serde(default)]
    pub citizen_opinion: Option<Opinion>,
    /// One 处置单 per competent unit the matter was transferred to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dispositions: Vec<crate::desk::DispositionView>,
    /// The commands (`CaseCommand::kind`) the reader may issue now: the
    /// desk offers these and no others.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
}

/// A citizen's complaint about the agency service (投诉), due to be answered
/// within `shared::deadline::COMPLAINT_REPLY_WORKING_DAYS` working days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComplaintView {
    pub id: i64,
    pub case_id: i64,
    pub text: String,
    /// UTC, RFC 3339.
    pub created_at: String,
    pub due_on: NaiveDate,
    pub reply: Option<String>,
    pub replied_at: Option<String>,
    pub replied_by_name: Option<String>,
}

/// `POST /api/complaints/{id}/reply` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ComplaintReply {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000))]
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::HandlingLevel;

    #[test]
    fn the_limit_counts_from_the_last_restart_in_the_timeline() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let entry = |command: CaseCommand, at: &str| TimelineEntry {
            id: 0,
            case_id: 1,
            label: command.label(),
            command,
            actor_id: None,
            actor_name: String::new(),
            at: at.to_string(),
        };
        let accepted = d("2026-03-02");
        let up = |to| CaseCommand::Escalate { to, cross_region: false, reason: "r".into() };
        let plan = CaseCommand::FixPlan { fixed_on: d("2026-03-10"), consultation: false };
        let reasonable = CaseCommand::ReviewDecided { claim_reasonable: true, note: "n".into() };
        let urge = CaseCommand::Urge { note: "n".into() };
        assert_eq!(limit_start(accepted, &[]), accepted);
        assert_eq!(limit_start(accepted, &[entry(urge.clone(), "2026-03-05T01:00:00Z")]), accepted);
        // 上报 in the evening (UTC) is the next day in China.
        let reported = entry(up(HandlingLevel::County), "2026-03-04T17:00:00Z");
        assert_eq!(limit_start(accepted, std::slice::from_ref(&reported)), d("2026-03-05"));
        // A plan counts from its own day; a later 上报 keeps it.
        let planned = entry(plan, "2026-03-11T02:00:00Z");
        let later_up = entry(up(HandlingLevel::City), "2026-03-20T02:00:00Z");
        assert_eq!(limit_start(accepted, &[reported.clone(), planned.clone(), later_up.clone()]), d("2026-03-10"));
        // 限期化解 restarts even a plan's limit.
        let decided = entry(reasonable, "2026-04-01T02:00:00Z");
        assert_eq!(limit_start(accepted, &[planned, later_up, decided]), d("2026-04-01"));
        // An entry whose time is no instant moves nothing.
        assert_eq!(limit_start(accepted, &[entry(up(HandlingLevel::County), "later")]), accepted);
    }

    #[test]
    fn case_numbers() {
        assert_eq!(case_number(CASE_NUMBER_PREFIX, 2026, 7), "阿左代〔2026〕007号");
        assert_eq!(case_number(CASE_NUMBER_PREFIX, 2026, 1234), "阿左代〔2026〕1234号");
        assert_eq!(case_number("额济纳代", 2027, 1), "额济纳代〔2027〕001号");
        assert!(case_number("额济纳代", 2027, 1).starts_with(&case_number_stem("额济纳代", 2027)));
    }
}
