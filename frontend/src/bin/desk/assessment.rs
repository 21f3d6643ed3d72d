//! 考核 (the 100-point assessment of villages, DOMAIN.md "Assessment"): the
//! villages ranked for a year, and one village with every part worked out
//! (the four rates as numerator ÷ denominator, the bonus counts against
//! their caps, the deductions from the base of 20 and its floor, the veto),
//! its records (checklists, write-ups, hard cases, warnings, over-level
//! petitions, veto incidents) with evidence files and withdrawal, and the
//! letters the result calls for (三函一约谈): issue, print, signed receipt.
//! The scoring is `shared::assessment`'s, done by the server.

use crate::api::{self, enc};
use crate::chart::points;
use crate::route::Route;
use crate::ui::{failed, go, load, loaded, print_button, result_line, show, state, today, when, Msg};
use chrono::{Datelike, NaiveDate};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use rust_decimal::Decimal;
use shared::assessment::{below_half, escalation_weights, rate_text, Assessment, Grade, Rates};
use shared::assessment_record::{
    may_record, Acknowledge, AssessmentRow, AssessmentView, EntryKind, EntryView, EvidenceView, LetterDue, LetterView,
    NewEntry, NewLetter, OrganisationItem, RulesItem, Withdraw,
};

/// The grade, or the veto spelled out (it overrides any score).
pub fn grade_cell(a: &Assessment) -> impl IntoView {
    let (class, text) = match (a.vetoed, a.grade) {
        (Some(v), _) => ("veto", format!("不合格（一票否决：{}）", v.label())),
        (None, Grade::Excellent | Grade::Good) => ("ok", a.grade.label().to_string()),
        (None, Grade::Fail) => ("error", a.grade.label().to_string()),
        (None, Grade::Pass) => ("", a.grade.label().to_string()),
    };
    view! { <span class=class data-test="grade">{text}</span> }
}

#[component]
pub fn AssessmentPage(year: Option<i32>) -> impl IntoView {
    let this = today().year();
    let y = year.unwrap_or(this);
    let rows = loaded::<Vec<AssessmentRow>>(format!("/api/assessment?year={y}"));
    view! {
        <h1>"考核"</h1>
        <form class="filters card" on:submit=|ev| ev.prevent_default()>
            <label class="inline">"考核年度"
                <select aria-label="考核年度" on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse() { go(Route::Assessment(Some(v))) }
                }>
                    {(this - 4..=this).rev().map(|v| view! { <option value=v.to_string() selected={v == y}>{format!("{v} 年")}</option> }).collect_view()}
                </select>
            </label>
            <span class="muted">"百分制：组织落实 10、制度建设 10、工作实绩 40、加分最高 20、减分项 20（扣完为止）；一票否决者不合格"</span>
            {print_button()}
        </form>
        <section class="card">
            <h2>{format!("{y} 年度嘎查村（社区）信访代办工作考核排名")}</h2>
            {show(rows, move |rows| ranking_table(rows, y))}
        </section>
    }
}

