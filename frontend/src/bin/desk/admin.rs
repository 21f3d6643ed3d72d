//! 管理 (administrators): units, users and agents (kind, 备案, public
//! employee, full time, password reset), the working-day calendar of a year,
//! and the case-number prefix.

use crate::api::{self, Ignored};
use crate::ui::{failed, load, loaded, options, show, today, Loaded};
use chrono::Datelike;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::calendar::{CalendarDay, DayOverride};
use shared::org::{AgentKind, NewUnit, NewUser, Role, Settings, UnitKind, UnitView, UserUpdate, UserView};
use shared::routing::TaskGroup;

#[component]
pub fn AdminPage() -> impl IntoView {
    let units = loaded::<Vec<UnitView>>("/api/admin/units".to_string());
    let users = loaded::<Vec<UserView>>("/api/admin/users".to_string());
    view! {
        <h1>"管理"</h1>
        <div class="admin-grid">
            <section class="card"><h2>"单位"</h2><Units units=units users=users/></section>
            <section class="card"><h2>"编号前缀"</h2><Prefix/></section>
        </div>
        <section class="card"><h2>"用户与代办员"</h2><Users users=users units=units/></section>
        <section class="card"><h2>"工作日历"</h2><CalendarYear/></section>
    }
}

fn result_line(msg: RwSignal<Option<Result<String, String>>>) -> impl IntoView {
    move || {
        msg.get().map(|m| match m {
            Ok(t) => view! { <p class="ok" role="status">{t}</p> }.into_any(),
            Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
        })
    }
}

#[component]
fn Units(units: Loaded<Vec<UnitView>>, users: Loaded<Vec<UserView>>) -> impl IntoView {
    let parent = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let group = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let msg = RwSignal::new(None);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Ok(parent_id), Some(kind)) = (parent.get_untracked().parse(), UnitKind::parse(&kind.get_untracked()))
        else {
            return msg.set(Some(Err("请选择上级单位和类型".to_string())));
        };
        let body = NewUnit {
            parent_id,
            kind,
            name: name.get_untracked().trim().to_string(),
            number_prefix: None,
            task_group: TaskGroup::parse(&group.get_untracked()).filter(|_| kind == UnitKind::TaskGroup),
        };
        spawn_local(async move {
            match api::post::<_, Ignored>("/api/admin/units", &body).await {
                Ok(_) => {
                    msg.set(Some(Ok(format!("已新建单位：{}", body.name))));
                    load(units, "/api/admin/units".to_string());
                }
                Err(e) => msg.set(Some(Err(failed(e)))),
            }
        });
    };
    view! {
        {show(units, move |list| {
            // A task group's leader and members: its users by role.
            let people = users.get().and_then(Result::ok).unwrap_or_default();
            let team = move |unit: i64| {
                let named = |leader: bool| {
                    people
                        .iter()
                        .filter(|p| p.unit_id == unit && (p.role == Role::TownshipLeader) == leader)
                        .map(|p| p.display_name.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                };
                format!("组长：{} · 成员：{}", or_dash(named(true)), or_dash(named(false)))
            };
            view! {
                <table class="grid compact" data-test="units"><thead><tr><th>"单位"</th><th>"类型"</th></tr></thead><tbody>
                    {list.into_iter().map(|u| {
                        let depth = u.path.matches('/').count().saturating_sub(2);
                        let kind = match u.task_group {
                            Some(g) => format!("{}（{}）", u.kind.label(), g.label()),
                            None => u.kind.label().to_string(),
                        };
                        let members = (u.kind == UnitKind::TaskGroup).then(|| team(u.id));
                        view! { <tr>
                            <td style=format!("padding-left:{}em", depth as f32 + 0.5)>{u.name}
                                {members.map(|m| view! { <br/><small class="muted">{m}</small> })}</td>
                            <td>{kind}</td>
                        </tr> }
                    }).collect_view()}
                </tbody></table>
            }
        })}
        <form class="row" on:submit=submit data-test="new-unit">
            <select aria-label="上级单位" on:change=move |ev| parent.set(event_target_value(&ev))>
                <option value="">"上级单位"</option>
                {move || units.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|u| view! { <option value=u.id.to_string()>{u.name}</option> }).collect_view()}
            </select>
            <select aria-label="单位类型" on:change=move |ev| kind.set(event_target_value(&ev))>
                <option value="">"类型"</option>
                {options(&UnitKind::ALL, UnitKind::as_str, UnitKind::label)}
            </select>
            {move || (kind.get() == UnitKind::TaskGroup.as_str()).then(|| view! {
                <select aria-label="专班组" on:change=move |ev| group.set(event_target_value(&ev))>
                    <option value="">"专班组"</option>
                    {options(&TaskGroup::ALL, TaskGroup::as_str, TaskGroup::label)}
                </select>
            })}
            <input aria-label="单位名称" placeholder="单位名称" required prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            <button class="btn" type="submit">"新建单位"</button>
        </form>
        {result_line(msg)}
    }
}

