//! The desk: sign-in (a field agent is sent to the field app), then the
//! shell — the header with the sections this user works in, and the page of
//! the current route.

use crate::api::{self, Ignored};
use crate::route::Route;
use crate::ui::{current_route, failed, go, state, DeskState};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::org::{LoginRequest, Me, Role};

/// Field agents work in the field app (`/`), everyone else here.
fn belongs_here(me: &Me) -> bool {
    shared::desk::uses_desk(me.role)
}

fn to_field_app() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().replace("/");
    }
}

#[component]
pub fn App() -> impl IntoView {
    let st = DeskState { me: RwSignal::new(None), route: RwSignal::new(current_route()), booted: RwSignal::new(false) };
    provide_context(st);
    window_event_listener(leptos::ev::hashchange, move |_| st.route.set(current_route()));
    spawn_local(async move {
        if let Ok(me) = api::get::<Me>("/api/me").await {
            if !belongs_here(&me) {
                to_field_app();
                return;
            }
            st.me.set(Some(me));
        }
        st.booted.set(true);
    });
    move || {
        if !st.booted.get() {
            view! { <div class="loading">"正在打开…"</div> }.into_any()
        } else if st.me.with(Option::is_some) {
            view! { <Shell/> }.into_any()
        } else {
            view! { <Login/> }.into_any()
        }
    }
}

#[component]
fn Login() -> impl IntoView {
    let st = state();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let req = LoginRequest {
                username: username.get_untracked().trim().to_string(),
                password: password.get_untracked(),
            };
            match api::post::<_, Me>("/api/login", &req).await {
                Ok(me) if !belongs_here(&me) => {
                    // The field app signs its agents in itself (it keeps the
                    // user on the device for offline work).
                    let _ =
                        api::post::<_, Ignored>("/api/logout", &std::collections::BTreeMap::<String, String>::new())
                            .await;
                    to_field_app();
                }
                Ok(me) => {
                    st.me.set(Some(me));
                    go(Route::Inbox);
                }
                Err(e) => error.set(Some(e.message)),
            }
            busy.set(false);
        });
    };
    view! {
        <main class="login">
            <form class="card login-form" on:submit=submit>
                <h1>"代办通 · 工作台"</h1>
                <p class="muted">"镇代办站、承办单位、旗县代办中心、盟信访局"</p>
                <label>"用户名"
                    <input name="username" autocomplete="username" required
                        prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev))/>
                </label>
                <label>"密码"
                    <input name="password" type="password" autocomplete="current-password" required
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                </label>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <button type="submit" class="btn primary" disabled=move || busy.get()>"登录"</button>
            </form>
        </main>
    }
}

#[component]
fn Shell() -> impl IntoView {
    let st = state();
    let me = st.me.get_untracked().expect("signed in");
    let admin = me.role == Role::Admin;
    let registers = me.role.may_register_cases();
    if admin && st.route.get_untracked() == Route::Inbox {
        go(Route::Admin);
    }
    let logout = move |_| {
        spawn_local(async move {
            let _ = api::post::<_, Ignored>("/api/logout", &std::collections::BTreeMap::<String, String>::new())
                .await
                .map_err(failed);
            st.me.set(None);
        });
    };
    let is = move |f: fn(Route) -> bool| move || f(st.route.get());
    view! {
        <header class="top">
            <span class="brand">"代办通 · 工作台"</span>
            <nav>
                {(!admin).then(|| view! {
                    <a href=Route::Inbox.href() class:active=is(|r| r == Route::Inbox)>"待办"</a>
                    <a href=Route::Cases(None).href() class:active=is(|r| matches!(r, Route::Cases(_) | Route::Case(_)))>"事项"</a>
                })}
                {(!admin).then(|| view! {
                    <a href=Route::Stats.href() class:active=is(|r| r == Route::Stats)>"统计"</a>
                    <a href=Route::Assessment(None).href() class:active=is(|r| matches!(r, Route::Assessment(_) | Route::Village(..)))>"考核"</a>
                    <a href=Route::Bulletin.href() class:active=is(|r| r == Route::Bulletin)>"通报"</a>
                    <a href=Route::Appraisal.href() class:active=is(|r| r == Route::Appraisal)>"考评"</a>
                })}
                {registers.then(|| view! { <a href=Route::NewCase.href() class:active=is(|r| r == Route::NewCase)>"登记"</a> })}
                {(!admin).then(|| view! { <a href=Route::Reward.href() class:active=is(|r| r == Route::Reward)>"奖补"</a> })}
                {admin.then(|| view! { <a href=Route::Admin.href() class:active=is(|r| r == Route::Admin)>"管理"</a> })}
            </nav>
            <span class="who" data-test="who">{format!("{} · {} · {}", me.display_name, me.unit_name, me.role.label())}</span>
            <button class="btn small" on:click=logout>"退出"</button>
        </header>
        <main class="page">
            {move || match st.route.get() {
                Route::Inbox => view! { <crate::inbox::InboxPage/> }.into_any(),
                Route::Cases(q) => view! { <crate::list::CaseListPage queue=q/> }.into_any(),
                Route::Case(id) => view! { <crate::detail::CasePage id=id/> }.into_any(),
                Route::NewCase => view! { <crate::intake::IntakePage/> }.into_any(),
                Route::Admin => view! { <crate::admin::AdminPage/> }.into_any(),
                Route::Stats => view! { <crate::stats::StatsPage/> }.into_any(),
                Route::Reward => view! { <crate::reward::RewardPage/> }.into_any(),
                Route::Assessment(year) => view! { <crate::assessment::AssessmentPage year=year/> }.into_any(),
                Route::Village(id, year) => view! { <crate::assessment::VillagePage unit_id=id year=year/> }.into_any(),
                Route::Bulletin => view! { <crate::bulletin::BulletinPage/> }.into_any(),
                Route::Appraisal => view! { <crate::bulletin::AppraisalPage/> }.into_any(),
            }}
        </main>
    }
}
