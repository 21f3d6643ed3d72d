//! One case: the header with its deadline, the actions the rules allow now,
//! the two forms (代办单, 处置单) read-only, and the timeline of everything
//! that happened — the server's, plus what this device still has to sync.

use crate::forms::{available_actions, Action, CommandForm, VisitForm};
use crate::list::{due_badge, refused_html};
use crate::overlay::command_detail;
use crate::state::{store, AppState};
use crate::store::{RejectedEntry, StoredVisit};
use crate::util::{china_now, china_time_of, el, esc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::case::{CaseView, TimelineEntry, Visit};
use shared::command::CaseCommand;
use shared::lifecycle::{CaseStatus, NoticeForm, Opinion};
use shared::sync::Change;

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

/// Label/value rows of a read-only form, as escaped HTML.
fn fact_rows(rows: &[(&'static str, String)]) -> String {
    let mut h = String::new();
    for (k, v) in rows {
        el(&mut h, &format!("<dt>{k}</dt><dd>"), v, "</dd>");
    }
    h
}

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
        (
            "告知方式",
            format!(
                "{}口头告知 {}书面告知",
                check(notice == Some(NoticeForm::Oral)),
                check(notice == Some(NoticeForm::Written))
            ),
        ),
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

/// The head of a case as HTML, every text escaped: number, stage, citizen,
/// and the facts with one row per clock (the handling limit, counted only
/// while the matter is open, then the follow-up), dates as YYYY-MM-DD.
fn case_head_html(c: &CaseView, today: chrono::NaiveDate) -> String {
    let mut h = String::new();
    el(&mut h, r#"<div class="row"><span class="num">"#, &c.number, "</span>");
    el(&mut h, r#"<span class="chip stage">"#, c.stage.label(), "</span></div>");
    el(&mut h, "<h2>", &c.citizen_name, "</h2>");
    el(&mut h, r#"<p class="summary full">"#, &c.summary, "</p>");
    el(&mut h, r#"<dl class="facts"><dt>状态</dt><dd data-test="status">"#, c.lifecycle.status.label(), "</dd>");
    h.push_str(r#"<dt>办理期限</dt><dd data-test="handling-due">"#);
    if c.stage.deadline_applies() {
        let (due, class) = due_badge(c, today);
        el(&mut h, &format!(r#"<span class="due {class}" data-test="due">"#), &due, "</span><br>");
    }
    el(&mut h, "", &format!("{} 前（{}）", c.due_on, c.level.label()), "</dd>");
    if let Some(d) = c.follow_up_due {
        h.push_str(r#"<dt>回访期限</dt><dd data-test="follow-up-due">"#);
        if c.lifecycle.status == CaseStatus::AwaitingFollowUp {
            let (label, class) = match (d - today).num_days() {
                n if n < 0 => (format!("已逾期 {} 天", -n), "overdue"),
                0 => ("今天到期".to_string(), "soon"),
                n => (format!("剩 {n} 天"), if n <= 3 { "soon" } else { "ok" }),
            };
            el(&mut h, &format!(r#"<span class="due {class}">"#), &label, "</span><br>");
        }
        h.push_str(&format!("{d} 前（15 日内）</dd>"));
    }
    let agent = c.agent_name.as_deref().unwrap_or("未指派");
    let rows = [
        ("受理日期", c.accepted_on.to_string()),
        ("来源渠道", format!("{} · {}", c.channel.label(), c.source.label())),
        ("所属单位", c.unit_name.clone()),
        ("代办员", agent.to_string()),
    ];
    for (k, v) in rows {
        el(&mut h, &format!("<dt>{k}</dt><dd>"), &v, "</dd>");
    }
    if let Some(p) = &c.phone {
        // A phone number is digits only (shared validation), safe in the link.
        let mut tel = String::new();
        esc(&mut tel, p);
        h.push_str(&format!(r#"<dt>联系电话</dt><dd><a class="tel" href="tel:{tel}">{tel}</a></dd>"#));
    }
    if let Some(a) = &c.address {
        el(&mut h, "<dt>住址</dt><dd>", a, "</dd>");
    }
    h.push_str("</dl>");
    h
}

/// The timeline as HTML, every text escaped. Display-only, so one string
/// instead of a view per kind of line keeps the WASM small.
fn timeline_html(items: &[Item]) -> String {
    let mut h = String::new();
    // `<tag attrs>` + escaped text + `</tag>`
    for item in items {
        match item {
            Item::Visit(v) => {
                h.push_str(match (v.pending, v.rejected.is_some()) {
                    (true, _) => r#"<li class="visit pending" data-test="visit">"#,
                    (_, true) => r#"<li class="visit rejected" data-test="visit">"#,
                    _ => r#"<li class="visit" data-test="visit">"#,
                });
                let when = format!("{} · 走访（{}）", v.visit.visited_at.replace('T', " "), v.visit.method.label());
                el(&mut h, r#"<div class="when">"#, &when, "");
                if v.pending {
                    h.push_str(r#"<span class="chip pending">未同步</span>"#);
                }
                el(&mut h, "</div><p>", &v.visit.note, "</p>");
                let by = match v.visit.position {
                    Some(p) => format!("{} · {}", v.visit.recorded_by_name, p.label()),
                    None => v.visit.recorded_by_name.clone(),
                };
                el(&mut h, r#"<div class="by">"#, &by, "</div>");
                if let Some(r) = &v.rejected {
                    el(&mut h, r#"<div class="reason">被退回："#, r, "</div>");
                }
            }
            Item::Event(e) => {
                el(
                    &mut h,
                    r#"<li class="visit event" data-test="event"><div class="when">"#,
                    &format!("{} · {}", china_time_of(&e.at), e.label),
                    "</div>",
                );
                if let Some(d) = command_detail(&e.command) {
                    el(&mut h, "<p>", &d, "</p>");
                }
                el(&mut h, r#"<div class="by">"#, &e.actor_name, "</div>");
            }
            Item::Pending(p) => {
                let when = shared::time::format_minute(shared::time::china_local_from_millis(p.at_ms));
                el(
                    &mut h,
                    r#"<li class="visit pending" data-test="pending-event"><div class="when">"#,
                    &format!("{when} · {}", p.label),
                    r#"<span class="chip pending">未同步</span></div>"#,
                );
                if let Some(d) = &p.detail {
                    el(&mut h, r#"<p data-test="pending-detail">"#, d, "</p>");
                }
            }
        }
        h.push_str("</li>");
    }
    h
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
    // A refused change being redone: its form starts from what was typed.
    let redo = RwSignal::new(None::<RejectedEntry>);
    let done = Callback::new(move |_| {
        redo.set(None);
        open.set(None);
    });
    // Refused field actions on this case, with the reason and what was typed.
    let refused = Memo::new(move |_| {
        let c = case.get();
        let client_ref = c.as_ref().and_then(|c| c.client_ref.clone());
        state
            .rejected
            .get()
            .into_iter()
            .filter(|r| match &r.entry.mutation.change {
                Change::Command { case_id, .. } => *case_id == id,
                Change::CommandOnNew { client_ref: cr, .. } => client_ref.as_ref() == Some(cr),
                _ => false,
            })
            .collect::<Vec<_>>()
    });
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
                        let action = match &r.entry.mutation.change {
                            Change::Command { command, .. } | Change::CommandOnNew { command, .. } => Action::of(command),
                            _ => None,
                        };
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
                                        let entry = entry2.clone();
                                        spawn_local(async move {
                                            let _ = store().discard_rejected(&entry).await;
                                            state.reload().await;
                                        })
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
                    {disposition_form(c.clone(), timeline)}

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
