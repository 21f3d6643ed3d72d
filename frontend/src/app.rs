//! The app: start-up (open the device database, read who is signed in,
//! start the sync engine), then the sign-in page or the shell — the status
//! bar, the tabs and the page of the current route.

use crate::components::status_bar::StatusBar;
use crate::pages::{case::CaseDetail, cases::CaseList, device::DevicePage, login::LoginPage, new_case::NewCasePage};
use crate::route::Route;
use crate::state::{set_store, store, AppState};
use crate::sync::api::{self, ApiFailure};
use crate::sync::store::Store;
use crate::util::current_route;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    spawn_local(boot(state));
    move || {
        if let Some(err) = state.boot_error.get() {
            return view! { <div class="fatal">{err}</div> }.into_any();
        }
        if !state.booted.get() {
            return view! { <div class="loading">"正在打开…"</div> }.into_any();
        }
        if state.me.with(Option::is_some) {
            view! { <Shell/> }.into_any()
        } else {
            view! { <LoginPage/> }.into_any()
        }
    }
}

async fn boot(state: AppState) {
    let started = crate::js::now_ms();
    match Store::open().await {
        Ok(s) => set_store(s),
        Err(e) => {
            state.boot_error.set(Some(format!("无法打开本机存储（{e}）。请关闭无痕模式，或换用系统浏览器。")));
            return;
        }
    }
    let s = store();
    state.me.set(s.me().await.ok().flatten());
    state.route.set(current_route());
    state.reload().await;
    state.booted.set(true);
    crate::js::record_metric("boot_to_list", crate::js::now_ms() - started);
    if state.me.with_untracked(Option::is_some) {
        // Ask the browser not to evict the outbox (only a request).
        spawn_local(async {
            crate::js::persist().await;
        });
    }

    window_event_listener(leptos::ev::online, move |_| {
        state.online.set(true);
        spawn_local(async move { state.sync_now().await });
    });
    window_event_listener(leptos::ev::offline, move |_| state.online.set(false));
    window_event_listener(leptos::ev::hashchange, move |_| state.route.set(current_route()));
    // Every second: the network state, the retry countdown, and the sync that is due.
    gloo_timers::callback::Interval::new(1_000, move || state.tick()).forget();

    if state.online.get_untracked() && state.me.with_untracked(Option::is_some) {
        match api::me().await {
            Ok(me) if crate::util::sent_to_desk(me.role) => {}
            Ok(me) => {
                let _ = s.set_me(&me).await;
                state.me.set(Some(me));
            }
            Err(ApiFailure::Unauthenticated(msg)) => {
                state.login_notice.set(Some(format!("{msg}。本机未同步的记录会保留，登录后自动上传。")));
                state.me.set(None);
            }
            Err(_) => {}
        }
        state.sync_now().await;
    }
}

#[component]
fn Shell() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <StatusBar/>
        <nav class="tabs">
            <a href=Route::Cases.page() class:active=move || matches!(state.route.get(), Route::Cases | Route::Case(_))>"我的事项"</a>
            <a href=Route::NewCase.page() class:active=move || state.route.get() == Route::NewCase>"排查登记"</a>
            <a href=Route::Device.page() class:active=move || state.route.get() == Route::Device>"本机"</a>
        </nav>
        <main class="content">
            {move || match state.route.get() {
                Route::Cases => view! { <CaseList/> }.into_any(),
                Route::Case(id) => view! { <CaseDetail id=id/> }.into_any(),
                Route::NewCase => view! { <NewCasePage/> }.into_any(),
                Route::Device => view! { <DevicePage/> }.into_any(),
            }}
        </main>
    }
}
