//! One case: the header with its deadline, the actions the rules allow now,
//! the two forms (代办单, 处置单) read-only, and the timeline of everything
//! that happened — the server's, plus what this device still has to sync.

use crate::components::blocks::{case_head_html, check, fact_rows, refused_html, timeline_html};
use crate::components::forms::{available_actions, Action, CommandForm, VisitForm};
use crate::route::Route;
use crate::state::{store, AppState};
use crate::sync::outbox::RejectedEntry;
use crate::util::china_now;
use crate::view::{case_visits, china_time_of, command_of, refused_on_case, timeline};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::case::{CaseView, TimelineEntry, Visit};
use shared::command::CaseCommand;
use shared::lifecycle::{NoticeForm, Opinion};

/// A paper form of the case, folded: its title, then its rows.
fn form_view(title: &'static str, test: &'static str, rows: Signal<Vec<(&'static str, String)>>) -> impl IntoView {
    view! {
        <details class="card form-view" data-test=test>
            <summary>{title}</summary>
            <dl class="facts" inner_html=move || rows.with(|r| fact_rows(r))></dl>
        </details>
    }
}

const HIDDEN: &str = "（无权查看或未登记）";

fn agency_form(c: CaseView) -> impl IntoView {
    let opinion = c.opinion;
    let notice = c.notice_form;
    let rows = vec![
        ("编号", c.number.clone()),
        ("日期", c.accepted_on.to_string()),
        ("信访人", c.citizen_name.clone()),
        ("身份证号", c.id_number.clone().unwrap_or_else(|| HIDDEN.into())),
        ("地址", c.address.clone().unwrap_or_else(|| HIDDEN.into())),
        ("电话", c.phone.clone().unwrap_or_else(|| HIDDEN.into())),
        ("问题及诉求", c.summary.clone()),
        ("代办人", c.agent_name.clone().unwrap_or_else(|| "未指派".into())),
        ("告知方式", NoticeForm::ALL.map(|n| format!("{}{}", check(notice == Some(n)), n.label())).join(" ")),
        ("代理结果", c.result.clone().unwrap_or_default()),
        ("信访人意见", Opinion::ALL.map(|o| format!("{}{}", check(opinion == Some(o)), o.label())).join(" ")),
    ];
    form_view("信访事项代办单", "agency-form", Signal::stored(rows))
}

fn disposition_form(c: CaseView, timeline: RwSignal<Vec<TimelineEntry>>) -> impl IntoView {
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
    form_view(
        "信访事项处置单",
        "disposition-form",
        Signal::derive(move || {
            vec![
                ("编号", c.number.clone()),
                ("日期", c.accepted_on.to_string()),
                ("姓名", c.citizen_name.clone()),
                ("联系电话", c.phone.clone().unwrap_or_else(|| HIDDEN.into())),
                ("住址", c.address.clone().unwrap_or_else(|| HIDDEN.into())),
                (
                    "内容分类",
                    c.category.map(|x| format!("{}（{}）", x.label(), x.task_group().label())).unwrap_or_default(),
                ),
                ("内容摘要", c.brief.clone().unwrap_or_else(|| c.summary.clone())),
                ("拟办意见", c.proposed_handling.clone().unwrap_or_default()),
                ("分管领导意见", c.leader_opinion.clone().unwrap_or_default()),
                ("领导批示", c.leader_instruction.clone().unwrap_or_default()),
                ("进度催办", urges()),
                ("处理结果", c.result.clone().unwrap_or_default()),
            ]
        }),
    )
}

#[component]
pub fn CaseDetail(id: i64) -> impl IntoView {
    let state = expect_context::<AppState>();
    let case = Memo::new(move |_| state.cases.get().into_iter().find(|c| c.id == id));
    let server_visits = RwSignal::new(Vec::<Visit>::new());
    // Shown: the server's visits, then this device's pending and refused ones.
    let visits = Memo::new(move |_| {
        let me_name = state.me.with(|m| m.as_ref().map(|m| m.display_name.clone()).unwrap_or_default());
        state.outbox.with(|o| state.rejected.with(|r| case_visits(server_visits.get(), o, r, id, &me_name)))
    });
    let events = RwSignal::new(Vec::<TimelineEntry>::new());
    Effect::new(move |_| {
        state.data_version.track();
        spawn_local(async move {
            if let Ok(v) = store().visits(id).await {
                server_visits.set(v);
            }

            if let Ok(t) = store().timeline(id).await {
                events.set(t);
            }
        });
    });
    let open = RwSignal::new(Some(Action::Visit));
    // A refused change being redone: its form starts from what was typed.
    let redo = RwSignal::new(None::<RejectedEntry>);
    let done = Callback::new(move |_| {
        redo.set(None);
        open.set(None);
    });
    // Refused field actions on this case, with the reason and what was typed.
    let refused = Memo::new(move |_| state.rejected.with(|r| refused_on_case(r, case.get().as_ref(), id)));
    let today = china_now().date();
    let items = Memo::new(move |_| {
        let pending = state.pending_entries.with(|p| p.get(&id).cloned().unwrap_or_default());
        timeline(visits.get(), events.get(), pending)
    });
    view! {
        <a class="back" href=Route::Cases.page()>"‹ 返回我的事项"</a>
        {move || match case.get() {
            None => view! { <p class="empty">"本机没有这件事项（可能不在您的辖区，或尚未同步）。"</p> }.into_any(),
            Some(c) => {
                let (actions, withheld) = available_actions(&c, &state);
                let actions2 = actions.clone();
                let c2 = c.clone();
                view! {
                    <section class="card case-head" inner_html=case_head_html(&c, today)></section>
                    {move || state.flash.get().filter(|f| f.0 == id).map(|f| {
                        // Once nothing of this case waits any more, the server has answered.
                        let answered = state.pending_by_case.with(|p| p.get(&id).is_none_or(|n| *n == 0));
                        view! {
                            <p class="ok saved" role="status" data-test="saved">
                                {if answered { "已保存到本机，服务器已收到".to_string() } else { f.1 }}
                            </p>
                        }
                    })}
                    {move || refused.get().into_iter().map(|r| {
                        let action = command_of(&r.entry.mutation.change).and_then(Action::of);
                        let can_redo = action.filter(|a| actions2.contains(a));
                        let info = state.rejected.with(|all| refused_html(&r, all, "</h3>"));
                        let entry = r.clone();
                        let entry2 = r.clone();
                        view! {
                            <section class="card attention" data-test="refused-here">
                                <div inner_html=format!("<h3>被退回：{info}")></div>
                                {can_redo.is_none().then(|| view! { <p class="hint">"该事项现在不能办理此项，请核对最新情况。"</p> })}
                                <div class="row-actions">
                                    {can_redo.map(|a| view! {
                                        <button type="button" class="btn" on:click=move |_| {
                                            redo.set(Some(entry.clone()));
                                            open.set(Some(a));
                                        }>"重新办理"</button>
                                    })}
                                    <button type="button" class="btn" on:click=move |_| {
                                        spawn_local(state.discard(Some(entry2.clone()), Vec::new()))
                                    }>"放弃"</button>
                                </div>
                            </section>
                        }
                    }).collect_view()}
                    <div class="actions" role="group" aria-label="办理">
                        {actions.iter().map(|a| {
                            let a = *a;
                            view! {
                                <button type="button" class="btn action" class:active=move || open.get() == Some(a)
                                    on:click=move |_| {
                                        redo.set(None);
                                        open.set(if open.get_untracked() == Some(a) { None } else { Some(a) })
                                    }>{a.label()}</button>
                            }
                        }).collect_view()}
                    </div>
                    {actions.is_empty().then(|| view! {
                        <p class="hint" data-test="no-actions">
                            {withheld.unwrap_or_else(|| format!("该事项{}，现场无需办理。", c.lifecycle.status.label()))}
                        </p>
                    })}
                    {move || match (open.get(), redo.get()) {
                        (Some(Action::Visit), _) if actions.contains(&Action::Visit) => view! { <VisitForm case_id=id/> }.into_any(),
                        (Some(a), r) if actions.contains(&a) => view! { <CommandForm case=c2.clone() action=a on_done=done redo=r/> }.into_any(),
                        _ => ().into_any(),
                    }}
                    {agency_form(c.clone())}
                    {disposition_form(c.clone(), events)}

                }.into_any()
            }
        }}
        <section class="card">
            <h3>{move || format!("办理记录（{}）", items.with(Vec::len))}</h3>
            {move || items.with(Vec::is_empty).then(|| view! { <p class="hint">"还没有记录。"</p> })}
            <ol class="timeline" data-test="timeline" inner_html=move || items.with(|i| timeline_html(i))></ol>
        </section>
    }
}
