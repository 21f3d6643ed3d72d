//! The field app's pages: sign-in, my cases, one case with its visits and the
//! visit form, and the status bar that is always visible.

use crate::api::{self, ApiFailure};
use crate::state::{set_store, store, AppState, Route};
use crate::store::{RejectedEntry, Store, StoredVisit};
use crate::util::{browser_online, china_now, current_hash, new_uuid, now_ms, short_time};
use chrono::NaiveDate;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::calendar::Calendar;
use shared::case::{CaseView, NewVisit, VisitMethod};
use shared::deadline::DueStatus;
use shared::validation::{check_new_visit, LOCAL_DATETIME_FORMAT, MAX_NOTE_CHARS};

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

    window_event_listener(leptos::ev::online, move |_| {
        state.online.set(true);
        spawn_local(async move { state.sync_now().await });
    });
    window_event_listener(leptos::ev::offline, move |_| state.online.set(false));
    window_event_listener(leptos::ev::hashchange, move |_| state.route.set(Route::from_hash(&current_hash())));
    gloo_timers::callback::Interval::new(20_000, move || {
        state.online.set(browser_online());
        spawn_local(async move { state.sync_now().await });
    })
    .forget();

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
        <div class="login">
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
        </div>
    }
}

#[component]
fn Shell() -> impl IntoView {
    let state = expect_context::<AppState>();
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
    view! {
        <header class="topbar">
            <a class="title" href="#/">"代办通"</a>
            <span class="who">
                {move || state.me.get().map(|m| format!("{} · {}", m.display_name, m.unit_name)).unwrap_or_default()}
            </span>
            <button class="btn ghost small" on:click=logout>"退出"</button>
        </header>
        <StatusBar/>
        <main class="content">
            {move || match state.route.get() {
                Route::Cases => view! { <CaseList/> }.into_any(),
                Route::Case(id) => view! { <CaseDetail id=id/> }.into_any(),
            }}
        </main>
    }
}

#[component]
fn StatusBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let sync = move |_| spawn_local(async move { state.sync_now().await });
    view! {
        <div class="statusbar" class:offline=move || !state.online.get() data-test="statusbar">
            <span class="net" data-test="net">{move || if state.online.get() { "● 在线" } else { "○ 离线" }}</span>
            <span class="pending" data-test="pending" class:waiting=move || { state.pending.get() > 0 }>
                {move || match state.pending.get() {
                    0 => "已全部同步".to_string(),
                    n => format!("{n} 条未同步"),
                }}
            </span>
            <span class="last">
                {move || state.last_sync.get().map_or("尚未同步".to_string(), |t| format!("上次同步 {}", short_time(t)))}
            </span>
            <button class="btn small" on:click=sync disabled=move || !state.online.get() || state.syncing.get()>
                {move || if state.syncing.get() { "同步中…" } else { "立即同步" }}
            </button>
        </div>
        {move || state.sync_error.get().map(|e| view! { <div class="banner warn" role="status">{e}</div> })}
        {move || {
            let old = state.oldest_pending.get()?;
            let hours = (now_ms() - old) / 3_600_000.0;
            (hours >= 24.0).then(|| view! {
                <div class="banner warn">{format!("有记录已在本机保存超过 {} 天未上传，请尽快到有网络的地方同步。", (hours / 24.0).floor())}</div>
            })
        }}
    }
}

fn due_badge(c: &CaseView, today: NaiveDate) -> (String, &'static str) {
    if !c.stage.deadline_applies() {
        return (c.stage.label().to_string(), "done");
    }
    let status = DueStatus::at(Calendar::official(), c.due_on, today);
    let class = match status {
        DueStatus::Overdue(_) => "overdue",
        s if s.is_urgent() => "soon",
        _ => "ok",
    };
    let mut label = status.label();
    if c.due_unscheduled {
        label.push_str("（节假日安排未公布）");
    }
    (label, class)
}

