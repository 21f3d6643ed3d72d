//! The view-model: what the phone shows about its cases, computed in one
//! place from the server's last word and this device's records.
//!
//! What the phone shows = the pulled cases + the outbox replayed on top with
//! the same rules the server uses (`shared::command::apply_to_view`). When
//! the server refuses a change it leaves the outbox, and the case shows the
//! server's state again by itself. Pure: no browser API and no Leptos, so
//! it compiles natively and is unit-tested (`cargo test -p frontend`).

use crate::sync::outbox::{holds_visit, visit_key, OutboxEntry, RejectedEntry, UploadEntry};
use chrono::NaiveDate;
use shared::calendar::Calendar;
use shared::case::{CaseView, Stage, TimelineEntry, Visit};
use shared::command::{apply_to_view, CaseCommand};
use shared::deadline::{DueStatus, FOLLOW_UP_CALENDAR_DAYS};
use shared::intake::NewCase;
use shared::lifecycle::{CaseStatus, LegalRoute, Lifecycle, NotTakenReason, ScreeningOutcome};
use shared::org::Me;
use shared::sync::Change;
use std::collections::HashMap;

/// A change shown on a case's timeline before the server has it.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingEntry {
    pub mutation_id: u64,
    pub label: String,
    /// What was typed (the note, the result told to the citizen …).
    pub detail: Option<String>,
    pub at_ms: f64,
}

/// The text typed for a command, shown with it.
pub fn command_detail(c: &CaseCommand) -> Option<String> {
    match c {
        CaseCommand::Contact { note, .. }
        | CaseCommand::Urge { note }
        | CaseCommand::FollowUp { note, .. }
        | CaseCommand::RequestReview { note }
        | CaseCommand::ReviewDecided { note, .. }
        | CaseCommand::Screen { note, .. } => Some(note.clone()),
        CaseCommand::Close { result, .. } => Some(result.clone()),
        CaseCommand::LeaderOpinion { text } | CaseCommand::LeaderInstruction { text } => Some(text.clone()),
        CaseCommand::Transfer { proposed_handling, .. } => Some(proposed_handling.clone()),
        CaseCommand::Escalate { reason, .. } => Some(reason.clone()),
        _ => None,
    }
    .filter(|t| !t.is_empty())
}

/// The command a change carries, if it is one.
pub fn command_of(change: &Change) -> Option<&CaseCommand> {
    match change {
        Change::Command { command, .. } | Change::CommandOnNew { command, .. } => Some(command),
        _ => None,
    }
}

/// The id shown for a matter registered on this device and not yet synced.
pub fn provisional_id(mutation_id: u64) -> i64 {
    -(mutation_id as i64)
}

fn provisional_case(new: &NewCase, mutation_id: u64, me: &Me, cal: &Calendar) -> CaseView {
    let due = new.level.due_date(cal, new.received_on);
    CaseView {
        id: provisional_id(mutation_id),
        number: "待同步".to_string(),
        citizen_name: new.citizen_name.clone(),
        summary: new.summary.clone(),
        stage: shared::case::Stage::Screening,
        level: new.level,
        channel: new.channel,
        accepted_on: new.received_on,
        due_on: due.value,
        due_unscheduled: due.unscheduled,
        unit_id: new.unit_id,
        unit_name: if new.unit_id == me.unit_id { me.unit_name.clone() } else { String::new() },
        agent_id: None,
        agent_name: None,
        phone: new.phone.clone(),
        address: new.address.clone(),
        id_number: new.id_number.clone(),
        rev: 0,
        lifecycle: Lifecycle::new(me.unit_kind.handling_level()),
        source: new.source,
        client_ref: new.client_ref.clone(),
        category: new.category,
        task_group: new.category.map(|c| c.task_group()),
        brief: new.brief.clone(),
        proposed_handling: None,
        leader_opinion: None,
        leader_instruction: None,
        notice_form: None,
        result: None,
        opinion: None,
        concluded_on: None,
        follow_up_due: None,
        overdue_since: None,
        registered_by: Some(me.id),
        query_code: None,
        handling_unit_id: None,
        handling_unit_name: None,
        plan_fixed_on: None,
    }
}