/// The villages ranked, each row opening its page (also on 通报).
pub fn ranking_table(rows: Vec<AssessmentRow>, year: i32) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"本单位以下暂无嘎查村（社区）"</p> }.into_any();
    }
    view! {
        <table class="grid assessment" data-test="assessment-ranking">
            <thead><tr>
                <th class="num">"名次"</th><th>"嘎查村（社区）"</th><th>"苏木镇"</th>
                <th class="num">"组织落实"</th><th class="num">"制度建设"</th><th class="num">"工作实绩"</th>
                <th class="num">"加分"</th><th class="num">"减分项得分"</th><th class="num">"总分"</th><th>"等级"</th><th class="num">"待发函件"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let a = &r.result;
                    let route = Route::Village(r.unit_id, Some(year));
                    let perf: Decimal = a.performance.iter().copied().sum();
                    let bonus = a.bonus_writeups + a.bonus_major + a.bonus_warnings;
                    view! {
                        <tr class="link" class:vetoed=a.vetoed.is_some() data-test="assessment-row" on:click=move |_| go(route)>
                            <td class="num">{r.rank}</td>
                            <td><a href=route.href()>{r.unit_name.clone()}</a></td>
                            <td>{r.parent_name.clone()}</td>
                            <td class="num">{points(a.organisation)}</td>
                            <td class="num">{points(a.rules)}</td>
                            <td class="num">{points(perf)}</td>
                            <td class="num">{points(bonus)}</td>
                            <td class="num">{points(a.deduction_part)}</td>
                            <td class="num total" data-test="total">{points(a.total)}</td>
                            <td>{grade_cell(a)}</td>
                            <td class="num" class:error={r.letters_outstanding > 0} data-test="outstanding">{r.letters_outstanding}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
pub fn VillagePage(unit_id: i64, year: Option<i32>) -> impl IntoView {
    let me = state().me.get_untracked().expect("signed in");
    let y = year.unwrap_or(today().year());
    let data = loaded::<AssessmentView>(format!("/api/assessment/{unit_id}?year={y}"));
    let reload = move || load(data, format!("/api/assessment/{unit_id}?year={y}"));
    // The server decides; the page only hides the forms from the others.
    let may = may_record(me.role).is_ok();
    let (entry_msg, list_msg, letter_msg): (Msg, Msg, Msg) =
        (RwSignal::new(None), RwSignal::new(None), RwSignal::new(None));
    view! {
        <p class="links"><a href=Route::Assessment(Some(y)).href()>{format!("← {y} 年度考核排名")}</a> " " {print_button()}</p>
        {show(data, move |v| view! { <Village v=v/> })}
        {may.then(|| view! {
            <section class="card no-print" data-test="entry-form"><h2>"登记考核记录"</h2>
                <EntryForm unit_id=unit_id year=y msg=entry_msg reload=reload/>
            </section>
        })}
        {show(data, move |v| {
            let entries = v.entries.clone();
            let (due, letters) = (v.letters_due.clone(), v.letters.clone());
            view! {
                <section class="card" data-test="entries"><h2>{format!("考核记录（{} 条）", entries.len())}</h2>
                    <Entries entries=entries may=may msg=list_msg reload=reload/>
                </section>
                <section class="card" data-test="letters"><h2>"三函一约谈"</h2>
                    <Letters due=due letters=letters v_unit=v.unit_id year=v.year may=may msg=letter_msg reload=reload/>
                </section>
            }
        })}
    }
}

/// One line of the worked score: a part's heading (`group`) or an item,
/// with what was counted, the points and the most it can give.
struct Line {
    test: &'static str,
    group: bool,
    cells: [String; 4],
}

fn line(test: &'static str, group: bool, what: &str, calc: String, got: String, max: &str) -> Line {
    Line { test, group, cells: [what.to_string(), calc, got, max.to_string()] }
}

/// Every part worked out, as lines (`shared::assessment::assess` in words).
fn lines(v: &AssessmentView) -> Vec<Line> {
    let (a, i) = (&v.result, &v.input);
    let c = i.counts;
    let rates = Rates::of(&c).four();
    let fractions =
        [(c.by_agents, c.total), (c.online, c.total), (c.agency_closed, c.by_agents), (c.agency_resolved, c.by_agents)];
    let names = ["代办率", "网访占比率", "办结率", "化解率"];
    let whats = ["代办事项 ÷ 属地信访事项", "网上信访 ÷ 属地信访事项", "办结 ÷ 代办事项", "化解 ÷ 代办事项"];
    let perf: Decimal = a.performance.iter().copied().sum();
    let bonus = a.bonus_writeups + a.bonus_major + a.bonus_warnings;
    let minus = |d: Decimal| if d.is_zero() { "0.00".to_string() } else { format!("−{}", points(d)) };
    let mut out = Vec::new();
    for (test, title, got, done, labels) in [
        ("organisation", "一、组织落实", a.organisation, i.organisation, OrganisationItem::ALL.map(|x| x.label())),
        ("rules", "二、制度建设", a.rules, i.rules, RulesItem::ALL.map(|x| x.label())),
    ] {
        out.push(line(test, true, title, "每项 2 分".into(), points(got), "10"));
        for (l, d) in labels.into_iter().zip(done) {
            let (calc, p) = if d { ("✓ 已落实", "2.00") } else { ("✗ 未见记录", "0.00") };
            out.push(line("", false, l, calc.into(), p.into(), "2"));
        }
    }
    out.push(line("performance", true, "三、工作实绩（“四率”）", "每项 10 分".into(), points(perf), "40"));
    for k in 0..4 {
        let (n, d) = fractions[k];
        let calc = if d == 0 {
            format!("{}：0 / 0，无事项，计 0 分", whats[k])
        } else if k == 1 {
            format!("{}：{n} / {d} = {}，÷ 70% × 10（达到 70% 即满分）", whats[k], rate_text(rates[k]))
        } else {
            format!("{}：{n} / {d} = {} × 10", whats[k], rate_text(rates[k]))
        };
        out.push(line("", false, names[k], calc, points(a.performance[k]), "10"));
    }
    out.push(line("bonus", true, "四、加分项", "最高 20 分".into(), points(bonus), "20"));
    out.push(line(
        "",
        false,
        "典型经验",
        format!("上报 {} 篇 × 0.1 + 被采纳 {} 篇 × 1，最高 5 分", i.writeups_reported, i.writeups_adopted),
        points(a.bonus_writeups),
        "5",
    ));
    out.push(line(
        "",
        false,
        "化解重点疑难事项",
        format!("{} 件 × 1，最高 10 分", i.major_resolved),
        points(a.bonus_major),
        "10",
    ));
    out.push(line(
        "",
        false,
        "有效预警重大信访事项",
        format!("{} 次 × 1，最高 5 分", i.timely_warnings),
        points(a.bonus_warnings),
        "5",
    ));
    out.push(line("deductions", true, "五、减分项", "基础分 20 分，扣完为止".into(), points(a.deduction_part), "20"));
    let low: Vec<String> =
        (0..4).filter(|k| below_half(rates[*k])).map(|k| format!("{} {}", names[k], rate_text(rates[k]))).collect();
    let calc = if low.is_empty() { "无".to_string() } else { low.join("、") };
    out.push(line("", false, "“四率”低于 50%（每项 −1，提醒函）", calc, minus(Decimal::from(low.len() as u64)), ""));
    let (ec, ee) = (v.escalations_counted, v.escalations_entered);
    let labels = [
        "到旗上访（每人次 −0.5）",
        "到盟（市）上访（每人次 −1，督办函）",
        "赴区越级访（每人次 −2，问责建议函）",
        "进京越级访（每人次 −3，约谈召集人）",
    ];
    for (i, each) in escalation_weights().into_iter().enumerate() {
        let (label, counted, entered) = (labels[i], ec.by_level()[i], ee.by_level()[i]);
        let n = counted + entered;
        let calc = format!("流程统计 {counted} 人次 + 登记 {entered} 人次 = {n} 人次");
        out.push(line("", false, label, calc, minus(Decimal::from(n) * each), ""));
    }
    let floor = if a.deducted > Decimal::from(20) { "，不低于 0 分，计 0 分" } else { "" };
    let calc = format!("20 − {} = {}{floor}", points(a.deducted), points(Decimal::from(20) - a.deducted));
    out.push(line("deducted", false, "合计扣分", calc, points(a.deduction_part), ""));
    let veto = a.vetoed.map_or("无".to_string(), |r| format!("发生{}：等级为不合格，不论得分", r.label()));
    out.push(line("veto", true, "一票否决", veto, String::new(), ""));
    out.push(line(
        "total",
        true,
        "总分",
        format!("等级：{}", a.vetoed.map_or(a.grade.label(), |_| "不合格")),
        points(a.total),
        "100",
    ));
    out
}

/// The heading, the score and every part worked out.
#[component]
fn Village(v: AssessmentView) -> impl IntoView {
    let lines = lines(&v);
    view! {
        <div class="case-head">
            <h1 data-test="village-name">{v.unit_name.clone()}</h1>
            <small>{format!("{} · {} 年度考核（统计至 {}）", v.parent_name, v.year, v.through)}</small>
        </div>
        <section class="card score" data-test="score">
            <span>"总分 "<b class="big" data-test="total">{points(v.result.total)}</b></span>
            <span>"等级 "<b>{grade_cell(&v.result)}</b></span>
            <span data-test="rank">{format!("{}第 {} / {} 名", v.parent_name, v.rank, v.ranked)}</span>
        </section>
        <section class="card">
            <h2>"得分明细"</h2>
            <table class="grid parts" data-test="parts">
                <thead><tr><th>"项目"</th><th>"计算"</th><th class="num">"得分"</th><th class="num">"满分"</th></tr></thead>
                <tbody>{lines.into_iter().map(|l| {
                    let [what, calc, got, max] = l.cells;
                    view! { <tr class:group=l.group data-test=l.test>
                        <td class="item">{what}</td><td>{calc}</td><td class="num" data-test="points">{got}</td><td class="num">{max}</td>
                    </tr> }
                }).collect_view()}</tbody>
            </table>
        </section>
    }
}

#[component]
fn EntryForm(unit_id: i64, year: i32, msg: Msg, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let t = today();
    let default_day = if year == t.year() { t } else { NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(t) };
    let kind = RwSignal::new(EntryKind::Organisation);
    let item = RwSignal::new(EntryKind::Organisation.items()[0].0.to_string());
    let persons = RwSignal::new("1".to_string());
    let date = RwSignal::new(default_day.to_string());
    let note = RwSignal::new(String::new());
    let case_number = RwSignal::new(String::new());
    let file: NodeRef<html::Input> = NodeRef::new();
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        msg.set(None);
        let k = kind.get_untracked();
        let Ok(day) = NaiveDate::parse_from_str(&date.get_untracked(), "%Y-%m-%d") else {
            return msg.set(Some(Err("请填写发生日期".to_string())));
        };
        let cn = case_number.get_untracked().trim().to_string();
        let body = NewEntry {
            unit_id,
            kind: k,
            item: (!k.items().is_empty()).then(|| item.get_untracked()),
            persons: if k == EntryKind::OverLevel { persons.get_untracked().trim().parse().unwrap_or(0) } else { 1 },
            occurred_on: day,
            note: note.get_untracked().trim().to_string(),
            case_number: (!cn.is_empty()).then_some(cn),
        };
        if let Err(e) = body.validate(today()) {
            return msg.set(Some(Err(e.message)));
        }
        let input: Option<wasm_bindgen::JsValue> = file.get_untracked().map(Into::into);
        busy.set(true);
        spawn_local(async move {
            match api::post::<_, EntryView>("/api/assessment/entries", &body).await {
                Ok(e) => {
                    let mut text = format!("已登记：{}", e.label);
                    if let Some(input) = input.filter(|i| !api::picked(i).is_empty()) {
                        let url =
                            format!("/api/assessment/entries/{}/evidence?name={}", e.id, enc(&api::picked(&input)));
                        match api::post_file::<EvidenceView>(&url, &input).await {
                            Ok(f) => text.push_str(&format!("，材料 {} 已上传", f.file_name)),
                            Err(f) => {
                                msg.set(Some(Err(format!("记录已登记，但证明材料未能上传：{}", failed(f)))));
                                busy.set(false);
                                reload();
                                return;
                            }
                        }
                    }
                    note.set(String::new());
                    case_number.set(String::new());
                    if let Some(i) = file.get_untracked() {
                        i.set_value("");
                    }
                    msg.set(Some(Ok(text)));
                    reload();
                }
                Err(e) => msg.set(Some(Err(failed(e)))),
            }
            busy.set(false);
        });
    };
    view! {
        <form on:submit=submit>
            <div class="entry-cols">
                <label>"类别"
                    <select name="kind" on:change=move |ev| {
                        if let Some(k) = EntryKind::parse(&event_target_value(&ev)) {
                            kind.set(k);
                            item.set(k.items().first().map(|(c, _)| c.to_string()).unwrap_or_default());
                        }
                    }>
                        {EntryKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                    </select>
                </label>
                {move || {
                    let k = kind.get();
                    (!k.items().is_empty()).then(|| view! {
                        <label>"项目"
                            <select name="item" on:change=move |ev| item.set(event_target_value(&ev))>
                                {k.items().iter().map(|(c, l)| view! { <option value=*c>{*l}</option> }).collect_view()}
                            </select>
                        </label>
                    })
                }}
                {move || (kind.get() == EntryKind::OverLevel).then(|| view! {
                    <label>"人次"
                        <input name="persons" type="number" min="1" max="99" prop:value=move || persons.get() on:input=move |ev| persons.set(event_target_value(&ev))/>
                    </label>
                })}
                <label>"发生（检查）日期"
                    <input name="occurred_on" type="date" max=t.to_string() prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev))/>
                </label>
                <label>"事项编号（可不填）"
                    <input name="case_number" prop:value=move || case_number.get() on:input=move |ev| case_number.set(event_target_value(&ev))/>
                </label>
            </div>
            <label>"情况说明"
                <textarea name="note" maxlength="500" placeholder="检查情况、经验材料题目、事项经过……" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
            </label>
            <div class="row">
                <label class="inline">"证明材料（可不传；JPEG、PNG、WebP 或 PDF，≤ 5 MB）"
                    <input name="evidence" type="file" accept="image/jpeg,image/png,image/webp,application/pdf" node_ref=file/>
                </label>
                <button class="btn primary" type="submit" disabled=move || busy.get()>"登记"</button>
            </div>
        </form>
        {result_line(msg)}
    }
}

