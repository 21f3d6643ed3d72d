//! The offline sync protocol between the field app and the server.
//!
//! Push: the device sends its outbox as a batch of [`Mutation`]s, each with an
//! id that increases per client. The server applies each mutation in its own
//! transaction, records `(client_id, mutation_id) → result` in that same
//! transaction, and answers one [`MutationResult`] per mutation. A mutation
//! id it has seen before is not applied again: the stored result is replayed.
//! The device deletes an outbox entry only when it has a result for it.
//!
//! Pull: the device asks for changes after its cursor (a server change
//! sequence number). The server answers cases and records in the user's
//! jurisdiction that changed after it, in pages, with the next cursor.

use crate::case::{TimelineEntry, Visit};
use crate::case_view::CaseView;
use crate::command::CaseCommand;
use crate::error::ErrorCode;
use crate::intake::NewCase;
use crate::vocab::NewVisit;
use serde::{Deserialize, Serialize};

/// The largest batch a device may push at once; bigger outboxes are pushed
/// in several requests.
pub const MAX_PUSH_BATCH: usize = 500;

/// The largest number of cases or records one pull page returns.
pub const PULL_PAGE_SIZE: usize = 500;

/// One change made on a device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Mutation {
    /// Per-client increasing id (1, 2, 3, …).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 9223372036854775807_u64))]
    pub id: u64,
    pub change: Change,
}

/// What a mutation does. Unknown kinds are refused at parse time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// Append a visit record (走访记录) to a case.
    AddVisit { visit: NewVisit },
    /// A workflow command on a case (progress contact, closure feedback,
    /// follow-up …). A state change the server refuses — because another
    /// device or the office moved the case on — comes back `rejected`.
    Command { case_id: i64, command: CaseCommand },
    /// A new matter found by screening (排查) at the doorstep, with its
    /// 代办单 fields; `case.client_ref` makes a re-sent one the same case.
    /// The screening outcome, if recorded at once, follows as a `Command`
    /// naming the case by `client_ref` (see [`Change::CommandOnNew`]).
    CreateCase { case: NewCase },
    /// A command on a case this device created offline and knows only by its
    /// `client_ref`.
    CommandOnNew { client_ref: String, command: CaseCommand },
}

impl Change {
    /// The case the change belongs to, when it already has a server id.
    pub fn case_id(&self) -> Option<i64> {
        match self {
            Change::AddVisit { visit } => Some(visit.case_id),
            Change::Command { case_id, .. } => Some(*case_id),
            Change::CreateCase { .. } | Change::CommandOnNew { .. } => None,
        }
    }

    /// Whether the change may come from a phone's offline queue: commands
    /// must be field actions (desk work is done online at the workbench), and
    /// a matter registered offline must carry its device-made `client_ref`.
    pub fn check_offline(&self) -> Result<(), crate::error::ApiError> {
        use crate::error::{ApiError, ErrorCode};
        match self {
            Change::Command { command, .. } | Change::CommandOnNew { command, .. } if !command.is_field_action() => {
                Err(ApiError::new(ErrorCode::Forbidden, format!("“{}”不能离线提交，请在工作台办理", command.label())))
            }
            Change::CreateCase { case } if case.client_ref.is_none() => {
                Err(ApiError::new(ErrorCode::ValidationFailed, "离线登记的事项须带设备编号（client_ref）"))
            }
            _ => Ok(()),
        }
    }

    /// What the change is, in Chinese, for the "需处理" list.
    pub fn label(&self) -> String {
        match self {
            Change::AddVisit { visit } => {
                format!("走访记录：{}", visit.note.chars().take(30).collect::<String>())
            }
            Change::Command { command, .. } | Change::CommandOnNew { command, .. } => command.label(),
            Change::CreateCase { case } => format!("新登记事项：{}", case.citizen_name),
        }
    }
}