/// The cases to show and, per case id, the changes still pending.
pub fn overlay(
    server: Vec<CaseView>,
    outbox: &[OutboxEntry],
    me: &Me,
    today: NaiveDate,
) -> (Vec<CaseView>, HashMap<i64, Vec<PendingEntry>>) {
    let cal = Calendar::official();
    let mut cases = server;
    let mut index: HashMap<i64, usize> = cases.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut by_ref: HashMap<String, i64> =
        cases.iter().filter_map(|c| c.client_ref.clone().map(|r| (r, c.id))).collect();
    let mut pending: HashMap<i64, Vec<PendingEntry>> = HashMap::new();
    let mut entries: Vec<&OutboxEntry> = outbox.iter().collect();
    entries.sort_by_key(|e| e.mutation.id);
    for e in entries {
        let (case_id, command) = match &e.mutation.change {
            Change::AddVisit { .. } => continue, // visits are kept with their case
            Change::CreateCase { case } => {
                let Some(r) = &case.client_ref else { continue };
                if by_ref.contains_key(r) {
                    continue; // the server already has it
                }
                let c = provisional_case(case, e.mutation.id, me, cal);
                by_ref.insert(r.clone(), c.id);
                index.insert(c.id, cases.len());
                pending.entry(c.id).or_default().push(PendingEntry {
                    mutation_id: e.mutation.id,
                    label: "登记事项".to_string(),
                    detail: Some(case.summary.clone()),
                    at_ms: e.created_at,
                });
                cases.push(c);
                continue;
            }
            Change::Command { case_id, command } => (*case_id, command),
            Change::CommandOnNew { client_ref, command } => match by_ref.get(client_ref) {
                Some(id) => (*id, command),
                None => continue,
            },
        };
        let Some(&i) = index.get(&case_id) else { continue };
        if let Ok(mut next) = apply_to_view(&cases[i], command, today, cal) {
            if next.agent_id == Some(me.id) && next.agent_name.is_none() {
                next.agent_name = Some(me.display_name.clone());
            }
            next.rev = cases[i].rev;
            cases[i] = next;
        }
        pending.entry(case_id).or_default().push(PendingEntry {
            mutation_id: e.mutation.id,
            label: command.label(),
            detail: command_detail(command),
            at_ms: e.created_at,
        });
    }
    (cases, pending)
}

/// A photo the server refused (or whose visit it refused), for 需处理.
#[derive(Debug, Clone, PartialEq)]
pub struct RefusedPhoto {
    pub id: String,
    pub case_id: i64,
    pub name: String,
    pub reason: String,
    /// Set when the photo belongs to a visit: it is shown and discarded with it.
    pub visit_id: Option<String>,
}

/// What the status bar, the 本机 page and the case cards count.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    /// Records waiting to be synced, as the worker counts them (a visit
    /// with its photo is one).
    pub pending: u32,
    /// The same, per case.
    pub by_case: HashMap<i64, u32>,
    /// When the oldest waiting record was made (ms since the epoch).
    pub oldest: Option<f64>,
    /// Records the server refused, waiting for the worker (需处理).
    pub needs_worker: u32,
    pub refused_photos: Vec<RefusedPhoto>,
}

/// Counts what waits and what needs the worker. `pending` is the overlay's
/// per-case list of queued changes (visits and photos are added here).
pub fn counts(
    pending: &HashMap<i64, Vec<PendingEntry>>,
    outbox: &[OutboxEntry],
    uploads: &[UploadEntry],
    rejected: &[RejectedEntry],
) -> Counts {
    let mut by_case: HashMap<i64, u32> = pending.iter().map(|(id, p)| (*id, p.len() as u32)).collect();
    for (_, case_id) in outbox.iter().filter_map(visit_key) {
        *by_case.entry(case_id).or_default() += 1;
    }
    let refused_visit = |v: &str| holds_visit(rejected.iter().map(|r| &r.entry), v);
    // A photo counts on its own only once its visit has left the outbox.
    let mut count = outbox.len() as u32;
    let mut oldest = outbox.iter().map(|e| e.created_at).reduce(f64::min);
    let mut refused_photos = Vec::new();
    for u in uploads {
        let visit = u.visit_id.as_ref();
        if let Some(reason) = &u.rejected {
            refused_photos.push(RefusedPhoto {
                id: u.id.clone(),
                case_id: u.case_id,
                name: u.name.clone(),
                reason: reason.clone(),
                visit_id: visit.filter(|v| refused_visit(v)).cloned(),
            });
        } else if !visit.is_some_and(|v| holds_visit(outbox.iter(), v) || refused_visit(v)) {
            count += 1;
            *by_case.entry(u.case_id).or_default() += 1;
            oldest = Some(oldest.map_or(u.created_at, |o| o.min(u.created_at)));
        }
    }
    let needs_worker = rejected.len() as u32 + refused_photos.iter().filter(|p| p.visit_id.is_none()).count() as u32;
    Counts { pending: count, by_case, oldest, needs_worker, refused_photos }
}

