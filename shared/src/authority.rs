//! Who may act on a case, and who may take it: one rule, used by the server
//! for REST and sync alike (and by the phone to offer only what will pass).
//!
//! Jurisdiction (the unit tree) is decided by the server's scope; this module
//! decides what a person may do to a case that is already in their scope:
//! - the station, the leaders and the levels above act within the role
//!   permissions of [`may_issue`];
//! - a field agent acts only on the matters they handle: those assigned to
//!   them, or a matter they registered themselves at the doorstep (排查) and
//!   that nobody has been assigned to yet — which they may screen, and take on
//!   at the citizen's request. Another agent of the same village sees the
//!   matter in lists (without the citizen's contact details) but may not act
//!   on it, and a matter reassigned to someone else refuses the former agent's
//!   queued changes, naming the new agent;
//! - a visit the former agent recorded *before* the reassignment is kept: it
//!   records work that was really done while the matter was theirs.

use crate::case_view::CaseView;
use crate::command::{may_issue, CaseCommand};
use crate::error::{ApiError, ErrorCode};
use crate::lifecycle::{HandlingLevel, Lifecycle, ScreeningOutcome};
use crate::org::UnitKind;
use crate::org::{AgentKind, Role};
use chrono::NaiveDateTime;

/// The acting user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub id: i64,
    pub role: Role,
}

/// What the rule needs to know about the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handling<'a> {
    /// The workflow state (status, the level now handling the matter …).
    pub lifecycle: &'a Lifecycle,
    /// The assigned agent, if any, and their name (for the refusal).
    pub agent_id: Option<i64>,
    pub agent_name: Option<&'a str>,
    /// Who registered the matter (`None` for matters from before this was kept).
    pub registered_by: Option<i64>,
}

fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::Forbidden, message)
}

impl Handling<'_> {
    fn assigned_to_other_refusal(&self) -> ApiError {
        match self.agent_name {
            Some(name) => forbidden(format!("该事项由{name}代办，您不能办理")),
            None => forbidden("该事项由其他代办员代办，您不能办理"),
        }
    }

    /// A field agent's relation to the case.
    fn agent_may_act(&self, me: i64) -> Result<(), ApiError> {
        match self.agent_id {
            Some(a) if a == me => Ok(()),
            Some(_) => Err(self.assigned_to_other_refusal()),
            None if self.registered_by == Some(me) => Ok(()),
            None => Err(forbidden("该事项尚未指派代办员，须由镇代办站甄别并指派后办理")),
        }
    }
}

/// Whether `actor` may issue `cmd` on a case in their scope.
pub fn may_act(actor: Actor, cmd: &CaseCommand, case: &Handling) -> Result<(), ApiError> {
    if !may_issue(actor.role, cmd, case.lifecycle) {
        return Err(forbidden(format!("{}不能执行“{}”", actor.role.label(), cmd.label())));
    }
    if actor.role != Role::FieldAgent {
        return Ok(());
    }
    case.agent_may_act(actor.id)?;
    // An unassigned matter the agent registered: they may screen it, and
    // (if the citizen chose them) take it on; any other step waits for the
    // assignment.
    if case.agent_id.is_none() {
        match cmd {
            CaseCommand::Screen { .. } | CaseCommand::Contact { .. } | CaseCommand::Categorise { .. } => {}
            _ => return Err(forbidden(format!("事项尚未受理代办，不能“{}”", cmd.label()))),
        }
    }
    // A village agent reports a matter up to its township station ("报本级
    // 代办机构", seed 001); from there the station decides. Only a 三跨三分离
    // matter goes straight to the league from any level.
    if let CaseCommand::Escalate { to, .. } = cmd {
        if *to == case.lifecycle.level {
            return Err(forbidden(format!("只能向上级上报（当前为{}）", case.lifecycle.level.label())));
        }
    }
    if let CaseCommand::Escalate { cross_region: false, .. } = cmd {
        if case.lifecycle.level != HandlingLevel::Village {
            return Err(forbidden(format!(
                "事项已由{}办理，是否继续上报由该级代办机构决定",
                case.lifecycle.level.label()
            )));
        }
    }
    // A field agent who screens and accepts for agency takes the matter on
    // themselves (the citizen chose them at the doorstep); assigning another
    // agent is the station's.
    if let CaseCommand::Screen { outcome: ScreeningOutcome::AcceptAgency { .. }, agent_id: Some(agent), .. } = cmd {
        if *agent != actor.id {
            return Err(forbidden("代办员只能受理由本人代办的事项，指派其他代办员须由镇代办站办理"));
        }
    }
    Ok(())
}

