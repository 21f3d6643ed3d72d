//! The desk workbench's rules and wire types: the inbox queues of a unit,
//! the paged case list, the 处置单 (one per competent unit), the due boards
//! and the possible-duplicate check at intake. The server answers with these
//! types; the desk application (`frontend`, its own entry) shows them.

use crate::case_view::CaseView;
use crate::lifecycle::{CaseStatus, HandlingLevel, ReviewKind};
use crate::org::{Role, UnitKind};
use crate::routing::ContentCategory;
use crate::vocab::{Channel, Stage};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

crate::code_enum! {
    /// A queue of a unit's inbox (待办).
    pub enum InboxQueue {
        ToScreen = "to_screen" => "待甄别",
        /// A task group's open matters (its categories, its township).
        Group = "group" => "本组待办",
        ToAssign = "to_assign" => "待指派",
        Transferred = "transferred" => "转来待办",
        Escalated = "escalated" => "上报待办",
        Reviews = "reviews" => "待复查复核",
        FollowUps = "follow_ups" => "待回访",
        ToArchive = "to_archive" => "待归档",
        DueSoon = "due_soon" => "即将到期",
        Overdue = "overdue" => "已超期",
    }
}

impl InboxQueue {
    /// The queues a user of `role` at a unit of `kind` works from. A
    /// department (事权单位) answers what was transferred to it; the league
    /// decides re-reviews and watches escalations.
    pub fn for_desk(role: Role, kind: UnitKind) -> Vec<InboxQueue> {
        use InboxQueue::*;
        if kind == UnitKind::TaskGroup {
            // Every queue of a task group holds its own categories only.
            return vec![Group, FollowUps, DueSoon, Overdue];
        }
        if kind == UnitKind::Department {
            return vec![Transferred, DueSoon, Overdue];
        }
        match role {
            Role::TownshipStaff | Role::TownshipLeader | Role::CountyCentre => {
                vec![ToScreen, ToAssign, Transferred, Escalated, Reviews, FollowUps, ToArchive, DueSoon, Overdue]
            }
            Role::LeagueBureau => vec![Escalated, Reviews, DueSoon, Overdue],
            _ => vec![],
        }
    }
}

/// How many matters wait in one queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxCount {
    pub queue: InboxQueue,
    pub count: i64,
}

/// `GET /api/desk/inbox`: the user's unit and its queues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inbox {
    pub unit_id: i64,
    pub unit_name: String,
    pub queues: Vec<InboxCount>,
}

/// `GET /api/desk/cases`: one page of a filtered list, counted on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CasePage {
    /// All matters matching the filter (not just this page).
    pub total: i64,
    pub offset: i64,
    pub items: Vec<CaseView>,
}

/// What the desk list asks for (all optional; the server scopes it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskFilter {
    pub queue: Option<InboxQueue>,
    pub q: Option<String>,
    pub stage: Option<Stage>,
    pub unit_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub category: Option<ContentCategory>,
    pub channel: Option<Channel>,
    /// Accepted on or after / on or before.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// A statistics counter (`shared::stats`, e.g. `closed`): only the
    /// matters it counts (the drill-down of a figure).
    pub stat: Option<String>,
}

/// A 信访事项处置单: the matter handed to one competent unit, with its own
/// 拟办意见, and that unit's 处理结果 when it answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DispositionView {
    pub id: i64,
    pub case_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    /// 拟办意见
    pub proposed_handling: String,
    /// UTC, RFC 3339.
    pub created_at: String,
    pub created_by_name: String,
    /// 处理结果, once the unit answered.
    pub result: Option<String>,
    pub replied_at: Option<String>,
    pub replied_by_name: Option<String>,
}

/// One row of a due board: a unit's or an agent's open matters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoardRow {
    /// The unit's or the agent's id.
    pub id: i64,
    pub name: String,
    pub open: i64,
    /// Due within 2 working days (`DueStatus::is_urgent`).
    pub due_soon: i64,
    pub overdue: i64,
}

/// `GET /api/desk/boards`: due-soon and overdue matters by unit and by agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DueBoards {
    pub by_unit: Vec<BoardRow>,
    pub by_agent: Vec<BoardRow>,
}

