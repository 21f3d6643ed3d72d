//! 通报 (the monthly bulletin, or the year summary, a unit sends to the units
//! below it) and 代办员考评 (the agents' appraisal). The server fills both
//! from the kept counters; the printable bulletin (`/print/bulletin`) and
//! its XLSX are the server's too, opened from here with the same period.

use crate::api::query;
use crate::assessment::ranking_table;
use crate::chart::last_month;
use crate::route::{drill_href, Route};
use crate::stats::figure_row;
use crate::ui::{load, print_button, show, today, unit_select, Loaded};
use chrono::Datelike;
use leptos::prelude::*;
use shared::assessment::rate_text;
use shared::bulletin::{Appraisal, Bulletin, BulletinRow};
use shared::stats::percent;

#[component]
pub fn BulletinPage() -> impl IntoView {
    let t = today();
    let this = t.year();
    let yearly = RwSignal::new(false);
    let month = RwSignal::new(last_month(t));
    let year = RwSignal::new(this.to_string());
    let unit = RwSignal::new(String::new());
    let data: Loaded<Bulletin> = RwSignal::new(None);
    let q = move || {
        let period = if yearly.get() { ("year", year.get()) } else { ("month", month.get()) };
        query(&[period, ("unit_id", unit.get())])
    };
    Effect::new(move |_| load(data, format!("/api/bulletin{}", q())));
    view! {
        <h1>"通报"</h1>
        <form class="filters card" data-test="bulletin-filters" on:submit=|ev| ev.prevent_default()>
            {unit_select(unit)}
            <label class="inline"><input type="radio" name="kind" checked on:change=move |_| yearly.set(false)/>"月通报"</label>
            <input type="month" aria-label="月份" disabled=move || yearly.get() prop:value=move || month.get()
                on:change=move |ev| { let v = event_target_value(&ev); if !v.is_empty() { month.set(v) } }/>
            <label class="inline"><input type="radio" name="kind" on:change=move |_| yearly.set(true)/>"年汇总"</label>
            <select aria-label="年度" disabled=move || !yearly.get() on:change=move |ev| year.set(event_target_value(&ev))>
                {(this - 4..=this).rev().map(|v| view! { <option value=v.to_string() selected={v == this}>{format!("{v} 年")}</option> }).collect_view()}
            </select>
            <a class="btn small" target="_blank" href=move || format!("/print/bulletin{}", q()) data-test="print-bulletin">"打印"</a>
            <a class="btn small" href=move || format!("/api/bulletin.xlsx{}", q()) download data-test="bulletin-xlsx">"导出 Excel"</a>
        </form>
        {show(data, |b| view! { <Report b=b/> })}
    }
}

