//! 我的事项: my cases from the device database, searchable and filtered by
//! stage and deadline, each with its working-day countdown (shared rules),
//! and the 需处理 list of changes the server refused.

use crate::overlay::command_detail;
use crate::state::{refused_before, store, AppState, RefusedPhoto};
use crate::store::RejectedEntry;
use crate::util::china_now;
use crate::util::{el, esc};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::calendar::Calendar;
use shared::case::{CaseView, Stage};
use shared::deadline::DueStatus;
use shared::lifecycle::CaseStatus;
use shared::sync::Change;
use std::collections::HashMap;

/// The deadline badge of a case: text and colour class.
pub fn due_badge(c: &CaseView, today: NaiveDate) -> (String, &'static str) {
    if !c.stage.deadline_applies() {
        if let (CaseStatus::AwaitingFollowUp, Some(due)) = (c.lifecycle.status, c.follow_up_due) {
            // The follow-up period is in calendar days: show the date itself.
            return if today > due {
                (format!("回访已逾期（{due} 前）"), "overdue")
            } else {
                (format!("{due} 前回访"), if (due - today).num_days() <= 3 { "soon" } else { "ok" })
            };
        }

        return (c.lifecycle.status.label().to_string(), "done");
    }
    let status = DueStatus::at(Calendar::official(), c.due_on, today);
    let class = match status {
        DueStatus::Overdue(_) => "overdue",
        s if s.is_urgent() => "soon",
        _ => "ok",
    };
    let mut label = status.label();
    if c.due_unscheduled {
        label.push_str("（节假日安排未公布）");
    }
    (label, class)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    All,
    Stage(Stage),
    DueSoon,
    Overdue,
}

impl Filter {
    fn label(self) -> &'static str {
        match self {
            Filter::All => "全部",
            Filter::Stage(Stage::Screening) => "待甄别",
            Filter::Stage(Stage::Handling) => "办理中",
            Filter::Stage(Stage::Feedback) => "办结反馈",
            Filter::Stage(Stage::FollowUp) => "待回访",
            Filter::Stage(Stage::Archived) => "已归档",
            Filter::DueSoon => "即将到期",
            Filter::Overdue => "已超期",
        }
    }

    fn keeps(self, c: &CaseView, today: NaiveDate) -> bool {
        let status = || DueStatus::at(Calendar::official(), c.due_on, today);
        match self {
            Filter::All => true,
            Filter::Stage(s) => c.stage == s,
            Filter::DueSoon => {
                c.stage.deadline_applies() && status().is_urgent() && !matches!(status(), DueStatus::Overdue(_))
            }

            Filter::Overdue => c.stage.deadline_applies() && matches!(status(), DueStatus::Overdue(_)),
        }
    }
}

/// The deadline filters come first: they are what a worker looks for first.
const FILTERS: [Filter; 7] = [
    Filter::All,
    Filter::DueSoon,
    Filter::Overdue,
    Filter::Stage(Stage::Screening),
    Filter::Stage(Stage::Handling),
    Filter::Stage(Stage::Feedback),
    Filter::Stage(Stage::FollowUp),
];

#[component]
pub fn CaseList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let search = RwSignal::new(String::new());
    let filter = RwSignal::new(Filter::All);
    // Cheap phones render a long list slowly: show a page at a time.
    let shown_max = RwSignal::new(PAGE);
    let today = china_now().date();
    let shown = Memo::new(move |_| {
        let q = search.get();
        let q = q.trim();
        let f = filter.get();
        let mut v: Vec<CaseView> = state
            .cases
            .get()
            .into_iter()
            .filter(|c| f.keeps(c, today))
            .filter(|c| q.is_empty() || c.citizen_name.contains(q) || c.number.contains(q) || c.summary.contains(q))
            .collect();
        // Open matters first, most urgent deadline first.
        v.sort_by_key(|c| (!c.stage.deadline_applies(), c.due_on, c.id));

        v
    });
    let pending = state.pending_by_case;
    // A save confirmation belongs to the case page it was made on.
    state.flash.set(None);
    view! {
        <RejectedList/>
        <div class="list-head">
            <h2>"我的事项"</h2>
            <span class="count" data-test="case-count">{move || format!("{} 件", shown.with(Vec::len))}</span>
        </div>
        <input class="search" type="search" placeholder="搜索姓名、编号或内容" aria-label="搜索"
            prop:value=move || search.get()
            on:input=move |ev| search.set(event_target_value(&ev))/>
        <div class="chips" role="group" aria-label="筛选">
            {FILTERS.into_iter().map(|f| view! {
                <button type="button" class="chip-btn" class:active=move || filter.get() == f
                    aria-pressed=move || (filter.get() == f).to_string()
                    on:click=move |_| filter.set(f)>{f.label()}</button>
            }).collect_view()}
        </div>
        {move || (state.cases.with(Vec::is_empty)).then(|| view! {
            <p class="empty">"本机还没有事项。联网后会自动下载您辖区内的事项。"</p>
        })}
        <ul class="case-list" inner_html=move || {
            pending.with(|p| shown.with(|v| cards_html(&v[..v.len().min(shown_max.get())], p, today)))
        }></ul>
        {move || {
            let rest = shown.with(Vec::len).saturating_sub(shown_max.get());
            (rest > 0).then(|| view! {
                <button type="button" class="btn block" on:click=move |_| shown_max.update(|m| *m += PAGE)>
                    {format!("显示更多（还有 {rest} 件）")}
                </button>
            })
        }}
    }
}

