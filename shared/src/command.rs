//! What people do to a case (the workflow API's commands), who may do it, and
//! how each maps onto the lifecycle. The server applies commands; the field
//! app queues them offline; both check them here.

use crate::case::VisitMethod;
use crate::error::{ApiError, ErrorCode};
use crate::lifecycle::{
    CaseEvent, CaseStatus, HandlingLevel, Lifecycle, NoticeForm, Opinion, ScreeningOutcome, TransitionError,
};
use crate::org::Role;
use crate::routing::ContentCategory;
use crate::validation::check_text;
use serde::{Deserialize, Serialize};

/// Longest text of a form field (意见、结果、批示 …), in characters.
pub const MAX_FORM_TEXT: usize = 2000;

/// A command on one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CaseCommand {
    /// 甄别: record the screening outcome. Accepting for agency needs an agent
    /// (assigned by staff, or chosen by the citizen).
    Screen {
        outcome: ScreeningOutcome,
        #[serde(default)]
        agent_id: Option<i64>,
        note: String,
    },
    /// 指派代办员 (or record the one the citizen chose).
    Assign { agent_id: i64, chosen_by_citizen: bool },
    /// 内容分类: sets the category, which routes the matter to a task group.
    Categorise { category: ContentCategory },
    /// 流转: hand the matter to a competent unit with a 处置单 (拟办意见).
    Transfer { unit: String, proposed_handling: String },
    /// 分管领导处理意见
    LeaderOpinion { text: String },
    /// 领导批示
    LeaderInstruction { text: String },
    /// 催办 (进度催办)
    Urge { note: String },
    /// 上报 to a higher level.
    Escalate { to: HandlingLevel, cross_region: bool, reason: String },
    /// A progress contact with the citizen (no state change).
    Contact { method: VisitMethod, note: String },
    /// 办结反馈: tell the result, record the opinion.
    Close { method: VisitMethod, notice: NoticeForm, opinion: Opinion, result: String },
    /// The dissatisfied citizen applies for 复查 / 复核.
    RequestReview { note: String },
    /// The upper level's review decision.
    ReviewDecided { claim_reasonable: bool, note: String },
    /// The citizen accepts the outcome: concluded (终结).
    AcceptOutcome {},
    /// 终结回访
    FollowUp { method: VisitMethod, resolved: bool, note: String },
    /// 整理归档
    Archive {},
}