fn or_dash(s: String) -> String {
    if s.is_empty() {
        "—".to_string()
    } else {
        s
    }
}

#[component]
fn Users(users: Loaded<Vec<UserView>>, units: Loaded<Vec<UnitView>>) -> impl IntoView {
    let editing = RwSignal::new(None::<UserView>);
    let msg = RwSignal::new(None);
    // 停用 ends every session of the account at once; 启用 lets it sign in again.
    let switch = move |id: i64, disabled: bool| {
        spawn_local(async move {
            let body = UserUpdate { disabled: Some(disabled), ..Default::default() };
            match api::send::<_, Ignored>("PATCH", &format!("/api/admin/users/{id}"), &body).await {
                Ok(_) => {
                    msg.set(Some(Ok(if disabled { "已停用" } else { "已启用" }.to_string())));
                    load(users, "/api/admin/users".to_string());
                }
                Err(e) => msg.set(Some(Err(failed(e)))),
            }
        });
    };
    view! {
        {result_line(msg)}
        {show(users, move |list| view! {
            <table class="grid" data-test="users"><thead><tr>
                <th>"用户名"</th><th>"姓名"</th><th>"角色"</th><th>"单位"</th><th>"代办员类别"</th><th>"备案"</th><th>"公职人员"</th><th>"专职"</th><th>"状态"</th><th></th>
            </tr></thead><tbody>
                {list.into_iter().map(|u| {
                    let yes = |b: bool| if b { "是" } else { "—" };
                    let edit = u.clone();
                    let (id, off) = (u.id, u.disabled);
                    view! { <tr>
                        <td>{u.username.clone()}</td><td>{u.display_name.clone()}</td><td>{u.role.label()}</td><td>{u.unit_name.clone()}</td>
                        <td>{u.agent_kind.map(|k| k.label()).unwrap_or("—")}</td><td>{yes(u.registered)}</td><td>{yes(u.public_employee)}</td><td>{yes(u.full_time)}</td>
                        <td>{if off { "已停用" } else { "正常" }}</td>
                        <td><button class="btn small" on:click=move |_| editing.set(Some(edit.clone()))>"编辑"</button>
                            <button class="btn small" on:click=move |_| switch(id, !off)>{if off { "启用" } else { "停用" }}</button></td>
                    </tr> }
                }).collect_view()}
            </tbody></table>
        })}
        {move || match editing.get() {
            Some(u) => view! { <UserForm user=Some(u) users=users units=units done=editing/> }.into_any(),
            None => view! { <UserForm user=None users=users units=units done=editing/> }.into_any(),
        }}
    }
}