/// The warning about work kept on the phone a day or more (whole days:
/// float formatting would bloat the WASM).
pub fn unsent_warning(oldest: Option<f64>, now_ms: f64) -> Option<String> {
    let days = ((now_ms - oldest?) / 86_400_000.0) as u32;
    (days >= 1).then(|| format!("有记录已在本机保存超过 {days} 天未上传，请尽快到有网络的地方同步。"))
}

/// For a refused command: the earlier change to the same case this device
/// made and the server also refused — the likely reason this one failed too.
pub fn refused_before<'a>(all: &'a [RejectedEntry], r: &RejectedEntry) -> Option<&'a RejectedEntry> {
    let key = |c: &Change| match c {
        Change::Command { case_id, .. } => Some(case_id.to_string()),
        Change::CommandOnNew { client_ref, .. } => Some(client_ref.clone()),
        Change::CreateCase { case } => case.client_ref.clone(),
        Change::AddVisit { .. } => None,
    };
    if matches!(r.entry.mutation.change, Change::CreateCase { .. }) {
        return None;
    }
    let k = key(&r.entry.mutation.change)?;
    all.iter()
        .filter(|e| e.entry.mutation.id < r.entry.mutation.id && key(&e.entry.mutation.change).as_ref() == Some(&k))
        .max_by_key(|e| e.entry.mutation.id)
}

/// The refused field actions on a case (by id, or by its device reference
/// for a matter registered here), shown on its page with what was typed.
pub fn refused_on_case(rejected: &[RejectedEntry], case: Option<&CaseView>, id: i64) -> Vec<RejectedEntry> {
    let client_ref = case.and_then(|c| c.client_ref.as_ref());
    rejected
        .iter()
        .filter(|r| match &r.entry.mutation.change {
            Change::Command { case_id, .. } => *case_id == id,
            Change::CommandOnNew { client_ref: cr, .. } => client_ref == Some(cr),
            _ => false,
        })
        .cloned()
        .collect()
}

/// A visit as shown: the server's, or one of this device's still pending or refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVisit {
    pub visit: Visit,
    pub pending: bool,
    pub rejected: Option<String>,
}

/// A case's visits as shown: the server's, then this device's pending and
/// refused ones (a visit the server already has is shown once).
pub fn case_visits(
    server: Vec<Visit>,
    outbox: &[OutboxEntry],
    rejected: &[RejectedEntry],
    case_id: i64,
    me_name: &str,
) -> Vec<StoredVisit> {
    let mut all: Vec<StoredVisit> =
        server.into_iter().map(|visit| StoredVisit { visit, pending: false, rejected: None }).collect();
    let known: std::collections::HashSet<String> = all.iter().map(|v| v.visit.id.clone()).collect();
    let mine = |e: &OutboxEntry| e.visit(me_name).filter(|v| v.case_id == case_id && !known.contains(&v.id));
    for e in outbox {
        if let Some(visit) = mine(e) {
            all.push(StoredVisit { visit, pending: true, rejected: None });
        }
    }
    for r in rejected {
        if let Some(visit) = mine(&r.entry) {
            all.push(StoredVisit { visit, pending: false, rejected: Some(r.message.clone()) });
        }
    }
    all
}

/// A UTC RFC 3339 time shown in China time, "2026-11-20 14:05".
pub fn china_time_of(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| shared::time::format_minute(shared::time::china_local(t.with_timezone(&chrono::Utc))))
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// One line of a case's timeline, whatever its source.
#[derive(Debug, Clone, PartialEq)]
pub enum TimelineItem {
    Visit(StoredVisit),
    Event(TimelineEntry),
    Pending(PendingEntry),
}

