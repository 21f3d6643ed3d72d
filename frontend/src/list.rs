//! 我的事项: my cases from the device database, searchable and filtered by
//! stage and deadline, each with its working-day countdown (shared rules),
//! and the 需处理 list of changes the server refused.

use crate::state::{store, AppState};
use crate::util::china_now;
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::calendar::Calendar;
use shared::case::{CaseView, Stage};
use shared::deadline::DueStatus;
use shared::lifecycle::CaseStatus;

/// The deadline badge of a case: text and colour class.
pub fn due_badge(c: &CaseView, today: NaiveDate) -> (String, &'static str) {
    if !c.stage.deadline_applies() {
        if let (CaseStatus::AwaitingFollowUp, Some(due)) = (c.lifecycle.status, c.follow_up_due) {
            // The follow-up period is in calendar days: show the date itself.
            return if today > due {
                (format!("回访已逾期（{}）", shared::time::format_month_day(due)), "overdue")
            } else {
                (
                    format!("{} 前回访", shared::time::format_month_day(due)),
                    if (due - today).num_days() <= 3 { "soon" } else { "ok" },
                )
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

const FILTERS: [Filter; 7] = [
    Filter::All,
    Filter::Stage(Stage::Screening),
    Filter::Stage(Stage::Handling),
    Filter::Stage(Stage::Feedback),
    Filter::Stage(Stage::FollowUp),
    Filter::DueSoon,
    Filter::Overdue,
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
    let pending = state.pending_entries;
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
        <ul class="case-list">
            {move || shown.get().into_iter().take(shown_max.get()).map(|c| {
                let (due, due_class) = due_badge(&c, today);
                let waiting = pending.with(|p| p.get(&c.id).map_or(0, Vec::len));
                view! {
                    <li>
                        <a class="card case-card" href=format!("#/case/{}", c.id) data-test="case-card">
                            <div class="row">
                                <span class="num">{c.number.clone()}</span>
                                <span class="chip stage">{c.stage.label()}</span>
                            </div>
                            <div class="name">
                                {c.citizen_name.clone()}
                                {(waiting > 0).then(|| view! { <span class="chip pending">{format!("{waiting} 项未同步")}</span> })}
                            </div>
                            <p class="summary">{c.summary.clone()}</p>
                            <div class="row meta">
                                <span class=format!("due {due_class}")>{due}</span>
                                <span class="unit">
                                    {c.unit_name.clone()}
                                    {c.agent_name.clone().map(|a| format!(" · {a}"))}
                                </span>
                            </div>
                        </a>
                    </li>
                }
            }).collect_view()}
        </ul>
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

/// Cases rendered per page of the list.
const PAGE: usize = 50;

#[component]
fn RejectedList() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let list = state.rejected.get();
        let uploads = state.rejected_uploads.get();
        (!list.is_empty() || !uploads.is_empty()).then(|| {
            view! {
                <section class="card attention" data-test="rejected">
                    <h3>{format!("需处理（{}）", list.len() + uploads.len())}</h3>
                    <p class="hint">"以下记录被服务器退回，未写入系统。请核对事项的最新情况后重新办理，或放弃。"</p>
                    <ul>
                        {list.into_iter().map(|r| {
                            let change = &r.entry.mutation.change;
                            let href = change.case_id().map_or_else(|| "#/".to_string(), |id| format!("#/case/{id}"));
                            let label = change.label();
                            let entry = r.clone();
                            view! {
                                <li data-test="rejected-item">
                                    <div><a href=href.clone()>{label}</a></div>
                                    <div class="reason">{format!("原因：{}", r.message)}</div>
                                    <div class="row-actions">
                                        <a class="btn small" href=href>"查看事项，重新办理"</a>
                                        <button class="btn small" on:click=move |_| {
                                            let entry = entry.clone();
                                            spawn_local(async move {
                                                let _ = store().discard_rejected(&entry).await;
                                                state.reload().await;
                                            })
                                        }>"放弃"</button>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                        {uploads.into_iter().map(|(id, case_id, name, reason)| view! {
                            <li data-test="rejected-item">
                                <div><a href=format!("#/case/{case_id}")>{format!("照片：{name}")}</a></div>
                                <div class="reason">{format!("原因：{reason}")}</div>
                                <button class="btn small" on:click=move |_| {
                                    let id = id.clone();
                                    spawn_local(async move {
                                        let _ = store().discard_upload(&id).await;
                                        state.reload().await;
                                    })
                                }>"放弃"</button>
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            }
        })
    }
}