#[component]
fn CaseList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let search = RwSignal::new(String::new());
    let today = china_now().date();
    let shown = Memo::new(move |_| {
        let q = search.get();
        let q = q.trim();
        let mut v: Vec<CaseView> = state
            .cases
            .get()
            .into_iter()
            .filter(|c| q.is_empty() || c.citizen_name.contains(q) || c.number.contains(q) || c.summary.contains(q))
            .collect();
        // Open matters first, most urgent deadline first.
        v.sort_by(|a, b| {
            (!a.stage.deadline_applies(), a.due_on, a.id).cmp(&(!b.stage.deadline_applies(), b.due_on, b.id))
        });
        v
    });
    view! {
        <RejectedList/>
        <div class="list-head">
            <h2>"我的事项"</h2>
            <span class="count">{move || format!("{} 件", shown.with(Vec::len))}</span>
        </div>
        <input class="search" type="search" placeholder="搜索姓名、编号或内容"
            prop:value=move || search.get()
            on:input=move |ev| search.set(event_target_value(&ev))/>
        {move || (state.cases.with(Vec::is_empty)).then(|| view! {
            <p class="empty">"本机还没有事项。联网后会自动下载您辖区内的事项。"</p>
        })}
        <ul class="case-list">
            {move || shown.get().into_iter().map(|c| {
                let (due, due_class) = due_badge(&c, today);
                view! {
                    <li>
                        <a class="card case-card" href=format!("#/case/{}", c.id) data-test="case-card">
                            <div class="row">
                                <span class="num">{c.number.clone()}</span>
                                <span class="chip stage">{c.stage.label()}</span>
                            </div>
                            <div class="name">{c.citizen_name.clone()}</div>
                            <p class="summary">{c.summary.clone()}</p>
                            <div class="row meta">
                                <span class=format!("due {due_class}")>{due}</span>
                                <span class="unit">
                                    {c.unit_name.clone()}
                                    {c.agent_name.clone().map(|a| format!(" · {a}"))}
                                </span>
                            </div>
                        </a>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn RejectedList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let discard = move |entry: RejectedEntry| {
        spawn_local(async move {
            let _ = store().discard_rejected(&entry).await;
            state.reload().await;
        })
    };
    move || {
        let list = state.rejected.get();
        (!list.is_empty()).then(|| {
            view! {
                <section class="card attention" data-test="rejected">
                    <h3>{format!("需处理（{}）", list.len())}</h3>
                    <p class="hint">"以下记录被服务器退回，未写入系统。请核对后重新录入，或放弃。"</p>
                    <ul>
                        {list.into_iter().map(|r| {
                            let change = &r.entry.mutation.change;
                            let href = change.case_id().map_or_else(|| "#/".to_string(), |id| format!("#/case/{id}"));
                            let label = change.label();
                            let entry = r.clone();
                            view! {
                                <li>
                                    <div><a href=href>{label}</a></div>
                                    <div class="reason">{format!("原因：{}", r.message)}</div>
                                    <button class="btn small" on:click=move |_| discard(entry.clone())>"放弃"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            }
        })
    }
}

#[component]
fn CaseDetail(id: i64) -> impl IntoView {
    let state = expect_context::<AppState>();
    let case = Memo::new(move |_| state.cases.get().into_iter().find(|c| c.id == id));
    let visits = RwSignal::new(Vec::<StoredVisit>::new());
    Effect::new(move |_| {
        state.data_version.track();
        spawn_local(async move {
            if let Ok(v) = store().visits(id).await {
                visits.set(v);
            }
        });
    });
    let today = china_now().date();
    view! {
        <a class="back" href="#/">"‹ 返回我的事项"</a>
        {move || match case.get() {
            None => view! { <p class="empty">"本机没有这件事项（可能不在您的辖区，或尚未同步）。"</p> }.into_any(),
            Some(c) => {
                let (due, due_class) = due_badge(&c, today);
                let open = c.stage.accepts_records();
                view! {
                    <section class="card case-head">
                        <div class="row">
                            <span class="num">{c.number.clone()}</span>
                            <span class="chip stage">{c.stage.label()}</span>
                        </div>
                        <h2>{c.citizen_name.clone()}</h2>
                        <p class="summary full">{c.summary.clone()}</p>
                        <dl class="facts">
                            <dt>"办理期限"</dt>
                            <dd><span class=format!("due {due_class}")>{due}</span>" "{format!("（{} 前，{}）", c.due_on, c.level.label())}</dd>
                            <dt>"受理日期"</dt><dd>{c.accepted_on.to_string()}</dd>
                            <dt>"来源渠道"</dt><dd>{c.channel.label()}</dd>
                            <dt>"所属单位"</dt><dd>{c.unit_name.clone()}</dd>
                            <dt>"代办员"</dt><dd>{c.agent_name.clone().unwrap_or_else(|| "未指派".to_string())}</dd>
                            {c.phone.clone().map(|p| view! { <dt>"联系电话"</dt><dd><a href=format!("tel:{p}")>{p.clone()}</a></dd> })}
                            {c.address.clone().map(|a| view! { <dt>"住址"</dt><dd>{a}</dd> })}
                        </dl>
                    </section>
                    {open.then(|| view! { <VisitForm case_id=id/> })}
                    {(!open).then(|| view! { <p class="hint">{format!("该事项已{}，不能再添加走访记录。", c.stage.label())}</p> })}
                }.into_any()
            }
        }}
        <section class="card">
            <h3>{move || format!("走访记录（{}）", visits.with(Vec::len))}</h3>
            {move || visits.with(Vec::is_empty).then(|| view! { <p class="hint">"还没有走访记录。"</p> })}
            <ol class="timeline" data-test="visits">
                {move || visits.get().into_iter().rev().map(|v| {
                    let pending = v.pending;
                    view! {
                        <li class="visit" class:pending=pending class:rejected=v.rejected.is_some() data-test="visit">
                            <div class="when">
                                {v.visit.visited_at.replace('T', " ")}" · "{v.visit.method.label()}
                                {pending.then(|| view! { <span class="chip pending">"未同步"</span> })}
                            </div>
                            <p>{v.visit.note.clone()}</p>
                            <div class="by">{v.visit.recorded_by_name.clone()}</div>
                            {v.rejected.clone().map(|r| view! { <div class="reason">{format!("被退回：{r}")}</div> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn VisitForm(case_id: i64) -> impl IntoView {
    let state = expect_context::<AppState>();
    let visited_at = RwSignal::new(china_now().format(LOCAL_DATETIME_FORMAT).to_string());
    let method = RwSignal::new(VisitMethod::InPerson);
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let Some(me) = state.me.get_untracked() else {
            return;
        };
        let visit = NewVisit {
            id: new_uuid(),
            case_id,
            visited_at: visited_at.get_untracked(),
            method: method.get_untracked(),
            note: note.get_untracked().trim().to_string(),
        };
        if let Err(e) = check_new_visit(&visit, china_now()) {
            error.set(Some(e.message));
            return;
        }
        error.set(None);
        saving.set(true);
        spawn_local(async move {
            match store().save_visit(&me, visit, now_ms()).await {
                Ok(_) => {
                    note.set(String::new());
                    visited_at.set(china_now().format(LOCAL_DATETIME_FORMAT).to_string());
                    saved.set(Some(if state.online.get_untracked() {
                        "已保存，正在上传…".to_string()
                    } else {
                        "已保存到本机，联网后自动上传".to_string()
                    }));
                    state.reload().await;
                    saving.set(false);
                    state.sync_now().await;
                }
                Err(e) => {
                    error.set(Some(e.to_string()));
                    saving.set(false);
                }
            }
        });
    };
    view! {
        <form class="card visit-form" on:submit=submit data-test="visit-form">
            <h3>"新增走访记录"</h3>
            <label>
                "走访时间"
                <input type="datetime-local" name="visited_at" required
                    prop:value=move || visited_at.get()
                    on:input=move |ev| visited_at.set(event_target_value(&ev))/>
            </label>
            <fieldset class="segmented">
                <legend>"走访方式"</legend>
                {VisitMethod::ALL.into_iter().map(|m| view! {
                    <button type="button" class="seg" class:active=move || method.get() == m
                        aria-pressed=move || (method.get() == m).to_string()
                        on:click=move |_| method.set(m)>{m.label()}</button>
                }).collect_view()}
            </fieldset>
            <label>
                "走访情况"
                <textarea name="note" rows="4" maxlength=MAX_NOTE_CHARS.to_string()
                    placeholder="群众诉求、沟通情况、下一步安排…"
                    prop:value=move || note.get()
                    on:input=move |ev| { note.set(event_target_value(&ev)); saved.set(None); }></textarea>
            </label>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || saved.get().map(|s| view! { <p class="ok" role="status">{s}</p> })}
            <button type="submit" class="btn primary block" disabled=move || saving.get()>"保存记录"</button>
        </form>
    }
}
