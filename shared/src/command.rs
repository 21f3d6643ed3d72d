//! What people do to a case (the workflow API's commands), who may do it, and
//! how each maps onto the lifecycle. The server applies commands; the field
//! app queues them offline; both check them here.

use crate::deadline::MatterLevel;
use crate::error::{ApiError, ErrorCode};
use crate::lifecycle::{
    CaseEvent, CaseStatus, HandlingLevel, Lifecycle, NoticeForm, Opinion, ScreeningOutcome, TransitionError,
};
use crate::org::Role;
use crate::routing::ContentCategory;
use crate::validation::check_text;
use crate::vocab::VisitMethod;
use chrono::NaiveDate;
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
    /// 流转: hand the matter to a competent unit with its own 处置单
    /// (拟办意见). One per unit: a matter for two departments is transferred
    /// twice. `unit_id` names the unit (the server fills `unit`, its name);
    /// without it `unit` is a unit outside the system, written by hand.
    Transfer {
        unit: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unit_id: Option<i64>,
        proposed_handling: String,
    },
    /// The competent unit's 处理结果 on its 处置单.
    DepartmentReply { unit_id: i64, result: String },
    /// 确定解决方案: a matter needing several departments gets 30 working
    /// days from the day its plan is fixed; a major, complex one 60 from the
    /// consultation (会商) that fixed it (seeds 001/002).
    FixPlan { fixed_on: chrono::NaiveDate, consultation: bool },
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
            CaseCommand::DepartmentReply { .. } => "department_reply",
            CaseCommand::FixPlan { .. } => "fix_plan",
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
            CaseCommand::DepartmentReply { .. } => "承办单位回复处理结果".to_string(),
            CaseCommand::FixPlan { consultation: true, .. } => "会商确定解决方案（60个工作日）".to_string(),
            CaseCommand::FixPlan { .. } => "确定解决方案（30个工作日）".to_string(),
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
            | CaseCommand::DepartmentReply { .. }
            | CaseCommand::FixPlan { .. }
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
        if matches!(self, CaseCommand::FixPlan { .. } | CaseCommand::DepartmentReply { .. })
            && current.status != CaseStatus::Handling
        {
            return Err(TransitionError {
                rule: "handling_step.only_while_handling",
                message: format!("只有办理中的事项才能{}", self.kind_label()),
            });
        }
        Ok(current.clone())
    }

    /// The step's short name for messages (确定解决方案, 回复处理结果 …).
    fn kind_label(&self) -> &'static str {
        match self {
            CaseCommand::FixPlan { .. } => "确定解决方案",
            CaseCommand::DepartmentReply { .. } => "回复处理结果",
            _ => "办理",
        }
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
                // 上报: a village agent reports a matter up from the field.
                | CaseCommand::Escalate { .. }
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
            CaseCommand::Transfer { unit, unit_id, proposed_handling } => {
                if unit_id.is_none() {
                    check_text("承办单位", unit, 100)?;
                } else if unit.chars().count() > 100 {
                    return Err(ApiError::new(ErrorCode::ValidationFailed, "承办单位不能超过100字"));
                }
                if unit_id.is_some_and(|id| id <= 0) {
                    return Err(ApiError::new(ErrorCode::ValidationFailed, "承办单位无效"));
                }
                check_text("拟办意见", proposed_handling, MAX_FORM_TEXT)
            }
            CaseCommand::DepartmentReply { unit_id, result } => {
                if *unit_id <= 0 {
                    return Err(ApiError::new(ErrorCode::ValidationFailed, "承办单位无效"));
                }
                check_text("处理结果", result, MAX_FORM_TEXT)
            }
            CaseCommand::FixPlan { .. } => Ok(()),
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

/// Whether `role` may issue `command` on a case in the state `case`.
/// 复查 is decided by the level above the one that handled the matter, 复核
/// by the level above the reviewer ([`crate::desk::review_decider`]).
pub fn may_issue(role: Role, command: &CaseCommand, case: &Lifecycle) -> bool {
    use CaseCommand::*;
    if let ReviewDecided { .. } = command {
        let decider = crate::desk::review_decider(case.status, case.level);
        return decider.is_some() && crate::desk::role_level(role) == decider;
    }
    match role {
        Role::FieldAgent => command.is_field_action() || matches!(command, Categorise { .. }),
        Role::TownshipStaff => !matches!(command, LeaderOpinion { .. } | LeaderInstruction { .. }),
        Role::TownshipLeader | Role::CountyCentre => true,
        Role::LeagueBureau => matches!(command, LeaderInstruction { .. } | Urge { .. } | FixPlan { .. }),
        Role::FinanceReviewer | Role::Admin => false,
    }
}

/// A matter's handling limit as a command starts it again: the day it
/// counts from and, if it changes, the level whose limit applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitStart {
    pub from: NaiveDate,
    /// `None`: the matter keeps its level.
    pub level: Option<MatterLevel>,
}