#[component]
fn Report(b: Bulletin) -> impl IntoView {
    let (first, last) = b.period.days();
    let (first, last) = (first.to_string(), last.to_string());
    let unit = b.unit_id;
    let link = move |key: &str| drill_href(key, unit, &first, &last);
    let year: i32 = b.year_to_date.from.get(..4).and_then(|y| y.parse().ok()).unwrap_or_else(|| today().year());
    let more = b.overdue_total - b.overdue.len() as i64;
    view! {
        <section class="card">
            <h2 data-test="bulletin-title">{b.title.clone()}</h2>
            <p class="muted">{format!("{} · 统计期间 {} 至 {}（按受理月份）；本年累计 {} 至 {}；{} 制表",
                b.kind.label(), b.period.from, b.period.to, b.year_to_date.from, b.year_to_date.to, b.made_on)}</p>
            <h3>"主要指标"</h3>
            <table class="grid figures" data-test="figures">
                <thead><tr><th>"指标"</th><th class="num">"分子"</th><th class="num">"分母"</th><th class="num">"比率"</th><th class="num">"目标"</th><th>"达标"</th></tr></thead>
                <tbody>{b.figures.iter().map(|f| figure_row(f, &link)).collect_view()}</tbody>
            </table>
        </section>
        <section class="card"><h2>"下级单位（本期）"</h2>{rows_table(&b.rows, "rows")}</section>
        <section class="card"><h2>"下级单位（本年累计）"</h2>{rows_table(&b.rows_year, "rows-year")}</section>
        <section class="card" data-test="overdue"><h2>{format!("超期未办结事项（{} 件）", b.overdue_total)}</h2>
            {if b.overdue.is_empty() {
                view! { <p class="muted">"无超期事项"</p> }.into_any()
            } else {
                view! {
                    <table class="grid compact">
                        <thead><tr><th>"编号"</th><th>"属地"</th><th>"承办"</th><th>"内容分类"</th><th>"受理"</th><th>"期限"</th><th class="num">"超期（工作日）"</th></tr></thead>
                        <tbody>{b.overdue.iter().map(|o| view! { <tr>
                            <td><a href=Route::Case(o.case_id).href()>{o.number.clone()}</a></td><td>{o.unit_name.clone()}</td><td>{o.handling.clone()}</td>
                            <td>{o.category.clone()}</td><td>{o.accepted_on.to_string()}</td><td>{o.due_on.to_string()}</td>
                            <td class="num late">{o.days_over}</td>
                        </tr> }).collect_view()}</tbody>
                    </table>
                    {(more > 0).then(|| view! { <p class="muted">{format!("另有 {more} 件未列出（按受理时间列出最早的 {} 件）", b.overdue.len())}</p> })}
                }.into_any()
            }}
        </section>
        <section class="card"><h2>{format!("嘎查村（社区）考核排名（{year} 年累计）")}</h2>{ranking_table(b.assessment.clone(), year)}</section>
        <section class="card" data-test="bulletin-letters"><h2>"本期发出的函件"</h2>
            {if b.letters.is_empty() {
                view! { <p class="muted">"本期未发函"</p> }.into_any()
            } else {
                view! {
                    <table class="grid compact">
                        <thead><tr><th>"文号"</th><th>"受函单位"</th><th>"函件"</th><th>"事由"</th><th>"发函日期"</th><th>"签收"</th></tr></thead>
                        <tbody>{b.letters.iter().map(|l| view! { <tr>
                            <td>{l.number.clone()}</td><td>{l.unit_name.clone()}</td><td>{l.kind.label()}</td><td>{l.reason.clone()}</td>
                            <td>{l.issued_on.to_string()}</td>
                            <td>{l.acknowledged_on.map_or("未签收".to_string(), |d| format!("{d} {}", l.acknowledged_by.clone().unwrap_or_default()))}</td>
                        </tr> }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

fn rows_table(rows: &[BulletinRow], test: &'static str) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"无下级单位"</p> }.into_any();
    }
    view! {
        <table class="grid compact" data-test=test>
            <thead><tr>
                <th class="num">"名次"</th><th>"单位"</th><th class="num">"事项"</th><th class="num">"代办"</th><th class="num">"网上"</th>
                <th class="num">"办结"</th><th class="num">"化解"</th><th class="num">"代办率"</th><th class="num">"网访占比率"</th>
                <th class="num">"办结率"</th><th class="num">"化解率"</th><th class="num">"当前超期"</th>
            </tr></thead>
            <tbody>{rows.iter().map(|r| view! { <tr>
                <td class="num">{r.rank}</td><td>{r.unit_name.clone()}</td><td class="num">{r.total}</td><td class="num">{r.agency}</td>
                <td class="num">{r.online}</td><td class="num">{r.closed}</td><td class="num">{r.resolved}</td>
                {r.rates.iter().map(|x| view! { <td class="num">{rate_text(*x)}</td> }).collect_view()}
                <td class="num" class:late={r.overdue_now > 0}>{r.overdue_now}</td>
            </tr> }).collect_view()}</tbody>
        </table>
    }
    .into_any()
}

#[component]
pub fn AppraisalPage() -> impl IntoView {
    let t = today();
    let from = RwSignal::new(format!("{:04}-01", t.year()));
    let to = RwSignal::new(shared::stats::month_of(t));
    let unit = RwSignal::new(String::new());
    let data: Loaded<Appraisal> = RwSignal::new(None);
    Effect::new(move |_| {
        let q = query(&[("from", from.get()), ("to", to.get()), ("unit_id", unit.get())]);
        load(data, format!("/api/appraisal{q}"));
    });
    let set = |sig: RwSignal<String>| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            if !v.is_empty() {
                sig.set(v)
            }
        }
    };
    view! {
        <h1>"代办员考评"</h1>
        <form class="filters card" data-test="appraisal-filters" on:submit=|ev| ev.prevent_default()>
            {unit_select(unit)}
            <label class="inline">"自" <input type="month" aria-label="起始月份" prop:value=move || from.get() on:change=set(from)/></label>
            <label class="inline">"至" <input type="month" aria-label="结束月份" prop:value=move || to.get() on:change=set(to)/></label>
            {print_button()}
        </form>
        {show(data, |a| view! {
            <section class="card">
                <h2 data-test="appraisal-heading">{format!("{} 代办员考评 · {} 至 {}", a.unit_name, a.period.from, a.period.to)}</h2>
                <p class="muted">"按期间内受理的代办事项统计；走访为期间内的走访记录。"</p>
                {if a.agents.is_empty() {
                    view! { <p class="muted">"期间内无代办员记录"</p> }.into_any()
                } else {
                    view! {
                        <table class="grid" data-test="appraisal">
                            <thead><tr>
                                <th>"代办员"</th><th>"单位"</th><th class="num">"承办"</th><th class="num">"办结"</th><th class="num">"化解"</th>
                                <th class="num">"按期办结"</th><th class="num">"评价（满意/评价）"</th><th class="num">"走访"</th>
                                <th class="num">"办结率"</th><th class="num">"化解率"</th><th class="num">"按期办结率"</th><th class="num">"满意率"</th>
                            </tr></thead>
                            <tbody>{a.agents.into_iter().map(|g| view! { <tr data-test="agent">
                                <td>{g.name}</td><td>{g.unit_name}</td><td class="num">{g.taken}</td><td class="num">{g.closed}</td>
                                <td class="num">{g.resolved}</td><td class="num">{g.on_time}</td>
                                <td class="num">{format!("{} / {}", g.satisfied, g.opinions)}</td><td class="num">{g.visits}</td>
                                <td class="num">{percent(g.closure)}</td><td class="num">{percent(g.resolution)}</td>
                                <td class="num">{percent(g.on_time_rate)}</td><td class="num">{percent(g.satisfaction)}</td>
                            </tr> }).collect_view()}</tbody>
                        </table>
                    }.into_any()
                }}
            </section>
        })}
    }
}
