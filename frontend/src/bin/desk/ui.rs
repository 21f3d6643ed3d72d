//! What every desk page shares: the signed-in user and the route, loading
//! with errors shown, dates and working-day countdowns, small form pieces.

use crate::api::{self, Failure};
use crate::route::Route;
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::DeserializeOwned;
use shared::calendar::Calendar;
use shared::case::CaseView;
use shared::deadline::DueStatus;
use shared::org::Me;

#[derive(Clone, Copy)]
pub struct DeskState {
    pub me: RwSignal<Option<Me>>,
    pub route: RwSignal<Route>,
    pub booted: RwSignal<bool>,
}

pub fn state() -> DeskState {
    expect_context::<DeskState>()
}

/// Shows a failure; a lost session goes back to the sign-in page.
pub fn failed(f: Failure) -> String {
    if f.signed_out() {
        if let Some(s) = use_context::<DeskState>() {
            s.me.set(None);
        }
    }
    f.message
}

/// A value loaded from the API: `None` while loading.
pub type Loaded<T> = RwSignal<Option<Result<T, String>>>;

/// Loads `url` into `into` (again: a reload keeps the old value shown).
pub fn load<T: DeserializeOwned + Send + Sync + 'static>(into: Loaded<T>, url: String) {
    spawn_local(async move {
        let r = api::get::<T>(&url).await.map_err(failed);
        into.set(Some(r));
    });
}

pub fn loaded<T: DeserializeOwned + Send + Sync + 'static>(url: String) -> Loaded<T> {
    let s = RwSignal::new(None);
    load(s, url);
    s
}

/// "正在加载…", the error, or the view of the value.
pub fn show<T: Clone + Send + Sync + 'static, V: IntoView + 'static>(
    data: Loaded<T>,
    f: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView {
    move || match data.get() {
        None => view! { <p class="muted">"正在加载…"</p> }.into_any(),
        Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
        Some(Ok(v)) => f(v).into_any(),
    }
}

pub fn go(route: Route) {
    frontend::web::set_location_hash(&route.href());
}

pub fn current_route() -> Route {
    Route::from_hash(&frontend::web::location_hash())
}

/// Today in China, whatever the computer's time zone.
pub fn today() -> NaiveDate {
    frontend::web::china_now().date()
}

/// The working-day countdown of an open matter, and whether it is late.
pub fn due(c: &CaseView) -> Option<(String, bool, bool)> {
    if !c.stage.deadline_applies() {
        return None;
    }
    let s = DueStatus::at(Calendar::official(), c.due_on, today());
    Some((s.label(), matches!(s, DueStatus::Overdue(_)), s.is_urgent()))
}

/// A cell with the countdown (red when overdue).
pub fn due_cell(c: &CaseView) -> impl IntoView {
    match due(c) {
        None => view! { <span class="muted">"—"</span> }.into_any(),
        Some((label, late, urgent)) => view! {
            <span class="due" class:late=late class:urgent=urgent title=c.due_on.to_string()>{label}</span>
        }
        .into_any(),
    }
}

/// `2026-11-23T03:04:05Z` → `2026-11-23 11:04` (China time).
pub fn when(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| shared::time::format_minute(shared::time::china_local(t.with_timezone(&chrono::Utc))))
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// `<option>`s of a code enum (value = code, text = label).
pub fn options<T: Copy + 'static>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> impl IntoView {
    all.iter().map(|&v| view! { <option value=code(v)>{label(v)}</option> }).collect_view()
}

/// A definition row of a form sheet; empty values show "—".
pub fn field(label: &'static str, value: Option<String>) -> impl IntoView {
    let v = value.filter(|v| !v.trim().is_empty()).unwrap_or_else(|| "—".to_string());
    view! {
        <div class="kv"><dt>{label}</dt><dd>{v}</dd></div>
    }
}

/// The outcome of a form: done (green) or refused (the server's message).
pub type Msg = RwSignal<Option<Result<String, String>>>;

pub fn result_line(msg: Msg) -> impl IntoView {
    move || {
        msg.get().map(|m| match m {
            Ok(t) => view! { <p class="ok" role="status">{t}</p> }.into_any(),
            Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
        })
    }
}

/// The units this user may report on (`/api/units`), the first (their own) chosen.
pub fn unit_select(unit: RwSignal<String>) -> impl IntoView {
    let units = loaded::<Vec<shared::org::UnitView>>("/api/units".to_string());
    view! {
        <select aria-label="单位" on:change=move |ev| unit.set(event_target_value(&ev))>
            {move || units.get().and_then(Result::ok).unwrap_or_default().into_iter()
                .filter(|u| u.kind != shared::org::UnitKind::TaskGroup)
                .map(|u| view! { <option value=u.id.to_string()>{u.name}</option> }).collect_view()}
        </select>
    }
}

/// 打印: the browser's print of this page (the print CSS hides the bars).
pub fn print_button() -> impl IntoView {
    view! {
        <button type="button" class="btn small" on:click=|_| { if let Some(w) = web_sys::window() { let _ = w.print(); } }>"打印"</button>
    }
}

/// A table of text cells (one code path for every plain table): `head`
/// names the columns, a leading '#' right-aligns a number column; no rows: "无".
pub fn text_table(test: &'static str, head: &[&'static str], rows: Vec<Vec<String>>) -> AnyView {
    if rows.is_empty() {
        return view! { <p class="muted" data-test=test>"无"</p> }.into_any();
    }
    let num: Vec<bool> = head.iter().map(|h| h.starts_with('#')).collect();
    let th = head
        .iter()
        .map(|h| view! { <th class:num=h.starts_with('#')>{h.trim_start_matches('#').to_string()}</th> })
        .collect_view();
    let body = rows
        .into_iter()
        .map(|r| {
            let cells = r
                .into_iter()
                .enumerate()
                .map(|(i, c)| view! { <td class:num=num.get(i).copied().unwrap_or(false)>{c}</td> })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    view! { <table class="grid compact" data-test=test><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table> }
        .into_any()
}
