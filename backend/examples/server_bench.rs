//! The server's benchmarks, on SQLite and (if reachable) PostgreSQL, over
//! real HTTP to an in-process server on loopback:
//! - sync push throughput in batches of 1, 100 and 500 visits (budget:
//!   ≥ 5,000 mutations/s in batches of 500), exactly once and the audit
//!   chain checked;
//! - 1,000 queued visits synced: round trips and time (≤ 2, ≤ 1 s);
//! - a pull of 5,000 cases with their visits and timelines: bytes on the
//!   wire with brotli and gzip (budget ≤ 1 MB) and time.
//!
//! Prints a human table and one `BENCH<TAB>name<TAB>db<TAB>value<TAB>unit<TAB>budget<TAB>ok`
//! line per figure, which `scripts/bench` collects into docs/benchmarks.md.
//! Run: `cargo run --release -p backend --example server_bench`.

use backend::{app, workflow::demo, ApiContext};
use serde_json::{json, Value};
use sqlx::Connection;
use std::io::Read;
use std::time::Instant;

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next_u64() % xs.len() as u64) as usize]
    }
}

fn uuid(n: u64) -> String {
    let p = u64::from(std::process::id());
    format!("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", p as u32, (n >> 36) & 0xffff, n & 0xfff, (n >> 12) & 0xfff, n)
}

/// One figure of the table.
fn report(name: &str, db: &str, value: f64, unit: &str, budget: &str, ok: bool) {
    let shown = if value >= 100.0 { format!("{value:.0}") } else { format!("{value:.2}") };
    println!("  {name:<44} {db:<11} {shown:>10} {unit:<14} {budget:<12} {}", if ok { "ok" } else { "MISSED" });
    println!("BENCH\t{name}\t{db}\t{shown}\t{unit}\t{budget}\t{}", if ok { "ok" } else { "MISSED" });
}

struct Session {
    base: String,
    c: reqwest::Client,
}

impl Session {
    async fn push(&self, client: &str, muts: &[Value]) -> anyhow::Result<Vec<Value>> {
        let r: Value = self
            .c
            .post(format!("{}/api/sync/push", self.base))
            .json(&json!({"client_id": client, "mutations": muts}))
            .send()
            .await?
            .json()
            .await?;
        let results = r["results"].as_array().cloned().unwrap_or_default();
        anyhow::ensure!(results.len() == muts.len() && results.iter().all(|x| x["status"] == "applied"), "{r}");
        Ok(results)
    }
}

fn visit(id: u64, case_id: i64, note: String) -> Value {
    json!({"kind": "add_visit", "visit": {"id": uuid(id), "case_id": case_id, "visited_at": "2026-11-20T09:30", "method": "phone", "note": note}})
}

