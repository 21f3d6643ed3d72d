//! One case: the header with its deadline, the actions the rules allow now,
//! the two forms (代办单, 处置单) read-only, and the timeline of everything
//! that happened — the server's, plus what this device still has to sync.

use crate::forms::{available_actions, Action, CommandForm, VisitForm};
use crate::list::due_badge;
use crate::state::{store, AppState};
use crate::store::StoredVisit;
use crate::util::{china_now, china_time_of};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::case::{CaseView, TimelineEntry, Visit};
use shared::command::CaseCommand;
use shared::lifecycle::{NoticeForm, Opinion};

/// One line of the timeline, whatever its source.
#[derive(Clone, PartialEq)]
enum Item {
    Visit(StoredVisit),
    Event(TimelineEntry),
    Pending(crate::overlay::PendingEntry),
}

impl Item {
    /// A sortable local time "YYYY-MM-DD HH:MM".
    /// Orders items of the same minute: visits, then server events by id,
    /// then pending changes by mutation id.
    fn tiebreak(&self) -> (u8, i64) {
        match self {
            Item::Visit(_) => (0, 0),
            Item::Event(e) => (1, e.id),
            Item::Pending(p) => (2, p.mutation_id as i64),
        }
    }

    fn when(&self) -> String {
        match self {
            Item::Visit(v) => v.visit.visited_at.replace('T', " "),
            Item::Event(e) => china_time_of(&e.at),
            Item::Pending(p) => shared::time::format_minute(shared::time::china_local_from_millis(p.at_ms)),
        }
    }
}

fn check(on: bool) -> &'static str {
    if on {
        "☑"
    } else {
        "☐"
    }
}

#[component]
fn AgencyForm(c: CaseView) -> impl IntoView {
    let opinion = c.opinion;
    let notice = c.notice_form;
    view! {
        <details class="card form-view" data-test="agency-form">
            <summary>"信访事项代办单"</summary>
            <dl class="facts">
                <dt>"编号"</dt><dd>{c.number.clone()}</dd>
                <dt>"日期"</dt><dd>{c.accepted_on.to_string()}</dd>
                <dt>"信访人"</dt><dd>{c.citizen_name.clone()}</dd>
                <dt>"身份证号"</dt><dd>{c.id_number.clone().unwrap_or_else(|| "（无权查看或未登记）".into())}</dd>
                <dt>"地址"</dt><dd>{c.address.clone().unwrap_or_else(|| "（无权查看或未登记）".into())}</dd>
                <dt>"电话"</dt><dd>{c.phone.clone().unwrap_or_else(|| "（无权查看或未登记）".into())}</dd>
                <dt>"问题及诉求"</dt><dd>{c.summary.clone()}</dd>
                <dt>"代办人"</dt><dd>{c.agent_name.clone().unwrap_or_else(|| "未指派".into())}</dd>
                <dt>"告知方式"</dt>
                <dd>{format!("{}口头告知 {}书面告知", check(notice == Some(NoticeForm::Oral)), check(notice == Some(NoticeForm::Written)))}</dd>
                <dt>"代理结果"</dt><dd>{c.result.clone().unwrap_or_default()}</dd>
                <dt>"信访人意见"</dt>
                <dd>{Opinion::ALL.map(|o| format!("{}{}", check(opinion == Some(o)), o.label())).join(" ")}</dd>
            </dl>
        </details>
    }
}

