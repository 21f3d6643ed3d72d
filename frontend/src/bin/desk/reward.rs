//! 奖补 (the reward fund, seed 000): the year's fund, a matter's petition
//! record with the category it gives, the claim form with the five
//! materials as typed attachments (what is missing shown before sending),
//! the claims, and the quarterly batches with each step, its opinion and
//! the next step's form. Every rule is the server's (`shared::reward`); the
//! page shows its `{code, message}` as it comes.

use crate::api;
use crate::ui::{failed, load, loaded, result_line, show, state, today, when, Loaded, Msg};
use chrono::Datelike;
use leptos::prelude::*;
use leptos::task::spawn_local;
use rust_decimal::Decimal;
use shared::case::{AttachmentView, CaseDetail};
use shared::org::Role;
use shared::reward::{
    may_do_step, BatchStage, BatchStepRequest, BatchView, ClaimMaterial, ClaimRequest, ClaimRequestKind, ClaimStatus,
    ClaimView, DossierMaterial, FundView, HistoryView, IntegrityFlag, PetitionHistory, RewardCategory,
};

#[component]
pub fn RewardPage() -> impl IntoView {
    let me = state().me.get_untracked().expect("signed in");
    let year = today().year();
    let fund = loaded::<FundView>(format!("/api/reward/funds/{year}"));
    let claims = loaded::<Vec<ClaimView>>("/api/reward/claims".to_string());
    let batches = loaded::<Vec<BatchView>>("/api/reward/batches".to_string());
    let reload = move || {
        load(fund, format!("/api/reward/funds/{year}"));
        load(claims, "/api/reward/claims".to_string());
        load(batches, "/api/reward/batches".to_string());
    };
    let township = matches!(me.role, Role::TownshipStaff | Role::TownshipLeader);
    let league = matches!(me.role, Role::LeagueBureau | Role::FinanceReviewer);
    view! {
        <h1>"奖补资金"</h1>
        <section class="card" data-test="fund"><h2>{format!("{year} 年奖补资金")}</h2>
            <Fund fund=fund year=year may_set=league reload=reload/>
        </section>
        {township.then(|| view! {
            <section class="card" data-test="claim-form"><h2>"申报奖补"</h2><ClaimForm reload=reload/></section>
        })}
        <section class="card"><h2>"申报"</h2><Claims claims=claims/></section>
        <section class="card"><h2>"季度批次"</h2>
            {township.then(|| view! { <NewBatch reload=reload/> })}
            <Batches batches=batches reload=reload/>
        </section>
        {(me.role == Role::LeagueBureau).then(|| view! {
            <section class="card" data-test="flags"><h2>"廉政风险核查线索"</h2><Flags/></section>
        })}
    }
}

/// `POST /api/reward/referrals` body.
#[derive(serde::Serialize)]
struct Referral {
    flag_key: String,
    note: String,
}

/// The league's integrity findings, each with its evidence, and the
/// referral to discipline inspection (纪检监察) once recorded.
#[component]
fn Flags() -> impl IntoView {
    let flags = loaded::<Vec<IntegrityFlag>>("/api/reward/flags".to_string());
    show(flags, move |list| {
        if list.is_empty() {
            return view! { <p class="muted">"暂无核查线索"</p> }.into_any();
        }
        view! {
            <table class="grid" data-test="flag-list"><thead><tr><th>"线索"</th><th>"证据"</th><th>"移交纪检监察"</th></tr></thead><tbody>
                {list.into_iter().map(|f| view! { <FlagRow flag=f flags=flags/> }).collect_view()}
            </tbody></table>
        }
        .into_any()
    })
}

