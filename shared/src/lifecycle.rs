//! The case lifecycle as a typed state machine (DOMAIN.md "The five stages").
//!
//! ```text
//! Screening ──Screen(DirectAnswer)──────────────▶ Answered ─────────────┐
//!     │      ─Screen(LegalRoute|Declined|NotTaken)▶ Redirected ──────────┤
//!     └─Screen(AcceptAgency)─▶ Handling ◀─┐ (Transfer, Urge, Escalate)   │
//!                                │        └── Review/ReReview upheld the  │
//!                                │            citizen: handle again       │
//!                                ▼ Close{opinion}                        │
//!                     Closed{opinion} ──RequestReview (dissatisfied)──▶ UnderReview
//!                                │  (satisfied / AcceptOutcome)          │
//!                                ▼                                       │
//!                     AwaitingFollowUp ──FollowUp{resolved}──▶ FollowedUp ┤
//!                                                                        ▼ Archive
//!                                                                     Archived
//! ```
//!
//! Every illegal event returns a [`TransitionError`] naming the rule it broke.

use crate::vocab::Stage;
use serde::{Deserialize, Serialize};

crate::code_enum! {
    /// Routes the law provides instead of petitioning (法定途径).
    pub enum LegalRoute {
        Litigation = "litigation" => "诉讼",
        Arbitration = "arbitration" => "仲裁",
        AdministrativeReconsideration = "administrative_reconsideration" => "行政复议",
    }
}

crate::code_enum! {
    /// Why a matter is not taken for agency (不予代办).
    pub enum NotTakenReason {
        UnreasonableAfterDueProcess = "unreasonable_after_due_process" => "已落实“三到位一处理”仍非法、无理上访",
        ConcludedThreeLevels = "concluded_three_levels" => "已三级终结",
        AlreadyBeingHandled = "already_being_handled" => "正在办理中",
        InJudicialProceedings = "in_judicial_proceedings" => "已进入司法程序",
    }
}

/// The outcome of screening (甄别受理).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScreeningOutcome {
    /// 直接答复: answered on the spot; the matter is done.
    DirectAnswer,
    /// 告知法定途径: the citizen is told the legal route and it is explained.
    LegalRoute { route: LegalRoute },
    /// 受理代办: accepted; the station assigns an agent or the citizen picks one.
    AcceptAgency { agent_chosen_by_citizen: bool },
    /// 不愿代办: the citizen declines agency; guided to the reception window
    /// or the competent unit.
    CitizenDeclined,
    /// 不予代办, with its reason. For matters not yet in court, or stuck at
    /// enforcement, the agent may still help coordinate and accompany.
    NotTaken { reason: NotTakenReason },
}

impl ScreeningOutcome {
    pub fn label(self) -> String {
        match self {
            ScreeningOutcome::DirectAnswer => "直接答复".to_string(),
            ScreeningOutcome::LegalRoute { route } => format!("告知法定途径（{}）", route.label()),
            ScreeningOutcome::AcceptAgency { .. } => "受理代办".to_string(),
            ScreeningOutcome::CitizenDeclined => "不愿代办".to_string(),
            ScreeningOutcome::NotTaken { reason } => format!("不予代办（{}）", reason.label()),
        }
    }
}

crate::code_enum! {
    /// The citizen's opinion of the result (信访人意见).
    pub enum Opinion {
        Satisfied = "satisfied" => "满意",
        FairlySatisfied = "fairly_satisfied" => "比较满意",
        Understanding = "understanding" => "理解",
        Dissatisfied = "dissatisfied" => "不满意",
    }
}

impl Opinion {
    /// Counts towards the satisfaction rate (满意 and 比较满意).
    pub fn is_satisfied(self) -> bool {
        matches!(self, Opinion::Satisfied | Opinion::FairlySatisfied)
    }
}

crate::code_enum! {
    /// How the result was told to the citizen (告知方式).
    pub enum NoticeForm {
        Oral = "oral" => "口头告知",
        Written = "written" => "书面告知",
    }
}

crate::code_enum! {
    /// The level that handles a matter; escalation (上报) goes up these.
    pub enum HandlingLevel {
        Village = "village" => "嘎查村",
        Township = "township" => "苏木镇",
        County = "county" => "旗县代办中心",
        City = "city" => "盟市",
    }
}