impl CaseCommand {
    /// A short stable name, e.g. `close`.
    pub fn kind(&self) -> &'static str {
        match self {
            CaseCommand::Screen { .. } => "screen",
            CaseCommand::Assign { .. } => "assign",
            CaseCommand::Categorise { .. } => "categorise",
            CaseCommand::Transfer { .. } => "transfer",
            CaseCommand::LeaderOpinion { .. } => "leader_opinion",
            CaseCommand::LeaderInstruction { .. } => "leader_instruction",
            CaseCommand::Urge { .. } => "urge",
            CaseCommand::Escalate { .. } => "escalate",
            CaseCommand::Contact { .. } => "contact",
            CaseCommand::Close { .. } => "close",
            CaseCommand::RequestReview { .. } => "request_review",
            CaseCommand::ReviewDecided { .. } => "review_decided",
            CaseCommand::AcceptOutcome {} => "accept_outcome",
            CaseCommand::FollowUp { .. } => "follow_up",
            CaseCommand::Archive {} => "archive",
        }
    }

    /// The Chinese name shown in the timeline.
    pub fn label(&self) -> String {
        match self {
            CaseCommand::Screen { outcome, .. } => format!("甄别：{}", outcome.label()),
            CaseCommand::Assign { chosen_by_citizen: true, .. } => "信访人自选代办员".to_string(),
            CaseCommand::Assign { .. } => "指派代办员".to_string(),
            CaseCommand::Categorise { category } => {
                format!("内容分类：{}（{}）", category.label(), category.task_group().label())
            }
            CaseCommand::Transfer { unit, .. } => format!("流转至{unit}"),
            CaseCommand::LeaderOpinion { .. } => "分管领导处理意见".to_string(),
            CaseCommand::LeaderInstruction { .. } => "领导批示".to_string(),
            CaseCommand::Urge { .. } => "催办".to_string(),
            CaseCommand::Escalate { to, cross_region, .. } => {
                format!("上报{}{}", to.label(), if *cross_region { "（三跨三分离）" } else { "" })
            }
            CaseCommand::Contact { method, .. } => format!("进度沟通（{}）", method.label()),
            CaseCommand::Close { opinion, .. } => {
                format!("办结反馈，信访人意见：{}", opinion.label())
            }
            CaseCommand::RequestReview { .. } => "申请复查/复核".to_string(),
            CaseCommand::ReviewDecided { claim_reasonable: true, .. } => "复查/复核：诉求有理，限期化解".to_string(),
            CaseCommand::ReviewDecided { .. } => "复查/复核：维持原处理意见".to_string(),
            CaseCommand::AcceptOutcome {} => "事项终结".to_string(),
            CaseCommand::FollowUp { resolved: true, .. } => "终结回访：息诉罢访".to_string(),
            CaseCommand::FollowUp { .. } => "终结回访：未息诉罢访".to_string(),
            CaseCommand::Archive {} => "整理归档".to_string(),
        }
    }

    /// The lifecycle event this command is, if it changes the case's state.
    pub fn lifecycle_event(&self) -> Option<CaseEvent> {
        Some(match self {
            CaseCommand::Screen { outcome, .. } => CaseEvent::Screen { outcome: *outcome },
            CaseCommand::Transfer { unit, .. } => CaseEvent::Transfer { unit: unit.clone() },
            CaseCommand::Urge { .. } => CaseEvent::Urge,
            CaseCommand::Escalate { to, cross_region, .. } => {
                CaseEvent::Escalate { to: *to, cross_region: *cross_region }
            }
            CaseCommand::Close { notice, opinion, .. } => CaseEvent::Close { notice: *notice, opinion: *opinion },
            CaseCommand::RequestReview { .. } => CaseEvent::RequestReview,
            CaseCommand::ReviewDecided { claim_reasonable, .. } => {
                CaseEvent::ReviewDecided { claim_reasonable: *claim_reasonable }
            }
            CaseCommand::AcceptOutcome {} => CaseEvent::AcceptOutcome,
            CaseCommand::FollowUp { resolved, .. } => CaseEvent::FollowUp { resolved: *resolved },
            CaseCommand::Archive {} => CaseEvent::Archive,
            CaseCommand::Assign { .. }
            | CaseCommand::Categorise { .. }
            | CaseCommand::LeaderOpinion { .. }
            | CaseCommand::LeaderInstruction { .. }
            | CaseCommand::Contact { .. } => return None,
        })
    }

    /// The case's lifecycle after this command, or the rule that forbids it.
    /// Commands that change no state (a contact, a leader's opinion …) are
    /// still refused on an archived case, and assignment only while the
    /// matter is being screened or handled.
    pub fn plan(&self, current: &Lifecycle) -> Result<Lifecycle, TransitionError> {
        if let Some(event) = self.lifecycle_event() {
            return current.apply(&event);
        }
        if current.status == CaseStatus::Archived {
            return Err(TransitionError {
                rule: "archived.final", message: "事项已归档，不能再变更".to_string()
            });
        }
        if matches!(self, CaseCommand::Assign { .. })
            && !matches!(current.status, CaseStatus::Screening | CaseStatus::Handling)
        {
            return Err(TransitionError {
                rule: "assign.only_while_open",
                message: "只有甄别中或办理中的事项才能指派代办员".to_string(),
            });
        }
        Ok(current.clone())
    }

    /// Whether a field agent may queue this command offline on their phone.
    pub fn is_field_action(&self) -> bool {
        matches!(
            self,
            CaseCommand::Screen { .. }
                | CaseCommand::Contact { .. }
                | CaseCommand::Close { .. }
                | CaseCommand::FollowUp { .. }
                | CaseCommand::Urge { .. }
                | CaseCommand::RequestReview { .. }
                | CaseCommand::AcceptOutcome {}
        )
    }

    /// Checks the free texts. Refusals carry a Chinese message.
    pub fn validate(&self) -> Result<(), ApiError> {
        match self {
            CaseCommand::Screen { outcome, agent_id, note } => {
                if matches!(outcome, ScreeningOutcome::AcceptAgency { .. }) && agent_id.is_none() {
                    return Err(ApiError::new(ErrorCode::ValidationFailed, "受理代办须指定代办员"));
                }
                check_text("甄别说明", note, MAX_FORM_TEXT)
            }
            CaseCommand::Transfer { unit, proposed_handling } => {
                check_text("承办单位", unit, 100)?;
                check_text("拟办意见", proposed_handling, MAX_FORM_TEXT)
            }
            CaseCommand::LeaderOpinion { text } => check_text("分管领导处理意见", text, MAX_FORM_TEXT),
            CaseCommand::LeaderInstruction { text } => check_text("领导批示", text, MAX_FORM_TEXT),
            CaseCommand::Urge { note } => check_text("催办情况", note, MAX_FORM_TEXT),
            CaseCommand::Escalate { reason, .. } => check_text("上报理由", reason, MAX_FORM_TEXT),
            CaseCommand::Contact { note, .. } => check_text("沟通情况", note, MAX_FORM_TEXT),
            CaseCommand::Close { result, .. } => check_text("处理结果", result, MAX_FORM_TEXT),
            CaseCommand::RequestReview { note } => check_text("申请说明", note, MAX_FORM_TEXT),
            CaseCommand::ReviewDecided { note, .. } => check_text("复查/复核意见", note, MAX_FORM_TEXT),
            CaseCommand::FollowUp { note, .. } => check_text("回访情况", note, MAX_FORM_TEXT),
            CaseCommand::Assign { agent_id, .. } if *agent_id <= 0 => {
                Err(ApiError::new(ErrorCode::ValidationFailed, "代办员无效"))
            }
            CaseCommand::Assign { .. }
            | CaseCommand::Categorise { .. }
            | CaseCommand::AcceptOutcome {}
            | CaseCommand::Archive {} => Ok(()),
        }
    }
}

