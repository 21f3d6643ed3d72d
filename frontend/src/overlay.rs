//! What the phone shows = the server's last word + this device's changes
//! still in the outbox, replayed on top with the same rules the server uses
//! (`shared::command::apply_to_view`). When the server refuses a change it
//! leaves the outbox, and the case shows the server's state again by itself.

use crate::store::OutboxEntry;
use chrono::NaiveDate;
use shared::calendar::Calendar;
use shared::case::CaseView;
use shared::command::{apply_to_view, CaseCommand};
use shared::intake::NewCase;
use shared::lifecycle::Lifecycle;
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