/// Whether `cmd`, applied on `on`, starts the matter's handling limit again,
/// and how; `plan_fixed` tells whether a solution plan was fixed before. The one rule for [`apply_to_view`] (which stores the
/// deadline) and for counting a deadline again from the timeline
/// (`case::limit_start`):
/// - 确定解决方案: 30 working days (60 after a consultation, 会商) from the
///   day the plan was fixed, not from intake;
/// - 上报: the higher level's limit from the day it takes the matter, unless
///   a plan was fixed: that plan keeps its 30/60-day limit (seed 001 gives
///   no limit for after 上报);
/// - 复查/复核 finding the claim reasonable (限期化解): a fresh limit at the
///   matter's level from the decision.
pub fn limit_restart(cmd: &CaseCommand, on: NaiveDate, plan_fixed: bool) -> Option<LimitStart> {
    match cmd {
        CaseCommand::FixPlan { fixed_on, consultation } => Some(LimitStart {
            from: *fixed_on,
            level: Some(if *consultation { MatterLevel::MajorComplex } else { MatterLevel::MultiDepartment }),
        }),
        CaseCommand::Escalate { .. } if plan_fixed => None,
        CaseCommand::Escalate { to, .. } => Some(LimitStart { from: on, level: Some(to.matter_level()) }),
        CaseCommand::ReviewDecided { claim_reasonable: true, .. } => Some(LimitStart { from: on, level: None }),
        _ => None,
    }
}

