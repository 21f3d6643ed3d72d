//! The action panel: one form per command the server allows this user on
//! this matter now (`CaseDetail.actions`, from `shared::authority::
//! desk_commands`). Each form builds a `CaseCommand`, checks it with the
//! shared rules, and posts it.

use crate::api;
use crate::ui::{failed, options, today};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::calendar::Calendar;
use shared::case::{CaseView, VisitMethod};
use shared::command::CaseCommand;
use shared::deadline::MatterLevel;
use shared::desk::DispositionView;
use shared::lifecycle::{LegalRoute, NotTakenReason, NoticeForm, Opinion, ScreeningOutcome};
use shared::org::{UnitKind, UnitView, UserView};
use shared::routing::ContentCategory;

/// The title of a command kind's form.
fn title(kind: &str) -> &'static str {
    match kind {
        "screen" => "甄别",
        "assign" => "指派代办员",
        "categorise" => "内容分类",
        "transfer" => "流转至承办单位",
        "department_reply" => "回复处理结果",
        "fix_plan" => "确定解决方案",
        "leader_opinion" => "分管领导意见",
        "leader_instruction" => "领导批示",
        "urge" => "催办",
        "escalate" => "上报",
        "contact" => "进度沟通",
        "close" => "办结反馈",
        "request_review" => "申请复查/复核",
        "review_decided" => "复查/复核决定",
        "accept_outcome" => "事项终结",
        "follow_up" => "终结回访",
        "archive" => "整理归档",
        _ => "办理",
    }
}

#[component]
pub fn ActionPanel(
    case: CaseView,
    actions: Vec<String>,
    dispositions: Vec<DispositionView>,
    attachments: usize,
    reload: Callback<()>,
) -> impl IntoView {
    let needs_people = actions.iter().any(|k| k == "screen" || k == "assign");
    let needs_units = actions.iter().any(|k| k == "transfer");
    let agents = RwSignal::new(Vec::<UserView>::new());
    let units = RwSignal::new(Vec::<UnitView>::new());
    if needs_people {
        spawn_local(async move { agents.set(api::get("/api/agents").await.unwrap_or_default()) });
    }
    if needs_units {
        spawn_local(async move { units.set(api::get("/api/desk/departments").await.unwrap_or_default()) });
    }
    actions
        .into_iter()
        .map(|kind| {
            view! { <ActionForm kind=kind case=case.clone() dispositions=dispositions.clone() attachments=attachments agents=agents units=units reload=reload/> }
        })
        .collect_view()
}

fn screening(choice: &str, by_citizen: bool) -> Option<ScreeningOutcome> {
    Some(match choice {
        "direct_answer" => ScreeningOutcome::DirectAnswer,
        "accept_agency" => ScreeningOutcome::AcceptAgency { agent_chosen_by_citizen: by_citizen },
        "citizen_declined" => ScreeningOutcome::CitizenDeclined,
        c => {
            if let Some(r) = c.strip_prefix("legal:").and_then(LegalRoute::parse) {
                ScreeningOutcome::LegalRoute { route: r }
            } else if let Some(r) = c.strip_prefix("not:").and_then(NotTakenReason::parse) {
                ScreeningOutcome::NotTaken { reason: r }
            } else {
                return None;
            }
        }
    })
}

