//! The field forms: visit (with photo and position), progress contact,
//! closure feedback, follow-up, review request, conclusion, screening — and
//! the pieces they share: drafts that survive a reload, and queueing a
//! command through the outbox.

use crate::js;
use crate::state::{store, AppState};
use crate::sync::outbox::{RejectedEntry, UploadEntry};
use crate::util::{china_now, new_uuid, now_ms};
use crate::view::{command_detail, command_of, screening_choices, screening_code, screening_outcome};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::authority::{escalation_target, field_actions, Actor};
use shared::case::{CaseView, GeoPoint, NewVisit, VisitMethod};
use shared::command::{CaseCommand, MAX_FORM_TEXT};
use shared::deadline::FOLLOW_UP_CALENDAR_DAYS;
use shared::lifecycle::{NoticeForm, Opinion, ScreeningOutcome};
use shared::sync::Change;
use shared::validation::{check_new_visit, MAX_NOTE_CHARS};
use wasm_bindgen::JsCast;

/// A text field whose value is kept in localStorage under `key` as it is
/// typed, so a reload (or a dead battery) does not lose a half-written form.
pub fn draft(key: String, default: impl Into<String>) -> RwSignal<String> {
    let sig = RwSignal::new(js::local_get(&key).unwrap_or_else(|| default.into()));
    Effect::new(move |_| js::local_set(&key, &sig.get()));
    sig
}

pub fn clear_draft(keys: &[String]) {
    for k in keys {
        js::local_remove(k);
    }
}

/// The forms a field agent can open on a case (shared: one list, one label each).
pub use shared::authority::FieldAction as Action;

/// The actions the signed-in user may take on the case now, and if some are
/// withheld from this user, why (shared rules: the lifecycle, and the
/// authority rule — a field agent acts only on the matters they handle).
pub fn available_actions(case: &CaseView, state: &AppState) -> (Vec<Action>, Option<String>) {
    let Some(me) = state.me.get_untracked() else { return (Vec::new(), None) };
    field_actions(Actor { id: me.id, role: me.role }, case, china_now())
}

/// Checks a command with the shared rules and queues it in the outbox; a
/// redo of a refused change takes that one out of 需处理.
pub async fn queue_command(
    state: AppState,
    case: &CaseView,
    command: CaseCommand,
    redone: Option<&RejectedEntry>,
) -> Result<(), String> {
    let me = state.me.get_untracked().ok_or("请先登录")?;
    command.validate().map_err(|e| e.message)?;
    command.plan(&case.lifecycle).map_err(|e| e.message)?;
    let change = if case.id > 0 {
        Change::Command { case_id: case.id, command }
    } else {
        let client_ref = case.client_ref.clone().ok_or("本机登记的事项缺少编号")?;
        Change::CommandOnNew { client_ref, command }
    };
    store().queue(&me, change, now_ms()).await.map_err(|e| e.to_string())?;
    if let Some(r) = redone {
        let _ = store().discard_rejected(r).await;
    }
    state.reload().await;
    spawn_local(async move { state.sync_now().await });
    Ok(())
}

pub fn saved_message(state: &AppState) -> String {
    if state.online.get_untracked() {
        "已保存到本机，正在上传…".to_string()
    } else {
        "已保存到本机，联网后自动上传".to_string()
    }
}

/// A row of big buttons choosing one code (`value`) of `choices` (code,
/// label): how the citizen was reached, how the result was told, 息诉罢访.
/// One component for all of them keeps the WASM small.
#[component]
pub fn Segmented(
    legend: &'static str,
    value: RwSignal<String>,
    choices: Vec<(&'static str, &'static str)>,
    /// Set when an answer that must be chosen is missing.
    #[prop(optional)]
    missing: Option<Signal<bool>>,
    #[prop(optional)] test: Option<&'static str>,
) -> impl IntoView {
    let missing = move || missing.is_some_and(|m| m.get());
    view! {
        <fieldset class="segmented" class:missing=missing aria-invalid=move || missing().then_some("true") data-test=test>
            <legend>{legend}</legend>
            {choices.into_iter().map(|(code, label)| view! {
                <button type="button" class="seg" class:active=move || value.get() == code
                    aria-pressed=move || (value.get() == code).to_string()
                    on:click=move |_| value.set(code.to_string())>{label}</button>
            }).collect_view()}
        </fieldset>
    }
}

/// How the citizen was reached (走访方式), from shared's `VisitMethod`.
fn method_picker(method: RwSignal<String>) -> impl IntoView {
    let choices = VisitMethod::ALL.map(|m| (m.as_str(), m.label())).to_vec();
    view! { <Segmented legend="方式" value=method choices=choices/> }
}

