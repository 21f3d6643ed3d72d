//! Server-side sync throughput: pushes visits in batches of 500 over real
//! HTTP to an in-process server, on SQLite and (if reachable) PostgreSQL,
//! and reports mutations per second. Budget: ≥ 5,000 mutations/s.
//! Run: `cargo run --release -p backend --example push_bench [total]`.

use backend::{app, workflow::demo, ApiContext};
use serde_json::{json, Value};
use sqlx::Connection;
use std::time::Instant;

fn uuid(n: u64) -> String {
    format!("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", (n >> 16) as u32, n & 0xffff, n & 0xfff, (n >> 4) & 0xfff, n)
}

async fn run(label: &str, url: &str, total: u64) -> anyhow::Result<()> {
    let db = backend::startup::connect(url).await?;
    demo::load_if_empty(&db, shared::time::china_today(chrono::Utc::now())).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let dir = std::env::temp_dir().join(format!("dbt-bench-{}", std::process::id()));
    let router = app(ApiContext::new(db.clone(), dir), std::env::temp_dir());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let base = format!("http://{addr}");
    let c = reqwest::Client::builder().cookie_store(true).build()?;
    c.post(format!("{base}/api/login"))
        .json(&json!({"username": "wangge1", "password": demo::DEMO_PASSWORD}))
        .send()
        .await?;
    let cases: Vec<Value> = c.get(format!("{base}/api/cases")).send().await?.json().await?;
    let case_id = cases
        .iter()
        .find(|k| k["stage"] == "handling" && k["agent_name"] == "巴特尔")
        .and_then(|k| k["id"].as_i64())
        .expect("a handling case");
    let client = uuid(u64::from(std::process::id()) << 20);
    let started = Instant::now();
    let mut id = 0u64;
    while id < total {
        let batch: Vec<Value> = (0..500.min(total - id))
            .map(|_| {
                id += 1;
                json!({"id": id, "change": {"kind": "add_visit", "visit": {
                    "id": uuid(id), "case_id": case_id, "visited_at": "2026-11-20T09:30", "method": "phone", "note": format!("批量同步测试 {id}")
                }}})
            })
            .collect();
        let r: Value = c
            .post(format!("{base}/api/sync/push"))
            .json(&json!({"client_id": client, "mutations": batch}))
            .send()
            .await?
            .json()
            .await?;
        assert!(r["results"].as_array().is_some_and(|a| a.iter().all(|x| x["status"] == "applied")), "{r}");
    }
    let secs = started.elapsed().as_secs_f64();
    // Exactly once, and the audit chain whole.
    use sqlx::Row;
    let stored: i64 = sqlx::query("SELECT COUNT(*) FROM visits WHERE note LIKE '批量同步测试%'")
        .fetch_one(&db.pool)
        .await?
        .try_get(0)?;
    assert_eq!(stored, total as i64, "every visit stored exactly once");
    assert!(backend::db::audit::verify(&db.pool).await?.ok, "audit chain intact");
    println!(
        "{label:<11} {total} mutations in batches of 500: {secs:.2} s = {:.0} mutations/s   budget 5000/s",
        total as f64 / secs
    );
    db.pool.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let total: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(5000);
    let file = std::env::temp_dir().join(format!("dbt-push-bench-{}.db", std::process::id()));
    run("SQLite", &format!("sqlite://{}?mode=rwc", file.display()), total).await?;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let admin = std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    match sqlx::PgConnection::connect(&admin).await {
        Ok(mut conn) => {
            let name = format!("dbt_bench_{}", std::process::id());
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await?;
            let url = format!("{}/{name}", admin.rsplit_once('/').map_or(admin.as_str(), |(r, _)| r));
            let result = run("PostgreSQL", &url, total).await;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&mut conn)
                .await?;
            result?;
        }
        Err(e) => println!("PostgreSQL  skipped: {e}"),
    }
    Ok(())
}