impl TimelineItem {
    /// Orders items of the same minute: visits, then server events by id,
    /// then pending changes by mutation id.
    fn tiebreak(&self) -> (u8, i64) {
        match self {
            TimelineItem::Visit(_) => (0, 0),
            TimelineItem::Event(e) => (1, e.id),
            TimelineItem::Pending(p) => (2, p.mutation_id as i64),
        }
    }

    /// A sortable local time "YYYY-MM-DD HH:MM".
    pub fn when(&self) -> String {
        match self {
            TimelineItem::Visit(v) => v.visit.visited_at.replace('T', " "),
            TimelineItem::Event(e) => china_time_of(&e.at),
            TimelineItem::Pending(p) => shared::time::format_minute(shared::time::china_local_from_millis(p.at_ms)),
        }
    }
}

/// A case's timeline: its visits, the server's events and this device's
/// pending changes, newest first; within a minute, the pending changes on
/// top (in the order they were made), then the server's events.
pub fn timeline(visits: Vec<StoredVisit>, events: Vec<TimelineEntry>, pending: Vec<PendingEntry>) -> Vec<TimelineItem> {
    let mut items: Vec<TimelineItem> = visits.into_iter().map(TimelineItem::Visit).collect();
    items.extend(events.into_iter().map(TimelineItem::Event));
    items.extend(pending.into_iter().map(TimelineItem::Pending));
    items.sort_by_key(|i| std::cmp::Reverse((i.when(), i.tiebreak())));
    items
}

/// The deadline badge of a case: text and colour class (`overdue`, `soon`,
/// `ok`, `done`). Urgent is the shared rule (`DueStatus::is_urgent`).
pub fn due_badge(c: &CaseView, today: NaiveDate) -> (String, &'static str) {
    if !c.stage.deadline_applies() {
        if let (CaseStatus::AwaitingFollowUp, Some(due)) = (c.lifecycle.status, c.follow_up_due) {
            // The follow-up period is in calendar days: show the date itself.
            return if today > due {
                (format!("回访已逾期（{due} 前）"), "overdue")
            } else {
                (format!("{due} 前回访"), follow_up_class(due, today))
            };
        }
        return (c.lifecycle.status.label().to_string(), "done");
    }
    let status = DueStatus::at(Calendar::official(), c.due_on, today);
    let mut label = status.label();
    if c.due_unscheduled {
        label.push_str("（节假日安排未公布）");
    }
    (label, due_class(status))
}

fn due_class(s: DueStatus) -> &'static str {
    match s {
        DueStatus::Overdue(_) => "overdue",
        s if s.is_urgent() => "soon",
        _ => "ok",
    }
}

/// The colour of the follow-up clock: the same urgency rule as the handling
/// clock (shared `DueStatus::is_urgent`: due within 2 working days).
fn follow_up_class(due: NaiveDate, today: NaiveDate) -> &'static str {
    due_class(DueStatus::at(Calendar::official(), due, today))
}

/// The follow-up clock on a case's page, in calendar days: text and class.
pub fn follow_up_badge(due: NaiveDate, today: NaiveDate) -> (String, &'static str) {
    match (due - today).num_days() {
        n if n < 0 => (format!("已逾期 {} 天", -n), "overdue"),
        0 => ("今天到期".to_string(), "soon"),
        n => (format!("剩 {n} 天"), follow_up_class(due, today)),
    }
}

/// The follow-up period as written under its date: "（15 日内）".
pub fn follow_up_period() -> String {
    format!("（{FOLLOW_UP_CALENDAR_DAYS} 日内）")
}

/// A filter of the case list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    All,
    Stage(Stage),
    DueSoon,
    Overdue,
}

impl Filter {
    /// The deadline filters come first: they are what a worker looks for first.
    pub const ALL: [Filter; 7] = [
        Filter::All,
        Filter::DueSoon,
        Filter::Overdue,
        Filter::Stage(Stage::Screening),
        Filter::Stage(Stage::Handling),
        Filter::Stage(Stage::Feedback),
        Filter::Stage(Stage::FollowUp),
    ];