/// Whether `role` may issue `command` on a case now handled at `case_level`.
/// Reviews are decided "at the level above" the one that handled the matter.
pub fn may_issue(role: Role, command: &CaseCommand, case_level: HandlingLevel) -> bool {
    use CaseCommand::*;
    match role {
        Role::FieldAgent => command.is_field_action() || matches!(command, Categorise { .. } | Escalate { .. }),
        Role::TownshipStaff => match command {
            LeaderOpinion { .. } | LeaderInstruction { .. } => false,
            ReviewDecided { .. } => case_level == HandlingLevel::Village,
            _ => true,
        },
        Role::TownshipLeader => match command {
            ReviewDecided { .. } => case_level == HandlingLevel::Village,
            _ => true,
        },
        Role::CountyCentre => match command {
            ReviewDecided { .. } => case_level <= HandlingLevel::Township,
            _ => true,
        },
        Role::LeagueBureau => matches!(command, ReviewDecided { .. } | LeaderInstruction { .. } | Urge { .. }),
        Role::FinanceReviewer | Role::Admin => false,
    }
}

/// The case as it is after `cmd`, applied on `today`: the lifecycle step
/// (or the rule that forbids it) and every form field the command fills.
/// The server stores this; the field app shows it for commands still queued
/// offline, so both agree on what a command does. The agent's name for an
/// assignment is the caller's to fill (only the server knows every user).
pub fn apply_to_view(
    case: &crate::case::CaseView,
    cmd: &CaseCommand,
    today: chrono::NaiveDate,
    cal: &crate::calendar::Calendar,
) -> Result<crate::case::CaseView, TransitionError> {
    let lifecycle = cmd.plan(&case.lifecycle)?;
    let mut after = case.clone();
    after.stage = lifecycle.stage();
    match cmd {
        CaseCommand::Screen { outcome: ScreeningOutcome::AcceptAgency { .. }, agent_id: Some(agent), .. }
        | CaseCommand::Assign { agent_id: agent, .. } => {
            // A new agent's name is filled by the caller.
            after.agent_name = after.agent_name.take().filter(|_| after.agent_id == Some(*agent));
            after.agent_id = Some(*agent);
        }
        CaseCommand::Categorise { category } => {
            after.category = Some(*category);
            after.task_group = Some(category.task_group());
        }
        CaseCommand::Transfer { proposed_handling, .. } => after.proposed_handling = Some(proposed_handling.clone()),
        CaseCommand::LeaderOpinion { text } => after.leader_opinion = Some(text.clone()),
        CaseCommand::LeaderInstruction { text } => after.leader_instruction = Some(text.clone()),
        CaseCommand::Escalate { to, .. } => {
            // The higher level's limit runs from the day it takes the matter.
            let due = to.matter_level().due_date(cal, today);
            after.level = to.matter_level();
            after.due_on = due.value;
            after.due_unscheduled = due.unscheduled;
            after.overdue_since = None;
        }
        CaseCommand::ReviewDecided { claim_reasonable: true, .. } => {
            // 限期化解: a fresh limit at the matter's level.
            let due = after.level.due_date(cal, today);
            after.due_on = due.value;
            after.due_unscheduled = due.unscheduled;
            after.overdue_since = None;
        }
        CaseCommand::Close { notice, opinion, result, .. } => {
            after.notice_form = Some(*notice);
            after.opinion = Some(*opinion);
            after.result = Some(result.clone());
        }
        _ => {}
    }
    if lifecycle.status == CaseStatus::AwaitingFollowUp && case.lifecycle.status != CaseStatus::AwaitingFollowUp {
        after.concluded_on = Some(today);
        after.follow_up_due = Some(crate::deadline::follow_up_due(cal, today).value);
    }
    if !matches!(lifecycle.status, CaseStatus::Handling | CaseStatus::Screening) {
        after.overdue_since = None;
    }
    after.lifecycle = lifecycle;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close() -> CaseCommand {
        CaseCommand::Close {
            method: VisitMethod::InPerson,
            notice: NoticeForm::Written,
            opinion: Opinion::Satisfied,
            result: "已协调发放补助".into(),
        }
    }

    #[test]
    fn wire_format() {
        let json = serde_json::to_string(&close()).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"close","method":"in_person","notice":"written","opinion":"satisfied","result":"已协调发放补助"}"#
        );
        assert_eq!(serde_json::from_str::<CaseCommand>(&json).unwrap(), close());
        assert!(serde_json::from_str::<CaseCommand>(r#"{"kind":"close","opinion":"ecstatic"}"#).is_err());
        assert!(serde_json::from_str::<CaseCommand>(r#"{"kind":"archive","x":1}"#).is_err());
    }

    #[test]
    fn permissions_by_role() {
        let decide = CaseCommand::ReviewDecided { claim_reasonable: false, note: "维持".into() };
        let instruct = CaseCommand::LeaderInstruction { text: "请抓紧办理".into() };
        assert!(may_issue(Role::FieldAgent, &close(), HandlingLevel::Village));
        assert!(!may_issue(Role::FieldAgent, &decide, HandlingLevel::Village));
        assert!(!may_issue(Role::FieldAgent, &CaseCommand::Archive {}, HandlingLevel::Village));
        assert!(!may_issue(Role::TownshipStaff, &instruct, HandlingLevel::Village));
        assert!(may_issue(Role::TownshipLeader, &instruct, HandlingLevel::Village));
        assert!(may_issue(Role::TownshipLeader, &decide, HandlingLevel::Village));
        assert!(!may_issue(Role::TownshipLeader, &decide, HandlingLevel::Township), "the level above decides");
        assert!(may_issue(Role::CountyCentre, &decide, HandlingLevel::Township));
        assert!(!may_issue(Role::CountyCentre, &decide, HandlingLevel::County));
        assert!(may_issue(Role::LeagueBureau, &decide, HandlingLevel::County));
        assert!(!may_issue(Role::FinanceReviewer, &close(), HandlingLevel::Village));
        assert!(!may_issue(Role::Admin, &CaseCommand::Archive {}, HandlingLevel::Village));
    }

    #[test]
    fn validation_and_events() {
        let accept = CaseCommand::Screen {
            outcome: ScreeningOutcome::AcceptAgency { agent_chosen_by_citizen: false },
            agent_id: None,
            note: "同意代办".into(),
        };
        assert_eq!(accept.validate().unwrap_err().message, "受理代办须指定代办员");
        assert_eq!(CaseCommand::Urge { note: " ".into() }.validate().unwrap_err().message, "催办情况不能为空");
        assert!(close().validate().is_ok());
        assert_eq!(
            close().lifecycle_event(),
            Some(CaseEvent::Close { notice: NoticeForm::Written, opinion: Opinion::Satisfied })
        );
        assert_eq!(CaseCommand::Contact { method: VisitMethod::Phone, note: "x".into() }.lifecycle_event(), None);
        assert_eq!(close().label(), "办结反馈，信访人意见：满意");
    }

    #[test]
    fn nothing_changes_an_archived_case() {
        let archived = [CaseEvent::Screen { outcome: ScreeningOutcome::DirectAnswer }, CaseEvent::Archive]
            .iter()
            .try_fold(Lifecycle::new(HandlingLevel::Village), |l, e| l.apply(e))
            .unwrap();
        let contact = CaseCommand::Contact { method: VisitMethod::Phone, note: "x".into() };
        assert_eq!(contact.plan(&archived).unwrap_err().rule, "archived.final");
        let assign = CaseCommand::Assign { agent_id: 1, chosen_by_citizen: false };
        let closed = Lifecycle::new(HandlingLevel::Village)
            .apply(&CaseEvent::Screen { outcome: ScreeningOutcome::AcceptAgency { agent_chosen_by_citizen: false } })
            .unwrap()
            .apply(&CaseEvent::Close { notice: NoticeForm::Oral, opinion: Opinion::Satisfied })
            .unwrap();
        assert_eq!(assign.plan(&closed).unwrap_err().rule, "assign.only_while_open");
        assert_eq!(contact.plan(&closed).unwrap(), closed);
    }
}
