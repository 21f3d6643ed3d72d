//! The one compact bar at the top of every page.

use crate::state::{store, AppState, Link};
use crate::sync::api;
use crate::util::{now_ms, short_time};
use crate::view::unsent_warning;
use leptos::prelude::*;
use leptos::task::spawn_local;

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
pub fn StatusBar() -> impl IntoView {
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
        {move || unsent_warning(state.oldest_pending.get(), now_ms()).map(|w| view! { <div class="banner warn">{w}</div> })}
    }
}
