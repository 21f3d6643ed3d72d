//! 登记: a new matter with every 代办单 field, each checked with the shared
//! rules as it is typed; before saving, the open matters of the same person
//! with a similar request are shown, and the user confirms to save anyway.

use crate::api::{self, query};
use crate::route::Route;
use crate::ui::{failed, go, options, state, today};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::case::{CaseView, Channel, Source};
use shared::deadline::MatterLevel;
use shared::desk::DuplicateCandidate;
use shared::intake::{NewCase, MAX_ADDRESS_CHARS, MAX_BRIEF_CHARS, MAX_PROBLEM_CHARS};
use shared::routing::ContentCategory;
use shared::validation::{check_text, IdNumber, PersonName, PhoneNumber};

#[component]
pub fn IntakePage() -> impl IntoView {
    let me = state().me.get_untracked().expect("signed in");
    let name = RwSignal::new(String::new());
    let id_number = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let address = RwSignal::new(String::new());
    let summary = RwSignal::new(String::new());
    let brief = RwSignal::new(String::new());
    let channel = RwSignal::new(String::new());
    let source = RwSignal::new(Source::Citizen.as_str().to_string());
    let level = RwSignal::new(me.unit_kind.handling_level().matter_level().as_str().to_string());
    let category = RwSignal::new(String::new());
    let received = RwSignal::new(today().to_string());
    let error = RwSignal::new(None::<String>);
    let dups = RwSignal::new(None::<Vec<DuplicateCandidate>>);
    let busy = RwSignal::new(false);
    let unit_id = me.unit_id;

    // Per-field checks (shared::validation), shown once something is typed.
    let name_err = move || {
        let v = name.get();
        (!v.is_empty()).then(|| PersonName::parse(&v).err().map(|e| e.message)).flatten()
    };
    let id_err = move || {
        let v = id_number.get();
        (!v.trim().is_empty()).then(|| IdNumber::parse(v.trim(), today()).err().map(|e| e.message)).flatten()
    };
    let phone_err = move || {
        let v = phone.get();
        (!v.trim().is_empty()).then(|| PhoneNumber::parse(&v).err().map(|e| e.message)).flatten()
    };
    let address_err = move || {
        let v = address.get();
        (!v.trim().is_empty())
            .then(|| check_text("地址", v.trim(), MAX_ADDRESS_CHARS).err().map(|e| e.message))
            .flatten()
    };
    let summary_err = move || {
        let v = summary.get();
        (!v.is_empty())
            .then(|| check_text("反映的问题及诉求", v.trim(), MAX_PROBLEM_CHARS).err().map(|e| e.message))
            .flatten()
    };
    let brief_err = move || {
        let v = brief.get();
        (!v.trim().is_empty())
            .then(|| check_text("内容摘要", v.trim(), MAX_BRIEF_CHARS).err().map(|e| e.message))
            .flatten()
    };

    let build = move || -> Result<NewCase, String> {
        let opt = |s: RwSignal<String>| Some(s.get_untracked()).filter(|v| !v.trim().is_empty());
        let new = NewCase {
            client_ref: None,
            unit_id,
            citizen_name: name.get_untracked(),
            id_number: opt(id_number),
            phone: opt(phone),
            address: opt(address),
            summary: summary.get_untracked(),
            brief: opt(brief),
            channel: Channel::parse(&channel.get_untracked()).ok_or("请选择信访渠道")?,
            source: Source::parse(&source.get_untracked()).ok_or("请选择事项来源")?,
            level: MatterLevel::parse(&level.get_untracked()).ok_or("请选择事项级别")?,
            category: ContentCategory::parse(&category.get_untracked()),
            received_on: shared::time::parse_ymd(&received.get_untracked()).ok_or("请填写受理日期")?,
        };
        new.check(today()).map_err(|e| e.message)?;
        Ok(new)
    };
    let save = move |new: NewCase| {
        busy.set(true);
        spawn_local(async move {
            match api::post::<_, CaseView>("/api/cases", &new).await {
                Ok(c) => go(Route::Case(c.id)),
                Err(e) => error.set(Some(failed(e))),
            }
            busy.set(false);
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let new = match build() {
            Ok(n) => n,
            Err(e) => return error.set(Some(e)),
        };
        busy.set(true);
        spawn_local(async move {
            let q = query(&[
                ("citizen_name", new.citizen_name.clone()),
                ("id_number", new.id_number.clone().unwrap_or_default()),
                ("phone", new.phone.clone().unwrap_or_default()),
                ("summary", new.summary.clone()),
            ]);
            match api::get::<Vec<DuplicateCandidate>>(&format!("/api/desk/duplicates{q}")).await {
                Ok(list) if list.is_empty() => save(new),
                Ok(list) => {
                    dups.set(Some(list));
                    busy.set(false);
                }
                Err(e) => {
                    error.set(Some(format!("无法检查重复事项：{}", failed(e))));
                    dups.set(Some(Vec::new()));
                    busy.set(false);
                }
            }
        });
    };
    let save_anyway = move |_| {
        if let Ok(new) = build() {
            save(new);
        }
    };
    let input = move |label: &'static str, sig: RwSignal<String>, err: Signal<Option<String>>| {
        view! {
            <label>{label}
                <input aria-label=label prop:value=move || sig.get() on:input=move |ev| { sig.set(event_target_value(&ev)); dups.set(None); }
                    aria-invalid={move || if err.with(Option::is_some) { "true" } else { "false" }}/>
                {move || err.get().map(|e| view! { <span class="field-error">{e}</span> })}
            </label>
        }
    };
    let sel = |sig: RwSignal<String>| move |ev: leptos::ev::Event| sig.set(event_target_value(&ev));
    view! {
        <h1>"登记信访事项"</h1>
        <form class="card intake" data-test="intake" on:submit=submit>
            <div class="cols">
                <label>"信访渠道"
                    <select aria-label="信访渠道" required on:change=sel(channel)>
                        <option value="">"请选择"</option>
                        {options(&Channel::ALL, Channel::as_str, Channel::label)}
                    </select>
                </label>
                <label>"事项来源"
                    <select aria-label="事项来源" prop:value=move || source.get() on:change=sel(source)>
                        {options(&Source::ALL, Source::as_str, Source::label)}
                    </select>
                </label>
                <label>"受理日期"
                    <input type="date" aria-label="受理日期" prop:value=move || received.get() on:input=move |ev| received.set(event_target_value(&ev))/>
                </label>
                {input("信访人姓名", name, Signal::derive(name_err))}
                {input("身份证号", id_number, Signal::derive(id_err))}
                {input("联系电话", phone, Signal::derive(phone_err))}
                {input("住址", address, Signal::derive(address_err))}
                <label>"事项级别"
                    <select aria-label="事项级别" prop:value=move || level.get() on:change=sel(level)>
                        {MatterLevel::ALL.iter().map(|l| view! { <option value=l.as_str()>{format!("{}（{} 个工作日）", l.label(), l.limit_working_days())}</option> }).collect_view()}
                    </select>
                </label>
                <label>"内容分类"
                    <select aria-label="内容分类" on:change=sel(category)>
                        <option value="">"暂不分类"</option>
                        {ContentCategory::ALL.iter().map(|c| view! { <option value=c.as_str()>{format!("{}（{}）", c.label(), c.task_group().label())}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <label>"反映的问题及诉求"
                <textarea aria-label="反映的问题及诉求" rows="4" prop:value=move || summary.get() on:input=move |ev| { summary.set(event_target_value(&ev)); dups.set(None); }></textarea>
                {move || summary_err().map(|e| view! { <span class="field-error">{e}</span> })}
            </label>
            <label>"内容摘要（处置单）"
                <textarea aria-label="内容摘要" rows="2" prop:value=move || brief.get() on:input=move |ev| brief.set(event_target_value(&ev))></textarea>
                {move || brief_err().map(|e| view! { <span class="field-error">{e}</span> })}
            </label>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || dups.get().filter(|d| !d.is_empty()).map(|d| view! {
                <div class="dups" data-test="duplicates">
                    <p><b>"可能重复的在办事项："</b></p>
                    <table class="grid">
                        <thead><tr><th>"编号"</th><th>"信访人"</th><th>"问题"</th><th>"阶段"</th><th>"单位"</th><th>"原因"</th></tr></thead>
                        <tbody>{d.into_iter().map(|x| view! {
                            <tr><td><a href=Route::Case(x.id).href() target="_blank">{x.number}</a></td><td>{x.citizen_name}</td><td>{x.summary}</td><td>{x.stage.label()}</td><td>{x.unit_name}</td><td>{x.reason}</td></tr>
                        }).collect_view()}</tbody>
                    </table>
                </div>
            })}
            {move || if dups.get().is_some() {
                view! { <button type="button" class="btn primary" disabled=move || busy.get() on:click=save_anyway>"确认登记"</button> }.into_any()
            } else {
                view! { <button type="submit" class="btn primary" disabled=move || busy.get()>"检查并登记"</button> }.into_any()
            }}
        </form>
    }
}