#[component]
fn FlagRow(flag: IntegrityFlag, flags: Loaded<Vec<IntegrityFlag>>) -> impl IntoView {
    let note = RwSignal::new(String::new());
    let msg: Msg = RwSignal::new(None);
    let key = flag.key.clone();
    let refer = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = Referral { flag_key: key.clone(), note: note.get_untracked().trim().to_string() };
        spawn_local(async move {
            match api::post::<_, IntegrityFlag>("/api/reward/referrals", &body).await {
                Ok(_) => load(flags, "/api/reward/flags".to_string()),
                Err(e) => msg.set(Some(Err(failed(e)))),
            }
        });
    };
    view! {
        <tr data-test="flag">
            <td>{flag.label.clone()}</td>
            <td>{flag.evidence.clone()}</td>
            <td>{match flag.referral.clone() {
                Some(r) => view! { <span data-test="referred">{r}</span> }.into_any(),
                None => view! {
                    <form class="row" on:submit=refer>
                        <input aria-label="移交说明" placeholder="移交说明" required prop:value=move || note.get()
                            on:input=move |ev| note.set(event_target_value(&ev))/>
                        <button class="btn small" type="submit">"移交"</button>
                    </form>
                    {result_line(msg)}
                }.into_any(),
            }}</td>
        </tr>
    }
}

#[component]
fn Fund(
    fund: Loaded<FundView>,
    year: i32,
    may_set: bool,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let budget = RwSignal::new(String::new());
    let msg: Msg = RwSignal::new(None);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(b) = budget.get_untracked().trim().parse::<Decimal>() else {
            return msg.set(Some(Err("请填写预算金额（元）".to_string())));
        };
        spawn_local(async move {
            let body = serde_json::json!({"budget": b});
            match api::send::<_, FundView>("PUT", &format!("/api/reward/funds/{year}"), &body).await {
                Ok(f) => {
                    msg.set(Some(Ok(format!("预算已登记：{} 元", f.budget_text))));
                    reload();
                }
                Err(e) => msg.set(Some(Err(failed(e)))),
            }
        });
    };
    view! {
        {show(fund, |f| view! {
            <table class="grid compact"><tbody>
                <tr><th>"预算"</th><td class="num">{f.budget_text}</td><th>"已承诺"</th><td class="num">{f.committed_text}</td></tr>
                <tr><th>"已发放"</th><td class="num">{f.paid_text}</td><th>"剩余"</th><td class="num">{f.remaining_text}</td></tr>
            </tbody></table>
            {f.warning.map(|w| view! { <p class="error" role="alert">{w}</p> })}
        })}
        {may_set.then(|| view! {
            <p><a href=format!("/api/reward/funds/{year}/self-evaluation.xlsx") download>"绩效自评表（Excel）"</a></p>
            <form class="row" on:submit=submit>
                <input aria-label="预算（元）" placeholder="预算（元）" inputmode="decimal" prop:value=move || budget.get() on:input=move |ev| budget.set(event_target_value(&ev))/>
                <button class="btn" type="submit">"登记预算"</button>
            </form>
        })}
        {result_line(msg)}
    }
}

fn num(s: &RwSignal<String>) -> u32 {
    s.get_untracked().trim().parse().unwrap_or(0)
}