/// The case as it is after `cmd`, applied on `today`: the lifecycle step
/// (or the rule that forbids it) and every form field the command fills.
/// The server stores this; the field app shows it for commands still queued
/// offline, so both agree on what a command does. The agent's name for an
/// assignment is the caller's to fill (only the server knows every user).
pub fn apply_to_view(
    case: &crate::case_view::CaseView,
    cmd: &CaseCommand,
    today: NaiveDate,
    cal: &crate::calendar::Calendar,
) -> Result<crate::case_view::CaseView, TransitionError> {
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
        CaseCommand::FixPlan { fixed_on, .. } => {
            if *fixed_on > today || *fixed_on < case.accepted_on {
                return Err(TransitionError {
                    rule: "plan.date_in_range",
                    message: "确定方案的日期应在受理之后、不晚于今天".to_string(),
                });
            }
            after.plan_fixed_on = Some(*fixed_on);
        }
        CaseCommand::LeaderOpinion { text } => after.leader_opinion = Some(text.clone()),
        CaseCommand::LeaderInstruction { text } => after.leader_instruction = Some(text.clone()),
        CaseCommand::Close { notice, opinion, result, .. } => {
            after.notice_form = Some(*notice);
            after.opinion = Some(*opinion);
            after.result = Some(result.clone());
        }
        _ => {}
    }
    if let Some(LimitStart { from, level }) = limit_restart(cmd, today, case.plan_fixed_on.is_some()) {
        let level = level.unwrap_or(case.level);
        let due = level.due_date(cal, from);
        after.level = level;
        after.due_on = due.value;
        after.due_unscheduled = due.unscheduled;
        after.overdue_since = None;
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

    fn under_review(level: HandlingLevel, reviews: u8) -> Lifecycle {
        let mut l = Lifecycle::new(level);
        l.reviews = reviews;
        l.status = CaseStatus::UnderReview {
            kind: if reviews == 1 {
                crate::lifecycle::ReviewKind::Review
            } else {
                crate::lifecycle::ReviewKind::ReReview
            },
        };
        l
    }

    #[test]
    fn permissions_by_role() {
        let decide = CaseCommand::ReviewDecided { claim_reasonable: false, note: "维持".into() };
        let instruct = CaseCommand::LeaderInstruction { text: "请抓紧办理".into() };
        let village = Lifecycle::new(HandlingLevel::Village);
        assert!(may_issue(Role::FieldAgent, &close(), &village));
        assert!(!may_issue(Role::FieldAgent, &CaseCommand::Archive {}, &village));
        assert!(!may_issue(Role::TownshipStaff, &instruct, &village));
        assert!(may_issue(Role::TownshipLeader, &instruct, &village));
        assert!(!may_issue(Role::FinanceReviewer, &close(), &village));
        assert!(!may_issue(Role::Admin, &CaseCommand::Archive {}, &village));
        // 复查 at the level above the handler; 复核 above the reviewer.
        let cases = [
            (under_review(HandlingLevel::Village, 1), Role::TownshipLeader),
            (under_review(HandlingLevel::Village, 2), Role::CountyCentre),
            (under_review(HandlingLevel::Township, 1), Role::CountyCentre),
            (under_review(HandlingLevel::Township, 2), Role::LeagueBureau),
            (under_review(HandlingLevel::County, 1), Role::LeagueBureau),
        ];
        for (case, decider) in cases {
            for role in Role::ALL {
                assert_eq!(
                    may_issue(role, &decide, &case),
                    role == decider || (decider == Role::TownshipLeader && role == Role::TownshipStaff),
                    "{role:?} deciding {case:?}"
                );
            }
        }
        assert!(!may_issue(Role::TownshipStaff, &decide, &village), "no review under way");
    }

    /// A township matter accepted on 2026-03-02, being handled.
    fn handling_case() -> crate::case_view::CaseView {
        let json = r#"{"id":5,"number":"n","citizen_name":"孟和","summary":"s","stage":"handling","level":"township",
            "channel":"visit","accepted_on":"2026-03-02","due_on":"2026-03-23","due_unscheduled":false,"unit_id":6,
            "unit_name":"u","agent_id":10,"agent_name":"巴特尔","phone":null,"address":null,"rev":1}"#;
        let mut case: crate::case_view::CaseView = serde_json::from_str(json).unwrap();
        case.lifecycle.status = CaseStatus::Handling;
        case
    }

    #[test]
    fn the_plan_date_starts_the_30_and_60_day_limits() {
        let cal = crate::calendar::Calendar::official();
        let mut case = handling_case();
        let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        let fix = CaseCommand::FixPlan { fixed_on: d("2026-03-10"), consultation: false };
        let after = apply_to_view(&case, &fix, d("2026-03-12"), cal).unwrap();
        // 30 working days from Tue 2026-03-10, counting from the 11th:
        // 3 + 5 + 5 + 2 in March = 15; Apr 1–3 = 18; Qingming Sat 04-04 to
        // Mon 04-06 off; Apr 7–10 = 22, 13–17 = 27, 20–22 = 30.
        assert_eq!(after.due_on, d("2026-04-22"));
        assert_eq!(after.level, crate::deadline::MatterLevel::MultiDepartment);
        assert_eq!(after.plan_fixed_on, Some(d("2026-03-10")));
        let major = CaseCommand::FixPlan { fixed_on: d("2026-03-10"), consultation: true };
        let after = apply_to_view(&case, &major, d("2026-03-12"), cal).unwrap();
        assert_eq!(after.level, crate::deadline::MatterLevel::MajorComplex);
        assert_eq!(after.due_on, cal.add_working_days(d("2026-03-10"), 60).value);
        let future = CaseCommand::FixPlan { fixed_on: d("2026-03-13"), consultation: false };
        assert_eq!(apply_to_view(&case, &future, d("2026-03-12"), cal).unwrap_err().rule, "plan.date_in_range");
        let before_intake = CaseCommand::FixPlan { fixed_on: d("2026-03-01"), consultation: false };
        assert!(apply_to_view(&case, &before_intake, d("2026-03-12"), cal).is_err());
        case.lifecycle.status = CaseStatus::Screening;
        assert_eq!(
            apply_to_view(&case, &fix, d("2026-03-12"), cal).unwrap_err().rule,
            "handling_step.only_while_handling"
        );
    }

    #[test]
    fn which_commands_start_the_limit_again() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let on = d("2026-05-06");
        let escalate = CaseCommand::Escalate { to: HandlingLevel::County, cross_region: false, reason: "r".into() };
        assert_eq!(
            limit_restart(&escalate, on, false),
            Some(LimitStart { from: on, level: Some(HandlingLevel::County.matter_level()) })
        );
        assert_eq!(limit_restart(&escalate, on, true), None, "a fixed plan keeps its limit");
        let plan = CaseCommand::FixPlan { fixed_on: d("2026-05-01"), consultation: true };
        for plan_fixed in [false, true] {
            assert_eq!(
                limit_restart(&plan, on, plan_fixed),
                Some(LimitStart { from: d("2026-05-01"), level: Some(MatterLevel::MajorComplex) })
            );
        }
        let reasonable = CaseCommand::ReviewDecided { claim_reasonable: true, note: "n".into() };
        assert_eq!(limit_restart(&reasonable, on, true), Some(LimitStart { from: on, level: None }));
        let upheld = CaseCommand::ReviewDecided { claim_reasonable: false, note: "n".into() };
        assert_eq!(limit_restart(&upheld, on, false), None);
        assert_eq!(limit_restart(&close(), on, false), None);
        assert_eq!(limit_restart(&CaseCommand::Urge { note: "n".into() }, on, false), None);
    }

    #[test]
    fn reporting_up_keeps_a_fixed_plan_s_limit() {
        let cal = crate::calendar::Calendar::official();
        let mut case = handling_case();
        case.lifecycle.level = HandlingLevel::Township;
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let up = CaseCommand::Escalate { to: HandlingLevel::County, cross_region: false, reason: "r".into() };
        let after = apply_to_view(&case, &up, d("2026-03-12"), cal).unwrap();
        assert_eq!(after.level, HandlingLevel::County.matter_level());
        assert_eq!(after.due_on, HandlingLevel::County.matter_level().due_date(cal, d("2026-03-12")).value);
        let fixed = apply_to_view(
            &case,
            &CaseCommand::FixPlan { fixed_on: d("2026-03-10"), consultation: false },
            d("2026-03-11"),
            cal,
        )
        .unwrap();
        let after = apply_to_view(&fixed, &up, d("2026-03-12"), cal).unwrap();
        assert_eq!((after.level, after.due_on), (fixed.level, fixed.due_on));
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