#[component]
fn Entries(
    entries: Vec<EntryView>,
    may: bool,
    msg: Msg,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="muted">"本年度尚无考核记录"</p> }.into_any();
    }
    view! {
        {result_line(msg)}
        <table class="grid entries">
            <thead><tr><th>"项目"</th><th class="num">"人次"</th><th>"日期"</th><th>"情况说明"</th><th>"登记人"</th><th>"证明材料"</th><th class="no-print"></th></tr></thead>
            <tbody>{entries.into_iter().map(|e| view! { <EntryRow e=e may=may msg=msg reload=reload/> }).collect_view()}</tbody>
        </table>
    }
    .into_any()
}

#[component]
fn EntryRow(e: EntryView, may: bool, msg: Msg, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let id = e.id;
    let asking = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let withdraw = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = Withdraw { reason: reason.get_untracked().trim().to_string() };
        if body.reason.is_empty() {
            return msg.set(Some(Err("请填写撤回原因".to_string())));
        }
        spawn_local(async move {
            match api::post::<_, EntryView>(&format!("/api/assessment/entries/{id}/withdraw"), &body).await {
                Ok(e) => {
                    msg.set(Some(Ok(format!("已撤回：{}", e.label))));
                    reload();
                }
                Err(e) => msg.set(Some(Err(failed(e)))),
            }
        });
    };
    let live = e.withdrawn.is_none();
    let mut note = e.note.clone();
    if let Some(n) = &e.case_number {
        note.push_str(&format!("（事项 {n}）"));
    }
    let withdrawal = e
        .withdrawn
        .as_ref()
        .map(|w| format!("已撤回（{} {}）：{}", w.by_name, when(&w.at), w.reason))
        .unwrap_or_default();
    view! {
        <tr class:withdrawn=!live data-test="entry">
            <td class="label">{e.label.clone()}</td>
            <td class="num">{e.persons}</td>
            <td>{e.occurred_on.to_string()}</td>
            <td>{note}<span class="muted withdrawal" data-test="withdrawn" hidden=live>{withdrawal}</span></td>
            <td>{format!("{} {}", e.entered_by_name, when(&e.entered_at))}</td>
            <td>{e.evidence.iter().map(|f| view! {
                <a href=format!("/api/assessment/evidence/{}", f.id) target="_blank" data-test="evidence">{f.file_name.clone()}</a>
                <span class="muted">{format!("（{} KB） ", (f.size + 1023) / 1024)}</span>
            }).collect_view()}</td>
            <td class="no-print">
                <button class="btn small" type="button" hidden=move || !may || !live || asking.get() on:click=move |_| asking.set(true)>"撤回"</button>
                <form class="withdraw" on:submit=withdraw hidden=move || !asking.get()>
                    <input aria-label="撤回原因" placeholder="撤回原因" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
                    <button class="btn small" type="submit">"确认撤回"</button>
                    <button class="btn small" type="button" on:click=move |_| asking.set(false)>"取消"</button>
                </form>
            </td>
        </tr>
    }
}