#[component]
fn ClaimForm(reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let year = today().year();
    let case_id = RwSignal::new(String::new());
    let detail: Loaded<CaseDetail> = RwSignal::new(None);
    let history: RwSignal<Option<HistoryView>> = RwSignal::new(None);
    let msg: Msg = RwSignal::new(None);
    // Petition record.
    let first_year = RwSignal::new(year.to_string());
    let (bj, rg, lg, pet) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new("1".to_string()),
    );
    let (bj_now, rg_now, key, appeal) =
        (RwSignal::new(false), RwSignal::new(false), RwSignal::new(false), RwSignal::new(false));
    // Claim.
    let kind = RwSignal::new("resolved".to_string());
    let proposed = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let guided = RwSignal::new(false);
    let approval = RwSignal::new(String::new());
    let justification = RwSignal::new(String::new());
    let account_name = RwSignal::new(String::new());
    let account_number = RwSignal::new(String::new());
    let chosen: RwSignal<Vec<(DossierMaterial, String)>> = RwSignal::new(Vec::new());

    let open = move |_| {
        let Ok(id) = case_id.get_untracked().trim().parse::<i64>() else {
            return msg.set(Some(Err("请填写事项序号".to_string())));
        };
        load(detail, format!("/api/cases/{id}"));
        spawn_local(async move {
            if let Ok(h) = api::get::<Option<HistoryView>>(&format!("/api/reward/history/{id}")).await {
                history.set(h);
            }
        });
    };
    let save_history = move |_| {
        let Ok(id) = case_id.get_untracked().trim().parse::<i64>() else { return };
        let h = PetitionHistory {
            record_year: year,
            first_year: first_year.get_untracked().trim().parse().unwrap_or(year),
            beijing_visits: num(&bj),
            beijing_this_year: bj_now.get_untracked(),
            region_visits: num(&rg),
            region_this_year: rg_now.get_untracked(),
            league_visits: num(&lg),
            league_petitions: num(&pet),
            key_matter: key.get_untracked(),
            appeal: appeal.get_untracked(),
        };
        spawn_local(async move {
            match api::send::<_, HistoryView>("PUT", &format!("/api/reward/history/{id}"), &h).await {
                Ok(v) => history.set(Some(v)),
                Err(e) => msg.set(Some(Err(failed(e)))),
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(id) = case_id.get_untracked().trim().parse::<i64>() else {
            return msg.set(Some(Err("请填写事项序号".to_string())));
        };
        let claim = if kind.get_untracked() == "resolved" {
            ClaimRequestKind::Resolved {
                proposed_category: RewardCategory::ALL.into_iter().find(|c| c.letter() == proposed.get_untracked()),
            }
        } else {
            let Ok(a) = amount.get_untracked().trim().parse::<Decimal>() else {
                return msg.set(Some(Err("请填写补贴金额（元）".to_string())));
            };
            let ap = approval.get_untracked();
            ClaimRequestKind::PartialSubsidy {
                amount: a,
                guided_to_lawful_route: guided.get_untracked(),
                league_approval: (!ap.trim().is_empty()).then_some(ap),
            }
        };
        let req = ClaimRequest {
            case_id: id,
            claim,
            agent_id: None,
            justification: justification.get_untracked(),
            account_name: account_name.get_untracked(),
            account_number: account_number.get_untracked(),
            materials: chosen
                .get_untracked()
                .into_iter()
                .map(|(material, attachment_id)| ClaimMaterial { material, attachment_id })
                .collect(),
        };
        spawn_local(async move {
            match api::post::<_, ClaimView>("/api/reward/claims", &req).await {
                Ok(c) => {
                    msg.set(Some(Ok(format!("已申报：{} {} 元", c.case_number, c.amount_text))));
                    reload();
                }
                Err(e) => msg.set(Some(Err(failed(e)))),
            }
        });
    };
    let attachments =
        move || -> Vec<AttachmentView> { detail.get().and_then(Result::ok).map(|d| d.attachments).unwrap_or_default() };
    let missing = move || -> Vec<DossierMaterial> {
        let c = chosen.get();
        DossierMaterial::ALL.into_iter().filter(|m| !c.iter().any(|(x, _)| x == m)).collect()
    };
    let text_input = |label: &'static str, s: RwSignal<String>| {
        view! { <label>{label}<input prop:value=move || s.get() on:input=move |ev| s.set(event_target_value(&ev))/></label> }
    };
    let check = |label: &'static str, s: RwSignal<bool>| {
        view! { <label class="choice"><input type="checkbox" prop:checked=move || s.get() on:change=move |ev| s.set(event_target_checked(&ev))/>{label}</label> }
    };
    view! {
        <div class="row">
            <input aria-label="事项序号" placeholder="事项序号" inputmode="numeric" prop:value=move || case_id.get() on:input=move |ev| case_id.set(event_target_value(&ev))/>
            <button class="btn" type="button" on:click=open>"打开事项"</button>
        </div>
        {show(detail, |d| view! { <p>{format!("{} · {} · {} · 代办员：{}", d.case.number, d.case.citizen_name, d.case.lifecycle.status.label(), d.case.agent_name.clone().unwrap_or_default())}</p> })}
        <fieldset class="card" data-test="history"><legend>"信访记录（类别由记录确定）"</legend>
            <div class="row">
                {text_input("首次信访年份", first_year)}{text_input("进京走访次数", bj)}{text_input("赴区走访次数", rg)}
                {text_input("到盟走访次数", lg)}{text_input("盟内反映次数", pet)}
            </div>
            <div class="row">
                {check("当年进京走访", bj_now)}{check("当年赴区走访", rg_now)}{check("重点信访事项", key)}{check("申诉求决类", appeal)}
            </div>
            <button class="btn" type="button" on:click=save_history>"登记信访记录"</button>
            {move || history.get().map(|h| view! {
                <p data-test="category"><strong>{h.category.map_or("不属任何类别".to_string(), |c| format!("{}类 {} 元", c.letter(), h.amount_text.clone().unwrap_or_default()))}</strong>"：" {h.reason}</p>
            })}
        </fieldset>
        <form on:submit=submit>
            <div class="row">
                <label>"申报类型"
                    <select on:change=move |ev| kind.set(event_target_value(&ev))>
                        <option value="resolved">"化解奖补（按类别）"</option>
                        <option value="partial_subsidy">"酌情补贴（未息诉罢访）"</option>
                    </select>
                </label>
                {move || if kind.get() == "resolved" {
                    view! { <label>"建议类别（可不填）"
                        <select on:change=move |ev| proposed.set(event_target_value(&ev))>
                            <option value="">"—"</option>
                            {RewardCategory::ALL.iter().map(|c| view! { <option value=c.letter()>{format!("{}类", c.letter())}</option> }).collect_view()}
                        </select></label> }.into_any()
                } else {
                    view! { <span class="row">
                        {text_input("补贴金额（元，原则上≤500）", amount)}
                        {check("已引导依法通过其他途径解决", guided)}
                        {text_input("超过500元：盟信访局批准及理由", approval)}
                    </span> }.into_any()
                }}
            </div>
            {text_input("申报理由", justification)}
            <div class="row">{text_input("收款人", account_name)}{text_input("收款账号", account_number)}</div>
            <table class="grid compact" data-test="materials"><thead><tr><th>"卷宗材料"</th><th>"附件"</th></tr></thead><tbody>
                {DossierMaterial::ALL.into_iter().map(|m| view! { <tr>
                    <td>{m.label()}</td>
                    <td><select aria-label=m.label() on:change=move |ev| {
                        let v = event_target_value(&ev);
                        chosen.update(|c| {
                            c.retain(|(x, _)| *x != m);
                            if !v.is_empty() { c.push((m, v)); }
                        });
                    }>
                        <option value="">"未选择"</option>
                        {move || attachments().into_iter().map(|a| view! { <option value=a.id.clone()>{a.file_name}</option> }).collect_view()}
                    </select></td>
                </tr> }).collect_view()}
            </tbody></table>
            {move || {
                let m = missing();
                if m.is_empty() {
                    view! { <p class="ok">"卷宗要素齐全"</p> }.into_any()
                } else {
                    view! { <p class="error">{format!("缺少：{}", m.iter().map(|x| x.label()).collect::<Vec<_>>().join("、"))}</p> }.into_any()
                }
            }}
            <button class="btn primary" type="submit">"提交申报"</button>
        </form>
        {result_line(msg)}
    }
}

