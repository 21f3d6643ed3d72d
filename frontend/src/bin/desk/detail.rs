//! One matter: every field of the 代办单 and the 处置单, each department's
//! 处置单 with its 拟办意见 and 处理结果, the timeline, attachments,
//! complaints, and the action panel (only the server's `actions`).

use crate::actions::ActionPanel;
use crate::api;
use crate::ui::{due, failed, field, load, show, when, Loaded};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::case::{CaseDetail, CaseView, ComplaintReply, ComplaintView};
use shared::org::UnitKind;

#[component]
pub fn CasePage(id: i64) -> impl IntoView {
    let data: Loaded<CaseDetail> = RwSignal::new(None);
    let reload = move || load(data, format!("/api/cases/{id}"));
    reload();
    view! {
        {show(data, move |d| view! { <Detail d=d reload=Callback::new(move |_| reload())/> })}
    }
}

#[component]
fn Detail(d: CaseDetail, reload: Callback<()>) -> impl IntoView {
    let c = d.case.clone();
    let unit = c.handling_unit_name.clone().unwrap_or_else(|| c.unit_name.clone());
    let due_text = due(&c).map(|(l, late, _)| (l, late));
    let read_only = d.actions.is_empty();
    // A department (事权单位) works from its own 处置单: no citizen contacts,
    // so no 代办单 or dossier, and only its own form to print.
    let me = crate::ui::state().me.get_untracked();
    let department = me.as_ref().is_some_and(|m| m.unit_kind == UnitKind::Department);
    let my_unit = me.as_ref().map_or(0, |m| m.unit_id);
    view! {
        <div class="case-head">
            <h1>{c.number.clone()}" "<small>{c.citizen_name.clone()}</small></h1>
            <span class="badge">{c.lifecycle.status.label()}</span>
            {due_text.map(|(l, late)| view! { <span class="due" class:late=late data-test="due">{l}" · 期限 "{c.due_on.to_string()}</span> })}
            {(!department).then(|| view! {
                <span class="links">
                    <a class="btn" href=format!("/print/cases/{}/agency-form", c.id) target="_blank" data-test="print-agency">"打印代办单"</a>
                    <a class="btn" href=format!("/api/cases/{}/dossier.zip", c.id) download="" data-test="dossier">"下载一案一档"</a>
                </span>
            })}
        </div>
        <div class="detail-grid">
            <div>
                <section class="card">
                    <h2>"信访事项代办单"</h2>
                    <dl class="sheet">{agency_fields(&c)}</dl>
                    <p class="full"><b>"反映的问题及诉求："</b>{c.summary.clone()}</p>
                </section>
                <section class="card">
                    <h2>"信访事项处置单"</h2>
                    <dl class="sheet">{disposal_fields(&c, &unit)}</dl>
                </section>
                <section class="card" data-test="dispositions">
                    <h2>"流转的处置单"</h2>
                    {if d.dispositions.is_empty() {
                        view! { <p class="muted">"尚未流转至承办单位"</p> }.into_any()
                    } else {
                        view! {
                            <table class="grid">
                                <thead><tr><th>"承办单位"</th><th>"拟办意见"</th><th>"处理结果"</th><th></th></tr></thead>
                                <tbody>{d.dispositions.iter().map(|x| view! {
                                    <tr data-test="disposition">
                                        <td>{x.unit_name.clone()}<br/><small class="muted">{format!("{} {}", when(&x.created_at), x.created_by_name)}</small></td>
                                        <td>{x.proposed_handling.clone()}</td>
                                        <td>{match &x.result {
                                            Some(r) => view! { {r.clone()}<br/><small class="muted">{format!("{} {}", x.replied_at.as_deref().map(when).unwrap_or_default(), x.replied_by_name.clone().unwrap_or_default())}</small> }.into_any(),
                                            None => view! { <span class="muted">"待回复"</span> }.into_any(),
                                        }}</td>
                                        <td>{(!department || x.unit_id == my_unit).then(|| view! {
                                            <a href=format!("/print/cases/{}/disposition/{}", x.case_id, x.unit_id) target="_blank" data-test="print-disposition">"打印处置单"</a>
                                        })}</td>
                                    </tr>
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any()
                    }}
                </section>
                <section class="card">
                    <h2>"办理过程"</h2>
                    <ol class="timeline" data-test="timeline">
                        {d.timeline.iter().rev().map(|t| view! {
                            <li><span class="t">{when(&t.at)}</span>" "<b>{t.label.clone()}</b>" · "{t.actor_name.clone()}
                                {detail_of(&t.command).map(|x| view! { <div class="muted">{x}</div> })}
                            </li>
                        }).collect_view()}
                        {d.visits.iter().map(|v| view! {
                            <li><span class="t">{v.visited_at.replace('T', " ")}</span>" "<b>{format!("走访（{}）", v.method.label())}</b>" · "{v.recorded_by_name.clone()}<div class="muted">{v.note.clone()}</div></li>
                        }).collect_view()}
                    </ol>
                </section>
                <section class="card">
                    <h2>"附件"</h2>
                    {if d.attachments.is_empty() { Some(view! { <p class="muted">"无附件"</p> }) } else { None }}
                    <ul>{d.attachments.iter().map(|a| view! {
                        <li><a href=format!("/api/attachments/{}", a.id) target="_blank">{a.file_name.clone()}</a>{format!("（{} KB，{}）", a.size / 1024, a.uploaded_by_name)}</li>
                    }).collect_view()}</ul>
                </section>
                <section class="card">
                    <h2>"投诉"</h2>
                    {if d.complaints.is_empty() { Some(view! { <p class="muted">"无投诉"</p> }) } else { None }}
                    {d.complaints.into_iter().map(|x| view! { <Complaint x=x reload=reload/> }).collect_view()}
                </section>
            </div>
            <aside class="actions" data-test="actions">
                <h2>"办理"</h2>
                {read_only.then(|| view! { <p class="muted" data-test="read-only">"本单位对该事项暂无可办理的操作（只能查看）。"</p> })}
                <ActionPanel case=c.clone() actions=d.actions.clone() dispositions=d.dispositions.clone() attachments=d.attachments.len() reload=reload/>
            </aside>
        </div>
    }
}

fn agency_fields(c: &CaseView) -> impl IntoView {
    let l = &c.lifecycle;
    view! {
        {field("编号", Some(c.number.clone()))}
        {field("信访人", Some(c.citizen_name.clone()))}
        {field("身份证号", c.id_number.clone())}
        {field("联系电话", c.phone.clone())}
        {field("住址", c.address.clone())}
        {field("信访渠道", Some(c.channel.label().to_string()))}
        {field("事项来源", Some(c.source.label().to_string()))}
        {field("受理日期", Some(c.accepted_on.to_string()))}
        {field("事项级别", Some(format!("{}（{} 个工作日）", c.level.label(), c.level.limit_working_days())))}
        {field("办理层级", Some(l.level.label().to_string()))}
        {field("所属单位", Some(c.unit_name.clone()))}
        {field("代办员", c.agent_name.clone())}
        {field("办理期限", Some(format!("{}{}", c.due_on, if c.due_unscheduled { "（跨年未公布放假安排，按周末推算）" } else { "" })))}
        {field("方案确定日期", c.plan_fixed_on.map(|d| d.to_string()))}
        {field("查询码", c.query_code.clone())}
        {field("告知形式", c.notice_form.map(|n| n.label().to_string()))}
        {field("信访人意见", c.opinion.map(|o| o.label().to_string()))}
        {field("终结日期", c.concluded_on.map(|d| d.to_string()))}
        {field("回访期限", c.follow_up_due.map(|d| d.to_string()))}
    }
}

fn disposal_fields(c: &CaseView, unit: &str) -> impl IntoView {
    view! {
        {field("承办单位", Some(unit.to_string()))}
        {field("内容摘要", c.brief.clone())}
        {field("内容分类", c.category.map(|x| x.label().to_string()))}
        {field("专班组", c.task_group.map(|x| x.label().to_string()))}
        {field("拟办意见", c.proposed_handling.clone())}
        {field("分管领导意见", c.leader_opinion.clone())}
        {field("领导批示", c.leader_instruction.clone())}
        {field("处理结果", c.result.clone())}
    }
}

/// The text a timeline entry carries (its note, opinion, result …).
fn detail_of(c: &shared::command::CaseCommand) -> Option<String> {
    use shared::command::CaseCommand::*;
    let t = match c {
        Screen { note, .. }
        | Urge { note }
        | Contact { note, .. }
        | RequestReview { note }
        | ReviewDecided { note, .. }
        | FollowUp { note, .. } => note.clone(),
        Transfer { proposed_handling, .. } => format!("拟办意见：{proposed_handling}"),
        DepartmentReply { result, .. } | Close { result, .. } => result.clone(),
        LeaderOpinion { text } | LeaderInstruction { text } => text.clone(),
        Escalate { reason, .. } => reason.clone(),
        FixPlan { fixed_on, .. } => format!("方案确定于 {fixed_on}"),
        _ => String::new(),
    };
    (!t.is_empty()).then_some(t)
}

#[component]
fn Complaint(x: ComplaintView, reload: Callback<()>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let id = x.id;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = ComplaintReply { text: text.get_untracked().trim().to_string() };
        spawn_local(async move {
            match api::post::<_, api::Ignored>(&format!("/api/complaints/{id}/reply"), &body).await {
                Ok(_) => reload.run(()),
                Err(e) => error.set(Some(failed(e))),
            }
        });
    };
    view! {
        <div class="complaint">
            <p>{x.text.clone()}<br/><small class="muted">{format!("{} · 答复期限 {}", when(&x.created_at), x.due_on)}</small></p>
            {match x.reply.clone() {
                Some(r) => view! { <p class="reply">"答复："{r}</p> }.into_any(),
                None => view! {
                    <form on:submit=submit>
                        <textarea aria-label="答复投诉" required prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                        {move || error.get().map(|e| view! { <p class="error">{e}</p> })}
                        <button class="btn" type="submit">"答复"</button>
                    </form>
                }.into_any(),
            }}
        </div>
    }
}