/// Whether `actor` may add a visit record (or a photo) dated `visited_at`
/// (China local time) to a case. `mine_until` is when the case stopped being
/// assigned to the actor, if it ever was and no longer is.
pub fn may_record(
    actor: Actor,
    case: &Handling,
    visited_at: NaiveDateTime,
    mine_until: Option<NaiveDateTime>,
) -> Result<(), ApiError> {
    match actor.role {
        Role::FieldAgent => match case.agent_may_act(actor.id) {
            Ok(()) => Ok(()),
            // Work done while the matter was still theirs is kept.
            Err(_) if mine_until.is_some_and(|until| visited_at <= until) => Ok(()),
            Err(e) => Err(e),
        },
        Role::TownshipStaff | Role::TownshipLeader | Role::CountyCentre => Ok(()),
        Role::LeagueBureau | Role::FinanceReviewer | Role::Admin => {
            Err(forbidden(format!("{}不能添加走访记录", actor.role.label())))
        }
    }
}

/// Whether a user may be given a case (指派 or the citizen's choice): an
/// agent, of the case's unit or a unit above it (`unit paths` as `/1/2/5/`).
pub fn may_take(agent_kind: Option<AgentKind>, agent_unit_path: &str, case_unit_path: &str) -> Result<(), ApiError> {
    if agent_kind.is_none() {
        return Err(ApiError::new(ErrorCode::ValidationFailed, "该用户不是代办员"));
    }
    if !case_unit_path.starts_with(agent_unit_path) {
        return Err(ApiError::new(ErrorCode::ValidationFailed, "只能指派本单位或上级单位的代办员"));
    }
    Ok(())
}

/// Where a desk user sits and where the case is handled now: with
/// [`may_act`], the desk's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<'a> {
    pub actor_unit_id: i64,
    /// Unit paths are `/1/2/5/`: a prefix is an ancestor.
    pub actor_unit_path: &'a str,
    pub actor_unit_kind: UnitKind,
    /// The unit handling the matter now: the one that registered it, or the
    /// one it was reported up to.
    pub handling_unit_path: &'a str,
    pub handling_unit_name: &'a str,
    /// Its kind: a department's (事权单位) matter goes up to the banner's
    /// joint office (seed 002 "上报旗信访联席办").
    pub handling_unit_kind: UnitKind,
    /// The level handling the matter now.
    pub level: HandlingLevel,
    /// Units with a 处置单 on the case, and whether each has answered.
    pub dispositions: &'a [(i64, bool)],
}

