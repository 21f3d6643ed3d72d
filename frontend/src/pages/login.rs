//! Sign-in. Another user's unsent records block a different user's sign-in:
//! they must be pushed under their own name.

use crate::state::{store, AppState};
use crate::sync::api::{self, ApiFailure};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn LoginPage() -> impl IntoView {
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
                Ok(me) if crate::util::sent_to_desk(me.role) => {}
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
