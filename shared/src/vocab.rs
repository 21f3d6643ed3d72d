//! The basic codes of a case: its stage, channel and source, how an agent
//! met the citizen, and the visit record as the phone makes it. They depend
//! on nothing else in the crate (but [`crate::code_enum!`]), so every other
//! module can use them without importing the case aggregate
//! ([`crate::case_view::CaseView`]) or its records. `shared::case` re-exports
//! them under their old paths.

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