/// Whether a desk user at `place` may issue `cmd` (their role's permission
/// is [`may_act`]'s): the unit handling the matter, or a unit above it,
/// acts; a unit below it after a report up (上报) only reads; a competent
/// unit (事权单位) only answers its own 处置单.
pub fn may_act_from(actor: Actor, place: &Place, cmd: &CaseCommand) -> Result<(), ApiError> {
    if actor.role == Role::FieldAgent {
        return match cmd {
            CaseCommand::DepartmentReply { .. } => Err(forbidden("只有承办单位才能回复处理结果")),
            _ => Ok(()),
        };
    }
    if let CaseCommand::DepartmentReply { unit_id, .. } = cmd {
        if *unit_id != place.actor_unit_id {
            return Err(forbidden("只能回复本单位的处置单"));
        }
        return match place.dispositions.iter().find(|(u, _)| u == unit_id) {
            None => Err(forbidden("该事项没有流转至本单位")),
            Some((_, true)) => Err(forbidden("本单位已回复处理结果")),
            Some((_, false)) => Ok(()),
        };
    }
    if place.actor_unit_kind == UnitKind::Department && !place.handling_unit_path.starts_with(place.actor_unit_path) {
        return Err(forbidden("承办单位只能回复流转至本单位的处置单"));
    }
    if !place.handling_unit_path.starts_with(place.actor_unit_path) {
        return Err(forbidden(format!("该事项已上报{}办理，本单位只能查看", place.handling_unit_name)));
    }
    if let CaseCommand::Escalate { to, .. } = cmd {
        // A banner department's matter goes to the banner's joint office
        // (旗信访联席办, at the banner centre) and nowhere else; any other
        // matter goes to a level above (the lifecycle checks which).
        let at_department = place.handling_unit_kind == UnitKind::Department;
        if at_department && *to != place.level {
            return Err(forbidden("承办部门的事项上报旗信访联席办（旗县代办中心）"));
        }
        if !at_department && *to == place.level {
            return Err(forbidden(format!("只能向上级上报（当前为{}）", place.level.label())));
        }
    }
    if let CaseCommand::Transfer { unit_id: Some(unit), .. } = cmd {
        if place.dispositions.iter().any(|(u, answered)| u == unit && !answered) {
            return Err(forbidden("已流转至该单位，尚未回复，不能重复流转"));
        }
    }
    Ok(())
}

/// Where a 上报 of a matter handled at `level` goes: a department's matter
/// (`at_department`) to the banner's joint office (same level); any other
/// one level up, or a 三跨三分离 matter (`cross_region`) straight to the
/// league. The desk's and the phone's forms and `desk_commands` ask this.
pub fn escalation_target(at_department: bool, level: HandlingLevel, cross_region: bool) -> HandlingLevel {
    if at_department {
        level
    } else if cross_region {
        HandlingLevel::City
    } else {
        level.above().unwrap_or(HandlingLevel::City)
    }
}

/// The commands (`CaseCommand::kind`) a desk user may issue on `case` now,
/// by the lifecycle, the role and the place: the desk shows these buttons.
pub fn desk_commands(actor: Actor, place: &Place, case: &CaseView) -> Vec<&'static str> {
    use crate::lifecycle::{NoticeForm, Opinion};
    use crate::vocab::VisitMethod;
    let handling = Handling {
        lifecycle: &case.lifecycle,
        agent_id: case.agent_id,
        agent_name: case.agent_name.as_deref(),
        registered_by: case.registered_by,
    };
    let note = String::new;
    let examples = [
        CaseCommand::Screen { outcome: ScreeningOutcome::DirectAnswer, agent_id: None, note: note() },
        CaseCommand::Assign { agent_id: 1, chosen_by_citizen: false },
        CaseCommand::Categorise { category: crate::routing::ContentCategory::ALL[0] },
        // A unit named: the lifecycle refuses a transfer to no unit.
        CaseCommand::Transfer { unit: "承办单位".to_string(), unit_id: None, proposed_handling: note() },
        CaseCommand::DepartmentReply { unit_id: place.actor_unit_id, result: note() },
        CaseCommand::FixPlan { fixed_on: case.accepted_on, consultation: false },
        CaseCommand::LeaderOpinion { text: note() },
        CaseCommand::LeaderInstruction { text: note() },
        CaseCommand::Urge { note: note() },
        CaseCommand::Escalate {
            to: escalation_target(place.handling_unit_kind == UnitKind::Department, place.level, false),
            cross_region: false,
            reason: note(),
        },
        CaseCommand::Contact { method: VisitMethod::Phone, note: note() },
        CaseCommand::Close {
            method: VisitMethod::Phone,
            notice: NoticeForm::Oral,
            opinion: Opinion::Satisfied,
            result: note(),
        },
        CaseCommand::RequestReview { note: note() },
        CaseCommand::ReviewDecided { claim_reasonable: false, note: note() },
        CaseCommand::AcceptOutcome {},
        CaseCommand::FollowUp { method: VisitMethod::Phone, resolved: true, note: note() },
        CaseCommand::Archive {},
    ];
    examples
        .iter()
        .filter(|cmd| {
            cmd.plan(&case.lifecycle).is_ok()
                && may_act(actor, cmd, &handling).is_ok()
                && may_act_from(actor, place, cmd).is_ok()
        })
        .map(|cmd| cmd.kind())
        .collect()
}