#[component]
fn ActionForm(
    kind: String,
    case: CaseView,
    dispositions: Vec<DispositionView>,
    attachments: usize,
    agents: RwSignal<Vec<UserView>>,
    units: RwSignal<Vec<UnitView>>,
    reload: Callback<()>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let choice = RwSignal::new(String::new());
    let agent = RwSignal::new(String::new());
    let unit = RwSignal::new(String::new());
    let flag = RwSignal::new(false);
    let method = RwSignal::new(String::new());
    let notice = RwSignal::new(String::new());
    let opinion = RwSignal::new(String::new());
    let date = RwSignal::new(today().to_string());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let k: &'static str = match kind.as_str() {
        "screen" | "assign" | "categorise" | "transfer" | "department_reply" | "fix_plan" | "leader_opinion"
        | "leader_instruction" | "urge" | "escalate" | "contact" | "close" | "request_review" | "review_decided"
        | "accept_outcome" | "follow_up" | "archive" => title(&kind),
        _ => "办理",
    };
    let kind_s = kind.clone();
    let case_id = case.id;
    let lifecycle = case.lifecycle.clone();
    let level = case.lifecycle.level;
    let me_unit = crate::ui::state().me.get_untracked().map(|m| m.unit_id).unwrap_or(0);
    // A department acts only on the matters it handles: its 上报 goes to
    // the banner's joint office (`shared::authority::escalation_target`).
    let at_department =
        crate::ui::state().me.get_untracked().is_some_and(|m| m.unit_kind == shared::org::UnitKind::Department);
    let build = move || -> Result<CaseCommand, String> {
        let t = text.get_untracked().trim().to_string();
        let need = |v: String, what: &str| if v.is_empty() { Err(format!("请选择{what}")) } else { Ok(v) };
        let id_of = |v: String, what: &str| need(v, what)?.parse::<i64>().map_err(|_| format!("请选择{what}"));
        let vm = || VisitMethod::parse(&method.get_untracked()).ok_or("请选择沟通方式".to_string());
        Ok(match kind_s.as_str() {
            "screen" => {
                let outcome = screening(&choice.get_untracked(), flag.get_untracked()).ok_or("请选择甄别结果")?;
                let agent_id = agent.get_untracked().parse().ok();
                CaseCommand::Screen { outcome, agent_id, note: t }
            }
            "assign" => CaseCommand::Assign {
                agent_id: id_of(agent.get_untracked(), "代办员")?,
                chosen_by_citizen: flag.get_untracked(),
            },
            "categorise" => CaseCommand::Categorise {
                category: ContentCategory::parse(&choice.get_untracked()).ok_or("请选择内容分类")?,
            },
            "transfer" => {
                let id = id_of(unit.get_untracked(), "承办单位")?;
                // The server fills the name from the id; the lifecycle wants one.
                let name = units.with_untracked(|us| us.iter().find(|u| u.id == id).map(|u| u.name.clone()));
                CaseCommand::Transfer { unit: name.unwrap_or_default(), unit_id: Some(id), proposed_handling: t }
            }
            "department_reply" => CaseCommand::DepartmentReply { unit_id: me_unit, result: t },
            "fix_plan" => CaseCommand::FixPlan {
                fixed_on: shared::time::parse_ymd(&date.get_untracked()).ok_or("请填写方案确定日期")?,
                consultation: flag.get_untracked(),
            },
            "leader_opinion" => CaseCommand::LeaderOpinion { text: t },
            "leader_instruction" => CaseCommand::LeaderInstruction { text: t },
            "urge" => CaseCommand::Urge { note: t },
            "escalate" => {
                let to = shared::authority::escalation_target(at_department, level, flag.get_untracked());
                CaseCommand::Escalate { to, cross_region: flag.get_untracked(), reason: t }
            }
            "contact" => CaseCommand::Contact { method: vm()?, note: t },
            "close" => CaseCommand::Close {
                method: vm()?,
                notice: NoticeForm::parse(&notice.get_untracked()).ok_or("请选择告知形式")?,
                opinion: Opinion::parse(&opinion.get_untracked()).ok_or("请选择信访人意见")?,
                result: t,
            },
            "request_review" => CaseCommand::RequestReview { note: t },
            "review_decided" => CaseCommand::ReviewDecided {
                claim_reasonable: match choice.get_untracked().as_str() {
                    "yes" => true,
                    "no" => false,
                    _ => return Err("请选择复查/复核结论".to_string()),
                },
                note: t,
            },
            "accept_outcome" => CaseCommand::AcceptOutcome {},
            "follow_up" => CaseCommand::FollowUp {
                method: vm()?,
                resolved: match choice.get_untracked().as_str() {
                    "yes" => true,
                    "no" => false,
                    _ => return Err("请选择是否息诉罢访".to_string()),
                },
                note: t,
            },
            "archive" => CaseCommand::Archive {},
            _ => return Err("未知操作".to_string()),
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let cmd = match build() {
            Ok(c) => c,
            Err(e) => return error.set(Some(e)),
        };
        if let Err(e) = cmd.validate() {
            return error.set(Some(e.message));
        }
        if let Err(e) = cmd.plan(&lifecycle) {
            return error.set(Some(e.message));
        }
        busy.set(true);
        spawn_local(async move {
            match api::post::<_, api::Ignored>(&format!("/api/cases/{case_id}/commands"), &cmd).await {
                Ok(_) => reload.run(()),
                Err(e) => error.set(Some(failed(e))),
            }
            busy.set(false);
        });
    };
    let text_area = move |label: &'static str, required: bool| {
        view! {
            <label>{label}
                <textarea aria-label=label required=required prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            </label>
        }
    };
    let agent_pick = move || {
        view! {
            <label>"代办员"
                <select aria-label="代办员" on:change=move |ev| agent.set(event_target_value(&ev))>
                    <option value="">"请选择"</option>
                    {move || agents.get().into_iter().map(|a| {
                        let kind = a.agent_kind.map(|k| k.label()).unwrap_or("");
                        view! { <option value=a.id.to_string()>{format!("{}（{} {}）", a.display_name, a.unit_name, kind)}</option> }
                    }).collect_view()}
                </select>
            </label>
        }
    };
    let method_pick = move || {
        view! {
            <label>"方式"
                <select aria-label="方式" on:change=move |ev| method.set(event_target_value(&ev))>
                    <option value="">"请选择"</option>
                    {options(&VisitMethod::ALL, VisitMethod::as_str, VisitMethod::label)}
                </select>
            </label>
        }
    };
    let check = move |label: &'static str| {
        view! { <label class="check"><input type="checkbox" prop:checked=move || flag.get() on:change=move |ev| flag.set(event_target_checked(&ev))/>{label}</label> }
    };
    let yes_no = move |label: &'static str, yes: &'static str, no: &'static str| {
        view! {
            <label>{label}
                <select aria-label=label on:change=move |ev| choice.set(event_target_value(&ev))>
                    <option value="">"请选择"</option><option value="yes">{yes}</option><option value="no">{no}</option>
                </select>
            </label>
        }
    };
    let fields = match kind.as_str() {
        "screen" => view! {
            <label>"甄别结果"
                <select aria-label="甄别结果" on:change=move |ev| choice.set(event_target_value(&ev))>
                    <option value="">"请选择"</option>
                    <option value="accept_agency">"受理代办"</option>
                    <option value="direct_answer">"直接答复"</option>
                    {LegalRoute::ALL.iter().map(|r| view! { <option value=format!("legal:{}", r.as_str())>{format!("告知法定途径（{}）", r.label())}</option> }).collect_view()}
                    <option value="citizen_declined">"不愿代办"</option>
                    {NotTakenReason::ALL.iter().map(|r| view! { <option value=format!("not:{}", r.as_str())>{format!("不予代办（{}）", r.label())}</option> }).collect_view()}
                </select>
            </label>
            {agent_pick()}
            {check("代办员由信访人自选")}
            {text_area("甄别意见", false)}
        }.into_any(),
        "assign" => view! { {agent_pick()} {check("信访人自选的代办员")} }.into_any(),
        "categorise" => view! {
            <label>"内容分类"
                <select aria-label="内容分类" on:change=move |ev| choice.set(event_target_value(&ev))>
                    <option value="">"请选择"</option>
                    {ContentCategory::ALL.iter().map(|c| view! { <option value=c.as_str()>{format!("{}（{}）", c.label(), c.task_group().label())}</option> }).collect_view()}
                </select>
            </label>
        }.into_any(),
        "transfer" => {
            let sent: Vec<i64> = dispositions.iter().filter(|d| d.result.is_none()).map(|d| d.unit_id).collect();
            view! {
                <label>"承办单位"
                    <select aria-label="承办单位" on:change=move |ev| unit.set(event_target_value(&ev))>
                        <option value="">"请选择"</option>
                        {move || units.get().into_iter().filter(|u| u.kind == UnitKind::Department && !sent.contains(&u.id))
                            .map(|u| view! { <option value=u.id.to_string()>{u.name}</option> }).collect_view()}
                    </select>
                </label>
                {text_area("拟办意见", true)}
                <p class="hint">"每个承办单位一份处置单；需多个部门办理的，逐一流转。"</p>
            }.into_any()
        }
        "department_reply" => text_area("处理结果", true).into_any(),
        "fix_plan" => view! {
            <label>"方案确定日期"
                <input type="date" aria-label="方案确定日期" prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev))/>
            </label>
            {check("经会商确定（重大复杂事项）")}
            <p class="hint" data-test="fix-plan-hint">{move || {
                let lvl = if flag.get() { MatterLevel::MajorComplex } else { MatterLevel::MultiDepartment };
                match shared::time::parse_ymd(&date.get()) {
                    Some(d) => format!("{}：自 {d} 起 {} 个工作日，期限至 {}。", lvl.label(), lvl.limit_working_days(), lvl.due_date(Calendar::official(), d).value),
                    None => "多部门协调事项自方案确定之日起 30 个工作日；重大复杂事项自会商之日起 60 个工作日。".to_string(),
                }
            }}</p>
        }.into_any(),
        "leader_opinion" => text_area("分管领导意见", true).into_any(),
        "leader_instruction" => text_area("领导批示", true).into_any(),
        "urge" => text_area("催办意见", true).into_any(),
        "escalate" if at_department => view! {
            <p>"上报至：旗信访联席办（旗县代办中心）"</p>
            {check("跨地区、跨部门、跨行业或人事分离、人户分离、人事户分离（三跨三分离）")}
            {text_area("上报理由", true)}
            <p class="hint">{format!("承办部门无法协调处理的事项上报旗信访联席办，由旗县代办中心办理，本单位仍可查看。政策文件未单独规定上报后的办理时限：按旗县级办理时限（{} 个工作日）自上报之日起计算。", level.matter_level().limit_working_days())}</p>
        }.into_any(),
        "escalate" => {
            let above = shared::authority::escalation_target(false, level, false);
            view! {
                <p>{move || if flag.get() { "上报至：盟市（三跨三分离事项直接上报）".to_string() } else { format!("上报至：{}", above.label()) }}</p>
                {check("跨地区、跨部门、跨行业或人事分离、人户分离、人事户分离（三跨三分离），直接上报盟市")}
                {text_area("上报理由", true)}
                <p class="hint">{format!("上报后事项进入上级单位的“上报待办”，由上级办理；本单位仍可查看。政策文件未单独规定上报后的办理时限：按{}的办理时限（{} 个工作日）自上报之日起计算；已确定解决方案的，仍按方案的时限。", above.label(), above.matter_level().limit_working_days())}</p>
            }.into_any()
        }
        "contact" => view! { {method_pick()} {text_area("沟通情况", true)} }.into_any(),
        "close" => view! {
            {method_pick()}
            <label>"告知形式"
                <select aria-label="告知形式" on:change=move |ev| notice.set(event_target_value(&ev))>
                    <option value="">"请选择"</option>
                    {options(&NoticeForm::ALL, NoticeForm::as_str, NoticeForm::label)}
                </select>
            </label>
            <label>"信访人意见"
                <select aria-label="信访人意见" on:change=move |ev| opinion.set(event_target_value(&ev))>
                    <option value="">"请选择"</option>
                    {options(&Opinion::ALL, Opinion::as_str, Opinion::label)}
                </select>
            </label>
            {text_area("办理结果", true)}
        }.into_any(),
        "request_review" => text_area("申请理由", true).into_any(),
        "review_decided" => view! { {yes_no("结论", "诉求有理，限期化解", "维持原处理意见")} {text_area("复查/复核意见", true)} }.into_any(),
        "accept_outcome" => view! { <p class="hint">"信访人接受处理结果，事项终结，15 日内回访。"</p> }.into_any(),
        "follow_up" => view! { {method_pick()} {yes_no("是否息诉罢访", "已息诉罢访", "未息诉罢访")} {text_area("回访情况", true)} }.into_any(),
        "archive" => {
            let missing = dossier_gaps(&case, &dispositions, attachments);
            view! {
                <div class="hint" data-test="dossier-check">
                    {if missing.is_empty() {
                        view! { <p>"案卷齐全：代办单、处置单、处理结果、信访人意见、回访记录均已具备。"</p> }.into_any()
                    } else {
                        view! { <p>"案卷尚缺："</p><ul>{missing.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul><p>"可补齐后再归档。"</p> }.into_any()
                    }}
                </div>
            }.into_any()
        }
        _ => ().into_any(),
    };
    view! {
        <form class="card action" data-test=format!("form-{kind}") on:submit=submit>
            <h3>{k}</h3>
            {fields}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <button type="submit" class="btn primary" disabled=move || busy.get()>{k}</button>
        </form>
    }
}

/// What an archived dossier (一案一档) should hold and this one lacks.
fn dossier_gaps(c: &CaseView, dispositions: &[DispositionView], attachments: usize) -> Vec<&'static str> {
    let mut gaps = Vec::new();
    if c.agent_name.is_none() {
        gaps.push("代办员");
    }
    if c.category.is_none() {
        gaps.push("内容分类（处置单）");
    }
    if dispositions.iter().any(|d| d.result.is_none()) {
        gaps.push("承办单位的处理结果");
    }
    if c.result.is_none() {
        gaps.push("办理结果");
    }
    if c.opinion.is_none() {
        gaps.push("信访人意见");
    }
    if c.concluded_on.is_none() {
        gaps.push("终结日期");
    }
    if attachments == 0 {
        gaps.push("附件（走访照片、书面告知等）");
    }
    gaps
}
