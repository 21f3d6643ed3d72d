//! Display-only blocks drawn as HTML strings with every text escaped
//! (`util::esc`): case cards, the case head, the timeline, refused changes.
//! One string instead of a view per kind of line keeps the WASM small (the
//! first load is budgeted at 250 KB brotli, `e2e/bench.js`). Every link is a
//! typed [`Route`]; every fact comes from the view-model ([`crate::view`]).

use crate::route::Route;
use crate::sync::outbox::RejectedEntry;
use crate::util::{el, esc};
use crate::view::{china_time_of, command_detail, command_of, due_badge, follow_up_badge, follow_up_period};
use crate::view::{refused_before, TimelineItem as Item};
use chrono::NaiveDate;
use shared::case::CaseView;
use shared::lifecycle::CaseStatus;
use std::collections::HashMap;

/// The case cards as HTML, every text escaped (display-only links: one
/// string instead of a view per card keeps the WASM small).
pub fn cards_html(cases: &[CaseView], pending: &HashMap<i64, u32>, today: NaiveDate) -> String {
    let mut h = String::new();
    for c in cases {
        let (due, due_class) = due_badge(c, today);
        h.push_str(&format!(
            r#"<li><a class="card case-card" href="{}" data-test="case-card"><div class="row">"#,
            Route::Case(c.id).href()
        ));
        el(&mut h, r#"<span class="num">"#, &c.number, "</span>");
        el(&mut h, r#"<span class="chip stage">"#, c.stage.label(), r#"</span></div><div class="name">"#);
        esc(&mut h, &c.citizen_name);
        if let Some(n) = pending.get(&c.id).filter(|n| **n > 0) {
            h.push_str(&format!(r#"<span class="chip pending" data-test="case-pending">{n} 项未同步</span>"#));
        }
        el(&mut h, r#"</div><p class="summary">"#, &c.summary, "</p>");
        el(&mut h, &format!(r#"<div class="row meta"><span class="due {due_class}">"#), &due, "</span>");
        let unit = match &c.agent_name {
            Some(a) => format!("{} · {a}", c.unit_name),
            None => c.unit_name.clone(),
        };
        el(&mut h, r#"<span class="unit">"#, &unit, "</span></div></a></li>");
    }
    h
}

/// A refused change as escaped HTML: what it was (then `after_label`), what
/// was typed, the server's reason, and the earlier refusal that explains it.
pub fn refused_html(r: &RejectedEntry, all: &[RejectedEntry], after_label: &str) -> String {
    let mut h = String::new();
    let change = &r.entry.mutation.change;
    el(&mut h, "", &change.label(), after_label);
    if let Some(t) = command_of(change).and_then(command_detail) {
        el(&mut h, r#"<div class="typed" data-test="typed">您填写的："#, &t, "</div>");
    }
    el(&mut h, r#"<div class="reason">原因："#, &r.message, "</div>");
    if let Some(b) = refused_before(all, r) {
        el(
            &mut h,
            r#"<div class="hint" data-test="refused-chain">本机先前的“"#,
            &b.entry.mutation.change.label(),
            "”已被退回，此项依赖它，因而也未能办理。</div>",
        );
    }
    h
}

pub fn check(on: bool) -> &'static str {
    if on {
        "☑"
    } else {
        "☐"
    }
}

/// Label/value rows of a read-only form, as escaped HTML.
pub fn fact_rows(rows: &[(&'static str, String)]) -> String {
    let mut h = String::new();
    for (k, v) in rows {
        el(&mut h, &format!("<dt>{k}</dt><dd>"), v, "</dd>");
    }
    h
}

/// The head of a case as HTML, every text escaped: number, stage, citizen,
/// and the facts with one row per clock (the handling limit, counted only
/// while the matter is open, then the follow-up), dates as YYYY-MM-DD.
pub fn case_head_html(c: &CaseView, today: NaiveDate) -> String {
    let mut h = String::new();
    el(&mut h, r#"<div class="row"><span class="num">"#, &c.number, "</span>");
    el(&mut h, r#"<span class="chip stage">"#, c.stage.label(), "</span></div>");
    el(&mut h, "<h2>", &c.citizen_name, "</h2>");
    el(&mut h, r#"<p class="summary full">"#, &c.summary, "</p>");
    el(&mut h, r#"<dl class="facts"><dt>状态</dt><dd data-test="status">"#, c.lifecycle.status.label(), "</dd>");
    h.push_str(r#"<dt>办理期限</dt><dd data-test="handling-due">"#);
    if c.stage.deadline_applies() {
        let (due, class) = due_badge(c, today);
        el(&mut h, &format!(r#"<span class="due {class}" data-test="due">"#), &due, "</span><br>");
    }
    el(&mut h, "", &format!("{} 前（{}）", c.due_on, c.level.label()), "</dd>");
    if let Some(d) = c.follow_up_due {
        h.push_str(r#"<dt>回访期限</dt><dd data-test="follow-up-due">"#);
        if c.lifecycle.status == CaseStatus::AwaitingFollowUp {
            let (label, class) = follow_up_badge(d, today);
            el(&mut h, &format!(r#"<span class="due {class}">"#), &label, "</span><br>");
        }
        h.push_str(&format!("{d} 前{}</dd>", follow_up_period()));
    }
    let agent = c.agent_name.as_deref().unwrap_or("未指派");
    let rows = [
        ("受理日期", c.accepted_on.to_string()),
        ("来源渠道", format!("{} · {}", c.channel.label(), c.source.label())),
        ("所属单位", c.unit_name.clone()),
        ("代办员", agent.to_string()),
    ];
    for (k, v) in rows {
        el(&mut h, &format!("<dt>{k}</dt><dd>"), &v, "</dd>");
    }
    if let Some(p) = &c.phone {
        // A phone number is digits only (shared validation), safe in the link.
        let mut tel = String::new();
        esc(&mut tel, p);
        h.push_str(&format!(r#"<dt>联系电话</dt><dd><a class="tel" href="tel:{tel}">{tel}</a></dd>"#));
    }
    if let Some(a) = &c.address {
        el(&mut h, "<dt>住址</dt><dd>", a, "</dd>");
    }
    h.push_str("</dl>");
    h
}

/// The timeline as HTML, every text escaped. Display-only, so one string
/// instead of a view per kind of line keeps the WASM small.
pub fn timeline_html(items: &[Item]) -> String {
    let mut h = String::new();
    // `<tag attrs>` + escaped text + `</tag>`
    for item in items {
        match item {
            Item::Visit(v) => {
                h.push_str(match (v.pending, v.rejected.is_some()) {
                    (true, _) => r#"<li class="visit pending" data-test="visit">"#,
                    (_, true) => r#"<li class="visit rejected" data-test="visit">"#,
                    _ => r#"<li class="visit" data-test="visit">"#,
                });
                let when = format!("{} · 走访（{}）", v.visit.visited_at.replace('T', " "), v.visit.method.label());
                el(&mut h, r#"<div class="when">"#, &when, "");
                if v.pending {
                    h.push_str(r#"<span class="chip pending">未同步</span>"#);
                }
                el(&mut h, "</div><p>", &v.visit.note, "</p>");
                let by = match v.visit.position {
                    Some(p) => format!("{} · {}", v.visit.recorded_by_name, p.label()),
                    None => v.visit.recorded_by_name.clone(),
                };
                el(&mut h, r#"<div class="by">"#, &by, "</div>");
                if let Some(r) = &v.rejected {
                    el(&mut h, r#"<div class="reason">被退回："#, r, "</div>");
                }
            }
            Item::Event(e) => {
                el(
                    &mut h,
                    r#"<li class="visit event" data-test="event"><div class="when">"#,
                    &format!("{} · {}", china_time_of(&e.at), e.label),
                    "</div>",
                );
                if let Some(d) = command_detail(&e.command) {
                    el(&mut h, "<p>", &d, "</p>");
                }
                el(&mut h, r#"<div class="by">"#, &e.actor_name, "</div>");
            }
            Item::Pending(p) => {
                let when = shared::time::format_minute(shared::time::china_local_from_millis(p.at_ms));
                el(
                    &mut h,
                    r#"<li class="visit pending" data-test="pending-event"><div class="when">"#,
                    &format!("{when} · {}", p.label),
                    r#"<span class="chip pending">未同步</span></div>"#,
                );
                if let Some(d) = &p.detail {
                    el(&mut h, r#"<p data-test="pending-detail">"#, d, "</p>");
                }
            }
        }
        h.push_str("</li>");
    }
    h
}
