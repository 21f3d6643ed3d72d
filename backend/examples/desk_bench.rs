//! The desk's reads at a banner's volume: 100,000 matters (by default)
//! spread over the demo banner's villages, stages and deadlines, then the
//! banner centre's first list page, a search, a queue, the inbox counts and
//! the due boards, timed over loopback HTTP (median of 15). Budget: a banner
//! with 100,000 cases lists in ≤ 100 ms.
//! Run: `cargo run --release -p backend --example desk_bench [cases]`.

use backend::db::Db;
use backend::{app, workflow::demo, ApiContext};
use serde_json::json;
use sqlx::Connection;
use std::time::Instant;

/// Adds `n` matters copied from the demo's, with their own numbers, units,
/// states and due dates, in one statement per 10,000 (both dialects).
async fn grow(db: &Db, n: i64) -> anyhow::Result<()> {
    use sqlx::Row;
    let units: Vec<i64> = sqlx::query("SELECT id FROM units WHERE kind = 'village' ORDER BY id")
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    let template: i64 = sqlx::query("SELECT MIN(id) FROM cases").fetch_one(&db.pool).await?.try_get(0)?;
    let statuses = ["screening", "handling", "handling", "handling", "awaiting_follow_up", "archived"];
    let mut done = 0;
    while done < n {
        let chunk = (n - done).min(10_000);
        // unit, status and due date vary with the row number.
        let unit_case =
            units.iter().enumerate().map(|(i, u)| format!("WHEN {i} THEN {u}")).collect::<Vec<_>>().join(" ");
        let status_case =
            statuses.iter().enumerate().map(|(i, s)| format!("WHEN {i} THEN '{s}'")).collect::<Vec<_>>().join(" ");
        let sql = format!(
            "WITH RECURSIVE seq(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM seq WHERE k < {chunk}) \
             INSERT INTO cases (number, unit_id, citizen_name, summary, stage, level, channel, accepted_on, due_on, \
               due_unscheduled, rev, created_at, status, handling_level, source, unit_path) \
             SELECT 'BENCH-' || CAST(k + {done} AS TEXT), CASE (k % {nu}) {unit_case} END, \
               c.citizen_name || CAST(k AS TEXT), c.summary, \
               CASE (k % 6) WHEN 0 THEN 'screening' WHEN 4 THEN 'follow_up' WHEN 5 THEN 'archived' ELSE 'handling' END, \
               c.level, c.channel, c.accepted_on, \
               '2026-' || CASE WHEN k % 12 < 9 THEN '0' ELSE '' END || CAST(k % 12 + 1 AS TEXT) || '-1' || CAST(k % 9 AS TEXT), \
               0, 0, c.created_at, CASE (k % 6) {status_case} END, c.handling_level, c.source, '' \
             FROM seq, cases c WHERE c.id = {template}",
            nu = units.len()
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&db.pool).await?;
        done += chunk;
    }
    sqlx::query(
        "UPDATE cases SET unit_path = (SELECT path FROM units WHERE units.id = cases.unit_id) WHERE unit_path = ''",
    )
    .execute(&db.pool)
    .await?;
    Ok(())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

async fn run(label: &str, url: &str, n: i64) -> anyhow::Result<bool> {
    let db = backend::startup::connect(url).await?;
    demo::load_if_empty(&db, shared::time::china_today(chrono::Utc::now())).await?;
    let t = Instant::now();
    grow(&db, n).await?;
    sqlx::query("ANALYZE").execute(&db.pool).await?;
    println!("{label}: {n} cases added in {:.1} s", t.elapsed().as_secs_f64());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let dir = std::env::temp_dir().join(format!("dbt-desk-bench-{}", std::process::id()));
    let router = app(ApiContext::new(db.clone(), dir), std::env::temp_dir());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let base = format!("http://{addr}");
    let c = reqwest::Client::builder().cookie_store(true).build()?;
    c.post(format!("{base}/api/login"))
        .json(&json!({"username": "qi1", "password": demo::DEMO_PASSWORD}))
        .send()
        .await?;
    let mut ok = true;
    for (what, path) in [
        ("list, first page", "/api/desk/cases"),
        ("list, page 100", "/api/desk/cases?offset=5000"),
        ("search by name", "/api/desk/cases?q=%E5%AD%9F%E5%92%8C"),
        ("queue overdue", "/api/desk/cases?queue=overdue"),
        ("inbox counts", "/api/desk/inbox"),
        ("due boards", "/api/desk/boards"),
    ] {
        let mut times = Vec::new();
        for _ in 0..15 {
            let t = Instant::now();
            let r = c.get(format!("{base}{path}")).send().await?;
            assert_eq!(r.status(), 200, "{path}");
            r.bytes().await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let m = median(times);
        let pass = m <= 100.0;
        ok &= pass;
        println!("{label:<11} {what:<18} median {m:>7.1} ms  budget 100 ms {}", if pass { "ok" } else { "MISSED" });
    }
    db.pool.close().await;
    Ok(ok)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: i64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let file = std::env::temp_dir().join(format!("dbt-desk-bench-{}.db", std::process::id()));
    let mut ok = run("SQLite", &format!("sqlite://{}?mode=rwc", file.display()), n).await?;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let admin = std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
        let name = format!("dbt_desk_bench_{}", std::process::id());
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await?;
        let url = format!("{}/{name}", admin.rsplit_once('/').map_or(admin.as_str(), |(r, _)| r));
        ok &= run("PostgreSQL", &url, n).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .execute(&mut conn)
            .await?;
    } else {
        println!("PostgreSQL not reachable: skipped");
    }
    if !ok {
        anyhow::bail!("a desk read missed its 100 ms budget");
    }
    Ok(())
}
