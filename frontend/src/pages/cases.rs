//! 我的事项: my cases from the device database, searchable and filtered by
//! stage and deadline, each with its working-day countdown (shared rules),
//! and the 需处理 list of changes the server refused.

use crate::components::blocks::{cards_html, refused_html};
use crate::route::Route;
use crate::state::AppState;
use crate::util::china_now;
use crate::view::{list, Filter, RefusedPhoto};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::sync::Change;

#[component]
pub fn CaseList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let search = RwSignal::new(String::new());
    let filter = RwSignal::new(Filter::All);
    // Cheap phones render a long list slowly: show a page at a time.
    let shown_max = RwSignal::new(PAGE);
    let today = china_now().date();
    let shown = Memo::new(move |_| search.with(|q| state.cases.with(|cases| list(cases, filter.get(), q, today))));
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
            {Filter::ALL.into_iter().map(|f| view! {
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

/// Cases rendered per page of the list.
const PAGE: usize = 50;

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
                            let href = change.case_id().map_or(Route::Cases, Route::Case).href();
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
                                            spawn_local(state.discard(Some(entry.clone()), photos.clone()))
                                        }>"放弃"</button>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                        {alone.into_iter().map(|u| view! {
                            <li data-test="rejected-item">
                                <div><a class="item-link" href=Route::Case(u.case_id).href()>{format!("照片：{}", u.name)}</a></div>
                                <div class="reason">{format!("原因：{}", u.reason)}</div>
                                <div class="row-actions">
                                    <button class="btn small" on:click=move |_| {
                                        spawn_local(state.discard(None, vec![u.id.clone()]))
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