#[component]
fn UserForm(
    user: Option<UserView>,
    users: Loaded<Vec<UserView>>,
    units: Loaded<Vec<UnitView>>,
    done: RwSignal<Option<UserView>>,
) -> impl IntoView {
    let u = user.clone();
    let username = RwSignal::new(u.as_ref().map(|u| u.username.clone()).unwrap_or_default());
    let display = RwSignal::new(u.as_ref().map(|u| u.display_name.clone()).unwrap_or_default());
    let role = RwSignal::new(u.as_ref().map(|u| u.role.as_str().to_string()).unwrap_or_default());
    let unit = RwSignal::new(u.as_ref().map(|u| u.unit_id.to_string()).unwrap_or_default());
    let kind = RwSignal::new(u.as_ref().and_then(|u| u.agent_kind).map(|k| k.as_str().to_string()).unwrap_or_default());
    let registered = RwSignal::new(u.as_ref().is_some_and(|u| u.registered));
    let public = RwSignal::new(u.as_ref().is_some_and(|u| u.public_employee));
    let full = RwSignal::new(u.as_ref().is_some_and(|u| u.full_time));
    let password = RwSignal::new(String::new());
    let msg = RwSignal::new(None);
    let id = u.as_ref().map(|u| u.id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(r) = Role::parse(&role.get_untracked()) else {
            return msg.set(Some(Err("请选择角色".to_string())));
        };
        let Ok(unit_id) = unit.get_untracked().parse::<i64>() else {
            return msg.set(Some(Err("请选择单位".to_string())));
        };
        let agent_kind = AgentKind::parse(&kind.get_untracked());
        let pw = password.get_untracked();
        if !pw.is_empty() {
            if let Err(e) = shared::org::check_password(&pw) {
                return msg.set(Some(Err(e.message)));
            }
        }
        spawn_local(async move {
            let r = match id {
                Some(id) => {
                    let body = UserUpdate {
                        display_name: Some(display.get_untracked()),
                        role: Some(r),
                        unit_id: Some(unit_id),
                        agent_kind,
                        clear_agent_kind: agent_kind.is_none(),
                        full_time: Some(full.get_untracked()),
                        registered: Some(registered.get_untracked()),
                        public_employee: Some(public.get_untracked()),
                        password: (!pw.is_empty()).then_some(pw),
                        ..Default::default()
                    };
                    api::send::<_, Ignored>("PATCH", &format!("/api/admin/users/{id}"), &body).await
                }
                None => {
                    let body = NewUser {
                        username: username.get_untracked().trim().to_string(),
                        password: pw,
                        display_name: display.get_untracked(),
                        role: r,
                        unit_id,
                        phone: None,
                        agent_kind,
                        full_time: full.get_untracked(),
                        registered: registered.get_untracked(),
                        public_employee: public.get_untracked(),
                    };
                    api::post::<_, Ignored>("/api/admin/users", &body).await
                }
            };
            match r {
                Ok(_) => {
                    msg.set(Some(Ok("已保存".to_string())));
                    load(users, "/api/admin/users".to_string());
                    done.set(None);
                }
                Err(e) => msg.set(Some(Err(failed(e)))),
            }
        });
    };
    let check = |label: &'static str, sig: RwSignal<bool>| {
        view! { <label class="check"><input type="checkbox" prop:checked=move || sig.get() on:change=move |ev| sig.set(event_target_checked(&ev))/>{label}</label> }
    };
    view! {
        <form class="row user-form" data-test="user-form" on:submit=submit>
            <b>{if id.is_some() { "编辑用户" } else { "新建用户" }}</b>
            <input aria-label="用户名" placeholder="用户名" disabled=id.is_some() prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev))/>
            <input aria-label="姓名" placeholder="姓名" prop:value=move || display.get() on:input=move |ev| display.set(event_target_value(&ev))/>
            <select aria-label="角色" prop:value=move || role.get() on:change=move |ev| role.set(event_target_value(&ev))>
                <option value="">"角色"</option>
                {options(&Role::ALL, Role::as_str, Role::label)}
            </select>
            <select aria-label="所属单位" prop:value=move || unit.get() on:change=move |ev| unit.set(event_target_value(&ev))>
                <option value="">"单位"</option>
                {move || units.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|u| view! { <option value=u.id.to_string()>{u.name}</option> }).collect_view()}
            </select>
            <select aria-label="代办员类别" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                <option value="">"非代办员"</option>
                {options(&AgentKind::ALL, AgentKind::as_str, AgentKind::label)}
            </select>
            {check("已备案", registered)}
            {check("公职人员", public)}
            {check("专职", full)}
            <input aria-label="密码" type="password" autocomplete="new-password" placeholder={if id.is_some() { "重置密码（留空不改）" } else { "初始密码（至少8位）" }}
                prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
            <button class="btn primary" type="submit">"保存"</button>
            {id.is_some().then(|| view! { <button class="btn" type="button" on:click=move |_| done.set(None)>"取消"</button> })}
        </form>
        {result_line(msg)}
    }
}

