//! The case aggregate as the API exchanges it ([`CaseView`]): below the
//! commands that change it (`command::apply_to_view`) and the desk's lists,
//! above the codes it is made of. `shared::case` re-exports it.

use crate::deadline::MatterLevel;
use crate::lifecycle::{HandlingLevel, Lifecycle, NoticeForm, Opinion};
use crate::routing::{ContentCategory, TaskGroup};
use crate::vocab::{Channel, Source, Stage};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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
