//! 待办: the unit's queues with their counts (each opens the list of that
//! queue), and the due-soon / overdue boards by unit and by agent.

use crate::route::Route;
use crate::ui::{loaded, show};
use leptos::prelude::*;
use shared::desk::{BoardRow, DueBoards, Inbox};

#[component]
pub fn InboxPage() -> impl IntoView {
    let inbox = loaded::<Inbox>("/api/desk/inbox".to_string());
    let boards = loaded::<DueBoards>("/api/desk/boards".to_string());
    view! {
        <h1>"待办"</h1>
        {show(inbox, |i| view! {
            <p class="muted">{i.unit_name.clone()}</p>
            <div class="queues" data-test="queues">
                {i.queues.iter().map(|q| {
                    let cls = match q.queue {
                        shared::desk::InboxQueue::Overdue if q.count > 0 => "queue late",
                        shared::desk::InboxQueue::DueSoon if q.count > 0 => "queue urgent",
                        _ if q.count > 0 => "queue busy",
                        _ => "queue",
                    };
                    view! {
                        <a class=cls href=Route::Cases(Some(q.queue)).href() data-test=format!("queue-{}", q.queue.as_str())>
                            <span class="count">{q.count}</span>
                            <span class="name">{q.queue.label()}</span>
                        </a>
                    }
                }).collect_view()}
            </div>
        })}
        <h2>"到期看板"</h2>
        {show(boards, |b| view! {
            <div class="boards">
                <section class="card"><h3>"按单位"</h3>{board(b.by_unit, "单位")}</section>
                <section class="card"><h3>"按代办员"</h3>{board(b.by_agent, "代办员")}</section>
            </div>
        })}
    }
}

fn board(rows: Vec<BoardRow>, who: &'static str) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"没有在办事项"</p> }.into_any();
    }
    view! {
        <table class="grid">
            <thead><tr><th>{who}</th><th class="num">"在办"</th><th class="num">"2个工作日内到期"</th><th class="num">"已超期"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr>
                        <td>{r.name}</td>
                        <td class="num">{r.open}</td>
                        <td class="num" class:urgent={r.due_soon > 0}>{r.due_soon}</td>
                        <td class="num" class:late={r.overdue > 0}>{r.overdue}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