#[component]
fn Prefix() -> impl IntoView {
    let prefix = RwSignal::new(String::new());
    let msg = RwSignal::new(None);
    spawn_local(async move {
        match api::get::<Settings>("/api/admin/settings").await {
            Ok(s) => prefix.set(s.number_prefix.unwrap_or_default()),
            Err(e) => msg.set(Some(Err(failed(e)))),
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let p = prefix.get_untracked().trim().to_string();
        let body = Settings { number_prefix: (!p.is_empty()).then_some(p) };
        spawn_local(async move {
            match api::send::<_, Ignored>("PUT", "/api/admin/settings", &body).await {
                Ok(_) => msg.set(Some(Ok("已保存编号前缀".to_string()))),
                Err(e) => msg.set(Some(Err(failed(e)))),
            }
        });
    };
    view! {
        <form class="row" on:submit=submit>
            <input aria-label="编号前缀" prop:value=move || prefix.get() on:input=move |ev| prefix.set(event_target_value(&ev))/>
            <span class="muted">{move || format!("例：{}〔{}〕001号", prefix.get(), today().year())}</span>
            <button class="btn" type="submit">"保存前缀"</button>
        </form>
        {result_line(msg)}
    }
}

/// `2027-01-01 休` / `2027-02-07 班` lines ⇄ the calendar's days.
fn parse_days(text: &str) -> Result<Vec<CalendarDay>, String> {
    let mut days = Vec::new();
    for (n, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty()) {
        let mut parts = line.split(|c: char| c.is_whitespace() || c == ',' || c == '，').filter(|p| !p.is_empty());
        let day = parts.next().and_then(shared::time::parse_ymd).ok_or(format!("第 {n} 行：日期应写作 2027-01-01"))?;
        let kind = match parts.next().unwrap_or("休") {
            "休" | "off" | "假" => DayOverride::Off,
            "班" | "work" => DayOverride::Work,
            other => return Err(format!("第 {n} 行：“{other}”应为 休 或 班")),
        };
        days.push(CalendarDay { day, kind });
    }
    Ok(days)
}

#[component]
fn CalendarYear() -> impl IntoView {
    let year = RwSignal::new((today().year() + 1).to_string());
    let text = RwSignal::new(String::new());
    let msg = RwSignal::new(None);
    let fetch = move || {
        let y = year.get_untracked();
        spawn_local(async move {
            match api::get::<shared::calendar::CalendarYear>(&format!("/api/admin/calendar/{y}")).await {
                Ok(year) => {
                    text.set(
                        year.days
                            .iter()
                            .map(|d| format!("{} {}", d.day, if d.kind == DayOverride::Work { "班" } else { "休" }))
                            .collect::<Vec<_>>()
                            .join("\n"),
                    );
                    msg.set(Some(Ok(if !year.scheduled {
                        format!("{y} 年尚无放假安排：期限按周末计算并标注“节假日安排未公布”")
                    } else if year.entered {
                        format!("{y} 年的安排由管理员录入")
                    } else {
                        format!("{y} 年的安排为系统内置（国务院办公厅通知）")
                    })));
                }
                Err(e) => msg.set(Some(Err(failed(e)))),
            }
        });
    };
    fetch();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let y = year.get_untracked();
        let days = match parse_days(&text.get_untracked()) {
            Ok(d) => d,
            Err(e) => return msg.set(Some(Err(e))),
        };
        if let Some(d) = days.iter().find(|d| d.day.year().to_string() != y) {
            return msg.set(Some(Err(format!("{} 不在 {y} 年", d.day))));
        }
        let n = days.len();
        spawn_local(async move {
            match api::send::<_, Ignored>("PUT", &format!("/api/admin/calendar/{y}"), &days).await {
                Ok(_) => msg.set(Some(Ok(format!("已保存 {y} 年放假和调休安排（{n} 天）")))),
                Err(e) => msg.set(Some(Err(failed(e)))),
            }
        });
    };
    view! {
        <form on:submit=submit data-test="calendar">
            <div class="row">
                <label class="inline">"年份" <input aria-label="年份" type="number" min="2020" max="2100" prop:value=move || year.get() on:input=move |ev| year.set(event_target_value(&ev))/></label>
                <button class="btn" type="button" on:click=move |_| fetch()>"读取"</button>
            </div>
            <p class="hint">"每行一天：日期和“休”（法定节假日）或“班”（调休上班），例如“2027-01-01 休”“2027-02-07 班”。可从国务院办公厅放假通知整理后粘贴导入。周末以外未列出的日子按工作日计算。"</p>
            <textarea aria-label="放假和调休安排" rows="10" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <button class="btn primary" type="submit">"保存日历"</button>
        </form>
        {result_line(msg)}
    }
}