    pub fn label(self) -> &'static str {
        match self {
            Filter::All => "全部",
            Filter::Stage(s) => s.label(),
            Filter::DueSoon => "即将到期",
            Filter::Overdue => "已超期",
        }
    }

    pub fn keeps(self, c: &CaseView, today: NaiveDate) -> bool {
        let status = || DueStatus::at(Calendar::official(), c.due_on, today);
        match self {
            Filter::All => true,
            Filter::Stage(s) => c.stage == s,
            Filter::DueSoon => c.stage.deadline_applies() && due_class(status()) == "soon",
            Filter::Overdue => c.stage.deadline_applies() && matches!(status(), DueStatus::Overdue(_)),
        }
    }
}

/// The cases of the list: filtered, searched (name, number, summary), open
/// matters first, most urgent deadline first.
pub fn list(cases: &[CaseView], filter: Filter, query: &str, today: NaiveDate) -> Vec<CaseView> {
    let q = query.trim();
    let mut v: Vec<CaseView> = cases
        .iter()
        .filter(|c| filter.keeps(c, today))
        .filter(|c| q.is_empty() || c.citizen_name.contains(q) || c.number.contains(q) || c.summary.contains(q))
        .cloned()
        .collect();
    v.sort_by_key(|c| (!c.stage.deadline_applies(), c.due_on, c.id));
    v
}

/// Every screening outcome a field worker may choose, with the code kept
/// in drafts and the option's value: built from shared's enums, so a new
/// route or reason appears here by itself, labelled as shared labels it.
pub fn screening_choices() -> Vec<(&'static str, ScreeningOutcome)> {
    let mut v = vec![
        ("accept", ScreeningOutcome::AcceptAgency { agent_chosen_by_citizen: false }),
        ("direct", ScreeningOutcome::DirectAnswer),
    ];
    v.extend(LegalRoute::ALL.map(|route| (route.as_str(), ScreeningOutcome::LegalRoute { route })));
    v.push(("declined", ScreeningOutcome::CitizenDeclined));
    v.extend(NotTakenReason::ALL.map(|reason| (reason.as_str(), ScreeningOutcome::NotTaken { reason })));
    v
}

/// The outcome a screening choice's code stands for.
pub fn screening_outcome(code: &str) -> Option<ScreeningOutcome> {
    screening_choices().into_iter().find(|c| c.0 == code).map(|c| c.1)
}