#[component]
fn Letters(
    due: Vec<LetterDue>,
    letters: Vec<LetterView>,
    v_unit: i64,
    year: i32,
    may: bool,
    msg: Msg,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let issue = move |key: String| {
        let body = NewLetter { unit_id: v_unit, year, key };
        spawn_local(async move {
            match api::post::<_, LetterView>("/api/assessment/letters", &body).await {
                Ok(l) => {
                    msg.set(Some(Ok(format!("已发{}：{}", l.kind.label(), l.number))));
                    reload();
                }
                Err(e) => msg.set(Some(Err(failed(e)))),
            }
        });
    };
    view! {
        {if due.is_empty() {
            view! { <p class="muted">"考核结果未触发提醒函、督办函、问责建议函或约谈"</p> }.into_any()
        } else {
            view! {
                <table class="grid" data-test="letters-due">
                    <thead><tr><th>"应发"</th><th>"事由"</th><th class="num">"应发"</th><th class="num">"已发"</th><th class="no-print"></th></tr></thead>
                    <tbody>{due.into_iter().map(|d| {
                        let key = d.key.clone();
                        let open = d.issued < d.due;
                        view! { <tr data-test="letter-due" data-key=d.key.clone()>
                            <td><b>{d.kind.label()}</b></td><td>{d.reason.clone()}</td>
                            <td class="num">{d.due}</td><td class="num" class:error=open>{d.issued}</td>
                            <td class="no-print">{(may && open).then(|| view! {
                                <button class="btn small primary" type="button" on:click=move |_| issue(key.clone())>"发函"</button>
                            })}</td>
                        </tr> }
                    }).collect_view()}</tbody>
                </table>
            }.into_any()
        }}
        {result_line(msg)}
        {(!letters.is_empty()).then(|| view! {
            <h3>"已发函件"</h3>
            <table class="grid" data-test="letters-issued">
                <thead><tr><th>"文号"</th><th>"函件"</th><th>"事由"</th><th>"发函"</th><th class="no-print">"打印"</th><th>"签收"</th></tr></thead>
                <tbody>{letters.into_iter().map(|l| view! { <LetterRow l=l may=may msg=msg reload=reload/> }).collect_view()}</tbody>
            </table>
        })}
    }
}

