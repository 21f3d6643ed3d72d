//! Statistics at a league's volume (issue 12): a league of 5 banners × 8
//! townships × 10 villages (plus the demo's units) with `cases` matters
//! received over 3 years, in every state; the aggregates built from them
//! with the same rule the write path uses (`shared::stats::contributions`
//! through `backend::stats::add_contributions`). Then, over loopback HTTP
//! as the banner centre (median of 15): the banner dashboard (figures,
//! trend, township ranking, mixes, due counts) for a year and for 3 years,
//! the league's, a township's, and the drill-down's first page for a
//! township and for the banner. Budget 100 ms each.
//! Run: `cargo run --release -p backend --example stats_bench [sqlite_cases] [pg_cases]`
//! (defaults 100,000 and 1,000,000; 0 skips that database).

use backend::db::Db;
use backend::{app, demo, ApiContext};
use chrono::{Duration, NaiveDate};
use serde_json::json;
use shared::case::{Channel, Source};
use shared::lifecycle::{CaseEvent, HandlingLevel, Lifecycle, NoticeForm, Opinion, ScreeningOutcome};
use shared::routing::ContentCategory;
use shared::stats::{keys_text, CaseFacts};
use sqlx::{Connection, Row};
use std::time::Instant;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// The states a matter may be in, reached through the real state machine.
fn lifecycles() -> (Vec<Lifecycle>, Vec<Lifecycle>) {
    use CaseEvent::*;
    let accept = Screen { outcome: ScreeningOutcome::AcceptAgency { agent_chosen_by_citizen: false } };
    let close = |o| Close { notice: NoticeForm::Oral, opinion: o };
    let runs: Vec<(bool, Vec<CaseEvent>)> = vec![
        (true, vec![]),
        (true, vec![accept.clone()]),
        (false, vec![Screen { outcome: ScreeningOutcome::DirectAnswer }]),
        (false, vec![Screen { outcome: ScreeningOutcome::CitizenDeclined }]),
        (false, vec![accept.clone(), close(Opinion::Satisfied)]),
        (false, vec![accept.clone(), close(Opinion::FairlySatisfied), FollowUp { resolved: true }]),
        (false, vec![accept.clone(), close(Opinion::Satisfied), FollowUp { resolved: true }, Archive]),
        (false, vec![accept.clone(), close(Opinion::Understanding), FollowUp { resolved: false }]),
        (false, vec![accept.clone(), close(Opinion::Dissatisfied)]),
        (
            false,
            vec![
                accept.clone(),
                close(Opinion::Dissatisfied),
                RequestReview,
                ReviewDecided { claim_reasonable: false },
            ],
        ),
    ];
    let (mut open, mut done) = (Vec::new(), Vec::new());
    for (is_open, events) in runs {
        let l = events.iter().fold(Lifecycle::new(HandlingLevel::Village), |l, e| l.apply(e).expect("a valid run"));
        if is_open {
            open.push(l);
        } else {
            done.push(l);
        }
    }
    (open, done)
}