/// The code of a screening outcome (to redo a refused screening).
pub fn screening_code(o: ScreeningOutcome) -> &'static str {
    let same = |c: &ScreeningOutcome| match (c, o) {
        (ScreeningOutcome::AcceptAgency { .. }, ScreeningOutcome::AcceptAgency { .. }) => true,
        (c, o) => *c == o,
    };
    screening_choices().into_iter().find(|c| same(&c.1)).map_or("", |c| c.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::case::{Channel, NewVisit, Source, VisitMethod};
    use shared::deadline::MatterLevel;
    use shared::lifecycle::{NoticeForm, Opinion};
    use shared::org::{Role, UnitKind};
    use shared::sync::Mutation;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn me() -> Me {
        Me {
            id: 5,
            username: "cun1".into(),
            display_name: "其其格".into(),
            role: Role::FieldAgent,
            unit_id: 3,
            unit_name: "乌兰布和嘎查".into(),
            agent_kind: None,
            unit_kind: UnitKind::Village,
        }
    }

    fn new_case(client_ref: &str) -> NewCase {
        NewCase {
            client_ref: Some(client_ref.into()),
            unit_id: 3,
            citizen_name: "苏德".into(),
            id_number: None,
            phone: None,
            address: None,
            summary: "草场围栏被损坏".into(),
            brief: None,
            channel: Channel::Visit,
            source: Source::Screening,
            level: MatterLevel::Village,
            category: None,
            received_on: d("2026-11-23"),
        }
    }

    fn accept() -> CaseCommand {
        CaseCommand::Screen {
            outcome: ScreeningOutcome::AcceptAgency { agent_chosen_by_citizen: false },
            agent_id: Some(5),
            note: "受理".into(),
        }
    }

    fn close() -> CaseCommand {
        CaseCommand::Close {
            method: VisitMethod::InPerson,
            notice: NoticeForm::Written,
            opinion: Opinion::FairlySatisfied,
            result: "围栏已修复".into(),
        }
    }

    /// A case the server handles (id 7, rev 3), assigned to me.
    fn server_case() -> CaseView {
        let cal = Calendar::official();
        let mut c = provisional_case(&new_case("x"), 1, &me(), cal);
        c = apply_to_view(&c, &accept(), d("2026-11-23"), cal).unwrap();
        CaseView {
            id: 7,
            number: "阿左代2026-0007".into(),
            rev: 3,
            client_ref: None,
            agent_name: Some("其其格".into()),
            ..c
        }
    }

    fn entry(id: u64, change: Change) -> OutboxEntry {
        OutboxEntry { mutation: Mutation { id, change }, created_at: id as f64 * 1000.0, user_id: 5 }
    }

    fn visit(id: u64, visit_id: &str) -> OutboxEntry {
        let visit = NewVisit {
            id: visit_id.into(),
            case_id: 7,
            visited_at: "2026-11-23T10:00".into(),
            method: VisitMethod::Phone,
            note: "电话告知进度".into(),
            position: None,
        };
        entry(id, Change::AddVisit { visit })
    }

    fn photo(id: &str, visit_id: &str) -> UploadEntry {
        UploadEntry {
            id: id.into(),
            case_id: 7,
            name: "走访照片.jpg".into(),
            content_type: "image/jpeg".into(),
            data: vec![1, 2, 3],
            created_at: 500.0,
            user_id: 5,
            visit_id: Some(visit_id.into()),
            rejected: None,
        }
    }

    fn refused(e: OutboxEntry, why: &str) -> RejectedEntry {
        RejectedEntry { entry: e, code: "state_conflict".into(), message: why.into() }
    }

    #[test]
    fn a_queued_close_and_visit_replay_onto_the_server_case() {
        let today = d("2026-11-23");
        let outbox = [visit(1, "v1"), entry(2, Change::Command { case_id: 7, command: close() })];
        let (cases, pending) = overlay(vec![server_case()], &outbox, &me(), today);
        let c = &cases[0];
        assert_eq!(c.lifecycle.status, CaseStatus::AwaitingFollowUp);
        assert_eq!(c.stage, Stage::FollowUp);
        assert_eq!((c.opinion, c.notice_form), (Some(Opinion::FairlySatisfied), Some(NoticeForm::Written)));
        assert_eq!(c.result.as_deref(), Some("围栏已修复"));
        assert_eq!(c.concluded_on, Some(today));
        assert_eq!(c.rev, 3, "the server's revision is kept until it answers");
        let p = &pending[&7];
        assert_eq!(p.len(), 1, "a visit shows as a visit, not as a pending command");
        assert_eq!(p[0].label, "办结反馈，信访人意见：比较满意");
        assert_eq!(p[0].detail.as_deref(), Some("围栏已修复"));
        // The follow-up clock now shows, in calendar days, from shared's period.
        let (label, _) = due_badge(c, today);
        assert_eq!(label, format!("{} 前回访", c.follow_up_due.unwrap()));

        let counted = counts(&pending, &outbox, &[], &[]);
        assert_eq!((counted.pending, counted.by_case[&7], counted.needs_worker), (2, 2, 0));
        assert_eq!(counted.oldest, Some(1000.0));

        let visits = case_visits(Vec::new(), &outbox, &[], 7, "其其格");
        assert_eq!(visits.len(), 1);
        assert!(visits[0].pending);
        assert_eq!(visits[0].visit.recorded_by_name, "其其格");
        assert_eq!(visits[0].visit.method, VisitMethod::Phone);
    }

    #[test]
    fn a_refused_change_leaves_the_outbox_and_the_server_state_shows_again() {
        let today = d("2026-11-23");
        let close = entry(2, Change::Command { case_id: 7, command: close() });
        let review =
            entry(3, Change::Command { case_id: 7, command: CaseCommand::RequestReview { note: "申请复查".into() } });
        let rejected = [refused(close, "只有办理中的事项才能办结反馈"), refused(review, "不能申请复查")];
        let (cases, pending) = overlay(vec![server_case()], &[], &me(), today);
        assert_eq!(cases[0], server_case(), "nothing of the refused close is shown");
        assert!(pending.is_empty());
        let counted = counts(&pending, &[], &[], &rejected);
        assert_eq!((counted.pending, counted.needs_worker), (0, 2));
        assert!(counted.by_case.is_empty());
        // Shown on its case, and the second explained by the first.
        assert_eq!(refused_on_case(&rejected, Some(&cases[0]), 7).len(), 2);
        assert_eq!(refused_before(&rejected, &rejected[1]), Some(&rejected[0]));
        assert_eq!(refused_before(&rejected, &rejected[0]), None);
    }

    #[test]
    fn a_change_the_rules_forbid_waits_but_does_not_change_the_case() {
        // A review request on a case still being handled: shared refuses it.
        let review =
            entry(4, Change::Command { case_id: 7, command: CaseCommand::RequestReview { note: "复查".into() } });
        let (cases, pending) = overlay(vec![server_case()], &[review], &me(), d("2026-11-23"));
        assert_eq!(cases[0].lifecycle.status, CaseStatus::Handling);
        assert_eq!(pending[&7].len(), 1);
    }

    #[test]
    fn a_matter_registered_offline_shows_until_the_server_has_it() {
        let today = d("2026-11-23");
        let outbox = [
            entry(5, Change::CreateCase { case: new_case("ref-1") }),
            entry(6, Change::CommandOnNew { client_ref: "ref-1".into(), command: accept() }),
        ];
        let (cases, pending) = overlay(Vec::new(), &outbox, &me(), today);
        assert_eq!(cases.len(), 1);
        let c = &cases[0];
        assert_eq!((c.id, c.number.as_str()), (provisional_id(5), "待同步"));
        assert_eq!(c.lifecycle.status, CaseStatus::Handling);
        assert_eq!(c.agent_name.as_deref(), Some("其其格"), "my own name, filled on the phone");
        assert_eq!(pending[&c.id].len(), 2);
        assert_eq!(counts(&pending, &outbox, &[], &[]).by_case[&c.id], 2);
        // Pulled from the server: shown once, with the server's id.
        let pulled = CaseView { client_ref: Some("ref-1".into()), ..server_case() };
        let (cases, _) = overlay(vec![pulled], &outbox[..1], &me(), today);
        assert_eq!(cases.len(), 1);
        assert_eq!(cases[0].id, 7);
    }

    #[test]
    fn the_timeline_is_newest_first_with_pending_changes_on_top() {
        let event = |id: i64, at: &str| TimelineEntry {
            id,
            case_id: 7,
            command: CaseCommand::Urge { note: "催办".into() },
            label: "催办".into(),
            actor_id: None,
            actor_name: "系统".into(),
            at: at.into(),
        };
        // 02:00 UTC = 10:00 China time, the minute of the visit.
        let events = vec![event(1, "2026-11-23T01:00:00Z"), event(2, "2026-11-23T02:00:30Z")];
        let visits = case_visits(Vec::new(), &[visit(1, "v1")], &[], 7, "其其格");
        // 2026-11-23 10:00 China time (02:00 UTC), in ms since the epoch.
        let at_ms = d("2026-11-23").and_hms_opt(2, 0, 0).unwrap().and_utc().timestamp_millis() as f64;
        let pending = vec![PendingEntry { mutation_id: 3, label: "办结反馈".into(), detail: None, at_ms }];
        let items = timeline(visits, events, pending);
        let kinds: Vec<String> = items
            .iter()
            .map(|i| match i {
                TimelineItem::Visit(v) => v.visit.id.clone(),
                TimelineItem::Event(e) => format!("e{}", e.id),
                TimelineItem::Pending(p) => format!("p{}", p.mutation_id),
            })
            .collect();
        assert_eq!(kinds, ["p3", "e2", "v1", "e1"]);
        assert_eq!(items[3].when(), "2026-11-23 09:00");
    }

    #[test]
    fn unsent_work_is_flagged_after_a_day() {
        let day = 86_400_000.0;
        assert_eq!(unsent_warning(None, day), None);
        assert_eq!(unsent_warning(Some(0.0), day - 1.0), None);
        assert!(unsent_warning(Some(0.0), 2.5 * day).unwrap().contains("超过 2 天"));
    }

    #[test]
    fn a_visit_with_its_photo_counts_once() {
        let outbox = [visit(1, "v1")];
        let counted = counts(&HashMap::new(), &outbox, &[photo("p1", "v1")], &[]);
        assert_eq!((counted.pending, counted.by_case[&7]), (1, 1));
        // The visit applied, the photo still to upload: it counts on its own.
        let counted = counts(&HashMap::new(), &[], &[photo("p1", "v1")], &[]);
        assert_eq!((counted.pending, counted.oldest), (1, Some(500.0)));
        // The visit refused: the photo goes to 需处理 with it (not counted twice).
        let rejected = [refused(visit(1, "v1"), "无权记录")];
        let refused_photo = UploadEntry { rejected: Some("所属走访记录被退回".into()), ..photo("p1", "v1") };
        let counted = counts(&HashMap::new(), &[], &[refused_photo], &rejected);
        assert_eq!((counted.pending, counted.needs_worker), (0, 1));
        assert_eq!(counted.refused_photos[0].visit_id.as_deref(), Some("v1"));
        let shown = case_visits(Vec::new(), &[], &rejected, 7, "其其格");
        assert_eq!(shown[0].rejected.as_deref(), Some("无权记录"));
    }

    #[test]
    fn screening_choices_are_shared_outcomes_with_shared_labels() {
        let choices = screening_choices();
        let codes: std::collections::HashSet<_> = choices.iter().map(|c| c.0).collect();
        assert_eq!(codes.len(), choices.len(), "codes are unique");
        assert_eq!(choices.len(), 3 + LegalRoute::ALL.len() + NotTakenReason::ALL.len());
        for (code, outcome) in &choices {
            assert_eq!(screening_outcome(code), Some(*outcome));
            assert_eq!(screening_code(*outcome), *code);
        }
        for reason in NotTakenReason::ALL {
            let o = screening_outcome(reason.as_str()).unwrap();
            assert_eq!(o.label(), format!("不予代办（{}）", reason.label()));
        }
        assert_eq!(screening_outcome("litigation").unwrap().label(), "告知法定途径（诉讼）");
        assert_eq!(screening_code(ScreeningOutcome::AcceptAgency { agent_chosen_by_citizen: true }), "accept");
    }

    #[test]
    fn the_follow_up_clock_is_urgent_by_the_shared_rule() {
        // Monday, due Thursday: 3 days, 3 working days — not urgent
        // (shared: urgent within 2 working days).
        assert_eq!(follow_up_badge(d("2026-11-26"), d("2026-11-23")), ("剩 3 天".to_string(), "ok"));
        // Friday, due Monday: 3 days but 1 working day — urgent.
        assert_eq!(follow_up_badge(d("2026-11-23"), d("2026-11-20")).1, "soon");
        assert_eq!(follow_up_badge(d("2026-11-23"), d("2026-11-23")), ("今天到期".to_string(), "soon"));
        assert_eq!(follow_up_badge(d("2026-11-21"), d("2026-11-23")), ("已逾期 2 天".to_string(), "overdue"));
        assert_eq!(follow_up_period(), format!("（{FOLLOW_UP_CALENDAR_DAYS} 日内）"));
    }

    #[test]
    fn the_list_filters_by_stage_and_deadline_and_puts_open_matters_first() {
        let today = d("2026-11-23");
        let open = server_case();
        let due_soon = CaseView { id: 8, due_on: d("2026-11-24"), ..server_case() };
        let overdue = CaseView { id: 9, due_on: d("2026-11-20"), ..server_case() };
        let cal = Calendar::official();
        let closed = CaseView { id: 10, ..apply_to_view(&server_case(), &close(), today, cal).unwrap() };
        let all = [closed.clone(), open.clone(), due_soon, overdue];
        let ids = |f: Filter, q: &str| list(&all, f, q, today).iter().map(|c| c.id).collect::<Vec<_>>();
        assert_eq!(ids(Filter::All, ""), [9, 8, 7, 10]);
        assert_eq!(ids(Filter::DueSoon, ""), [8]);
        assert_eq!(ids(Filter::Overdue, ""), [9]);
        assert_eq!(ids(Filter::Stage(Stage::FollowUp), ""), [10]);
        assert_eq!(ids(Filter::All, "0007"), [9, 8, 7, 10], "number search");
        assert!(ids(Filter::All, "无此人").is_empty());
        assert_eq!(Filter::Stage(Stage::Handling).label(), Stage::Handling.label());
    }
}