crate::code_enum! {
    /// The forms a field agent can open on a case (the phone's actions).
    pub enum FieldAction {
        Visit = "visit" => "走访记录",
        Contact = "contact" => "进度沟通",
        Screen = "screen" => "甄别受理",
        Close = "close" => "办结反馈",
        RequestReview = "request_review" => "申请复查/复核",
        AcceptOutcome = "accept_outcome" => "事项终结",
        FollowUp = "follow_up" => "终结回访",
        /// Report the matter to the level above (三级代办: the village
        /// point cannot resolve it; 三跨三分离 straight to the league).
        Escalate = "escalate" => "上报",
    }
}

impl FieldAction {
    /// The form that issues `c` (to redo a refused one).
    pub fn of(c: &CaseCommand) -> Option<FieldAction> {
        Some(match c {
            CaseCommand::Contact { .. } => FieldAction::Contact,
            CaseCommand::Screen { .. } => FieldAction::Screen,
            CaseCommand::Close { .. } => FieldAction::Close,
            CaseCommand::RequestReview { .. } => FieldAction::RequestReview,
            CaseCommand::AcceptOutcome {} => FieldAction::AcceptOutcome,
            CaseCommand::FollowUp { .. } => FieldAction::FollowUp,
            CaseCommand::Escalate { .. } => FieldAction::Escalate,
            _ => return None,
        })
    }

    /// A command of this kind, for asking the lifecycle and the authority
    /// rule whether the kind is possible now (its texts do not matter).
    fn representative(self, case: &CaseView) -> Option<CaseCommand> {
        use crate::lifecycle::{NoticeForm, Opinion};
        use crate::vocab::VisitMethod;
        let note = String::new();
        Some(match self {
            FieldAction::Visit => return None,
            FieldAction::Contact => CaseCommand::Contact { method: VisitMethod::Phone, note },
            FieldAction::Screen => {
                CaseCommand::Screen { outcome: ScreeningOutcome::DirectAnswer, agent_id: None, note }
            }
            FieldAction::Close => CaseCommand::Close {
                method: VisitMethod::Phone,
                notice: NoticeForm::Oral,
                opinion: Opinion::Satisfied,
                result: note,
            },
            FieldAction::RequestReview => CaseCommand::RequestReview { note },
            FieldAction::AcceptOutcome => CaseCommand::AcceptOutcome {},
            FieldAction::FollowUp => CaseCommand::FollowUp { method: VisitMethod::Phone, resolved: true, note },
            FieldAction::Escalate => CaseCommand::Escalate {
                to: case.lifecycle.level.above().unwrap_or(HandlingLevel::City),
                cross_region: false,
                reason: note,
            },
        })
    }
}

/// The field actions `actor` may take on `case` now (`now`: China local
/// time), by the lifecycle and this module's rules; and, if some were
/// withheld from this user by authority (not by the case's state), why.
pub fn field_actions(actor: Actor, case: &CaseView, now: NaiveDateTime) -> (Vec<FieldAction>, Option<String>) {
    let handling = Handling {
        lifecycle: &case.lifecycle,
        agent_id: case.agent_id,
        agent_name: case.agent_name.as_deref(),
        registered_by: case.registered_by,
    };
    let mut out = Vec::new();
    let mut why = None;
    for action in FieldAction::ALL {
        let allowed = match action.representative(case) {
            None => {
                if !case.stage.accepts_records() || case.id <= 0 {
                    continue;
                }
                may_record(actor, &handling, now, None)
            }
            Some(cmd) => {
                if cmd.plan(&case.lifecycle).is_err() {
                    continue;
                }
                may_act(actor, &cmd, &handling)
            }
        };
        match allowed {
            Ok(()) => out.push(action),
            Err(e) => {
                why.get_or_insert(e.message);
            }
        }
    }
    (out, why)
}