fn method_of(s: &str) -> VisitMethod {
    VisitMethod::parse(s).unwrap_or(VisitMethod::InPerson)
}

#[component]
pub fn VisitForm(case_id: i64) -> impl IntoView {
    let state = expect_context::<AppState>();
    let k = |f: &str| format!("draft:visit:{case_id}:{f}");
    let keys = vec![k("at"), k("method"), k("note")];
    let visited_at = draft(k("at"), shared::time::format_local_minute(china_now()));
    let method = draft(k("method"), VisitMethod::InPerson.as_str());
    let note = draft(k("note"), "");
    let with_position = RwSignal::new(false);
    let photo: RwSignal<Option<(Vec<u8>, String)>, LocalStorage> = RwSignal::new_local(None);
    let photo_info = RwSignal::new(None::<String>);
    let photo_input = NodeRef::<leptos::html::Input>::new();
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);

    let on_photo = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = ev.target().unwrap().unchecked_into();
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        let name = file.name();
        photo_info.set(Some("正在压缩照片…".to_string()));
        spawn_local(async move {
            match js::resize(file).await {
                Ok(bytes) if bytes.len() > js::PHOTO_MAX_BYTES => {
                    photo.set(None);
                    photo_info.set(Some("照片压缩后仍超过 1.5 MB，请换一张".to_string()));
                }
                Ok(bytes) => {
                    photo_info.set(Some(format!("已选照片 {name}（压缩后 {} KB）", bytes.len() / 1024)));
                    photo.set(Some((bytes, name)));
                }
                Err(e) => {
                    photo.set(None);
                    photo_info.set(Some(e));
                }
            }
        });
    };

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let Some(me) = state.me.get_untracked() else { return };
        let mut visit = NewVisit {
            id: new_uuid(),
            case_id,
            visited_at: visited_at.get_untracked(),
            method: method_of(&method.get_untracked()),
            note: note.get_untracked().trim().to_string(),
            position: None,
        };
        if let Err(e) = check_new_visit(&visit, china_now()) {
            error.set(Some(e.message));
            return;
        }
        // Touch nothing on screen until the visit is committed: a repaint
        // queued before the commit would delay it on a slow phone.
        if error.get_untracked().is_some() {
            error.set(None);
        }
        saving.update_untracked(|s| *s = true);
        let keys = keys.clone();
        spawn_local(async move {
            if with_position.get_untracked() {
                visit.position = js::position(8000).await.map(|(lat, lng, acc)| GeoPoint::from_degrees(lat, lng, acc));
            }
            let visit_id = visit.id.clone();
            let upload = photo.get_untracked().map(|(data, _)| UploadEntry {
                id: new_uuid(),
                visit_id: Some(visit_id),
                case_id,
                name: format!("走访照片-{}.jpg", visit.visited_at.replace(['T', ':'], "-")),
                content_type: "image/jpeg".to_string(),
                data,
                created_at: now_ms(),
                user_id: me.id,
                rejected: None,
            });
            let started = js::now_ms();
            let result = store().save_visit(&me, visit, upload, now_ms()).await;
            js::record_metric("save_visit", js::now_ms() - started);
            match result {
                Ok(_) => {
                    clear_draft(&keys);
                    note.set(String::new());
                    visited_at.set(shared::time::format_local_minute(china_now()));
                    photo.set(None);
                    photo_info.set(None);
                    // The next visit must not look as if it had this photo.
                    if let Some(input) = photo_input.get_untracked() {
                        input.set_value("");
                    }
                    saved.set(Some(saved_message(&state)));
                    state.flash.set(None); // one confirmation on screen: this one
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
            {method_picker(method)}
            <label>
                "走访情况"
                <textarea name="note" rows="4" maxlength=MAX_NOTE_CHARS
                    placeholder="群众诉求、沟通情况、下一步安排…"
                    prop:value=move || note.get()
                    on:input=move |ev| { note.set(event_target_value(&ev)); saved.set(None); }></textarea>
            </label>
            <label class="file">
                "现场照片（可选）"
                <input type="file" accept="image/*" capture="environment" name="photo" node_ref=photo_input on:change=on_photo/>
            </label>
            {move || photo_info.get().map(|i| view! { <p class="hint" data-test="photo-info">{i}</p> })}
            <label class="check">
                <input type="checkbox" prop:checked=move || with_position.get()
                    on:change=move |ev| with_position.set(event_target_checked(&ev))/>
                "记录当前位置"
            </label>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || saved.get().map(|s| view! { <p class="ok" role="status">{s}</p> })}
            <button type="submit" class="btn primary block" disabled=move || saving.get()>"保存记录"</button>
        </form>
    }
}

/// The form of one workflow command (contact, closure, follow-up …).
#[component]
pub fn CommandForm(
    case: CaseView,
    action: Action,
    on_done: Callback<()>,
    /// Redoing a refused change: the form starts from what was typed, and
    /// the refused entry leaves 需处理 once the redo is saved.
    redo: Option<RejectedEntry>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let id = case.id;
    let k = move |f: &str| format!("draft:{}:{id}:{f}", action.label());
    let keys = vec![k("method"), k("note"), k("opinion"), k("notice"), k("resolved"), k("outcome"), k("cross")];
    let method = draft(k("method"), VisitMethod::InPerson.as_str());
    let note = draft(k("note"), "");
    // Answers that feed a rate (satisfaction, 息诉罢访, acceptance) start
    // empty: the worker must ask the citizen and choose.
    let opinion = draft(k("opinion"), "");
    let notice = draft(k("notice"), NoticeForm::Oral.as_str());
    let resolved = draft(k("resolved"), "");
    let outcome = draft(k("outcome"), "");
    // 上报: "yes" for a 三跨三分离 matter (straight to the league).
    let cross = draft(k("cross"), "");
    let level = case.lifecycle.level;
    let above = escalation_target(false, level, false);
    if let Some(r) = &redo {
        if let Some(c) = command_of(&r.entry.mutation.change) {
            note.set(command_detail(c).unwrap_or_default());
            match c {
                CaseCommand::Contact { method: m, .. } => method.set(m.as_str().to_string()),
                CaseCommand::Close { method: m, notice: n, opinion: o, .. } => {
                    method.set(m.as_str().to_string());
                    notice.set(n.as_str().to_string());
                    opinion.set(o.as_str().to_string());
                }
                CaseCommand::FollowUp { method: m, resolved: r, .. } => {
                    method.set(m.as_str().to_string());
                    resolved.set(if *r { "yes" } else { "no" }.to_string());
                }
                CaseCommand::Screen { outcome: o, .. } => outcome.set(screening_code(*o).to_string()),
                CaseCommand::Escalate { cross_region: true, .. } => cross.set("yes".to_string()),
                _ => {}
            }
        }
    }
    let redo = StoredValue::new(redo);
    // Set once a save was tried with an answer missing: marks what to choose.
    let tried = RwSignal::new(false);
    let missing = move |v: RwSignal<String>| tried.get() && v.with(String::is_empty);
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let case = StoredValue::new(case);
    let me_id = state.me.get_untracked().map(|m| m.id);

    let build = move || -> CaseCommand {
        let note_v = note.get_untracked().trim().to_string();
        let m = method_of(&method.get_untracked());
        match action {
            Action::Contact | Action::Visit => CaseCommand::Contact { method: m, note: note_v },
            Action::Close => CaseCommand::Close {
                method: m,
                notice: NoticeForm::parse(&notice.get_untracked()).unwrap_or(NoticeForm::Oral),
                // Chosen before saving (an answer that feeds a rate is never assumed).
                opinion: Opinion::parse(&opinion.get_untracked()).unwrap_or(Opinion::Satisfied),
                result: note_v,
            },
            Action::FollowUp => {
                CaseCommand::FollowUp { method: m, resolved: resolved.get_untracked() == "yes", note: note_v }
            }
            Action::RequestReview => CaseCommand::RequestReview { note: note_v },
            Action::AcceptOutcome => CaseCommand::AcceptOutcome {},
            Action::Screen => {
                CaseCommand::Screen { outcome: outcome_of(&outcome.get_untracked()), agent_id: None, note: note_v }
            }
            Action::Escalate => {
                let cross_region = cross.get_untracked() == "yes";
                // A village agent's matter: never a department's.
                let to = escalation_target(false, level, cross_region);
                CaseCommand::Escalate { to, cross_region, reason: note_v }
            }
        }
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let lacking: Vec<&str> = [
            (Action::Close, opinion, "信访人意见"),
            (Action::FollowUp, resolved, "是否息诉罢访"),
            (Action::Screen, outcome, "甄别结果"),
        ]
        .into_iter()
        .filter(|(a, v, _)| *a == action && v.with_untracked(String::is_empty))
        .map(|x| x.2)
        .collect();
        if !lacking.is_empty() {
            tried.set(true);
            error.set(Some(format!("请先询问信访人并选择：{}", lacking.join("、"))));
            return;
        }
        let mut cmd = build();
        if let CaseCommand::Screen { outcome: ScreeningOutcome::AcceptAgency { .. }, agent_id, .. } = &mut cmd {
            *agent_id = me_id; // the agent at the doorstep takes it on
        }
        saving.set(true);
        let keys = keys.clone();
        // Read now: saving re-renders the case page, which disposes this form.
        let (c, redone) = (case.get_value(), redo.get_value());
        spawn_local(async move {
            match queue_command(state, &c, cmd, redone.as_ref()).await {
                Ok(()) => {
                    clear_draft(&keys);
                    error.set(None);
                    state.flash.set(Some((id, saved_message(&state))));
                    on_done.run(());
                }
                Err(e) => error.set(Some(e)),
            }
            saving.set(false);
        });
    };
    let needs_method = matches!(action, Action::Contact | Action::Close | Action::FollowUp);
    let note_label = match action {
        Action::Close => "处理结果（告知信访人的内容）",
        Action::FollowUp => "回访情况",
        Action::RequestReview => "信访人的复查/复核申请",
        Action::Screen => "甄别说明",
        Action::Escalate => "上报理由",
        _ => "沟通情况",
    };
    view! {
        <form class="card command-form" on:submit=submit data-test="command-form">
            <h3>{action.label()}</h3>
            {needs_method.then(|| method_picker(method))}
            {(action == Action::Screen).then(|| view! { <OutcomePicker outcome=outcome invalid=Signal::derive(move || missing(outcome))/> })}
            {(action == Action::Close).then(|| view! {
                <Segmented legend="告知方式" value=notice choices=NoticeForm::ALL.map(|n| (n.as_str(), n.label())).to_vec()/>
                <fieldset class="choices" class:missing=move || missing(opinion)
                    aria-invalid=move || missing(opinion).then_some("true") data-test="opinion">
                    <legend>"信访人意见（请询问后选择）"</legend>
                    {Opinion::ALL.into_iter().map(|o| {
                        let code = o.as_str();
                        view! {
                            <label class="choice">
                                <input type="radio" name="opinion" prop:checked=move || opinion.get() == code
                                    on:change=move |_| opinion.set(code.to_string())/>
                                {o.label()}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
            })}
            {(action == Action::FollowUp).then(|| view! {
                <Segmented legend="是否息诉罢访（请选择）" value=resolved choices=vec![("yes", "已息诉罢访"), ("no", "未息诉罢访")]
                    missing=Signal::derive(move || missing(resolved)) test="resolved"/>
            })}
            {(action != Action::AcceptOutcome).then(|| view! {
                <label>
                    {note_label}
                    <textarea name="note" rows="3" maxlength=MAX_FORM_TEXT
                        prop:value=move || note.get()
                        on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                </label>
            })}
            {(action == Action::Escalate).then(|| view! {
                <Segmented legend="上报至" value=cross test="escalate-to"
                    choices=vec![("", above.label()), ("yes", "盟市（三跨三分离）")]/>
                <p class="hint">"上报后由上级办理，您仍可查看和记录。"</p>
            })}
            {(action == Action::AcceptOutcome).then(|| view! {
                <p class="hint">{format!("信访人接受处理结果或不再申请复查、复核，事项终结，{FOLLOW_UP_CALENDAR_DAYS} 日内回访。")}</p>
            })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit" class="btn primary block" disabled=move || saving.get()>{format!("保存{}", action.label())}</button>
        </form>
    }
}

/// The screening outcome a choice's code stands for (accept when unknown:
/// the choice is checked before saving).
pub fn outcome_of(code: &str) -> ScreeningOutcome {
    screening_outcome(code).unwrap_or(ScreeningOutcome::AcceptAgency { agent_chosen_by_citizen: false })
}

#[component]
pub fn OutcomePicker(outcome: RwSignal<String>, invalid: Signal<bool>) -> impl IntoView {
    view! {
        <label class:missing=move || invalid.get()>
            "甄别结果 *"
            <select name="outcome" prop:value=move || outcome.get() on:change=move |ev| outcome.set(event_target_value(&ev))
                aria-invalid=move || invalid.get().then_some("true")>
                <option value="">"（请选择）"</option>
                {screening_choices().into_iter().map(|(code, o)| {
                    let mut label = o.label();
                    if matches!(o, ScreeningOutcome::AcceptAgency { .. }) {
                        label.push_str("（由我代办）");
                    }
                    view! { <option value=code>{label}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}