/// The push body as the server decodes it: the envelope strictly, each
/// change on its own, so one change this server cannot read (an old or
/// broken client) is answered `rejected` instead of failing the whole batch
/// and blocking the queue. (The fuzz targets decode exactly this.)
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPush {
    pub client_id: String,
    pub mutations: Vec<RawMutation>,
}

/// One change of a [`RawPush`], not yet decoded.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMutation {
    pub id: u64,
    pub change: serde_json::Value,
}

impl RawMutation {
    /// Mutation ids are positive and fit the database's 64-bit integers;
    /// another id is refused (变更编号无效) before the change is decoded.
    pub fn has_valid_id(&self) -> bool {
        self.id != 0 && self.id <= i64::MAX as u64
    }
}

/// `POST /api/sync/push` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// A stable id the device made for itself (a UUID).
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
    )]
    pub client_id: String,
    #[cfg_attr(feature = "openapi", schema(max_items = 500))]
    pub mutations: Vec<Mutation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MutationStatus {
    /// The change is in the database (now, or by an earlier push).
    Applied,
    /// The server refused the change; `code` and `message` say why. It will
    /// never be applied: the device shows it to the user to fix or discard.
    Rejected,
}

/// The server's answer for one mutation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MutationResult {
    pub id: u64,
    pub status: MutationStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl MutationResult {
    pub fn applied(id: u64) -> Self {
        MutationResult { id, status: MutationStatus::Applied, code: None, message: None }
    }

    pub fn rejected(id: u64, code: ErrorCode, message: impl Into<String>) -> Self {
        MutationResult { id, status: MutationStatus::Rejected, code: Some(code), message: Some(message.into()) }
    }
}

/// `POST /api/sync/push` answer: one result per pushed mutation, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    pub results: Vec<MutationResult>,
}

/// `GET /api/sync/pull?cursor=N` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    /// Pass this back as `cursor` to get what changed after this page.
    pub cursor: i64,
    /// More changes are waiting: pull again at once with the new cursor.
    pub has_more: bool,
    pub cases: Vec<CaseView>,
    pub visits: Vec<Visit>,
    /// The timelines of the cases in this page.
    #[serde(default)]
    pub timeline: Vec<TimelineEntry>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::VisitMethod;

    #[test]
    fn wire_format_is_stable() {
        let m = Mutation {
            id: 7,
            change: Change::AddVisit {
                visit: NewVisit {
                    id: "v1".into(),
                    case_id: 3,
                    visited_at: "2026-11-20T09:30".into(),
                    method: VisitMethod::InPerson,
                    note: "上门了解情况".into(),
                    position: None,
                },
            },
        };
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(
            json,
            r#"{"id":7,"change":{"kind":"add_visit","visit":{"id":"v1","case_id":3,"visited_at":"2026-11-20T09:30","method":"in_person","note":"上门了解情况"}}}"#
        );
        assert_eq!(serde_json::from_str::<Mutation>(&json).unwrap(), m);
        assert!(serde_json::from_str::<Mutation>(r#"{"id":1,"change":{"kind":"delete_everything"}}"#).is_err());
    }

    #[test]
    fn offline_queue_takes_only_field_work() {
        use crate::command::CaseCommand;
        let archive = Change::Command { case_id: 1, command: CaseCommand::Archive {} };
        assert_eq!(archive.check_offline().unwrap_err().code, ErrorCode::Forbidden);
        let urge = Change::Command { case_id: 1, command: CaseCommand::Urge { note: "催".into() } };
        assert!(urge.check_offline().is_ok());
    }

    #[test]
    fn rejected_results_carry_reason() {
        let r = MutationResult::rejected(2, ErrorCode::OutOfJurisdiction, "不在辖区");
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, r#"{"id":2,"status":"rejected","code":"out_of_jurisdiction","message":"不在辖区"}"#);
        assert_eq!(serde_json::to_string(&MutationResult::applied(1)).unwrap(), r#"{"id":1,"status":"applied"}"#);
    }
}