/// Whether a role answers citizens' complaints about the service (the
/// station, its leaders and the county centre; the agent complained about
/// does not answer for themself).
pub fn may_answer_complaint(role: Role) -> bool {
    matches!(role, Role::TownshipStaff | Role::TownshipLeader | Role::CountyCentre)
}

/// How long a session lasts: `(absolute, idle)` in hours.
///
/// Field agents' phones work offline for days, and since a phone holds the
/// citizens' private details only for the matters its user handles, their
/// sessions last 30 days but end after 7 days without any request (the phone
/// keeps unsent records; the agent signs in again to send them). Every other
/// role works at a desk online and reads private details on demand: their
/// sessions end after 12 hours, or 2 hours idle.
pub fn session_hours(role: Role) -> (i64, i64) {
    match role {
        Role::FieldAgent => (30 * 24, 7 * 24),
        _ => (12, 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::{NoticeForm, Opinion};
    use crate::vocab::VisitMethod;

    const ME: i64 = 10;
    const OTHER: i64 = 11;

    fn close() -> CaseCommand {
        CaseCommand::Close {
            method: VisitMethod::InPerson,
            notice: NoticeForm::Oral,
            opinion: Opinion::Satisfied,
            result: "已解决".into(),
        }
    }

    fn accept(agent: i64) -> CaseCommand {
        CaseCommand::Screen {
            outcome: ScreeningOutcome::AcceptAgency { agent_chosen_by_citizen: true },
            agent_id: Some(agent),
            note: "受理".into(),
        }
    }

    static VILLAGE: std::sync::LazyLock<Lifecycle> =
        std::sync::LazyLock::new(|| Lifecycle::new(HandlingLevel::Village));

    fn case(agent: Option<i64>, registered_by: Option<i64>) -> Handling<'static> {
        Handling { lifecycle: &VILLAGE, agent_id: agent, agent_name: agent.map(|_| "李秀兰"), registered_by }
    }

    fn agent() -> Actor {
        Actor { id: ME, role: Role::FieldAgent }
    }

    /// role × command × relation → allowed? (the authorisation matrix).
    #[test]
    fn matrix() {
        let station = Actor { id: 1, role: Role::TownshipStaff };
        let rows: Vec<(Actor, CaseCommand, Handling, bool)> = vec![
            (agent(), close(), case(Some(ME), None), true),
            (agent(), close(), case(Some(OTHER), None), false),
            (agent(), close(), case(None, Some(OTHER)), false),
            (agent(), close(), case(None, Some(ME)), false),
            (agent(), accept(ME), case(None, Some(ME)), true),
            (agent(), accept(ME), case(None, Some(OTHER)), false),
            (agent(), accept(ME), case(None, None), false),
            (agent(), accept(OTHER), case(None, Some(ME)), false),
            (station, accept(OTHER), case(None, None), true),
            (station, close(), case(Some(OTHER), None), true),
            (Actor { id: 2, role: Role::Admin }, close(), case(None, None), false),
        ];
        for (i, (actor, cmd, h, allowed)) in rows.iter().enumerate() {
            assert_eq!(may_act(*actor, cmd, h).is_ok(), *allowed, "row {i}: {actor:?} {cmd:?} {h:?}");
        }
    }

    #[test]
    fn reassigned_refusal_names_the_new_agent() {
        let e = may_act(agent(), &close(), &case(Some(OTHER), None)).unwrap_err();
        assert_eq!(e.code, ErrorCode::Forbidden);
        assert_eq!(e.message, "该事项由李秀兰代办，您不能办理");
    }

    #[test]
    fn visits_before_a_reassignment_are_kept() {
        let at = |h: u32| chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap().and_hms_opt(h, 0, 0).unwrap();
        let h = case(Some(OTHER), None);
        assert!(may_record(agent(), &h, at(9), Some(at(10))).is_ok());
        assert!(may_record(agent(), &h, at(11), Some(at(10))).is_err());
        assert!(may_record(agent(), &h, at(9), None).is_err());
        assert!(may_record(agent(), &case(Some(ME), None), at(9), None).is_ok());
        assert!(may_record(Actor { id: 3, role: Role::LeagueBureau }, &h, at(9), None).is_err());
    }

    #[test]
    fn who_may_take() {
        assert!(may_take(Some(AgentKind::GridWorker), "/1/2/3/", "/1/2/3/9/").is_ok());
        assert!(may_take(None, "/1/2/3/", "/1/2/3/9/").is_err());
        assert!(may_take(Some(AgentKind::GridWorker), "/1/2/4/", "/1/2/3/9/").is_err());
    }

    #[test]
    fn field_actions_follow_state_and_authority() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap().and_hms_opt(9, 0, 0).unwrap();
        let json = r#"{"id":5,"number":"n","citizen_name":"孟和","summary":"s","stage":"handling","level":"village",
            "channel":"visit","accepted_on":"2026-11-18","due_on":"2026-11-25","due_unscheduled":false,"unit_id":6,
            "unit_name":"u","agent_id":10,"agent_name":"巴特尔","phone":null,"address":null,"rev":1}"#;
        let mut case: CaseView = serde_json::from_str(json).unwrap();
        case.lifecycle = crate::lifecycle::Lifecycle::new(HandlingLevel::Village)
            .apply(&crate::lifecycle::CaseEvent::Screen {
                outcome: ScreeningOutcome::AcceptAgency { agent_chosen_by_citizen: false },
            })
            .unwrap();
        let (mine, why) = field_actions(agent(), &case, now);
        assert_eq!(mine, vec![FieldAction::Visit, FieldAction::Contact, FieldAction::Close, FieldAction::Escalate]);
        assert_eq!(why, None);
        assert_eq!(
            FieldAction::of(&CaseCommand::Escalate {
                to: HandlingLevel::Township,
                cross_region: false,
                reason: String::new()
            }),
            Some(FieldAction::Escalate)
        );
        // Reported up to the township: the station decides any further report.
        let mut up = case.clone();
        up.lifecycle = case
            .lifecycle
            .apply(&crate::lifecycle::CaseEvent::Escalate { to: HandlingLevel::Township, cross_region: false })
            .unwrap();
        let (after, why) = field_actions(agent(), &up, now);
        assert!(!after.contains(&FieldAction::Escalate), "{after:?}");
        assert_eq!(why.as_deref(), Some("事项已由苏木镇办理，是否继续上报由该级代办机构决定"));
        let cross = CaseCommand::Escalate { to: HandlingLevel::City, cross_region: true, reason: "跨地区".into() };
        let h = Handling { lifecycle: &up.lifecycle, agent_id: Some(ME), agent_name: None, registered_by: None };
        assert!(may_act(agent(), &cross, &h).is_ok(), "三跨三分离 goes to the league from any level");
        let other = Actor { id: OTHER, role: Role::FieldAgent };
        let (theirs, why) = field_actions(other, &case, now);
        assert!(theirs.is_empty());
        assert_eq!(why.as_deref(), Some("该事项由巴特尔代办，您不能办理"));
        assert_eq!(FieldAction::of(&close()), Some(FieldAction::Close));
    }

    #[test]
    fn after_a_report_up_the_lower_unit_reads_and_departments_answer_their_own_form() {
        let station = Actor { id: 1, role: Role::TownshipStaff };
        let centre = Actor { id: 2, role: Role::CountyCentre };
        let urge = CaseCommand::Urge { note: "请尽快".into() };
        let escalated = Place {
            actor_unit_id: 3,
            actor_unit_path: "/1/2/3/",
            actor_unit_kind: UnitKind::Township,
            handling_unit_path: "/1/2/",
            handling_unit_name: "阿拉善左旗",
            handling_unit_kind: UnitKind::Banner,
            level: HandlingLevel::County,
            dispositions: &[],
        };
        assert_eq!(
            may_act_from(station, &escalated, &urge).unwrap_err().message,
            "该事项已上报阿拉善左旗办理，本单位只能查看"
        );
        let banner =
            Place { actor_unit_id: 2, actor_unit_path: "/1/2/", actor_unit_kind: UnitKind::Banner, ..escalated };
        assert!(may_act_from(centre, &banner, &urge).is_ok());
        let at_village = Place { handling_unit_path: "/1/2/3/9/", ..escalated };
        assert!(may_act_from(station, &at_village, &urge).is_ok());
        let reply = |unit| CaseCommand::DepartmentReply { unit_id: unit, result: "已发放".into() };
        let dept = Place {
            actor_unit_id: 7,
            actor_unit_path: "/1/2/7/",
            actor_unit_kind: UnitKind::Department,
            handling_unit_path: "/1/2/3/9/",
            handling_unit_name: "巴彦浩特嘎查",
            handling_unit_kind: UnitKind::Village,
            level: HandlingLevel::Village,
            dispositions: &[(7, false), (8, true)],
        };
        assert!(may_act_from(station, &dept, &reply(7)).is_ok());
        assert!(may_act_from(station, &dept, &reply(8)).is_err(), "another unit's form");
        assert!(may_act_from(station, &Place { actor_unit_id: 8, ..dept }, &reply(8)).is_err(), "answered already");
        assert!(may_act_from(station, &dept, &urge).is_err(), "a department only answers");
        assert!(may_act_from(station, &at_village, &reply(3)).is_err());
        let again = CaseCommand::Transfer { unit: String::new(), unit_id: Some(7), proposed_handling: "x".into() };
        assert!(may_act_from(station, &Place { dispositions: &[(7, false)], ..at_village }, &again).is_err());
        assert!(may_act_from(station, &Place { dispositions: &[(7, true)], ..at_village }, &again).is_ok());

        // 上报: a department's own matter to the banner's joint office only.
        let own = Place {
            actor_unit_id: 7,
            actor_unit_path: "/1/2/7/",
            actor_unit_kind: UnitKind::Department,
            handling_unit_path: "/1/2/7/",
            handling_unit_name: "自然资源局",
            handling_unit_kind: UnitKind::Department,
            level: HandlingLevel::County,
            dispositions: &[],
        };
        let up = |to, cross_region| CaseCommand::Escalate { to, cross_region, reason: "三跨三分离".into() };
        assert_eq!(
            escalation_target(own.handling_unit_kind == UnitKind::Department, own.level, true),
            HandlingLevel::County
        );
        assert!(may_act_from(station, &own, &up(HandlingLevel::County, true)).is_ok());
        assert_eq!(
            may_act_from(station, &own, &up(HandlingLevel::City, true)).unwrap_err().message,
            "承办部门的事项上报旗信访联席办（旗县代办中心）"
        );
        // The banner's own matter goes up a level, not to itself.
        assert!(may_act_from(centre, &banner, &up(HandlingLevel::County, true)).is_err());
        assert_eq!(
            escalation_target(banner.handling_unit_kind == UnitKind::Department, banner.level, false),
            HandlingLevel::City
        );
        assert_eq!(
            escalation_target(dept.handling_unit_kind == UnitKind::Department, dept.level, false),
            HandlingLevel::Township,
            "a village matter"
        );
        assert_eq!(
            escalation_target(dept.handling_unit_kind == UnitKind::Department, dept.level, true),
            HandlingLevel::City
        );
    }

    #[test]
    fn complaints_are_answered_by_the_station_and_above() {
        assert!(may_answer_complaint(Role::TownshipStaff) && may_answer_complaint(Role::CountyCentre));
        assert!(!may_answer_complaint(Role::FieldAgent) && !may_answer_complaint(Role::Admin));
    }

    #[test]
    fn desk_sessions_are_short() {
        assert!(session_hours(Role::FieldAgent).0 >= 24 * 7);
        assert!(session_hours(Role::CountyCentre).0 <= 12);
        for r in Role::ALL {
            let (abs, idle) = session_hours(r);
            assert!(idle <= abs);
        }
    }
}
