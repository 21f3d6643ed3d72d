//! The sync push's cost per visit, counted in SQL statements (issue 15):
//! a batch of visits must not cost a statement per visit — no savepoint,
//! no lookup, no `INSERT` of its own, no transaction per 60 — only the
//! multi-row inserts (50 rows each) grow with the batch.
//!
//! Statements are counted from sqlx's own per-statement events
//! (`sqlx::query`), which see every statement the server sends, both
//! databases alike. The counter is process-wide, so this file holds one
//! test that runs SQLite and then PostgreSQL, with nothing beside it: it
//! runs `alone`, as no other test of `tests/it` may send a statement while
//! it counts.

use crate::common;

use common::{uuid, Kind, TestApp};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

/// Counts sqlx's statement events.
struct CountStatements(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> Layer<S> for CountStatements {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn statements() -> Arc<AtomicUsize> {
    static COUNT: std::sync::OnceLock<Arc<AtomicUsize>> = std::sync::OnceLock::new();
    COUNT
        .get_or_init(|| {
            let count = Arc::new(AtomicUsize::new(0));
            let filter = tracing_subscriber::filter::Targets::new().with_target("sqlx::query", tracing::Level::TRACE);
            let subscriber = tracing_subscriber::registry().with(CountStatements(count.clone()).with_filter(filter));
            tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
            count
        })
        .clone()
}

fn visits(client_ids: std::ops::Range<u64>, case_id: i64) -> Vec<Value> {
    client_ids
        .map(|id| {
            json!({"id": id, "change": {"kind": "add_visit", "visit": {
                "id": uuid(10_000 + id), "case_id": case_id, "visited_at": "2026-11-20T09:30",
                "method": "phone", "note": format!("批量 {id}")
            }}})
        })
        .collect()
}

/// Pushes `mutations` and returns the answers and how many statements the
/// server sent for them.
async fn push(app: &TestApp, c: &reqwest::Client, client: &str, mutations: Vec<Value>) -> (Vec<Value>, usize) {
    let count = statements();
    let before = count.load(Ordering::SeqCst);
    let (status, body) =
        app.post_json(c, "/api/sync/push", &json!({"client_id": client, "mutations": mutations})).await;
    let used = count.load(Ordering::SeqCst) - before;
    assert_eq!(status, 200, "{body}");
    (body["results"].as_array().unwrap().clone(), used)
}

async fn statements_per_visit(app: &TestApp) {
    let agent = app.login("wangge1").await;
    let (_, cases) = app.get_json(&agent, "/api/cases").await;
    let case_id = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["stage"] == "handling" && k["agent_name"] == "巴特尔")
        .and_then(|k| k["id"].as_i64())
        .expect("a handling case of wangge1");
    let client = uuid(9_999);
    let visits_before = app.count("visits").await;
    let audit_before = app.count("audit_log").await;

    let (small, small_cost) = push(app, &agent, &client, visits(1..51, case_id)).await;
    let (large, large_cost) = push(app, &agent, &client, visits(51..501, case_id)).await;
    assert!(small.iter().chain(&large).all(|r| r["status"] == "applied"));
    assert_eq!(app.count("visits").await, visits_before + 500, "each visit stored once");
    assert_eq!(app.count("audit_log").await, audit_before + 500, "each visit audited once");
    assert!(backend::db::audit::verify(&app.db.pool).await.unwrap().ok);

    // 400 more visits cost 3 multi-row inserts (visit, audit, answer) per
    // 50 visits — not a savepoint and an INSERT per visit, which made it
    // over 2 per visit before, nor a transaction per 60.
    let per_visit = (large_cost as f64 - small_cost as f64) / 400.0;
    eprintln!("{:?}: 50 visits {small_cost} statements, 450 visits {large_cost}: {per_visit:.3}/visit", app.db.backend);
    assert!(per_visit <= 0.25, "{per_visit:.3} statements per visit (50: {small_cost}, 450: {large_cost})");

    // Sent again: replayed from the stored answers, nothing written, and
    // without touching any visit.
    let (again, replay_cost) = push(app, &agent, &client, visits(51..501, case_id)).await;
    assert!(again.iter().all(|r| r["status"] == "applied"));
    assert_eq!(app.count("visits").await, visits_before + 500);
    assert!(replay_cost < 30, "a replayed batch costs {replay_cost} statements");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_statements_per_visit_sqlite_then_postgres() {
    common::alone(sqlite_then_postgres()).await;
}

async fn sqlite_then_postgres() {
    statements();
    let app = TestApp::spawn(Kind::Sqlite).await.expect("sqlite");
    statements_per_visit(&app).await;
    app.finish().await;
    if let Some(app) = TestApp::spawn(Kind::Postgres).await {
        statements_per_visit(&app).await;
        app.finish().await;
    }
}