#[component]
fn DispositionForm(c: CaseView, timeline: RwSignal<Vec<TimelineEntry>>) -> impl IntoView {
    let urges = move || {
        let urges: Vec<String> = timeline.with(|t| {
            t.iter()
                .filter_map(|e| match &e.command {
                    CaseCommand::Urge { note } => Some(format!("{} {}", china_time_of(&e.at), note)),
                    _ => None,
                })
                .collect()
        });
        if urges.is_empty() {
            "无".to_string()
        } else {
            urges.join("；")
        }
    };
    view! {
        <details class="card form-view" data-test="disposition-form">
            <summary>"信访事项处置单"</summary>
            <dl class="facts">
                <dt>"编号"</dt><dd>{c.number.clone()}</dd>
                <dt>"日期"</dt><dd>{c.accepted_on.to_string()}</dd>
                <dt>"姓名"</dt><dd>{c.citizen_name.clone()}</dd>
                <dt>"联系电话"</dt><dd>{c.phone.clone().unwrap_or_else(|| "（无权查看或未登记）".into())}</dd>
                <dt>"住址"</dt><dd>{c.address.clone().unwrap_or_else(|| "（无权查看或未登记）".into())}</dd>
                <dt>"内容分类"</dt>
                <dd>{c.category.map(|x| format!("{}（{}）", x.label(), x.task_group().label())).unwrap_or_default()}</dd>
                <dt>"内容摘要"</dt><dd>{c.brief.clone().unwrap_or_else(|| c.summary.clone())}</dd>
                <dt>"拟办意见"</dt><dd>{c.proposed_handling.clone().unwrap_or_default()}</dd>
                <dt>"分管领导意见"</dt><dd>{c.leader_opinion.clone().unwrap_or_default()}</dd>
                <dt>"领导批示"</dt><dd>{c.leader_instruction.clone().unwrap_or_default()}</dd>
                <dt>"进度催办"</dt><dd>{urges}</dd>
                <dt>"处理结果"</dt><dd>{c.result.clone().unwrap_or_default()}</dd>
            </dl>
        </details>
    }
}

