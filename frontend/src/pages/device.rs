//! 本机: what the device holds — storage used and whether it is protected
//! from eviction, unsynced work and its age, and the eviction risk on iOS.

use crate::js;
use crate::route::Route;
use crate::state::{store, AppState};
use crate::util::{el, now_ms, short_time};
use crate::view::unsent_warning;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn DevicePage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let storage = RwSignal::new(None::<(f64, f64, bool)>);
    let client_id = RwSignal::new(String::new());
    let refresh = move || {
        spawn_local(async move {
            storage.set(Some(js::storage().await));
            if let Ok(id) = store().client_id().await {
                client_id.set(id);
            }
        })
    };
    refresh();
    let ask = move |_| {
        spawn_local(async move {
            js::persist().await;
            storage.set(Some(js::storage().await));
        })
    };
    let mb = |b: f64| {
        let tenths = (b / 104_857.6).round() as u64;
        format!("{}.{} MB", tenths / 10, tenths % 10)
    };
    view! {
        <a class="back" href=Route::Cases.page()>"‹ 返回我的事项"</a>
        <section class="card" data-test="device">
            <h2>"本机数据"</h2>
            {js::is_ios_browser_tab().then(|| view! {
                <p class="notice">"苹果手机的 Safari 浏览器会清除 7 天未打开的网站数据。请点“分享 → 添加到主屏幕”，从主屏幕打开代办通，未同步的记录才不会丢失。"</p>
            })}
            <dl class="facts" inner_html=move || {
                let reading = "读取中…".to_string();
                let st = storage.get();
                let rows = [
                    ("已用空间", "storage-use", st.map_or(reading.clone(), |(u, q, _)| format!("{} / 可用 {}", mb(u), mb(q)))),
                    ("持久保存", "persisted", match st {
                        Some((_, _, true)) => "已开启：浏览器不会自动清除本机数据".to_string(),
                        Some((_, _, false)) => "未开启：存储紧张时浏览器可能清除本机数据".to_string(),
                        None => reading,
                    }),
                    ("未同步", "pending-here", match state.pending.get() {
                        0 => "无".to_string(),
                        n => format!("{n} 条（最早保存于 {}）", state.oldest_pending.get().map(short_time).unwrap_or_default()),
                    }),
                    ("上次同步", "last-sync", state.last_sync.get().map_or("尚未同步".to_string(), short_time)),
                    ("设备编号", "client-id", client_id.get()),
                ];
                let mut h = String::new();
                for (k, test, v) in rows {
                    el(&mut h, &format!(r#"<dt>{k}</dt><dd data-test="{test}">"#), &v, "</dd>");
                }
                h
            }></dl>
            {move || (storage.get().is_some_and(|s| !s.2)).then(|| view! {
                <button class="btn block" on:click=ask>"申请持久保存"</button>
            })}
            {move || unsent_warning(state.oldest_pending.get(), now_ms()).map(|w| view! { <p class="notice">{w}</p> })}
        </section>
    }
}
