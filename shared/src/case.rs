//! Cases (信访事项), their stages, and the records agents add to them.

use crate::command::CaseCommand;
use crate::deadline::MatterLevel;
use crate::lifecycle::{HandlingLevel, Lifecycle, NoticeForm, Opinion};
use crate::routing::{ContentCategory, TaskGroup};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

crate::code_enum! {
    /// The five stages of the agency workflow (DOMAIN.md "The five stages").
    pub enum Stage {
        Screening = "screening" => "甄别受理",
        Handling = "handling" => "事项办理",
        Feedback = "feedback" => "办结反馈",
        FollowUp = "follow_up" => "终结回访",
        Archived = "archived" => "整理归档",
    }
}

impl Stage {
    /// The stages whose clock runs, as stored text (for the overdue job's query).
    pub fn with_deadline() -> impl Iterator<Item = Stage> {
        Stage::ALL.into_iter().filter(|s| s.deadline_applies())
    }

    /// Whether the handling clock is running in this stage (deadlines shown,
    /// the overdue job urges).
    pub fn deadline_applies(self) -> bool {
        matches!(self, Stage::Screening | Stage::Handling)
    }

    /// Whether the matter has been closed (办结) and the citizen told: the
    /// stages after handling.
    pub fn is_closed(self) -> bool {
        matches!(self, Stage::Feedback | Stage::FollowUp | Stage::Archived)
    }

    /// Whether field records (visits) can still be added.
    pub fn accepts_records(self) -> bool {
        self != Stage::Archived
    }
}

crate::code_enum! {
    /// How a matter reached the system (信访渠道).
    pub enum Channel {
        Letter = "letter" => "来信",
        Visit = "visit" => "走访",
        Online = "online" => "网上",
        Phone = "phone" => "来电",
    }
}

crate::code_enum! {
    /// Where a matter came from (信访事项来源).
    #[derive(Default)]
    pub enum Source {
        #[default]
        Citizen = "citizen" => "群众反映",
        AssignedFromAbove = "assigned_from_above" => "上级交办",
        ReportedByVillage = "reported_by_village" => "村级上报",
        Screening = "screening" => "主动排查",
        HomeVisit = "home_visit" => "主动下访",
    }
}

crate::code_enum! {
    /// How an agent contacted the citizen on a visit record (走访方式).
    pub enum VisitMethod {
        InPerson = "in_person" => "上门",
        Phone = "phone" => "电话",
        Letter = "letter" => "信函",
    }
}

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

/// A case as a handler sees it in lists and on the detail page.
///
/// `phone` and `address` are private (DOMAIN.md "Openness and privacy"): the
/// server fills them only for those handling the matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseView {
    pub id: i64,
    /// 编号
    pub number: String,
    pub citizen_name: String,
    /// 反映的问题及诉求
    pub summary: String,
    pub stage: Stage,
    pub level: MatterLevel,
    pub channel: Channel,
    pub accepted_on: NaiveDate,
    /// The handling deadline, computed with [`MatterLevel::due_date`].
    pub due_on: NaiveDate,
    /// True when `due_on` was counted across a year with no official schedule.
    pub due_unscheduled: bool,
    pub unit_id: i64,
    pub unit_name: String,
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// Private like phone and address; reading it is audited.
    #[serde(default)]
    pub id_number: Option<String>,
    /// Server change sequence of the last change to this case or its records.
    pub rev: i64,
    /// The workflow state (status, handling level, reviews …).
    #[serde(default = "default_lifecycle")]
    pub lifecycle: Lifecycle,
    #[serde(default)]
    pub source: Source,
    /// The device-made id of a matter created offline.
    #[serde(default)]
    pub client_ref: Option<String>,
    /// 处置单
    #[serde(default)]
    pub category: Option<ContentCategory>,
    #[serde(default)]
    pub task_group: Option<TaskGroup>,
    #[serde(default)]
    pub brief: Option<String>,
    #[serde(default)]
    pub proposed_handling: Option<String>,
    #[serde(default)]
    pub leader_opinion: Option<String>,
    #[serde(default)]
    pub leader_instruction: Option<String>,
    /// 代办单: how the result was told, the result, the citizen's opinion.
    #[serde(default)]
    pub notice_form: Option<NoticeForm>,
    #[serde(default)]
    pub result: Option<String>,
    #[serde(default)]
    pub opinion: Option<Opinion>,
    /// When the matter was concluded (终结), and the follow-up deadline.
    #[serde(default)]
    pub concluded_on: Option<NaiveDate>,
    #[serde(default)]
    pub follow_up_due: Option<NaiveDate>,
    /// Marked overdue by the overdue job since this day.
    #[serde(default)]
    pub overdue_since: Option<NaiveDate>,
    /// Who registered the matter (a field agent may screen what they
    /// registered themselves: `authority::may_act`).
    #[serde(default)]
    pub registered_by: Option<i64>,
    /// The citizen's query code (查询码) for the public pages: private like
    /// the contact details (handlers see it, to tell the citizen or print it
    /// on the 代办单).
    #[serde(default)]
    pub query_code: Option<String>,
    /// The unit handling the matter now, when a report up (上报) moved it
    /// above the unit that registered it (which keeps read access).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handling_unit_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handling_unit_name: Option<String>,
    /// The day the solution plan was fixed (the 30/60-day limits run from it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_fixed_on: Option<NaiveDate>,
}