async fn run(db_label: &str, url: &str) -> anyhow::Result<bool> {
    let db = backend::startup::connect(url).await?;
    let today = shared::time::china_today(chrono::Utc::now());
    demo::load_if_empty(&db, today).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let dir = std::env::temp_dir().join(format!("dbt-server-bench-{}", std::process::id()));
    let router = app(ApiContext::new(db.clone(), dir), std::env::temp_dir());
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await
    });
    let base = format!("http://{addr}");
    let c = reqwest::Client::builder().cookie_store(true).build()?;
    let me: Value = c
        .post(format!("{base}/api/login"))
        .json(&json!({"username": "wangge1", "password": demo::DEMO_PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    let s = Session { base: base.clone(), c };
    let cases: Vec<Value> = s.c.get(format!("{base}/api/cases")).send().await?.json().await?;
    let case_id = cases
        .iter()
        .find(|k| k["stage"] == "handling" && k["agent_name"] == "巴特尔")
        .and_then(|k| k["id"].as_i64())
        .expect("a handling case");
    let mut all_ok = true;
    let mut next_id = 1u64;
    let mut pushed = 0i64;

    // Push throughput by batch size.
    for (batch, total) in [(1usize, 300usize), (100, 3000), (500, 5000)] {
        let client = uuid(next_id << 20);
        let started = Instant::now();
        let mut id = 0u64;
        while (id as usize) < total {
            let muts: Vec<Value> = (0..batch)
                .map(|_| {
                    id += 1;
                    next_id += 1;
                    json!({"id": id, "change": visit(next_id, case_id, format!("批量同步测试 {next_id}"))})
                })
                .collect();
            s.push(&client, &muts).await?;
        }
        pushed += total as i64;
        let rate = total as f64 / started.elapsed().as_secs_f64();
        let (budget, ok) = if batch == 500 { ("≥ 5000", rate >= 5000.0) } else { ("", true) };
        all_ok &= ok;
        report(&format!("push, batches of {batch}"), db_label, rate, "mutations/s", budget, ok);
    }

    // 1,000 visits queued offline, synced as the phone does (batches of MAX_PUSH_BATCH).
    let client = uuid(next_id << 20);
    let queued: Vec<Value> = (1..=1000u64)
        .map(|i| {
            next_id += 1;
            json!({"id": i, "change": visit(next_id, case_id, format!("离线排队走访 {next_id}"))})
        })
        .collect();
    let started = Instant::now();
    let mut trips = 0;
    for part in queued.chunks(shared::sync::MAX_PUSH_BATCH) {
        s.push(&client, part).await?;
        trips += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    pushed += 1000;
    report("1,000 queued visits: round trips", db_label, f64::from(trips), "requests", "≤ 2", trips <= 2);
    report("1,000 queued visits: time", db_label, secs * 1000.0, "ms", "≤ 1000", secs <= 1.0);
    all_ok &= trips <= 2 && secs <= 1.0;

    // Exactly once, and the audit chain whole.
    use sqlx::Row;
    let stored: i64 =
        sqlx::query("SELECT COUNT(*) FROM visits WHERE note LIKE '批量同步测试%' OR note LIKE '离线排队走访%'")
            .fetch_one(&db.pool)
            .await?
            .try_get(0)?;
    anyhow::ensure!(stored == pushed, "every visit stored exactly once: {stored} of {pushed}");

    // 5,000 cases registered at the doorstep and screened to this agent, a visit each.
    let mut rng = Rng(15);
    let (surnames, given) = (
        ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "巴特", "其其", "乌日", "那仁", "苏和"],
        ["秀兰", "建国", "桂芳", "图雅", "额尔敦", "格日勒", "明", "海", "宝音", "斯琴", "玉梅", "志强"],
    );
    let topics = [
        "草场边界纠纷，邻户围栏占用",
        "低保资格认定有异议",
        "征地补偿款未足额发放",
        "饮水井损坏无人维修",
        "医疗报销比例不符合政策",
        "拖欠务工工资",
        "宅基地确权登记延误",
        "禁牧补贴发放不及时",
        "道路硬化施工损坏农田",
        "子女入学户籍问题",
    ];
    let me_id = me["id"].as_i64().unwrap_or_default();
    let unit_id = me["unit_id"].as_i64().unwrap_or_default();
    let client = uuid(next_id << 20);
    let mut mid = 0u64;
    let mut refs = Vec::new();
    let mut muts = Vec::new();
    for i in 0..5000u64 {
        let client_ref = uuid(0x7000_0000 + i);
        let name = format!("{}{}", rng.pick(&surnames), rng.pick(&given));
        let phone = format!("13{}{:08}", 5 + rng.next_u64() % 5, rng.next_u64() % 100_000_000);
        let summary = format!(
            "{}，第{}组{}户反映，涉及约{}亩，已多次协商未果，请求{}。",
            rng.pick(&topics),
            1 + rng.next_u64() % 9,
            1 + rng.next_u64() % 60,
            1 + rng.next_u64() % 300,
            rng.pick(&["协调解决", "依法处理", "尽快答复", "重新核查"])
        );
        mid += 1;
        muts.push(json!({"id": mid, "change": {"kind": "create_case", "case": {
            "client_ref": client_ref, "unit_id": unit_id, "citizen_name": name, "phone": phone,
            "address": format!("乌兰布和嘎查{}组", 1 + rng.next_u64() % 9), "summary": summary,
            "channel": "visit", "source": "screening", "level": "village", "category": "herding", "received_on": today.to_string()}}}));
        mid += 1;
        muts.push(json!({"id": mid, "change": {"kind": "command_on_new", "client_ref": client_ref, "command": {
            "kind": "screen", "outcome": {"kind": "accept_agency", "agent_chosen_by_citizen": false}, "agent_id": me_id, "note": "排查发现，群众同意代办"}}}));
        refs.push(client_ref);
        if muts.len() == 500 {
            s.push(&client, &muts).await?;
            muts.clear();
        }
    }
    let ids: std::collections::HashMap<String, i64> =
        sqlx::query("SELECT client_ref, id FROM cases WHERE client_ref IS NOT NULL")
            .fetch_all(&db.pool)
            .await?
            .iter()
            .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1)))
            .collect();
    for r in &refs {
        mid += 1;
        next_id += 1;
        let note = format!("入户走访，{}，群众情绪稳定，约定{}日内答复。", rng.pick(&topics), 3 + rng.next_u64() % 10);
        muts.push(json!({"id": mid, "change": visit(next_id, ids[r], note)}));
        if muts.len() == 500 {
            s.push(&client, &muts).await?;
            muts.clear();
        }
    }

    // Pull it all on a fresh phone: brotli (and gzip), page by page.
    let phone = reqwest::Client::builder().cookie_store(true).build()?;
    phone
        .post(format!("{base}/api/login"))
        .json(&json!({"username": "wangge1", "password": demo::DEMO_PASSWORD}))
        .send()
        .await?;
    let started = Instant::now();
    let (mut cursor, mut cursors, mut br_bytes, mut raw_bytes, mut pulled_cases, mut pulled_visits) =
        (0i64, Vec::new(), 0usize, 0usize, 0usize, 0usize);
    loop {
        cursors.push(cursor);
        let r =
            phone.get(format!("{base}/api/sync/pull?cursor={cursor}")).header("accept-encoding", "br").send().await?;
        anyhow::ensure!(r.headers().get("content-encoding").is_some_and(|v| v == "br"), "pull is brotli");
        let body = r.bytes().await?;
        br_bytes += body.len();
        let mut json_text = Vec::new();
        brotli_decompressor::Decompressor::new(&body[..], 4096).read_to_end(&mut json_text)?;
        raw_bytes += json_text.len();
        let page: Value = serde_json::from_slice(&json_text)?;
        pulled_cases += page["cases"].as_array().map_or(0, Vec::len);
        pulled_visits += page["visits"].as_array().map_or(0, Vec::len);
        cursor = page["cursor"].as_i64().unwrap_or_default();
        if page["has_more"] != true {
            break;
        }
    }
    let pull_secs = started.elapsed().as_secs_f64();
    let mut gz_bytes = 0;
    for k in &cursors {
        let r = phone.get(format!("{base}/api/sync/pull?cursor={k}")).header("accept-encoding", "gzip").send().await?;
        gz_bytes += r.bytes().await?.len();
    }
    anyhow::ensure!(pulled_cases >= 5000 && pulled_visits >= 5000, "{pulled_cases} cases, {pulled_visits} visits");
    let mb = |b: usize| b as f64 / 1_000_000.0;
    let label = format!("pull {pulled_cases} cases + {pulled_visits} visits");
    report(&format!("{label}: JSON"), db_label, mb(raw_bytes), "MB", "", true);
    report(&format!("{label}: brotli"), db_label, mb(br_bytes), "MB on wire", "≤ 1", br_bytes <= 1_000_000);
    report(&format!("{label}: gzip"), db_label, mb(gz_bytes), "MB on wire", "≤ 1", gz_bytes <= 1_000_000);
    report(&format!("{label}: time ({} pages)", cursors.len()), db_label, pull_secs * 1000.0, "ms", "", true);
    all_ok &= br_bytes <= 1_000_000 && gz_bytes <= 1_000_000;

    let audit = backend::db::audit::verify(&db.pool).await?;
    anyhow::ensure!(audit.ok, "audit chain: {}", audit.message);
    db.pool.close().await;
    Ok(all_ok)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    println!("  {:<44} {:<11} {:>10} {:<14} {:<12} result", "figure", "database", "value", "unit", "budget");
    let file = std::env::temp_dir().join(format!("dbt-server-bench-{}.db", std::process::id()));
    let mut ok = run("SQLite", &format!("sqlite://{}?mode=rwc", file.display())).await?;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let admin = std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    match sqlx::PgConnection::connect(&admin).await {
        Ok(mut conn) => {
            let name = format!("dbt_server_bench_{}", std::process::id());
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await?;
            let url = format!("{}/{name}", admin.rsplit_once('/').map_or(admin.as_str(), |(r, _)| r));
            let result = run("PostgreSQL", &url).await;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&mut conn)
                .await?;
            ok &= result?;
        }
        Err(e) => println!("  PostgreSQL skipped: {e}"),
    }
    if !ok {
        anyhow::bail!("a server budget was missed");
    }
    Ok(())
}