#[component]
fn LetterRow(l: LetterView, may: bool, msg: Msg, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let id = l.id;
    let issued_on = l.issued_on;
    let signed = l.acknowledged_on.is_some();
    let on = RwSignal::new(today().to_string());
    let by = RwSignal::new(String::new());
    let ack = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(day) = NaiveDate::parse_from_str(&on.get_untracked(), "%Y-%m-%d") else {
            return msg.set(Some(Err("请填写签收日期".to_string())));
        };
        let body = Acknowledge { acknowledged_on: day, signed_by: by.get_untracked().trim().to_string() };
        if let Err(e) = body.validate(issued_on, today()) {
            return msg.set(Some(Err(e.message)));
        }
        spawn_local(async move {
            match api::post::<_, LetterView>(&format!("/api/assessment/letters/{id}/acknowledge"), &body).await {
                Ok(l) => {
                    msg.set(Some(Ok(format!("{} 已登记签收", l.number))));
                    reload();
                }
                Err(e) => msg.set(Some(Err(failed(e)))),
            }
        });
    };
    view! {
        <tr data-test="letter">
            <td data-test="letter-number">{l.number.clone()}</td>
            <td>{l.kind.label()}</td>
            <td>{l.reason.clone()}</td>
            <td>{l.issued_on.to_string()}<br/><span class="muted">{format!("{} {}", l.issuer_unit_name, l.issued_by_name)}</span></td>
            <td class="no-print"><a class="btn small" href=format!("/print/letters/{id}") target="_blank" data-test="print-letter">"打印"</a></td>
            <td>
                <span class="ok" data-test="acknowledged">{l.acknowledged_on.map(|d| format!("{d} 签收：{}", l.acknowledged_by.clone().unwrap_or_default()))}</span>
                <span class="error" hidden={signed || may}>"未签收"</span>
                <form class="ack no-print" on:submit=ack hidden={signed || !may}>
                    <input type="date" aria-label="签收日期" min=issued_on.to_string() max=today().to_string() prop:value=move || on.get() on:input=move |ev| on.set(event_target_value(&ev))/>
                    <input aria-label="签收人" placeholder="签收人（姓名、职务）" maxlength="60" prop:value=move || by.get() on:input=move |ev| by.set(event_target_value(&ev))/>
                    <button class="btn small" type="submit">"登记签收"</button>
                </form>
            </td>
        </tr>
    }
}