#[component]
pub fn CaseDetail(id: i64) -> impl IntoView {
    let state = expect_context::<AppState>();
    let case = Memo::new(move |_| state.cases.get().into_iter().find(|c| c.id == id));
    let server_visits = RwSignal::new(Vec::<Visit>::new());
    // Shown: the server's visits, then this device's pending and refused ones.
    let visits = Memo::new(move |_| {
        let me_name = state.me.with(|m| m.as_ref().map(|m| m.display_name.clone()).unwrap_or_default());
        let mut all: Vec<StoredVisit> = server_visits
            .get()
            .into_iter()
            .map(|visit| StoredVisit { visit, pending: false, rejected: None })
            .collect();
        let known: std::collections::HashSet<String> = all.iter().map(|v| v.visit.id.clone()).collect();
        state.outbox.with(|o| {
            for e in o {
                if let Some(v) = e.visit(&me_name).filter(|v| v.case_id == id && !known.contains(&v.id)) {
                    all.push(StoredVisit { visit: v, pending: true, rejected: None });
                }
            }
        });
        state.rejected.with(|r| {
            for r in r {
                if let Some(v) = r.entry.visit(&me_name).filter(|v| v.case_id == id && !known.contains(&v.id)) {
                    all.push(StoredVisit { visit: v, pending: false, rejected: Some(r.message.clone()) });
                }
            }
        });
        all
    });
    let timeline = RwSignal::new(Vec::<TimelineEntry>::new());
    Effect::new(move |_| {
        state.data_version.track();
        spawn_local(async move {
            if let Ok(v) = store().visits(id).await {
                server_visits.set(v);
            }

            if let Ok(t) = store().timeline(id).await {
                timeline.set(t);
            }
        });
    });
    let open = RwSignal::new(Some(Action::Visit));
    let done = Callback::new(move |_| open.set(None));
    let today = china_now().date();
    let items = Memo::new(move |_| {
        let mut items: Vec<Item> = visits.get().into_iter().map(Item::Visit).collect();
        items.extend(timeline.get().into_iter().map(Item::Event));
        items.extend(
            state.pending_entries.with(|p| p.get(&id).cloned().unwrap_or_default()).into_iter().map(Item::Pending),
        );
        // Newest first; within a minute, this device's pending changes on
        // top (in the order they were made), then the server's events.
        items.sort_by_key(|i| std::cmp::Reverse((i.when(), i.tiebreak())));
        items
    });
    view! {
        <a class="back" href="#/">"‹ 返回我的事项"</a>
        {move || match case.get() {
            None => view! { <p class="empty">"本机没有这件事项（可能不在您的辖区，或尚未同步）。"</p> }.into_any(),
            Some(c) => {
                let (due, due_class) = due_badge(&c, today);
                let actions = available_actions(&c, &state);
                let c2 = c.clone();
                view! {
                    <section class="card case-head">
                        <div class="row">
                            <span class="num">{c.number.clone()}</span>
                            <span class="chip stage">{c.stage.label()}</span>
                        </div>
                        <h2>{c.citizen_name.clone()}</h2>
                        <p class="summary full">{c.summary.clone()}</p>
                        <dl class="facts">
                            <dt>"状态"</dt><dd data-test="status">{c.lifecycle.status.label()}</dd>
                            <dt>"办理期限"</dt>
                            <dd><span class=format!("due {due_class}") data-test="due">{due}</span>" "{format!("（{} 前，{}）", c.due_on, c.level.label())}</dd>
                            {c.follow_up_due.map(|d| view! { <dt>"回访期限"</dt><dd>{d.to_string()}</dd> })}
                            <dt>"受理日期"</dt><dd>{c.accepted_on.to_string()}</dd>
                            <dt>"来源渠道"</dt><dd>{format!("{} · {}", c.channel.label(), c.source.label())}</dd>
                            <dt>"所属单位"</dt><dd>{c.unit_name.clone()}</dd>
                            <dt>"代办员"</dt><dd>{c.agent_name.clone().unwrap_or_else(|| "未指派".to_string())}</dd>
                            {c.phone.clone().map(|p| view! { <dt>"联系电话"</dt><dd><a href=format!("tel:{p}")>{p.clone()}</a></dd> })}
                            {c.address.clone().map(|a| view! { <dt>"住址"</dt><dd>{a}</dd> })}
                        </dl>
                    </section>
                    <div class="actions" role="group" aria-label="办理">
                        {actions.iter().map(|a| {
                            let a = *a;
                            view! {
                                <button type="button" class="btn action" class:active=move || open.get() == Some(a)
                                    on:click=move |_| open.set(if open.get_untracked() == Some(a) { None } else { Some(a) })>{a.label()}</button>
                            }
                        }).collect_view()}
                    </div>
                    {(actions.is_empty()).then(|| view! { <p class="hint">{format!("该事项{}，现场无需办理。", c.lifecycle.status.label())}</p> })}
                    {move || match open.get() {
                        Some(Action::Visit) if actions.contains(&Action::Visit) => view! { <VisitForm case_id=id/> }.into_any(),
                        Some(a) if actions.contains(&a) => view! { <CommandForm case=c2.clone() action=a on_done=done/> }.into_any(),
                        _ => ().into_any(),
                    }}
                    <AgencyForm c=c.clone()/>
                    <DispositionForm c=c.clone() timeline=timeline/>

                }.into_any()
            }
        }}
        <section class="card">
            <h3>{move || format!("办理记录（{}）", items.with(Vec::len))}</h3>
            {move || items.with(Vec::is_empty).then(|| view! { <p class="hint">"还没有记录。"</p> })}
            <ol class="timeline" data-test="timeline">
                {move || items.get().into_iter().map(|item| match item {
                    Item::Visit(v) => {
                        let pending = v.pending;
                        view! {
                            <li class="visit" class:pending=pending class:rejected=v.rejected.is_some() data-test="visit">
                                <div class="when">
                                    {v.visit.visited_at.replace('T', " ")}" · 走访（"{v.visit.method.label()}"）"
                                    {pending.then(|| view! { <span class="chip pending">"未同步"</span> })}
                                </div>
                                <p>{v.visit.note.clone()}</p>
                                <div class="by">
                                    {v.visit.recorded_by_name.clone()}
                                    {v.visit.position.map(|p| format!(" · {}", p.label()))}
                                </div>
                                {v.rejected.clone().map(|r| view! { <div class="reason">{format!("被退回：{r}")}</div> })}
                            </li>
                        }.into_any()
                    }
                    Item::Event(e) => {
                        let detail = match &e.command {
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
                        };
                        view! {
                            <li class="visit event" data-test="event">
                                <div class="when">{china_time_of(&e.at)}" · "{e.label.clone()}</div>
                                {detail.map(|d| view! { <p>{d}</p> })}
                                <div class="by">{e.actor_name.clone()}</div>
                            </li>
                        }.into_any()
                    }
                    Item::Pending(p) => view! {
                        <li class="visit pending" data-test="pending-event">
                            <div class="when">{shared::time::format_minute(shared::time::china_local_from_millis(p.at_ms))}" · "{p.label.clone()}<span class="chip pending">"未同步"</span></div>
                        </li>
                    }.into_any(),
                }).collect_view()}
            </ol>
        </section>
    }
}
