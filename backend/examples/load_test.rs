//! Load: concurrent signed-in sessions against an in-process server on
//! loopback — reads (case list, a case, pull) and pushes of visits — for a
//! fixed time, on SQLite and (if reachable) PostgreSQL. Reports requests/s,
//! p50/p99/max latency per kind and errors; fails if any request failed.
//! Run: `cargo run --release -p backend --example load_test [sessions] [seconds]`
//! (default 200 sessions, 60 s). Prints `BENCH` lines for scripts/bench.

use backend::{app, workflow::demo, ApiContext};
use serde_json::{json, Value};
use sqlx::Connection;
use std::sync::Arc;
use std::time::{Duration, Instant};

const KINDS: [&str; 4] = ["GET /api/cases", "GET /api/cases/{id}", "GET /api/sync/pull", "POST /api/sync/push"];

#[derive(Default)]
struct Tally {
    micros: [Vec<u32>; 4],
    errors: [usize; 4],
    first_error: Option<String>,
}

fn uuid(a: u64, n: u64) -> String {
    format!("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", a as u32, (a >> 32) & 0xffff, n & 0xfff, (n >> 12) & 0xfff, n)
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

async fn session(base: String, user: &'static str, n: u64, until: Instant, cases: Arc<Vec<i64>>) -> Tally {
    let mut t = Tally::default();
    let c = reqwest::Client::builder().cookie_store(true).timeout(Duration::from_secs(30)).build().unwrap();
    let r = c
        .post(format!("{base}/api/login"))
        .json(&json!({"username": user, "password": demo::DEMO_PASSWORD}))
        .send()
        .await;
    assert!(r.is_ok_and(|r| r.status() == 200), "login {user}");
    let list: Vec<Value> = c.get(format!("{base}/api/cases")).send().await.unwrap().json().await.unwrap();
    let ids: Vec<i64> = list.iter().filter_map(|k| k["id"].as_i64()).collect();
    let client = uuid(u64::from(std::process::id()) << 16 | n, 0);
    let (mut mutation, mut step) = (0u64, n);
    while Instant::now() < until {
        step = step.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let roll = (step >> 33) % 100;
        let kind = match roll {
            0..40 => 0,
            40..60 => 1,
            60..80 => 2,
            _ if !cases.is_empty() => 3,
            _ => 0,
        };
        let started = Instant::now();
        let req = match kind {
            0 => c.get(format!("{base}/api/cases")),
            1 => c.get(format!("{base}/api/cases/{}", ids[(step >> 40) as usize % ids.len().max(1)])),
            2 => c.get(format!("{base}/api/sync/pull?cursor=0")).header("accept-encoding", "br"),
            _ => {
                let muts: Vec<Value> = (0..1 + (step >> 50) % 5)
                    .map(|_| {
                        mutation += 1;
                        json!({"id": mutation, "change": {"kind": "add_visit", "visit": {
                            "id": uuid(n << 8 | 0xAB, mutation), "case_id": cases[(mutation as usize) % cases.len()],
                            "visited_at": "2026-11-20T09:30", "method": "in_person", "note": format!("压力测试走访 {n}-{mutation}")}}})
                    })
                    .collect();
                c.post(format!("{base}/api/sync/push")).json(&json!({"client_id": client, "mutations": muts}))
            }
        };
        let outcome = match req.send().await {
            Ok(r) if r.status().is_success() => {
                let push = kind == 3;
                match r.bytes().await {
                    Ok(b) if push => {
                        let v: Value = serde_json::from_slice(&b).unwrap_or_default();
                        let all = v["results"].as_array().is_some_and(|a| a.iter().all(|x| x["status"] == "applied"));
                        if all {
                            Ok(())
                        } else {
                            Err(format!("push answered {v}"))
                        }
                    }
                    Ok(_) => Ok(()),
                    Err(e) => Err(e.to_string()),
                }
            }
            Ok(r) => Err(format!("{} {}", r.status(), r.text().await.unwrap_or_default())),
            Err(e) => Err(e.to_string()),
        };
        t.micros[kind].push(started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
        if let Err(e) = outcome {
            t.errors[kind] += 1;
            t.first_error.get_or_insert(format!("{}: {e}", KINDS[kind]));
        }
    }
    t
}

async fn run(label: &str, url: &str, sessions: u64, seconds: u64) -> anyhow::Result<bool> {
    let db = backend::startup::connect(url).await?;
    demo::load_if_empty(&db, shared::time::china_today(chrono::Utc::now())).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let dir = std::env::temp_dir().join(format!("dbt-load-{}", std::process::id()));
    let router = app(ApiContext::new(db.clone(), dir), std::env::temp_dir());
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await
    });
    let base = format!("http://{addr}");
    // Field users push visits to their cases in handling; desk users only read.
    let users: [&'static str; 10] =
        ["wangge1", "wangge2", "cun1", "cun2", "cun3", "zhen1", "zhen2", "zhenld1", "qi1", "meng1"];
    let mut writable = std::collections::HashMap::new();
    for user in users {
        let c = reqwest::Client::builder().cookie_store(true).build()?;
        c.post(format!("{base}/api/login"))
            .json(&json!({"username": user, "password": demo::DEMO_PASSWORD}))
            .send()
            .await?;
        let (me, list): (Value, Vec<Value>) = (
            c.get(format!("{base}/api/me")).send().await?.json().await?,
            c.get(format!("{base}/api/cases")).send().await?.json().await?,
        );
        let mine: Vec<i64> = list
            .iter()
            .filter(|k| k["stage"] == "handling" && k["agent_id"] == me["id"] && me["role"] == "field_agent")
            .filter_map(|k| k["id"].as_i64())
            .collect();
        writable.insert(user, Arc::new(mine));
    }
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..sessions)
        .map(|n| {
            let user = users[n as usize % users.len()];
            tokio::spawn(session(base.clone(), user, n + 1, until, writable[user].clone()))
        })
        .collect();
    let mut all = Tally::default();
    for t in tasks {
        let t = t.await?;
        for k in 0..4 {
            all.micros[k].extend(&t.micros[k]);
            all.errors[k] += t.errors[k];
        }
        if all.first_error.is_none() {
            all.first_error = t.first_error;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let mut every: Vec<u32> = all.micros.iter().flatten().copied().collect();
    every.sort_unstable();
    let errors: usize = all.errors.iter().sum();
    println!("{label}: {sessions} sessions for {seconds} s");
    println!(
        "  {:<22} {:>9} {:>9} {:>10} {:>10} {:>10} {:>7}",
        "kind", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "errors"
    );
    for ((kind, v), errors) in KINDS.iter().zip(all.micros.iter_mut()).zip(all.errors) {
        v.sort_unstable();
        println!(
            "  {:<22} {:>9} {:>9.0} {:>10.1} {:>10.1} {:>10.1} {:>7}",
            kind,
            v.len(),
            v.len() as f64 / secs,
            percentile(v, 0.5),
            percentile(v, 0.99),
            percentile(v, 1.0),
            errors
        );
    }
    let (p50, p99) = (percentile(&every, 0.5), percentile(&every, 0.99));
    println!(
        "  {:<22} {:>9} {:>9.0} {:>10.1} {:>10.1} {:>10.1} {:>7}",
        "all",
        every.len(),
        every.len() as f64 / secs,
        p50,
        p99,
        percentile(&every, 1.0),
        errors
    );
    if let Some(e) = &all.first_error {
        println!("  first error: {e}");
    }
    let name = format!("load {sessions} sessions × {seconds} s");
    println!("BENCH\t{name}: requests/s\t{label}\t{:.0}\treq/s\t\tok", every.len() as f64 / secs);
    println!("BENCH\t{name}: p50\t{label}\t{p50:.1}\tms\t\tok");
    println!("BENCH\t{name}: p99\t{label}\t{p99:.1}\tms\t\tok");
    println!("BENCH\t{name}: errors\t{label}\t{errors}\terrors\t= 0\t{}", if errors == 0 { "ok" } else { "MISSED" });
    db.pool.close().await;
    Ok(errors == 0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let arg = |i: usize, d: u64| std::env::args().nth(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (sessions, seconds) = (arg(1, 200), arg(2, 60));
    let file = std::env::temp_dir().join(format!("dbt-load-{}.db", std::process::id()));
    let mut ok = run("SQLite", &format!("sqlite://{}?mode=rwc", file.display()), sessions, seconds).await?;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let admin = std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    match sqlx::PgConnection::connect(&admin).await {
        Ok(mut conn) => {
            let name = format!("dbt_load_{}", std::process::id());
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await?;
            let url = format!("{}/{name}", admin.rsplit_once('/').map_or(admin.as_str(), |(r, _)| r));
            let result = run("PostgreSQL", &url, sessions, seconds).await;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&mut conn)
                .await?;
            ok &= result?;
        }
        Err(e) => println!("PostgreSQL skipped: {e}"),
    }
    if !ok {
        anyhow::bail!("requests failed under load");
    }
    Ok(())
}
