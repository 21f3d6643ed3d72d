//! The field app's pages: sign-in, my cases, one case with its visits and the
//! visit form, and the status bar that is always visible.

use crate::api::{self, ApiFailure};
use crate::case_page::CaseDetail;
use crate::device::DevicePage;
use crate::list::CaseList;
use crate::new_case::NewCasePage;
use crate::state::Link;
use crate::state::{set_store, store, AppState, Route};
use crate::store::Store;
use crate::util::{current_hash, now_ms, short_time};
use leptos::ev::SubmitEvent;
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
    state.route.set(Route::from_hash(&current_hash()));
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
    window_event_listener(leptos::ev::hashchange, move |_| state.route.set(Route::from_hash(&current_hash())));
    // Every second: the network state, the retry countdown, and the sync that is due.
    gloo_timers::callback::Interval::new(1_000, move || state.tick()).forget();

    if state.online.get_untracked() && state.me.with_untracked(Option::is_some) {
        match api::me().await {
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
fn LoginPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::login(username.get_untracked().trim(), &password.get_untracked()).await {
                Ok(me) => {
                    let s = store();
                    let others = s.outbox().await.unwrap_or_default().iter().filter(|e| e.user_id != me.id).count();
                    if others > 0 {
                        // Another user's unsent records must be pushed under their own name.
                        let _ = api::logout().await;
                        error.set(Some(format!("本机还有其他用户的 {others} 条未同步记录，请该用户先登录完成同步。")));
                    } else {
                        if s.me().await.ok().flatten().is_some_and(|p| p.id != me.id) {
                            let _ = s.clear_cache().await;
                        }
                        let _ = s.set_me(&me).await;
                        state.login_notice.set(None);
                        state.me.set(Some(me));
                        state.reload().await;
                        state.sync_now().await;
                    }
                }
                Err(ApiFailure::Network) => {
                    error.set(Some("无法连接服务器。登录需要网络，请到有信号的地方再试。".to_string()))
                }
                Err(e) => error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <main class="login">
            <div class="brand">
                <div class="logo">"代"</div>
                <h1>"代办通"</h1>
                <p>"信访事项代办 · 群众少跑腿"</p>
            </div>
            {move || state.login_notice.get().map(|n| view! { <p class="notice">{n}</p> })}
            <form class="card login-form" on:submit=submit>
                <label>
                    "用户名"
                    <input name="username" autocomplete="username" autocapitalize="off" required
                        prop:value=move || username.get()
                        on:input=move |ev| username.set(event_target_value(&ev))/>
                </label>
                <label>
                    "密码"
                    <input name="password" type="password" autocomplete="current-password" required
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))/>
                </label>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <button type="submit" class="btn primary block" disabled=move || busy.get()>
                    {move || if busy.get() { "正在登录…" } else { "登录" }}
                </button>
            </form>
        </main>
    }
}

#[component]
fn Shell() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <StatusBar/>
        <nav class="tabs">
            <a href="#/" class:active=move || matches!(state.route.get(), Route::Cases | Route::Case(_))>"我的事项"</a>
            <a href="#/new" class:active=move || state.route.get() == Route::NewCase>"排查登记"</a>
            <a href="#/device" class:active=move || state.route.get() == Route::Device>"本机"</a>
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

/// "12 秒后重试" / "3 分钟后重试".
fn retry_in(at: f64, now: f64) -> String {
    let s = ((at - now) / 1000.0).ceil().max(0.0) as u32;
    if s < 90 {
        format!("{s} 秒后重试")
    } else {
        format!("{} 分钟后重试", s.div_ceil(60))
    }
}

/// The one compact bar at the top: the connection, what waits to be synced
/// or needs the worker, 立即同步; the rest (who is signed in, last sync,
/// the error, 退出) on tap.
#[component]
fn StatusBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let open = RwSignal::new(false);
    let sync = move |_| spawn_local(async move { state.sync_now().await });
    let logout = move |_| {
        let pending = state.pending.get_untracked();
        if pending > 0 {
            let ok = window()
                .confirm_with_message(&format!(
                    "还有 {pending} 条记录未同步。退出后需本人再次登录才能上传，确定退出吗？"
                ))
                .unwrap_or(false);
            if !ok {
                return;
            }
        }
        spawn_local(async move {
            let _ = api::logout().await;
            let _ = store().clear_cache().await;
            state.me.set(None);
            state.reload().await;
        });
    };
    let retry = move || {
        let at = state.next_retry.get()?;
        (state.link() == Link::ServerDown).then(|| retry_in(at, state.clock.get()))
    };
    view! {
        <header class="bar" class:offline=move || state.link() == Link::Offline
            class:down=move || state.link() == Link::ServerDown data-test="statusbar">
            <button type="button" class="bar-status" aria-expanded=move || open.get().to_string()
                aria-controls="bar-details" data-test="bar-toggle" on:click=move |_| open.update(|o| *o = !*o)>
                <span class="net" data-test="net">{move || match state.link() {
                    Link::Offline => "○ 离线",
                    Link::ServerDown => "△ 服务器暂不可用",
                    Link::Online => "● 在线",
                }}</span>
                <span class="line2">
                    <span class="pending" data-test="pending"
                        class:waiting=move || { state.pending.get() > 0 || state.needs_worker.get() > 0 }>
                        {move || match (state.pending.get(), state.needs_worker.get()) {
                            (0, 0) => "已全部同步".to_string(),
                            (0, m) => format!("{m} 项需处理"),
                            (n, 0) => format!("{n} 条未同步"),
                            (n, m) => format!("{n} 条未同步 · {m} 项需处理"),
                        }}
                    </span>
                    {move || retry().map(|r| view! { <span class="retry" data-test="retry">{format!(" · {r}")}</span> })}
                </span>
            </button>
            <button type="button" class="btn sync" data-test="sync-now" on:click=sync
                disabled=move || !state.online.get() || state.syncing.get()>
                {move || if state.syncing.get() { "同步中…" } else { "立即同步" }}
            </button>
        </header>
        {move || open.get().then(|| view! {
            <div class="bar-details" id="bar-details" data-test="bar-details">
                <div class="who">
                    {move || state.me.get().map(|m| format!("{} · {}", m.display_name, m.unit_name)).unwrap_or_default()}
                </div>
                <div>{move || state.last_sync.get().map_or("尚未同步".to_string(), |t| format!("上次同步 {}", short_time(t)))}</div>
                {move || retry().map(|r| view! { <div>{format!("服务器未应答，{r}")}</div> })}
                {move || state.sync_error.get().map(|e| view! { <div class="err">{e}</div> })}
                <button type="button" class="btn" on:click=logout>"退出"</button>
            </div>
        })}
        {move || state.sync_error.get().filter(|_| state.link() == Link::Online).map(|e| view! {
            <div class="banner warn" role="status">{e}</div>
        })}
        {move || {
            let old = state.oldest_pending.get()?;
            let days = ((now_ms() - old) / 86_400_000.0) as u32;
            (days >= 1).then(|| view! {
                <div class="banner warn">{format!("有记录已在本机保存超过 {days} 天未上传，请尽快到有网络的地方同步。")}</div>
            })
        }}
    }
}