/// 4 more banners beside the demo's, 8 more townships × 10 villages in
/// each banner. Returns the villages (id, path).
async fn grow_units(db: &Db) -> anyhow::Result<Vec<(i64, String)>> {
    let league: (i64, String) = {
        let r = sqlx::query("SELECT id, path FROM units WHERE kind = 'league'").fetch_one(&db.pool).await?;
        (r.try_get(0)?, r.try_get(1)?)
    };
    let mut banners = vec![{
        let r = sqlx::query("SELECT id, path FROM units WHERE kind = 'banner'").fetch_one(&db.pool).await?;
        (r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?)
    }];
    async fn unit(db: &Db, parent: &(i64, String), kind: &str, name: String) -> anyhow::Result<(i64, String)> {
        let id: i64 =
            sqlx::query("INSERT INTO units (parent_id, kind, name, path) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(parent.0)
                .bind(kind)
                .bind(&name)
                .bind(format!("{}?{name}", parent.1))
                .fetch_one(&db.pool)
                .await?
                .try_get(0)?;
        let path = format!("{}{id}/", parent.1);
        sqlx::query("UPDATE units SET path = $1 WHERE id = $2").bind(&path).bind(id).execute(&db.pool).await?;
        Ok((id, path))
    }
    for b in 1..=4 {
        banners.push(unit(db, &league, "banner", format!("测试旗{b}")).await?);
    }
    let mut villages = Vec::new();
    for (bi, banner) in banners.iter().enumerate() {
        for t in 1..=8 {
            let town = unit(db, banner, "township", format!("测试苏木{bi}-{t}")).await?;
            for v in 1..=10 {
                villages.push(unit(db, &town, "village", format!("测试嘎查{bi}-{t}-{v}")).await?);
            }
        }
    }
    Ok(villages)
}

/// Inserts `n` matters and builds their aggregates with the shared rule.
async fn grow_cases(db: &Db, n: usize, villages: &[(i64, String)], today: NaiveDate) -> anyhow::Result<()> {
    let (open, done) = lifecycles();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut counters = backend::stats::Counters::new();
    let cats: Vec<Option<ContentCategory>> =
        ContentCategory::ALL.iter().copied().map(Some).chain([None, None, None]).collect();
    let mut tx = db.begin_write().await?;
    const ROWS: usize = 100;
    const COLS: usize = 21;
    let mut i = 0;
    while i < n {
        let chunk = (n - i).min(ROWS);
        let mut sql = String::from(
            "INSERT INTO cases (number, unit_id, citizen_name, summary, stage, level, channel, accepted_on, due_on, rev, \
             created_at, status, lifecycle, handling_level, source, category, unit_path, stat_keys, screened_in_time, \
             closed_in_time, quality_passed) VALUES ",
        );
        for r in 0..chunk {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..COLS {
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${}", r * COLS + c + 1));
            }
            sql.push(')');
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for _ in 0..chunk {
            let (unit_id, path) = &villages[rng.below(villages.len() as u64) as usize];
            let age = rng.below(3 * 365) as i64;
            let accepted_on = today - Duration::days(age);
            // Older matters are mostly done; the last two months hold the open ones.
            let lifecycle = if age < 60 && rng.chance(40) {
                open[rng.below(open.len() as u64) as usize].clone()
            } else {
                done[rng.below(done.len() as u64) as usize].clone()
            };
            let agency = shared::stats::is_agency(&lifecycle);
            let closed = agency && lifecycle.is_closed();
            let f = CaseFacts {
                unit_path: path.clone(),
                accepted_on,
                channel: Channel::ALL[rng.below(4) as usize],
                source: Source::ALL[rng.below(Source::ALL.len() as u64) as usize],
                category: cats[rng.below(cats.len() as u64) as usize],
                due_on: accepted_on + Duration::days(7 + rng.below(14) as i64),
                screened_in_time: (lifecycle.status != shared::lifecycle::CaseStatus::Screening)
                    .then(|| rng.chance(95)),
                closed_in_time: closed.then(|| rng.chance(85)),
                quality: (closed && rng.chance(10)).then(|| rng.chance(92)),
                // The bench writes no citizen_opinions rows: nobody rated.
                citizen_rated: false,
                departments: vec![],
                lifecycle,
            };
            backend::stats::add_contributions(&mut counters, &f);
            q = q
                .bind(format!("BENCH-{i:08}"))
                .bind(*unit_id)
                .bind(format!("测试信访人{}", i % 9973))
                .bind("草场补助款未按时发放，请求核实")
                .bind(f.lifecycle.stage().as_str())
                .bind("village")
                .bind(f.channel.as_str())
                .bind(f.accepted_on.to_string())
                .bind(f.due_on.to_string())
                .bind(0_i64)
                .bind("2026-01-01T00:00:00Z")
                .bind(f.lifecycle.status.as_str())
                .bind(serde_json::to_string(&f.lifecycle)?)
                .bind("village")
                .bind(f.source.as_str())
                .bind(f.category.map(|c| c.as_str()))
                .bind(&f.unit_path)
                .bind(keys_text(&f))
                .bind(f.screened_in_time.map(i64::from))
                .bind(f.closed_in_time.map(i64::from))
                .bind(f.quality.map(i64::from));
            i += 1;
        }
        q.execute(&mut *tx).await?;
    }
    // The demo's matters were counted at start-up; add the bench's to them.
    for (k, n) in backend::stats::stored(&mut tx).await.map_err(|e| anyhow::anyhow!("{}", e.0.message))? {
        *counters.entry(k).or_default() += n;
    }
    backend::stats::write_all(&mut tx, &counters).await.map_err(|e| anyhow::anyhow!("{}", e.0.message))?;
    // The drill-down's members, from the cases as written (ids known now).
    backend::stats::rebuild_members(&mut tx).await.map_err(|e| anyhow::anyhow!("{}", e.0.message))?;
    tx.commit().await?;
    Ok(())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

async fn run(label: &str, url: &str, n: usize) -> anyhow::Result<bool> {
    let db = Db::connect(url).await?;
    let today = shared::time::china_today(chrono::Utc::now());
    demo::load_if_empty(&db, today).await?;
    let t = Instant::now();
    let villages = grow_units(&db).await?;
    grow_cases(&db, n, &villages, today).await?;
    sqlx::query("ANALYZE").execute(&db.pool).await?;
    let rows: i64 = sqlx::query("SELECT COUNT(*) FROM case_stats").fetch_one(&db.pool).await?.try_get(0)?;
    println!("{label}: {n} cases added, {rows} counter rows, in {:.1} s", t.elapsed().as_secs_f64());
    let id = |sql: &'static str| {
        let pool = db.pool.clone();
        async move { sqlx::query(sql).fetch_one(&pool).await?.try_get::<i64, _>(0) }
    };
    let banner = id("SELECT id FROM units WHERE name = '阿拉善左旗'").await?;
    let league = id("SELECT id FROM units WHERE kind = 'league'").await?;
    let township = id("SELECT MIN(id) FROM units WHERE name LIKE '测试苏木0-%'").await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let dir = std::env::temp_dir().join(format!("dbt-stats-bench-{}", std::process::id()));
    let router = app(ApiContext::new(db.clone(), dir), std::env::temp_dir());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let base = format!("http://{addr}");
    let login = |user: &'static str| {
        let base = base.clone();
        async move {
            let c = reqwest::Client::builder().cookie_store(true).build()?;
            c.post(format!("{base}/api/login"))
                .json(&json!({"username": user, "password": demo::DEMO_PASSWORD}))
                .send()
                .await?;
            anyhow::Ok(c)
        }
    };
    let centre = login("qi1").await?;
    let bureau = login("meng1").await?;
    let year = format!("from={}-01&to={}", &today.to_string()[..4], shared::stats::month_of(today));
    let three = format!(
        "from={}&to={}",
        shared::stats::month_of(today - Duration::days(3 * 365)),
        shared::stats::month_of(today)
    );
    // The drill-down's period as the desk sends it (frontend route.rs): the
    // figure's whole months, this year up to the end of this month.
    let (d0, d1) =
        shared::stats::MonthRange::parse(&format!("{}-01", &today.to_string()[..4]), &shared::stats::month_of(today))
            .map_err(|e| anyhow::anyhow!("{}", e.message))?
            .days();
    let mut ok = true;
    for (what, c, path) in [
        ("banner dashboard, this year", &centre, format!("/api/stats?unit_id={banner}&{year}")),
        ("banner dashboard, 3 years", &centre, format!("/api/stats?unit_id={banner}&{three}")),
        ("league dashboard (banners ranked)", &bureau, format!("/api/stats?unit_id={league}&{year}")),
        ("township dashboard", &centre, format!("/api/stats?unit_id={township}&{year}")),
        (
            "drill-down, township",
            &centre,
            format!("/api/desk/cases?stat=closed&unit_id={township}&from={d0}&to={d1}&limit=20"),
        ),
        (
            "drill-down, banner",
            &centre,
            format!("/api/desk/cases?stat=closed&unit_id={banner}&from={d0}&to={d1}&limit=20"),
        ),
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
        println!("{label:<11} {what:<34} median {m:>7.1} ms  budget 100 ms {}", if pass { "ok" } else { "MISSED" });
    }
    db.pool.close().await;
    Ok(ok)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let arg = |i: usize, d: usize| std::env::args().nth(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (lite, pg) = (arg(1, 100_000), arg(2, 1_000_000));
    let mut ok = true;
    if lite > 0 {
        let file = std::env::temp_dir().join(format!("dbt-stats-bench-{}.db", std::process::id()));
        ok &= run("SQLite", &format!("sqlite://{}?mode=rwc", file.display()), lite).await?;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
    }
    if pg > 0 {
        let admin =
            std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
            let name = format!("dbt_stats_bench_{}", std::process::id());
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await?;
            let url = format!("{}/{name}", admin.rsplit_once('/').map_or(admin.as_str(), |(r, _)| r));
            let r = run("PostgreSQL", &url, pg).await;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&mut conn)
                .await?;
            ok &= r?;
        } else {
            println!("PostgreSQL not reachable: skipped");
        }
    }
    if !ok {
        anyhow::bail!("a statistics read missed its 100 ms budget");
    }
    Ok(())
}