#[component]
fn Claims(claims: Loaded<Vec<ClaimView>>) -> impl IntoView {
    show(claims, |list| {
        view! {
            <table class="grid" data-test="claims"><thead><tr>
                <th>"事项"</th><th>"单位"</th><th>"代办员"</th><th>"类别"</th><th>"依据"</th><th class="num">"金额（元）"</th><th>"账号"</th><th>"材料"</th><th>"状态"</th>
            </tr></thead><tbody>
                {list.into_iter().map(|c| view! { <tr>
                    <td>{c.case_number}</td><td>{c.unit_name}</td><td>{c.agent_name}</td>
                    <td>{c.category.map_or("酌情补贴".to_string(), |x| format!("{}类", x.letter()))}
                        {c.proposed_category.filter(|p| Some(*p) != c.category).map(|p| format!("（建议{}类）", p.letter()))}</td>
                    <td>{c.category_reason}</td><td class="num">{c.amount_text}</td><td>{c.account_masked}</td>
                    <td>{format!("{} 件", c.materials.len())}</td><td>{c.status_label}</td>
                </tr> }).collect_view()}
            </tbody></table>
        }
    })
}

#[component]
fn NewBatch(reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let t = today();
    let (year, quarter) = shared::reward::quarter_of(t);
    let opinion = RwSignal::new(String::new());
    let msg: Msg = RwSignal::new(None);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = serde_json::json!({"year": year, "quarter": quarter, "opinion": opinion.get_untracked()});
        spawn_local(async move {
            match api::post::<_, BatchView>("/api/reward/batches", &body).await {
                Ok(b) => {
                    msg.set(Some(Ok(format!("已汇总 {} 条申报，合计 {} 元", b.claims.len(), b.total_text))));
                    reload();
                }
                Err(e) => msg.set(Some(Err(failed(e)))),
            }
        });
    };
    view! {
        <form class="row" on:submit=submit data-test="new-batch">
            <span>{format!("{year} 年第 {quarter} 季度")}</span>
            <input aria-label="汇总说明" placeholder="汇总说明" prop:value=move || opinion.get() on:input=move |ev| opinion.set(event_target_value(&ev))/>
            <button class="btn" type="submit">"汇总本季度申报"</button>
        </form>
        {result_line(msg)}
    }
}