impl HandlingLevel {
    /// The time limit that applies once a matter is escalated to this level:
    /// a village matter 5 working days, a township's or county department's
    /// 15, and a matter the city takes up is by nature one needing several
    /// departments (30 after the plan is fixed).
    pub fn matter_level(self) -> crate::deadline::MatterLevel {
        use crate::deadline::MatterLevel;
        match self {
            HandlingLevel::Village => MatterLevel::Village,
            HandlingLevel::Township | HandlingLevel::County => MatterLevel::Township,
            HandlingLevel::City => MatterLevel::MultiDepartment,
        }
    }

    /// The next level up, if any.
    pub fn above(self) -> Option<HandlingLevel> {
        match self {
            HandlingLevel::Village => Some(HandlingLevel::Township),
            HandlingLevel::Township => Some(HandlingLevel::County),
            HandlingLevel::County => Some(HandlingLevel::City),
            HandlingLevel::City => None,
        }
    }
}

crate::code_enum! {
    /// Review at the level above (复查), then re-review (复核).
    pub enum ReviewKind {
        Review = "review" => "复查",
        ReReview = "re_review" => "复核",
    }
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CaseStatus {
    /// 甄别受理中
    Screening,
    /// 直接答复, done at screening.
    Answered,
    /// Not taken for agency (legal route, declined, not taken), done at screening.
    Redirected { outcome: ScreeningOutcome },
    /// 事项办理中
    Handling,
    /// 已办结: the result was told and the opinion recorded.
    Closed { opinion: Opinion },
    /// 复查 / 复核 under way at the level above.
    UnderReview { kind: ReviewKind },
    /// 已终结, waiting for the follow-up visit (回访, within 15 days).
    AwaitingFollowUp,
    /// 已回访: `resolved` = 息诉罢访 confirmed.
    FollowedUp { resolved: bool },
    /// 已归档
    Archived,
}

impl CaseStatus {
    /// The workflow stage this status belongs to.
    pub fn stage(self) -> Stage {
        match self {
            CaseStatus::Screening => Stage::Screening,
            CaseStatus::Handling => Stage::Handling,
            CaseStatus::Closed { .. } | CaseStatus::UnderReview { .. } => Stage::Feedback,
            CaseStatus::AwaitingFollowUp | CaseStatus::FollowedUp { .. } => Stage::FollowUp,
            CaseStatus::Answered | CaseStatus::Redirected { .. } => Stage::Screening,
            CaseStatus::Archived => Stage::Archived,
        }
    }

    /// The stored text (the column queries filter on), e.g. `handling`.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Screening => "screening",
            CaseStatus::Answered => "answered",
            CaseStatus::Redirected { .. } => "redirected",
            CaseStatus::Handling => "handling",
            CaseStatus::Closed { .. } => "closed",
            CaseStatus::UnderReview { .. } => "under_review",
            CaseStatus::AwaitingFollowUp => "awaiting_follow_up",
            CaseStatus::FollowedUp { .. } => "followed_up",
            CaseStatus::Archived => "archived",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::Screening => "待甄别",

            CaseStatus::Answered => "已直接答复",
            CaseStatus::Redirected { .. } => "未代办",
            CaseStatus::Handling => "办理中",
            CaseStatus::Closed { .. } => "已办结",
            CaseStatus::UnderReview { kind: ReviewKind::Review } => "复查中",
            CaseStatus::UnderReview { kind: ReviewKind::ReReview } => "复核中",
            CaseStatus::AwaitingFollowUp => "待回访",
            CaseStatus::FollowedUp { resolved: true } => "已化解",
            CaseStatus::FollowedUp { resolved: false } => "已回访未化解",
            CaseStatus::Archived => "已归档",
        }
    }
}

