//! 统计: a unit's figures for a period (each with its numerator and
//! denominator, both opening the matters behind them), beside the county
//! targets; the month-by-month trend, the units below ranked, the channel
//! and category mix and the open matters due soon or overdue. Charts are
//! SVG drawn here (no images, no chart library), black-on-white enough to
//! read when printed.

use crate::api::query;
use crate::chart::{bar_heights, presets};
use crate::route::{drill_href, Route};
use crate::ui::{load, loaded, today, Loaded};
use leptos::prelude::*;
use shared::desk::InboxQueue;
use shared::org::UnitView;
use shared::stats::{percent, Figure, MixRow, MonthRow, RankRow, UnitStats};

#[component]
pub fn StatsPage() -> impl IntoView {
    let day = today();
    let preset = presets(day);
    let unit = RwSignal::new(String::new());
    let from = RwSignal::new(preset[2].1.from.clone());
    let to = RwSignal::new(preset[2].1.to.clone());
    let units = loaded::<Vec<UnitView>>("/api/units".to_string());
    let data: Loaded<UnitStats> = RwSignal::new(None);
    Effect::new(move |_| {
        let q = query(&[("unit_id", unit.get()), ("from", from.get()), ("to", to.get())]);
        load(data, format!("/api/stats{q}"));
    });
    let sel = |sig: RwSignal<String>| move |ev: leptos::ev::Event| sig.set(event_target_value(&ev));
    view! {
        <h1>"统计"</h1>
        <form class="filters card" data-test="stats-filters" on:submit=|ev| ev.prevent_default()>
            <select aria-label="单位" on:change=sel(unit)>
                {move || units.get().and_then(Result::ok).unwrap_or_default().into_iter()
                    .map(|u| view! { <option value=u.id.to_string()>{u.name}</option> }).collect_view()}
            </select>
            <label class="inline">"自" <input type="month" aria-label="起始月份" prop:value=move || from.get() on:change=sel(from)/></label>
            <label class="inline">"至" <input type="month" aria-label="结束月份" prop:value=move || to.get() on:change=sel(to)/></label>
            {preset.into_iter().map(|(label, r)| view! {
                <button type="button" class="btn small" on:click=move |_| { from.set(r.from.clone()); to.set(r.to.clone()); }>{label}</button>
            }).collect_view()}
            <button type="button" class="btn small" on:click=|_| { if let Some(w) = web_sys::window() { let _ = w.print(); } }>"打印"</button>
        </form>
        {move || match data.get() {
            None => view! { <p class="muted">"正在加载…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Some(Ok(s)) => view! { <Report s=s/> }.into_any(),
        }}
    }
}

#[component]
fn Report(s: UnitStats) -> impl IntoView {
    let (first, last) = s.period.days();
    let (first, last) = (first.to_string(), last.to_string());
    let unit = s.unit_id;
    let link = move |key: &str| drill_href(key, unit, &first, &last);
    let due_link = move |q: InboxQueue| format!("{}&unit_id={unit}", Route::Cases(Some(q)).href());
    let link2 = link.clone();
    let link3 = link.clone();
    view! {
        <p class="muted" data-test="stats-heading">
            {format!("{} · {} 至 {}（按受理月份统计）", s.unit_name, s.period.from, s.period.to)}
        </p>
        <section class="card">
            <h2>"指标"</h2>
            <table class="grid figures" data-test="figures">
                <thead><tr><th>"指标"</th><th class="num">"分子"</th><th class="num">"分母"</th><th class="num">"比率"</th><th class="num">"目标"</th><th>"达标"</th></tr></thead>
                <tbody>{s.figures.iter().map(|f| figure_row(f, &link)).collect_view()}</tbody>
            </table>
        </section>
        <section class="card due-now" data-test="due-now">
            <h2>"在办事项（当前）"</h2>
            <span>"在办 "<b>{s.due.open}</b></span>
            <a class="urgent" href=due_link(InboxQueue::DueSoon)>"2个工作日内到期 "<b>{s.due.due_soon}</b></a>
            <a class="late" href=due_link(InboxQueue::Overdue)>"已超期 "<b>{s.due.overdue}</b></a>
        </section>
        <section class="card">
            <h2>"月度趋势"</h2>
            {trend(&s.months)}
        </section>
        <div class="boards">
            <section class="card"><h2>"渠道"</h2>{mix_chart(&s.mix.channel, &link2)}</section>
            <section class="card"><h2>"来源"</h2>{mix_chart(&s.mix.source, &link3)}</section>
        </div>
        <section class="card"><h2>"内容分类"</h2>{categories(&s.mix.category, &link)}</section>
        <section class="card"><h2>"环节"</h2>{mix_chart(&s.mix.stage, &link)}</section>
        {(!s.ranking.is_empty()).then(|| view! {
            <section class="card"><h2>"下级单位排名（按办结率）"</h2>{ranking(&s.ranking)}</section>
        })}
    }
}

pub fn figure_row(f: &Figure, link: &dyn Fn(&str) -> String) -> impl IntoView {
    let met = match f.met {
        Some(true) => view! { <span class="ok">"达标"</span> }.into_any(),
        Some(false) => view! { <span class="error">"未达标"</span> }.into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    };
    let target = f.target.map_or("—".to_string(), |t| format!("≥ {}", percent(Some(t))));
    view! {
        <tr data-test=format!("figure-{}", f.kind.as_str())>
            <td>{f.kind.label()}</td>
            <td class="num"><a href=link(&f.numerator_key) data-test="numerator">{f.numerator}</a></td>
            <td class="num"><a href=link(&f.denominator_key) data-test="denominator">{f.denominator}</a></td>
            <td class="num" data-test="rate">{percent(f.rate)}</td>
            <td class="num">{target}</td>
            <td>{met}</td>
        </tr>
    }
}

/// Bars of matters received per month, with the closed ones inside them
/// and the numbers written out (a printed page has no tooltips).
fn trend(months: &[MonthRow]) -> impl IntoView {
    const H: f64 = 160.0;
    let w = (months.len().max(1) * 56) as f64;
    let totals: Vec<i64> = months.iter().map(|m| m.total).collect();
    let max = totals.iter().copied().max().unwrap_or(0).max(1);
    let heights = bar_heights(&totals, H);
    let closed: Vec<f64> = months.iter().map(|m| m.closed as f64 / max as f64 * H).collect();
    view! {
        <svg class="chart" data-test="trend" role="img" aria-label="月度受理与办结" viewBox=format!("0 0 {w} {}", H + 44.0) width=w height=H + 44.0>
            {months.iter().enumerate().map(|(i, m)| {
                let x = i as f64 * 56.0 + 8.0;
                let (th, ch) = (heights[i], closed[i]);
                view! {
                    <g>
                        <rect class="bar" x=x y=H + 16.0 - th width=40 height=th/>
                        <rect class="bar2" x=x + 8.0 y=H + 16.0 - ch width=24 height=ch/>
                        <text x=x + 20.0 y=H + 12.0 - th text-anchor="middle">{m.total}</text>
                        <text x=x + 20.0 y=H + 32.0 text-anchor="middle">{m.month[2..].to_string()}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
        <p class="legend"><span class="key bar"></span>"受理" <span class="key bar2"></span>"其中办结（代办）"</p>
    }
}

/// The category mix: of some sixty categories a unit has matters in a few;
/// those, most first, then how many had none.
fn categories(rows: &[MixRow], link: &impl Fn(&str) -> String) -> impl IntoView {
    let mut some: Vec<MixRow> = rows.iter().filter(|r| r.count > 0).cloned().collect();
    some.sort_by_key(|r| std::cmp::Reverse(r.count));
    let none = rows.len() - some.len();
    view! {
        {mix_chart(&some, link)}
        {(none > 0).then(|| view! { <p class="muted">{format!("其余 {none} 类：0 件")}</p> })}
    }
}

/// A mix as rows of a table, each with its bar (SVG) and a link to its
/// matters (an `<a>` inside an SVG would not be an SVG link in Leptos).
fn mix_chart(rows: &[MixRow], link: &impl Fn(&str) -> String) -> impl IntoView {
    const W: f64 = 260.0;
    let counts: Vec<i64> = rows.iter().map(|r| r.count).collect();
    let widths = bar_heights(&counts, W);
    view! {
        <table class="mix" data-test="mix">
            <tbody>
                {rows.iter().enumerate().map(|(i, r)| view! {
                    <tr>
                        <td><a href=link(&r.key)>{r.label.clone()}</a></td>
                        <td class="num"><a href=link(&r.key)>{r.count}</a></td>
                        <td><svg class="chart" width=W + 4.0 height=14 role="img"><rect class="bar" x=0 y=2 width=widths[i] height=10/></svg></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

fn ranking(rows: &[RankRow]) -> impl IntoView {
    view! {
        <table class="grid" data-test="ranking">
            <thead><tr><th class="num">"名次"</th><th>"单位"</th><th class="num">"事项"</th><th class="num">"代办"</th><th class="num">"办结"</th><th class="num">"化解"</th><th class="num">"办结率"</th><th>""</th><th class="num">"化解率"</th></tr></thead>
            <tbody>
                {rows.iter().enumerate().map(|(i, r)| {
                    let w = r.closure.map_or(0.0, |c| c.to_string().parse::<f64>().unwrap_or(0.0) * 120.0);
                    view! {
                        <tr>
                            <td class="num">{i + 1}</td>
                            <td>{r.unit_name.clone()}</td>
                            <td class="num">{r.total}</td>
                            <td class="num">{r.agency}</td>
                            <td class="num">{r.closed}</td>
                            <td class="num">{r.resolved}</td>
                            <td class="num">{percent(r.closure)}</td>
                            <td><svg class="chart" width=124 height=14 role="img"><rect class="bar" x=0 y=2 width=w height=10/></svg></td>
                            <td class="num">{percent(r.resolution)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
