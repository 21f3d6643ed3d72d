//! 通报 (the monthly bulletin, or the year summary, a unit sends to the units
//! below it) and 代办员考评 (the agents' appraisal). The server fills both
//! from the kept counters; the printable bulletin (`/print/bulletin`) and
//! its XLSX are the server's too, opened from here with the same period.

use crate::api::query;
use crate::assessment::ranking_table;
use crate::chart::last_month;
use crate::route::drill_href;
use crate::stats::figure_row;
use crate::ui::{load, print_button, show, text_table, today, unit_select, Loaded};
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
            {text_table("overdue-list", &["编号", "属地", "承办", "内容分类", "受理", "期限", "#超期（工作日）"],
                b.overdue.iter().map(|o| vec![o.number.clone(), o.unit_name.clone(), o.handling.clone(), o.category.clone(),
                    o.accepted_on.to_string(), o.due_on.to_string(), o.days_over.to_string()]).collect())}
            {(more > 0).then(|| format!("另有 {more} 件未列出（按办理期限列出最早到期的 {} 件）", b.overdue.len()))}
        </section>
        <section class="card"><h2>{format!("嘎查村（社区）考核排名（{year} 年累计）")}</h2>{ranking_table(b.assessment.clone(), year)}</section>
        <section class="card"><h2>"本期发出的函件"</h2>
            {text_table("bulletin-letters", &["文号", "受函单位", "函件", "事由", "发函日期", "签收"],
                b.letters.iter().map(|l| vec![l.number.clone(), l.unit_name.clone(), l.kind.label().to_string(), l.reason.clone(),
                    l.issued_on.to_string(),
                    l.acknowledged_on.map_or("未签收".to_string(), |d| format!("{d} {}", l.acknowledged_by.clone().unwrap_or_default()))]).collect())}
        </section>
    }
}

fn rows_table(rows: &[BulletinRow], test: &'static str) -> impl IntoView {
    let head = [
        "#名次",
        "单位",
        "#事项",
        "#代办",
        "#网上",
        "#办结",
        "#化解",
        "#代办率",
        "#网访占比率",
        "#办结率",
        "#化解率",
        "#当前超期",
    ];
    let rows = rows
        .iter()
        .map(|r| {
            let mut cells = vec![r.rank.to_string(), r.unit_name.clone()];
            cells.extend([r.total, r.agency, r.online, r.closed, r.resolved].map(|n| n.to_string()));
            cells.extend(r.rates.map(rate_text));
            cells.push(r.overdue_now.to_string());
            cells
        })
        .collect();
    text_table(test, &head, rows)
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
                {text_table("appraisal", &["代办员", "单位", "#承办", "#办结", "#化解", "#按期办结", "#评价（满意/评价）", "#走访",
                    "#办结率", "#化解率", "#按期办结率", "#满意率"],
                    a.agents.into_iter().map(|g| vec![g.name, g.unit_name, g.taken.to_string(), g.closed.to_string(),
                        g.resolved.to_string(), g.on_time.to_string(), format!("{} / {}", g.satisfied, g.opinions), g.visits.to_string(),
                        percent(g.closure), percent(g.resolution), percent(g.on_time_rate), percent(g.satisfaction)]).collect())}
            </section>
        })}
    }
}