/// Something that happens to a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CaseEvent {
    /// The screening outcome is recorded.
    Screen { outcome: ScreeningOutcome },
    /// 流转: handed to a competent unit with a 处置单.
    Transfer { unit: String },
    /// 催办: the agent urges the competent unit.
    Urge,
    /// 上报: reported up. `cross_region` (三跨三分离) may go straight to the city.
    Escalate { to: HandlingLevel, cross_region: bool },
    /// 办结反馈: the result is told to the citizen and the opinion recorded.
    Close { notice: NoticeForm, opinion: Opinion },
    /// A dissatisfied citizen applies for 复查 (first) or 复核 (after a review).
    RequestReview,
    /// The upper level decides: `claim_reasonable` sends the matter back to be
    /// resolved within a limit and triggers 一案双查.
    ReviewDecided { claim_reasonable: bool },
    /// The citizen accepts the outcome (or gives up further review): concluded.
    AcceptOutcome,
    /// 终结回访: `resolved` = the citizen confirms 息诉罢访.
    FollowUp { resolved: bool },
    /// 整理归档
    Archive,
}

/// A refused transition: which rule, and a Chinese message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionError {
    /// A stable rule id, e.g. `close.only_while_handling`.
    pub rule: &'static str,
    pub message: String,
}

impl std::fmt::Display for TransitionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}（规则 {}）", self.message, self.rule)
    }
}

impl std::error::Error for TransitionError {}

fn refuse(rule: &'static str, message: impl Into<String>) -> TransitionError {
    TransitionError { rule, message: message.into() }
}

/// A case's workflow state: status plus the facts the rules depend on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Lifecycle {
    pub status: CaseStatus,
    /// The level handling the matter now.
    pub level: HandlingLevel,
    pub transfers: u32,
    pub urges: u32,
    /// Reviews requested so far (0, 1 = 复查, 2 = 复核).
    pub reviews: u8,
    /// 一案双查: an upper level found the citizen's claim reasonable.
    pub double_check: bool,
    /// The matter went through 办结反馈 (or ended at screening).
    pub passed_closure: bool,
    /// The last opinion recorded.
    pub opinion: Option<Opinion>,
    /// 息诉罢访 confirmed at follow-up.
    pub resolved: bool,
}

impl Lifecycle {
    /// The state of a case known only by its stage (rows written before the
    /// lifecycle was stored): the plainest state of that stage.
    pub fn from_stage(stage: Stage, level: HandlingLevel) -> Lifecycle {
        let mut l = Lifecycle::new(level);
        match stage {
            Stage::Screening => {}
            Stage::Handling => l.status = CaseStatus::Handling,
            Stage::Feedback => {
                l.status = CaseStatus::Closed { opinion: Opinion::Dissatisfied };
                l.opinion = Some(Opinion::Dissatisfied);
                l.passed_closure = true;
            }
            Stage::FollowUp => {
                l.status = CaseStatus::AwaitingFollowUp;
                l.passed_closure = true;
            }
            Stage::Archived => {
                l.status = CaseStatus::Archived;
                l.passed_closure = true;
            }
        }
        l
    }

    /// A new matter under screening at `level`.
    pub fn new(level: HandlingLevel) -> Self {
        Lifecycle {
            status: CaseStatus::Screening,
            level,
            transfers: 0,
            urges: 0,
            reviews: 0,
            double_check: false,
            passed_closure: false,
            opinion: None,
            resolved: false,
        }
    }

    pub fn stage(&self) -> Stage {
        self.status.stage()
    }