/// The case cards as HTML, every text escaped (display-only links: one
/// string instead of a view per card keeps the WASM small).
fn cards_html(cases: &[CaseView], pending: &HashMap<i64, u32>, today: NaiveDate) -> String {
    let mut h = String::new();
    for c in cases {
        let (due, due_class) = due_badge(c, today);
        h.push_str(&format!(
            r##"<li><a class="card case-card" href="#/case/{}" data-test="case-card"><div class="row">"##,
            c.id
        ));
        el(&mut h, r#"<span class="num">"#, &c.number, "</span>");
        el(&mut h, r#"<span class="chip stage">"#, c.stage.label(), r#"</span></div><div class="name">"#);
        esc(&mut h, &c.citizen_name);
        if let Some(n) = pending.get(&c.id).filter(|n| **n > 0) {
            h.push_str(&format!(r#"<span class="chip pending" data-test="case-pending">{n} 项未同步</span>"#));
        }
        el(&mut h, r#"</div><p class="summary">"#, &c.summary, "</p>");
        el(&mut h, &format!(r#"<div class="row meta"><span class="due {due_class}">"#), &due, "</span>");
        let unit = match &c.agent_name {
            Some(a) => format!("{} · {a}", c.unit_name),
            None => c.unit_name.clone(),
        };
        el(&mut h, r#"<span class="unit">"#, &unit, "</span></div></a></li>");
    }
    h
}

/// Cases rendered per page of the list.
const PAGE: usize = 50;

/// A refused change as escaped HTML: what it was (then `after_label`), what
/// was typed, the server's reason, and the earlier refusal that explains it.
pub fn refused_html(r: &RejectedEntry, all: &[RejectedEntry], after_label: &str) -> String {
    let mut h = String::new();
    let change = &r.entry.mutation.change;
    el(&mut h, "", &change.label(), after_label);
    if let Change::Command { command, .. } | Change::CommandOnNew { command, .. } = change {
        if let Some(t) = command_detail(command) {
            el(&mut h, r#"<div class="typed" data-test="typed">您填写的："#, &t, "</div>");
        }
    }
    el(&mut h, r#"<div class="reason">原因："#, &r.message, "</div>");
    if let Some(b) = refused_before(all, r) {
        el(
            &mut h,
            r#"<div class="hint" data-test="refused-chain">本机先前的“"#,
            &b.entry.mutation.change.label(),
            "”已被退回，此项依赖它，因而也未能办理。</div>",
        );
    }
    h
}

#[component]
fn RejectedList() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let list = state.rejected.get();
        let uploads = state.rejected_uploads.get();
        (!list.is_empty() || !uploads.is_empty()).then(|| {
            // Photos refused with their visit are shown (and discarded) with it.
            let (with_visit, alone): (Vec<RefusedPhoto>, Vec<RefusedPhoto>) =
                uploads.into_iter().partition(|u| u.visit_id.is_some());
            let count = list.len() + alone.len();
            view! {
                <section class="card attention" data-test="rejected">
                    <h3>{format!("需处理（{count}）")}</h3>
                    <p class="hint">"以下记录被服务器退回，未写入系统。请核对事项的最新情况后重新办理，或放弃。"</p>
                    <ul>
                        {list.iter().map(|r| {
                            let change = &r.entry.mutation.change;
                            let href = change.case_id().map_or_else(|| "#/".to_string(), |id| format!("#/case/{id}"));
                            let mut info = format!(r#"<div><a class="item-link" href="{href}">"#);
                            info.push_str(&refused_html(r, &list, "</a></div>"));
                            let visit_id = match change {
                                Change::AddVisit { visit } => Some(visit.id.clone()),
                                _ => None,
                            };
                            let photos: Vec<String> = with_visit
                                .iter()
                                .filter(|u| u.visit_id.is_some() && u.visit_id == visit_id)
                                .map(|u| u.id.clone())
                                .collect();
                            let entry = r.clone();
                            view! {
                                <li data-test="rejected-item">
                                    <div inner_html=info></div>
                                    {(!photos.is_empty()).then(|| view! { <div class="hint">{format!("附照片 {} 张，随该记录一并未上传。", photos.len())}</div> })}
                                    <div class="row-actions">
                                        <a class="btn small" href=href>"查看事项"</a>
                                        <button class="btn small" on:click=move |_| {
                                            let entry = entry.clone();
                                            let photos = photos.clone();
                                            spawn_local(async move {
                                                let s = store();
                                                let _ = s.discard_rejected(&entry).await;
                                                for p in &photos {
                                                    let _ = s.discard_upload(p).await;
                                                }
                                                state.reload().await;
                                            })
                                        }>"放弃"</button>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                        {alone.into_iter().map(|u| view! {
                            <li data-test="rejected-item">
                                <div><a class="item-link" href=format!("#/case/{}", u.case_id)>{format!("照片：{}", u.name)}</a></div>
                                <div class="reason">{format!("原因：{}", u.reason)}</div>
                                <div class="row-actions">
                                    <button class="btn small" on:click=move |_| {
                                        let id = u.id.clone();
                                        spawn_local(async move {
                                            let _ = store().discard_upload(&id).await;
                                            state.reload().await;
                                        })
                                    }>"放弃"</button>
                                </div>
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            }
        })
    }
}