/// The step that comes next, for the form's default choice.
fn next_step(stage: BatchStage) -> Option<(&'static str, &'static str)> {
    match stage {
        BatchStage::Draft => Some(("township_review", "苏木镇初审")),
        BatchStage::TownshipReviewed => Some(("publish_notice", "公示（5 个工作日）")),
        BatchStage::InNotice { .. } => Some(("county_review", "旗县复审（公示期满后）")),
        BatchStage::CountyReviewed => Some(("league_approve", "盟信访局终审")),
        BatchStage::LeagueApproved => Some(("pay", "发放（填写国库支付凭证号）")),
        BatchStage::Paid { .. } => None,
    }
}

#[component]
fn Batches(batches: Loaded<Vec<BatchView>>, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    show(batches, move |list| list.into_iter().map(|b| view! { <Batch batch=b reload=reload/> }).collect_view())
}

#[component]
fn Batch(batch: BatchView, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let id = batch.id;
    let opinion = RwSignal::new(String::new());
    let treasury = RwSignal::new(String::new());
    let msg: Msg = RwSignal::new(None);
    let next = next_step(batch.stage);
    let in_notice = matches!(batch.stage, BatchStage::InNotice { .. });
    // The payment list carries accounts: the league and finance only, after the final review.
    let money_role =
        state().me.get_untracked().is_some_and(|m| matches!(m.role, Role::LeagueBureau | Role::FinanceReviewer));
    let paid_list = money_role && matches!(batch.stage, BatchStage::LeagueApproved | BatchStage::Paid { .. });
    // The batches listed are those in the user's jurisdiction (below them).
    let own_unit = state().me.get_untracked().map(|m| (m.role, m.unit_id == batch.unit_id));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some((step, _)) = next else { return };
        if let Some(Err(e)) = own_unit.map(|(role, own)| may_do_step(step, role, own, true)) {
            return msg.set(Some(Err(e.message)));
        }
        let t = treasury.get_untracked();
        let body = BatchStepRequest {
            step: step.to_string(),
            opinion: opinion.get_untracked(),
            treasury_ref: (step == "pay").then_some(t),
        };
        spawn_local(async move {
            match api::post::<_, BatchView>(&format!("/api/reward/batches/{id}/steps"), &body).await {
                Ok(b) => {
                    msg.set(Some(Ok(format!("已办理，当前环节：{}", b.stage_label))));
                    reload();
                }
                Err(e) => msg.set(Some(Err(failed(e)))),
            }
        });
    };
    let complaint = RwSignal::new(String::new());
    let complain = move |claim: i64| {
        let text = complaint.get_untracked();
        if text.trim().is_empty() {
            return msg.set(Some(Err("请先填写举报内容".to_string())));
        }
        spawn_local(async move {
            let body = serde_json::json!({"text": text});
            match api::post::<_, BatchView>(&format!("/api/reward/claims/{claim}/complaint"), &body).await {
                Ok(_) => {
                    msg.set(Some(Ok("已登记举报，该申报中止".to_string())));
                    reload();
                }
                Err(e) => msg.set(Some(Err(failed(e)))),
            }
        });
    };
    let notice = match batch.stage {
        BatchStage::InNotice { published, ends } => format!("公示期 {published} 至 {ends}"),
        BatchStage::Paid { on } => format!("{on} 发放，凭证号 {}", batch.treasury_ref.clone().unwrap_or_default()),
        _ => String::new(),
    };
    view! {
        <article class="card" data-test="batch">
            <h3>{format!("{} {} 年第 {} 季度 · {} · 合计 {} 元", batch.unit_name, batch.year, batch.quarter, batch.stage_label, batch.total_text)}</h3>
            {(!notice.is_empty()).then(|| view! { <p>{notice}</p> })}
            <p class="row">
                <a href=format!("/api/reward/batches/{id}/notice.xlsx") download>"公示名单（Excel）"</a>
                {in_notice.then(|| view! { <a href="/public/reward-notice" target="_blank">"公示页面（可打印）"</a> })}
                {paid_list.then(|| view! {
                    <a href=format!("/api/reward/batches/{id}/payment.xlsx") download>"发放清单（Excel，含账号）"</a>
                    " "
                    <a href=format!("/print/reward/batches/{id}/payment") target="_blank" data-test="print-payment">"打印发放清单"</a>
                })}
            </p>
            {batch.budget_warning.map(|w| view! { <p class="error" role="alert" data-test="budget-warning">{w}</p> })}
            <table class="grid compact"><thead><tr><th>"代办员"</th><th>"事项"</th><th>"类别"</th><th class="num">"金额（元）"</th><th>"状态"</th><th></th></tr></thead><tbody>
                {batch.claims.into_iter().map(|c| {
                    let cid = c.id;
                    let may_complain = in_notice && c.status == ClaimStatus::InBatch;
                    view! { <tr>
                        <td>{c.agent_name}</td><td>{c.case_number}</td>
                        <td>{c.category.map_or("酌情补贴".to_string(), |x| format!("{}类", x.letter()))}</td>
                        <td class="num">{c.amount_text}</td><td>{c.status_label}{c.stopped_reason.map(|r| format!("（{r}）"))}</td>
                        <td>{may_complain.then(|| view! { <button class="btn small" type="button" on:click=move |_| complain(cid)>"登记举报"</button> })}</td>
                    </tr> }
                }).collect_view()}
            </tbody></table>
            {in_notice.then(|| view! {
                <input aria-label="举报内容" placeholder="公示期收到的举报内容" prop:value=move || complaint.get() on:input=move |ev| complaint.set(event_target_value(&ev))/>
            })}
            <h4>"审核记录"</h4>
            <table class="grid compact" data-test="steps"><thead><tr><th>"环节"</th><th>"意见"</th><th>"办理人"</th><th>"日期"</th></tr></thead><tbody>
                {batch.steps.into_iter().map(|s| view! { <tr>
                    <td>{s.label}</td><td>{s.opinion}</td><td>{format!("{}（{}）", s.actor_name, s.actor_role)}</td><td title=when(&s.at)>{s.on.to_string()}</td>
                </tr> }).collect_view()}
            </tbody></table>
            {next.map(|(step, label)| view! {
                <form class="row" on:submit=submit>
                    <span>{format!("下一环节：{label}")}</span>
                    <input aria-label="审核意见" placeholder="审核意见" prop:value=move || opinion.get() on:input=move |ev| opinion.set(event_target_value(&ev))/>
                    {(step == "pay").then(|| view! {
                        <input aria-label="国库支付凭证号" placeholder="国库支付凭证号" prop:value=move || treasury.get() on:input=move |ev| treasury.set(event_target_value(&ev))/>
                    })}
                    <button class="btn" type="submit">"办理"</button>
                </form>
            })}
            {result_line(msg)}
        </article>
    }
}