fn default_lifecycle() -> Lifecycle {
    Lifecycle::new(HandlingLevel::Village)
}

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

/// A visit as the field app creates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewVisit {
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
    )]
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub case_id: i64,
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$"))]
    pub visited_at: String,
    pub method: VisitMethod,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000))]
    pub note: String,
    /// Where the phone was, if the agent allowed location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<GeoPoint>,
}

/// A position in whole microdegrees (WGS 84, as the phone reports it), so
/// it is exact and comparable; accuracy in metres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GeoPoint {
    pub lat_e6: i64,
    pub lng_e6: i64,
    pub accuracy_m: i64,
}

impl GeoPoint {
    /// From the browser's degrees (rounded to microdegrees).
    pub fn from_degrees(lat: f64, lng: f64, accuracy_m: f64) -> GeoPoint {
        GeoPoint {
            lat_e6: (lat * 1e6).round() as i64,
            lng_e6: (lng * 1e6).round() as i64,
            accuracy_m: accuracy_m.round() as i64,
        }
    }

    /// "北纬 38.84°，东经 105.67°（±20 米）"
    pub fn label(&self) -> String {
        // Integer arithmetic: float formatting would bloat the WASM.
        let deg = |e6: i64| format!("{}.{:04}", e6.abs() / 1_000_000, (e6.abs() % 1_000_000) / 100);
        format!(
            "{}纬 {}°，{}经 {}°（±{} 米）",
            if self.lat_e6 >= 0 { "北" } else { "南" },
            deg(self.lat_e6),
            if self.lng_e6 >= 0 { "东" } else { "西" },
            deg(self.lng_e6),
            self.accuracy_m
        )
    }
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

    #[test]
    fn closed_stages_are_those_after_handling() {
        let closed: Vec<Stage> = Stage::ALL.into_iter().filter(|s| s.is_closed()).collect();
        assert_eq!(closed, [Stage::Feedback, Stage::FollowUp, Stage::Archived]);
        assert!(Stage::ALL.iter().all(|s| !(s.is_closed() && s.deadline_applies())));
    }

    #[test]
    fn case_numbers() {
        assert_eq!(case_number(CASE_NUMBER_PREFIX, 2026, 7), "阿左代〔2026〕007号");
        assert_eq!(case_number(CASE_NUMBER_PREFIX, 2026, 1234), "阿左代〔2026〕1234号");
        assert_eq!(case_number("额济纳代", 2027, 1), "额济纳代〔2027〕001号");
        assert!(case_number("额济纳代", 2027, 1).starts_with(&case_number_stem("额济纳代", 2027)));
    }

    #[test]
    fn text_forms_round_trip() {
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
        }
        for m in VisitMethod::ALL {
            assert_eq!(VisitMethod::parse(m.as_str()), Some(m));
            assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{}\"", m.as_str()));
        }
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        assert!(serde_json::from_str::<VisitMethod>("\"telepathy\"").is_err());
    }

    #[test]
    fn new_visit_refuses_unknown_fields() {
        let ok = r#"{"id":"a","case_id":1,"visited_at":"2026-01-01T09:00","method":"phone","note":"x"}"#;
        assert!(serde_json::from_str::<NewVisit>(ok).is_ok());
        let extra = r#"{"id":"a","case_id":1,"visited_at":"2026-01-01T09:00","method":"phone","note":"x","x":1}"#;
        assert!(serde_json::from_str::<NewVisit>(extra).is_err());
    }
}