/// An open matter that may be the same as one being registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateCandidate {
    pub id: i64,
    pub number: String,
    pub citizen_name: String,
    pub summary: String,
    pub stage: Stage,
    pub unit_name: String,
    /// Why it is shown: 身份证号相同 / 姓名电话相同, and the similarity.
    pub reason: String,
}

/// The level whose staff decide the review now under way: 复查 by the level
/// above the one that handled the matter, 复核 by the level above the
/// reviewer. The city is the top: it decides what reaches it.
pub fn review_decider(status: CaseStatus, handled_at: HandlingLevel) -> Option<HandlingLevel> {
    let CaseStatus::UnderReview { kind } = status else { return None };
    let reviewer = handled_at.above().unwrap_or(HandlingLevel::City);
    Some(match kind {
        ReviewKind::Review => reviewer,
        ReviewKind::ReReview => reviewer.above().unwrap_or(HandlingLevel::City),
    })
}

/// The level a desk role works at (its reviews, its escalation inbox).
pub fn role_level(role: Role) -> Option<HandlingLevel> {
    match role {
        Role::TownshipStaff | Role::TownshipLeader => Some(HandlingLevel::Township),
        Role::CountyCentre => Some(HandlingLevel::County),
        Role::LeagueBureau => Some(HandlingLevel::City),
        Role::FieldAgent | Role::FinanceReviewer | Role::Admin => None,
    }
}

/// Whether a user of `role` works in the desk workbench (`/desk/`) rather
/// than the field app: everyone but the field agents.
pub fn uses_desk(role: Role) -> bool {
    role != Role::FieldAgent
}

/// The kind of unit that handles matters at `level` once they are reported
/// up to it: the township station, the banner centre, the league.
pub fn unit_kind_at(level: HandlingLevel) -> UnitKind {
    match level {
        HandlingLevel::Village => UnitKind::Village,
        HandlingLevel::Township => UnitKind::Township,
        HandlingLevel::County => UnitKind::Banner,
        HandlingLevel::City => UnitKind::League,
    }
}

/// Whether a matter of the unit at `case_unit_path` may be transferred to
/// the unit of `kind` at `unit_path`: a department (事权单位) of the
/// matter's banner, or of its township (二级部门).
pub fn may_transfer_to(kind: UnitKind, unit_path: &str, case_unit_path: &str) -> Result<(), crate::error::ApiError> {
    use crate::error::{ApiError, ErrorCode};
    if kind != UnitKind::Department {
        return Err(ApiError::new(ErrorCode::ValidationFailed, "只能流转至职能部门（事权单位）"));
    }
    // The department's parent ('/1/2/' of '/1/2/7/') must contain the matter.
    let parent = unit_path.trim_end_matches('/').rsplit_once('/').map_or("", |(p, _)| p);
    if parent.is_empty() || !case_unit_path.starts_with(&format!("{parent}/")) {
        return Err(ApiError::new(ErrorCode::ValidationFailed, "只能流转至本旗县或本苏木镇的职能部门"));
    }
    Ok(())
}

