//! 排查登记: a new matter found at the doorstep, with the 代办单 fields and
//! the screening outcome, saved on the phone and synced later.

use crate::components::forms::{clear_draft, draft, outcome_of, saved_message, OutcomePicker};
use crate::route::Route;
use crate::state::{store, AppState};
use crate::util::{china_now, go, new_uuid, now_ms};
use crate::view::provisional_id;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::case::{Channel, Source};
use shared::command::{CaseCommand, MAX_FORM_TEXT};
use shared::deadline::MatterLevel;
use shared::error::ApiError;
use shared::intake::{NewCase, MAX_ADDRESS_CHARS, MAX_BRIEF_CHARS, MAX_PROBLEM_CHARS};
use shared::lifecycle::ScreeningOutcome;
use shared::routing::ContentCategory;
use shared::sync::Change;
use shared::validation::{check_text, IdNumber, PersonName, PhoneNumber, MAX_NAME_CHARS};

#[component]
pub fn NewCasePage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let k = |f: &str| format!("draft:new_case:{f}");
    let fields = [
        "name",
        "id_number",
        "phone",
        "address",
        "summary",
        "brief",
        "category",
        "channel",
        "level",
        "outcome",
        "note",
    ];
    let keys: Vec<String> = fields.iter().map(|f| k(f)).collect();
    let name = draft(k("name"), "");
    let id_number = draft(k("id_number"), "");
    let phone = draft(k("phone"), "");
    let address = draft(k("address"), "");
    let summary = draft(k("summary"), "");
    let brief = draft(k("brief"), "");
    let category = draft(k("category"), "");
    let channel = draft(k("channel"), Channel::Visit.as_str());
    let level = draft(k("level"), MatterLevel::Village.as_str());
    // The screening outcome feeds the acceptance rate: chosen, never assumed.
    let outcome = draft(k("outcome"), "");
    let note = draft(k("note"), "");
    let error = RwSignal::new(None::<String>);
    // Per field (by input name): what is wrong with it, shown where it is.
    let field_errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let saving = RwSignal::new(false);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let Some(me) = state.me.get_untracked() else { return };
        let opt = |s: RwSignal<String>| Some(s.get_untracked().trim().to_string()).filter(|v| !v.is_empty());
        // Every field checked on its own with the shared rules, so each
        // mistake is marked where it is; then the whole matter as the server will.
        let today = china_now().date();
        let mut errs: Vec<(&'static str, String)> = Vec::new();
        let mut mark = |field: &'static str, r: Result<(), ApiError>| {
            if let Err(e) = r {
                errs.push((field, e.message));
            }
        };
        mark(
            "citizen_name",
            PersonName::parse(&name.get_untracked())
                .map(|_| ())
                .map_err(|e| ApiError { message: format!("信访人{}", e.message), ..e }),
        );
        if let Some(v) = opt(id_number) {
            mark("id_number", IdNumber::parse(&v, today).map(|_| ()));
        }
        if let Some(v) = opt(phone) {
            mark("phone", PhoneNumber::parse(&v).map(|_| ()));
        }
        if let Some(v) = opt(address) {
            mark("address", check_text("地址", &v, MAX_ADDRESS_CHARS));
        }
        mark("summary", check_text("反映的问题及诉求", summary.get_untracked().trim(), MAX_PROBLEM_CHARS));
        if let Some(v) = opt(brief) {
            mark("brief", check_text("内容摘要", &v, MAX_BRIEF_CHARS));
        }
        if outcome.with_untracked(String::is_empty) {
            errs.push(("outcome", "请选择甄别结果".to_string()));
        }
        let has_errors = !errs.is_empty();
        field_errors.set(errs);
        if has_errors {
            error.set(Some("请按标红的提示修改后再保存".to_string()));
            // After the marks are drawn: bring the first one into view.
            request_animation_frame(crate::js::reveal_first_invalid);
            return;
        }
        let client_ref = new_uuid();
        let new = NewCase {
            client_ref: Some(client_ref.clone()),
            unit_id: me.unit_id,
            citizen_name: name.get_untracked(),
            id_number: opt(id_number),
            phone: opt(phone),
            address: opt(address),
            summary: summary.get_untracked(),
            brief: opt(brief),
            channel: Channel::parse(&channel.get_untracked()).unwrap_or(Channel::Visit),
            source: Source::Screening,
            level: MatterLevel::parse(&level.get_untracked()).unwrap_or(MatterLevel::Village),
            category: ContentCategory::parse(&category.get_untracked()),
            received_on: china_now().date(),
        };
        let checked = match new.check(china_now().date()) {
            Ok(c) => c.to_new_case(),
            Err(e) => {
                error.set(Some(e.message));
                return;
            }
        };
        let mut screen_outcome = outcome_of(&outcome.get_untracked());
        let agent_id = matches!(screen_outcome, ScreeningOutcome::AcceptAgency { .. }).then_some(me.id);
        if let ScreeningOutcome::AcceptAgency { agent_chosen_by_citizen } = &mut screen_outcome {
            *agent_chosen_by_citizen = false;
        }
        let note_v = note.get_untracked().trim().to_string();
        let screen = CaseCommand::Screen {
            outcome: screen_outcome,
            agent_id,
            note: if note_v.is_empty() { "排查登记".to_string() } else { note_v },
        };
        if let Err(e) = screen.validate() {
            error.set(Some(e.message));
            return;
        }
        saving.set(true);
        let keys = keys.clone();
        spawn_local(async move {
            let s = store();
            let created = s.queue(&me, Change::CreateCase { case: checked }, now_ms()).await;
            let result = match created {
                Ok(entry) => s
                    .queue(&me, Change::CommandOnNew { client_ref, command: screen }, now_ms())
                    .await
                    .map(|_| provisional_id(entry.mutation.id)),
                Err(e) => Err(e),
            };
            match result {
                Ok(id) => {
                    clear_draft(&keys);
                    state.flash.set(Some((id, saved_message(&state))));
                    state.reload().await;
                    go(Route::Case(id));
                    spawn_local(async move { state.sync_now().await });
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            saving.set(false);
        });
    };
    let err_of = move |name: &'static str| field_errors.with(|e| e.iter().find(|x| x.0 == name).map(|x| x.1.clone()));
    let field_error = move |name: &'static str| {
        move || err_of(name).map(|m| view! { <span class="field-error" data-test="field-error">{m}</span> })
    };
    let invalid = move |name: &'static str| move || err_of(name).is_some().then_some("true");
    let text = move |label: &'static str,
                     sig: RwSignal<String>,
                     kind: &'static str,
                     name: &'static str,
                     max: Option<usize>| {
        view! {
            <label class:invalid=move || err_of(name).is_some()>
                {label}
                <input type=kind name=name maxlength=max aria-invalid=invalid(name) prop:value=move || sig.get()
                    on:input=move |ev| sig.set(event_target_value(&ev))/>
                {field_error(name)}
            </label>
        }
    };
    view! {
        <a class="back" href=Route::Cases.page()>"‹ 返回我的事项"</a>
        <form class="card" on:submit=submit data-test="new-case-form">
            <h2>"排查登记 · 信访事项代办单"</h2>
            <p class="hint">"无网络也可登记，联网后自动上报。带 * 的为必填。"</p>
            {text("信访人姓名 *", name, "text", "citizen_name", Some(MAX_NAME_CHARS))}
            {text("身份证号", id_number, "text", "id_number", None)}
            {text("联系电话", phone, "tel", "phone", None)}
            {text("住址", address, "text", "address", Some(MAX_ADDRESS_CHARS))}
            <label class:invalid=move || err_of("summary").is_some()>
                "反映的问题及诉求 *"
                <textarea name="summary" rows="4" maxlength=MAX_PROBLEM_CHARS aria-invalid=invalid("summary") prop:value=move || summary.get()
                    on:input=move |ev| summary.set(event_target_value(&ev))></textarea>
                {field_error("summary")}
            </label>
            {text("内容摘要", brief, "text", "brief", Some(MAX_BRIEF_CHARS))}
            <label>
                "内容分类"
                <select name="category" prop:value=move || category.get() on:change=move |ev| category.set(event_target_value(&ev))>
                    <option value="">"（暂不分类）"</option>
                    {ContentCategory::ALL.iter().map(|c| view! {
                        <option value=c.as_str()>{format!("{}（{}）", c.label(), c.task_group().label())}</option>
                    }).collect_view()}
                </select>
            </label>
            <div class="two">
                <label>
                    "来源渠道"
                    <select name="channel" prop:value=move || channel.get() on:change=move |ev| channel.set(event_target_value(&ev))>
                        {Channel::ALL.into_iter().map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
                    </select>
                </label>
                <label>
                    "事项层级"
                    <select name="level" prop:value=move || level.get() on:change=move |ev| level.set(event_target_value(&ev))>
                        {MatterLevel::ALL.into_iter().map(|l| view! {
                            <option value=l.as_str()>{format!("{}（{} 个工作日）", l.label(), l.limit_working_days())}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <OutcomePicker outcome=outcome invalid=Signal::derive(move || err_of("outcome").is_some())/>
            {field_error("outcome")}
            <label>
                "甄别说明"
                <textarea name="note" rows="2" maxlength=MAX_FORM_TEXT prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
            </label>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit" class="btn primary block" disabled=move || saving.get()>"保存登记"</button>
        </form>
    }
}
