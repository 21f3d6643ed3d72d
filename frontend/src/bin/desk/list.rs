//! 事项: the matters of the unit, filtered and searched on the server
//! (Mongolian names with `·` found by any part), paged; the 台账 (XLSX)
//! of the same filter.

use crate::api::query;
use crate::route::Route;
use crate::ui::{due_cell, load, loaded, options, Loaded};
use leptos::prelude::*;
use shared::case::{Channel, Stage};
use shared::desk::{CasePage, InboxQueue};
use shared::org::{UnitView, UserView};
use shared::routing::ContentCategory;

const PAGE: i64 = 20;

#[component]
pub fn CaseListPage(queue: Option<InboxQueue>) -> impl IntoView {
    let queue = RwSignal::new(queue.map(|q| q.as_str().to_string()).unwrap_or_default());
    let q = RwSignal::new(String::new());
    let typed = RwSignal::new(String::new());
    let stage = RwSignal::new(String::new());
    let unit = RwSignal::new(String::new());
    let agent = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let channel = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    // A figure's drill-down (统计) opens the list with its counter, unit and
    // period in the hash.
    let stat = RwSignal::new(String::new());
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    for (k, v) in crate::route::list_params(&hash) {
        match k.as_str() {
            "stat" if shared::stats::valid_key(&v) => stat.set(v),
            "unit_id" => unit.set(v),
            "from" => from.set(v),
            "to" => to.set(v),
            _ => {}
        }
    }
    let offset = RwSignal::new(0i64);
    let units = loaded::<Vec<UnitView>>("/api/units".to_string());
    let agents = loaded::<Vec<UserView>>("/api/agents".to_string());
    let filter = Memo::new(move |_| {
        query(&[
            ("queue", queue.get()),
            ("q", q.get()),
            ("stage", stage.get()),
            ("unit_id", unit.get()),
            ("agent_id", agent.get()),
            ("category", category.get()),
            ("channel", channel.get()),
            ("from", from.get()),
            ("to", to.get()),
            ("stat", stat.get()),
        ])
    });
    // A new filter starts from the first page.
    Effect::new(move |_| {
        filter.track();
        offset.set(0);
    });
    let page: Loaded<CasePage> = RwSignal::new(None);
    Effect::new(move |_| {
        let f = filter.get();
        let sep = if f.is_empty() { '?' } else { '&' };
        load(page, format!("/api/desk/cases{f}{sep}offset={}&limit={PAGE}", offset.get()));
    });
    let sel = |sig: RwSignal<String>| move |ev: leptos::ev::Event| sig.set(event_target_value(&ev));
    view! {
        <h1>"事项"</h1>
        <form class="filters card" data-test="filters" on:submit=move |ev| { ev.prevent_default(); q.set(typed.get_untracked().trim().to_string()); }>
            <input type="search" aria-label="搜索" placeholder="编号、姓名（蒙古族姓名可输任一部分）、问题" prop:value=move || typed.get()
                on:input=move |ev| typed.set(event_target_value(&ev))/>
            <button type="submit" class="btn">"搜索"</button>
            <select aria-label="待办" prop:value=move || queue.get() on:change=sel(queue)>
                <option value="">"全部待办"</option>
                {InboxQueue::ALL.iter().map(|x| view! {
                    <option value=x.as_str() selected=move || queue.get() == x.as_str()>{x.label()}</option>
                }).collect_view()}
            </select>
            <select aria-label="阶段" prop:value=move || stage.get() on:change=sel(stage)>
                <option value="">"全部阶段"</option>
                {options(&Stage::ALL, Stage::as_str, Stage::label)}
            </select>
            <select aria-label="承办单位" prop:value=move || unit.get() on:change=sel(unit)>
                <option value="">"全部单位"</option>
                {move || units.get().and_then(Result::ok).unwrap_or_default().into_iter()
                    .map(|u| { let id = u.id.to_string(); view! { <option value=id.clone() selected=move || unit.get() == id>{u.name}</option> } }).collect_view()}
            </select>
            <select aria-label="代办员" on:change=sel(agent)>
                <option value="">"全部代办员"</option>
                {move || agents.get().and_then(Result::ok).unwrap_or_default().into_iter()
                    .map(|u| view! { <option value=u.id.to_string()>{u.display_name}</option> }).collect_view()}
            </select>
            <select aria-label="内容分类" on:change=sel(category)>
                <option value="">"全部分类"</option>
                {options(&ContentCategory::ALL, ContentCategory::as_str, ContentCategory::label)}
            </select>
            <select aria-label="渠道" on:change=sel(channel)>
                <option value="">"全部渠道"</option>
                {options(&Channel::ALL, Channel::as_str, Channel::label)}
            </select>
            <label class="inline">"受理自" <input type="date" aria-label="受理起" prop:value=move || from.get() on:change=sel(from)/></label>
            <label class="inline">"至" <input type="date" aria-label="受理止" prop:value=move || to.get() on:change=sel(to)/></label>
            <a class="btn" data-test="ledger" download="台账.xlsx" href=move || format!("/api/cases/ledger.xlsx{}", filter.get())>"下载台账（XLSX）"</a>
        </form>
        {move || (!stat.get().is_empty()).then(|| view! {
            <p class="hint" data-test="drill">
                {format!("统计穿透：{}", shared::stats::key_label(&stat.get()))}
                " " <button type="button" class="btn small" on:click=move |_| stat.set(String::new())>"取消"</button>
            </p>
        })}
        {move || match page.get() {
            None => view! { <p class="muted">"正在加载…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Some(Ok(p)) => {
                let pages = ((p.total + PAGE - 1) / PAGE).max(1);
                let n = p.offset / PAGE + 1;
                view! {
                    <p class="muted" data-test="total">{format!("共 {} 件，第 {n} / {pages} 页", p.total)}</p>
                    <table class="grid cases" data-test="case-table">
                        <thead><tr><th>"编号"</th><th>"信访人"</th><th>"问题"</th><th>"阶段"</th><th>"承办单位"</th><th>"代办员"</th><th>"期限"</th></tr></thead>
                        <tbody>
                            {p.items.into_iter().map(|c| {
                                let href = Route::Case(c.id).href();
                                let unit = c.handling_unit_name.clone().unwrap_or_else(|| c.unit_name.clone());
                                view! {
                                    <tr data-test="case-row">
                                        <td><a href=href>{c.number.clone()}</a></td>
                                        <td>{c.citizen_name.clone()}</td>
                                        <td class="summary" title=c.summary.clone()>{c.summary.clone()}</td>
                                        <td>{c.lifecycle.status.label()}</td>
                                        <td>{unit}</td>
                                        <td>{c.agent_name.clone().unwrap_or_else(|| "—".to_string())}</td>
                                        <td>{due_cell(&c)}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <div class="pager">
                        <button class="btn" disabled={n <= 1} on:click=move |_| offset.update(|o| *o = (*o - PAGE).max(0))>"上一页"</button>
                        <button class="btn" disabled={n >= pages} on:click=move |_| offset.update(|o| *o += PAGE)>"下一页"</button>
                    </div>
                }.into_any()
            }
        }}
    }
}