    /// Applies an event, or says which rule forbids it. Pure: `self` is unchanged.
    pub fn apply(&self, event: &CaseEvent) -> Result<Lifecycle, TransitionError> {
        let mut next = self.clone();
        let status = self.status;
        match (status, event) {
            (CaseStatus::Archived, _) => {
                return Err(refuse("archived.final", "事项已归档，不能再变更"));
            }
            (CaseStatus::Screening, CaseEvent::Screen { outcome }) => {
                next.status = match outcome {
                    ScreeningOutcome::DirectAnswer => {
                        next.passed_closure = true;
                        CaseStatus::Answered
                    }
                    ScreeningOutcome::AcceptAgency { .. } => CaseStatus::Handling,
                    other => {
                        next.passed_closure = true;
                        CaseStatus::Redirected { outcome: *other }
                    }
                };
            }
            (_, CaseEvent::Screen { .. }) => {
                return Err(refuse("screen.only_in_screening", "只有待甄别的事项才能登记甄别结果"));
            }
            (CaseStatus::Handling, CaseEvent::Transfer { unit }) => {
                if unit.trim().is_empty() {
                    return Err(refuse("transfer.unit_required", "请填写承办单位"));
                }
                next.transfers += 1;
            }
            (_, CaseEvent::Transfer { .. }) => {
                return Err(refuse("transfer.only_while_handling", "只有办理中的事项才能流转"));
            }
            // 催办 wherever the clock runs (Stage::deadline_applies): a matter
            // waiting too long for screening is urged like one being handled.
            (CaseStatus::Screening | CaseStatus::Handling, CaseEvent::Urge) => next.urges += 1,
            (_, CaseEvent::Urge) => {
                return Err(refuse("urge.only_while_clock_runs", "只有甄别中或办理中的事项才能催办"))
            }
            (CaseStatus::Handling, CaseEvent::Escalate { to, cross_region }) => {
                let Some(above) = self.level.above() else {
                    return Err(refuse("escalate.top_level", "已在盟市层级，不能再上报"));
                };
                // At the county level a matter may also go to the banner's
                // joint office (旗信访联席办) without changing level: a
                // banner department's matter (seed 002); who may send it
                // there is `authority::may_act_from`'s.
                let joint_office = *to == self.level && self.level == HandlingLevel::County;
                if *to < self.level || (*to == self.level && !joint_office) {
                    return Err(refuse(
                        "escalate.must_go_up",
                        format!("只能向上级上报（当前为{}）", self.level.label()),
                    ));
                }
                if *to != above && !joint_office && !(*cross_region && *to == HandlingLevel::City) {
                    return Err(refuse(
                        "escalate.one_level_at_a_time",
                        format!("应逐级上报至{}；跨地区、跨部门事项（三跨三分离）可直接上报盟市", above.label()),
                    ));
                }
                next.level = *to;
            }
            (_, CaseEvent::Escalate { .. }) => {
                return Err(refuse("escalate.only_while_handling", "只有办理中的事项才能上报"));
            }
            (CaseStatus::Handling, CaseEvent::Close { opinion, .. }) => {
                next.status = CaseStatus::Closed { opinion: *opinion };
                next.opinion = Some(*opinion);
                next.passed_closure = true;
            }
            (_, CaseEvent::Close { .. }) => {
                return Err(refuse("close.only_while_handling", "只有办理中的事项才能办结反馈"));
            }
            (CaseStatus::Closed { opinion: Opinion::Dissatisfied }, CaseEvent::RequestReview) => {
                let kind = match self.reviews {
                    0 => ReviewKind::Review,
                    1 => ReviewKind::ReReview,
                    _ => {
                        return Err(refuse("review.at_most_twice", "已经过复查、复核，不能再申请"));
                    }
                };
                next.reviews += 1;
                next.status = CaseStatus::UnderReview { kind };
            }
            (_, CaseEvent::RequestReview) => {
                return Err(refuse("review.only_when_dissatisfied", "只有对办结结果不满意的才能申请复查、复核"));
            }
            (CaseStatus::UnderReview { .. }, CaseEvent::ReviewDecided { claim_reasonable }) => {
                if *claim_reasonable {
                    // 限期化解, and the matter and its handling are investigated.
                    next.double_check = true;
                    next.status = CaseStatus::Handling;
                } else {
                    next.status = CaseStatus::Closed { opinion: Opinion::Dissatisfied };
                }
            }
            (_, CaseEvent::ReviewDecided { .. }) => {
                return Err(refuse("review_decided.only_under_review", "事项不在复查、复核中"));
            }
            (CaseStatus::Closed { .. }, CaseEvent::AcceptOutcome) => next.status = CaseStatus::AwaitingFollowUp,
            (_, CaseEvent::AcceptOutcome) => return Err(refuse("accept.only_when_closed", "只有已办结的事项才能终结")),
            (CaseStatus::AwaitingFollowUp, CaseEvent::FollowUp { resolved }) => {
                next.status = CaseStatus::FollowedUp { resolved: *resolved };
                next.resolved = *resolved;
            }
            (_, CaseEvent::FollowUp { .. }) => {
                return Err(refuse("follow_up.only_after_conclusion", "只有已终结的事项才能回访"));
            }
            (
                CaseStatus::Answered | CaseStatus::Redirected { .. } | CaseStatus::FollowedUp { .. },
                CaseEvent::Archive,
            ) => {
                next.status = CaseStatus::Archived;
            }
            (_, CaseEvent::Archive) => {
                return Err(refuse("archive.only_when_finished", "事项办结、回访后才能归档"));
            }
        }
        // A satisfied (or understanding) opinion concludes the matter at once.
        if let CaseStatus::Closed { opinion } = next.status {
            if opinion != Opinion::Dissatisfied {
                next.status = CaseStatus::AwaitingFollowUp;
            }
        }
        Ok(next)
    }

