//! Cases (信访事项), their stages, and the records agents add to them.

use crate::deadline::MatterLevel;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The five stages of the agency workflow (DOMAIN.md "The five stages").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 甄别受理
    Screening,
    /// 事项办理
    Handling,
    /// 办结反馈
    Feedback,
    /// 终结回访
    FollowUp,
    /// 整理归档
    Archived,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Screening,
        Stage::Handling,
        Stage::Feedback,
        Stage::FollowUp,
        Stage::Archived,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Stage::Screening => "甄别受理",
            Stage::Handling => "事项办理",
            Stage::Feedback => "办结反馈",
            Stage::FollowUp => "终结回访",
            Stage::Archived => "整理归档",
        }
    }

    /// Whether the handling clock is running in this stage (deadlines shown).
    pub fn deadline_applies(self) -> bool {
        matches!(self, Stage::Screening | Stage::Handling)
    }

    /// Whether field records (visits) can still be added.
    pub fn accepts_records(self) -> bool {
        self != Stage::Archived
    }

    /// The stored text form (same as the JSON form).
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Screening => "screening",
            Stage::Handling => "handling",
            Stage::Feedback => "feedback",
            Stage::FollowUp => "follow_up",
            Stage::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// How a matter reached the system (信访渠道).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 来信
    Letter,
    /// 走访
    Visit,
    /// 网上（含 12345 转办）
    Online,
    /// 来电
    Phone,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::Letter,
        Channel::Visit,
        Channel::Online,
        Channel::Phone,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Channel::Letter => "来信",
            Channel::Visit => "走访",
            Channel::Online => "网上",
            Channel::Phone => "来电",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Letter => "letter",
            Channel::Visit => "visit",
            Channel::Online => "online",
            Channel::Phone => "phone",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// How an agent contacted the citizen on a visit record (走访方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitMethod {
    /// 上门
    InPerson,
    /// 电话
    Phone,
    /// 信函
    Letter,
}

impl VisitMethod {
    pub const ALL: [VisitMethod; 3] = [
        VisitMethod::InPerson,
        VisitMethod::Phone,
        VisitMethod::Letter,
    ];

    pub fn label(self) -> &'static str {
        match self {
            VisitMethod::InPerson => "上门",
            VisitMethod::Phone => "电话",
            VisitMethod::Letter => "信函",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            VisitMethod::InPerson => "in_person",
            VisitMethod::Phone => "phone",
            VisitMethod::Letter => "letter",
        }
    }

    pub fn parse(s: &str) -> Option<VisitMethod> {
        VisitMethod::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// A case as a handler sees it in lists and on the detail page.
///
/// `phone` and `address` are private (DOMAIN.md "Openness and privacy"): the
/// server fills them only for those handling the matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Server change sequence of the last change to this case or its records.
    pub rev: i64,
}

/// A visit record (走访记录). Its id is a UUID made on the device, so the same
/// visit saved offline and synced later is recognisably the same record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub id: String,
    pub case_id: i64,
    /// Local date and time of the visit, `YYYY-MM-DDTHH:MM`.
    pub visited_at: String,
    pub method: VisitMethod,
    pub note: String,
    pub recorded_by: i64,
    pub recorded_by_name: String,
}

/// A visit as the field app creates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewVisit {
    pub id: String,
    pub case_id: i64,
    pub visited_at: String,
    pub method: VisitMethod,
    pub note: String,
}

/// A case with its records, as `GET /api/cases/{id}` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDetail {
    pub case: CaseView,
    pub visits: Vec<Visit>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip() {
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        for m in VisitMethod::ALL {
            assert_eq!(VisitMethod::parse(m.as_str()), Some(m));
            assert_eq!(
                serde_json::to_string(&m).unwrap(),
                format!("\"{}\"", m.as_str())
            );
        }
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        assert!(serde_json::from_str::<VisitMethod>("\"telepathy\"").is_err());
    }

    #[test]
    fn new_visit_refuses_unknown_fields() {
        let ok =
            r#"{"id":"a","case_id":1,"visited_at":"2026-01-01T09:00","method":"phone","note":"x"}"#;
        assert!(serde_json::from_str::<NewVisit>(ok).is_ok());
        let extra = r#"{"id":"a","case_id":1,"visited_at":"2026-01-01T09:00","method":"phone","note":"x","x":1}"#;
        assert!(serde_json::from_str::<NewVisit>(extra).is_err());
    }
}