/// Character bigrams of a text, ignoring spaces and punctuation.
fn bigrams(text: &str) -> std::collections::BTreeSet<(char, char)> {
    let chars: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// How alike two summaries are, 0–100 (Dice coefficient of character
/// bigrams: works for Chinese and Mongolian script without a dictionary).
pub fn similarity(a: &str, b: &str) -> u32 {
    let (x, y) = (bigrams(a), bigrams(b));
    if x.is_empty() || y.is_empty() {
        return 0;
    }
    let common = x.intersection(&y).count();
    (200 * common / (x.len() + y.len())) as u32
}

/// From this similarity on, a matter of the same person is "similar".
pub const SIMILAR_FROM: u32 = 30;

/// Whether an open matter of the same person (same ID number, or same name
/// and phone) is a possible duplicate of the one being registered, and why.
pub fn duplicate_reason(same_id_number: bool, same_name_and_phone: bool, a: &str, b: &str) -> Option<String> {
    let who = if same_id_number {
        "身份证号相同"
    } else if same_name_and_phone {
        "姓名、电话相同"
    } else {
        return None;
    };
    let s = similarity(a, b);
    (s >= SIMILAR_FROM).then(|| format!("{who}，诉求相似度 {s}%"))
}

/// A name with its separators removed (`巴特尔·额尔敦` → `巴特尔额尔敦`),
/// so a search finds Mongolian names written with or without the `·`.
pub fn name_key(name: &str) -> String {
    name.chars().filter(|c| !matches!(c, '·' | '•' | '・' | '.' | ' ' | '-')).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reviews_go_to_the_level_above_and_re_reviews_above_that() {
        let review = CaseStatus::UnderReview { kind: ReviewKind::Review };
        let re = CaseStatus::UnderReview { kind: ReviewKind::ReReview };
        assert_eq!(review_decider(review, HandlingLevel::Village), Some(HandlingLevel::Township));
        assert_eq!(review_decider(re, HandlingLevel::Village), Some(HandlingLevel::County));
        assert_eq!(review_decider(review, HandlingLevel::Township), Some(HandlingLevel::County));
        assert_eq!(review_decider(re, HandlingLevel::Township), Some(HandlingLevel::City));
        assert_eq!(review_decider(review, HandlingLevel::County), Some(HandlingLevel::City));
        assert_eq!(review_decider(re, HandlingLevel::County), Some(HandlingLevel::City));
        assert_eq!(review_decider(CaseStatus::Handling, HandlingLevel::Village), None);
    }

    #[test]
    fn duplicates_need_the_same_person_and_a_similar_matter() {
        let a = "草场补助款未按时发放，要求尽快发放";
        let b = "草场补助款一直没有发放，要求发放";
        let c = "邻居占用通道，要求恢复通行";
        assert!(similarity(a, b) >= SIMILAR_FROM, "{}", similarity(a, b));
        assert!(similarity(a, c) < SIMILAR_FROM);
        assert_eq!(similarity(a, a), 100);
        assert_eq!(similarity("", a), 0);
        assert!(duplicate_reason(true, false, a, b).unwrap().starts_with("身份证号相同"));
        assert!(duplicate_reason(false, true, a, b).unwrap().starts_with("姓名、电话相同"));
        assert_eq!(duplicate_reason(false, false, a, a), None);
        assert_eq!(duplicate_reason(true, false, a, c), None);
    }

    #[test]
    fn transfers_go_to_departments_of_the_matters_banner_or_township() {
        assert!(may_transfer_to(UnitKind::Department, "/1/2/7/", "/1/2/3/9/").is_ok());
        assert!(may_transfer_to(UnitKind::Department, "/1/2/3/8/", "/1/2/3/9/").is_ok(), "二级部门");
        assert!(may_transfer_to(UnitKind::Department, "/1/5/7/", "/1/2/3/9/").is_err(), "another banner");
        assert!(may_transfer_to(UnitKind::Department, "/1/2/4/8/", "/1/2/3/9/").is_err(), "another township");
        assert!(may_transfer_to(UnitKind::Township, "/1/2/3/", "/1/2/3/9/").is_err());
    }

    #[test]
    fn mongolian_names_are_found_with_or_without_the_dot() {
        assert_eq!(name_key("巴特尔·额尔敦"), "巴特尔额尔敦");
        assert_eq!(name_key("Бат-Эрдэнэ"), "БатЭрдэнэ");
    }

    #[test]
    fn departments_work_from_what_was_transferred_to_them() {
        assert_eq!(
            InboxQueue::for_desk(Role::TownshipStaff, UnitKind::Department),
            vec![InboxQueue::Transferred, InboxQueue::DueSoon, InboxQueue::Overdue]
        );
        assert!(InboxQueue::for_desk(Role::TownshipStaff, UnitKind::Township).contains(&InboxQueue::ToScreen));
        assert!(InboxQueue::for_desk(Role::FieldAgent, UnitKind::Village).is_empty());
        assert_eq!(role_level(Role::CountyCentre), Some(HandlingLevel::County));
        assert_eq!(unit_kind_at(HandlingLevel::County), UnitKind::Banner);
    }
}