    /// Whether the matter counts as closed (办结) for the closure rate.
    pub fn is_closed(&self) -> bool {
        self.passed_closure && !matches!(self.status, CaseStatus::Handling | CaseStatus::UnderReview { .. })
    }

    /// Whether the matter counts as resolved (化解 = 息诉罢访 confirmed).
    pub fn is_resolved(&self) -> bool {
        self.resolved
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseEvent::*;

    const ACCEPT: CaseEvent = Screen { outcome: ScreeningOutcome::AcceptAgency { agent_chosen_by_citizen: false } };

    fn run(events: &[CaseEvent]) -> Result<Lifecycle, TransitionError> {
        events.iter().try_fold(Lifecycle::new(HandlingLevel::Village), |l, e| l.apply(e))
    }

    fn close(opinion: Opinion) -> CaseEvent {
        Close { notice: NoticeForm::Oral, opinion }
    }

    #[test]
    fn the_main_path_through_five_stages() {
        let mut l = Lifecycle::new(HandlingLevel::Village);
        let steps = [
            (ACCEPT, Stage::Handling),
            (Transfer { unit: "镇综合保障和技术推广中心".into() }, Stage::Handling),
            (Urge, Stage::Handling),
            (close(Opinion::Satisfied), Stage::FollowUp),
            (FollowUp { resolved: true }, Stage::FollowUp),
            (Archive, Stage::Archived),
        ];
        for (e, stage) in steps {
            l = l.apply(&e).unwrap();
            assert_eq!(l.stage(), stage, "after {e:?}");
        }
        assert!(l.is_closed() && l.is_resolved());
        assert_eq!((l.transfers, l.urges), (1, 1));
    }

    #[test]
    fn screening_outcomes() {
        let answered = run(&[Screen { outcome: ScreeningOutcome::DirectAnswer }]).unwrap();
        assert_eq!(answered.status, CaseStatus::Answered);
        assert!(answered.apply(&Archive).is_ok());
        for outcome in [
            ScreeningOutcome::LegalRoute { route: LegalRoute::Litigation },
            ScreeningOutcome::LegalRoute { route: LegalRoute::Arbitration },
            ScreeningOutcome::LegalRoute { route: LegalRoute::AdministrativeReconsideration },
            ScreeningOutcome::CitizenDeclined,
        ]
        .into_iter()
        .chain(NotTakenReason::ALL.map(|reason| ScreeningOutcome::NotTaken { reason }))
        {
            let l = run(&[Screen { outcome }]).unwrap();
            assert_eq!(l.status, CaseStatus::Redirected { outcome });
            assert_eq!(l.apply(&Archive).unwrap().status, CaseStatus::Archived);
            assert_eq!(l.apply(&Urge).unwrap_err().rule, "urge.only_while_clock_runs");
        }
        let chosen =
            run(&[Screen { outcome: ScreeningOutcome::AcceptAgency { agent_chosen_by_citizen: true } }]).unwrap();
        assert_eq!(chosen.status, CaseStatus::Handling);
        assert_eq!(chosen.apply(&ACCEPT).unwrap_err().rule, "screen.only_in_screening");
    }

    #[test]
    fn escalation_goes_up_one_level_unless_cross_region() {
        let l = run(&[ACCEPT]).unwrap();
        let up = l.apply(&Escalate { to: HandlingLevel::Township, cross_region: false }).unwrap();
        assert_eq!(up.level, HandlingLevel::Township);
        assert_eq!(
            l.apply(&Escalate { to: HandlingLevel::County, cross_region: false }).unwrap_err().rule,
            "escalate.one_level_at_a_time"
        );
        assert_eq!(
            l.apply(&Escalate { to: HandlingLevel::County, cross_region: true }).unwrap_err().rule,
            "escalate.one_level_at_a_time",
            "三跨三分离 goes to the city, not to an intermediate level"
        );
        let city = l.apply(&Escalate { to: HandlingLevel::City, cross_region: true }).unwrap();
        assert_eq!(city.level, HandlingLevel::City);
        assert_eq!(
            city.apply(&Escalate { to: HandlingLevel::City, cross_region: true }).unwrap_err().rule,
            "escalate.top_level"
        );
        assert_eq!(
            up.apply(&Escalate { to: HandlingLevel::Village, cross_region: false }).unwrap_err().rule,
            "escalate.must_go_up"
        );
        assert_eq!(
            up.apply(&Escalate { to: HandlingLevel::Township, cross_region: true }).unwrap_err().rule,
            "escalate.must_go_up"
        );
        let county = up.apply(&Escalate { to: HandlingLevel::County, cross_region: false }).unwrap();
        // The banner's joint office: same level (a department's matter).
        assert_eq!(
            county.apply(&Escalate { to: HandlingLevel::County, cross_region: true }).unwrap().level,
            HandlingLevel::County
        );
        assert_eq!(
            county.apply(&Escalate { to: HandlingLevel::City, cross_region: false }).unwrap().level,
            HandlingLevel::City
        );
    }

    #[test]
    fn every_opinion_closes_and_only_dissatisfied_may_seek_review() {
        for o in [Opinion::Satisfied, Opinion::FairlySatisfied, Opinion::Understanding] {
            let l = run(&[ACCEPT, close(o)]).unwrap();
            assert_eq!(l.status, CaseStatus::AwaitingFollowUp);
            assert_eq!(l.apply(&RequestReview).unwrap_err().rule, "review.only_when_dissatisfied");
        }
        let l = run(&[ACCEPT, close(Opinion::Dissatisfied)]).unwrap();
        assert_eq!(l.status, CaseStatus::Closed { opinion: Opinion::Dissatisfied });
        assert!(l.is_closed());
        assert_eq!(l.apply(&AcceptOutcome).unwrap().status, CaseStatus::AwaitingFollowUp);
    }

    #[test]
    fn review_then_re_review_then_concluded() {
        let l = run(&[ACCEPT, close(Opinion::Dissatisfied), RequestReview]).unwrap();
        assert_eq!(l.status, CaseStatus::UnderReview { kind: ReviewKind::Review });
        assert!(!l.is_closed());
        let upheld = l.apply(&ReviewDecided { claim_reasonable: false }).unwrap();
        let rr = upheld.apply(&RequestReview).unwrap();
        assert_eq!(rr.status, CaseStatus::UnderReview { kind: ReviewKind::ReReview });
        let final_ = rr.apply(&ReviewDecided { claim_reasonable: false }).unwrap();
        assert_eq!(final_.apply(&RequestReview).unwrap_err().rule, "review.at_most_twice");
        let done = final_.apply(&AcceptOutcome).unwrap().apply(&FollowUp { resolved: false }).unwrap();
        assert!(!done.is_resolved());
        assert_eq!(done.apply(&Archive).unwrap().status, CaseStatus::Archived);
    }

    #[test]
    fn reasonable_claim_on_review_reopens_with_double_check() {
        let l = run(&[ACCEPT, close(Opinion::Dissatisfied), RequestReview, ReviewDecided { claim_reasonable: true }])
            .unwrap();
        assert_eq!(l.status, CaseStatus::Handling);
        assert!(l.double_check);
        let l = l.apply(&close(Opinion::Satisfied)).unwrap();
        assert_eq!(l.status, CaseStatus::AwaitingFollowUp);
    }

    #[test]
    fn urging_follows_the_running_clock() {
        use crate::vocab::Stage;
        let fresh = Lifecycle::new(HandlingLevel::Village);
        assert!(fresh.stage().deadline_applies());
        assert_eq!(fresh.apply(&Urge).unwrap().urges, 1, "a matter waiting for screening is urged too");
        let closed = fresh
            .apply(&Screen { outcome: ScreeningOutcome::AcceptAgency { agent_chosen_by_citizen: false } })
            .unwrap()
            .apply(&close(Opinion::Satisfied))
            .unwrap();
        assert!(!closed.stage().deadline_applies());
        assert_eq!(closed.apply(&Urge).unwrap_err().rule, "urge.only_while_clock_runs");
        assert!(Stage::ALL.iter().all(|s| s.deadline_applies() == matches!(s, Stage::Screening | Stage::Handling)));
    }

    #[test]
    fn illegal_events_name_their_rule() {
        let fresh = Lifecycle::new(HandlingLevel::Village);
        let cases: Vec<(CaseEvent, &str)> = vec![
            (Transfer { unit: "x".into() }, "transfer.only_while_handling"),
            (Escalate { to: HandlingLevel::Township, cross_region: false }, "escalate.only_while_handling"),
            (close(Opinion::Satisfied), "close.only_while_handling"),
            (RequestReview, "review.only_when_dissatisfied"),
            (ReviewDecided { claim_reasonable: true }, "review_decided.only_under_review"),
            (AcceptOutcome, "accept.only_when_closed"),
            (FollowUp { resolved: true }, "follow_up.only_after_conclusion"),
            (Archive, "archive.only_when_finished"),
        ];
        for (e, rule) in cases {
            let err = fresh.apply(&e).unwrap_err();
            assert_eq!(err.rule, rule);
            assert!(!err.message.is_empty());
        }
        let handling = run(&[ACCEPT]).unwrap();
        assert_eq!(handling.apply(&Transfer { unit: "  ".into() }).unwrap_err().rule, "transfer.unit_required");
        assert_eq!(handling.apply(&Archive).unwrap_err().rule, "archive.only_when_finished");
        let archived = run(&[Screen { outcome: ScreeningOutcome::DirectAnswer }, Archive]).unwrap();
        assert_eq!(archived.apply(&Urge).unwrap_err().rule, "archived.final");
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn any_event() -> impl Strategy<Value = CaseEvent> {
            let level = prop_oneof![
                Just(HandlingLevel::Village),
                Just(HandlingLevel::Township),
                Just(HandlingLevel::County),
                Just(HandlingLevel::City)
            ];
            let opinion = prop_oneof![
                Just(Opinion::Satisfied),
                Just(Opinion::FairlySatisfied),
                Just(Opinion::Understanding),
                Just(Opinion::Dissatisfied)
            ];
            let outcome = prop_oneof![
                Just(ScreeningOutcome::DirectAnswer),
                Just(ScreeningOutcome::AcceptAgency { agent_chosen_by_citizen: false }),
                Just(ScreeningOutcome::CitizenDeclined),
                Just(ScreeningOutcome::LegalRoute { route: LegalRoute::Litigation }),
                Just(ScreeningOutcome::NotTaken { reason: NotTakenReason::InJudicialProceedings }),
            ];
            prop_oneof![
                outcome.prop_map(|outcome| Screen { outcome }),
                Just(Transfer { unit: "单位".into() }),
                Just(Urge),
                (level, any::<bool>()).prop_map(|(to, cross_region)| Escalate { to, cross_region }),
                opinion.prop_map(|opinion| Close { notice: NoticeForm::Written, opinion }),
                Just(RequestReview),
                any::<bool>().prop_map(|claim_reasonable| ReviewDecided { claim_reasonable }),
                Just(AcceptOutcome),
                any::<bool>().prop_map(|resolved| FollowUp { resolved }),
                Just(Archive),
            ]
        }

        proptest! {
            #[test]
            fn archived_only_after_closure(events in proptest::collection::vec(any_event(), 0..40)) {
                let mut l = Lifecycle::new(HandlingLevel::Village);
                let mut closed_or_screened_out = false;
                for e in &events {
                    if let Ok(next) = l.apply(e) {
                        if matches!(e, Close { .. })
                            || matches!(next.status, CaseStatus::Answered | CaseStatus::Redirected { .. }) {
                            closed_or_screened_out = true;
                        }
                        l = next;
                    }
                    if l.status == CaseStatus::Archived {
                        prop_assert!(closed_or_screened_out && l.passed_closure);
                    }
                    // A level never goes down.
                    prop_assert!(l.level >= HandlingLevel::Village);
                    prop_assert!(l.reviews <= 2);
                }
            }

            #[test]
            fn refused_events_change_nothing(events in proptest::collection::vec(any_event(), 0..30), probe in any_event()) {
                let l = events.iter().fold(Lifecycle::new(HandlingLevel::Village), |l, e| l.apply(e).unwrap_or(l));
                let before = l.clone();
                let _ = l.apply(&probe);
                prop_assert_eq!(l, before);
            }
        }
    }
}
