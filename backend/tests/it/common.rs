//! Test harness: a real server on a random loopback port over a fresh
//! database — a temporary SQLite file, or a new PostgreSQL database created
//! for the test and dropped after it.
//!
//! PostgreSQL comes from `TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`). If it cannot be reached the
//! PostgreSQL variant of each test says it was skipped — except under
//! `CI=true`, where a missing PostgreSQL fails the test.
//!
//! All the modules of `tests/it` run in one process, in parallel. What is
//! process-wide — the working-day calendar (`backend::db::calendar::current`),
//! the global `tracing` subscriber — is shared, so tests take turns: each
//! test holds a shared turn while its server lives (taken by
//! [`TestApp::spawn`], given back when the app is finished or dropped), and a
//! test that changes or measures process-wide state runs [`alone`]: it waits
//! until no other test holds a turn and keeps the others waiting until it is
//! done. A test that starts a server without `TestApp::spawn` takes its turn
//! with [`beside_others`]. One `TestApp` at a time per test: a second shared
//! turn taken while an `alone` test waits would never come.

#![allow(dead_code)]

use backend::db::Db;
use backend::{app, workflow::demo, ApiContext};
use serde_json::Value;
use sqlx::Connection;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{RwLock, RwLockReadGuard};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The turns: shared by the tests that run side by side, taken whole by a
/// test that runs alone.
static TURNS: RwLock<()> = RwLock::const_new(());

tokio::task_local! {
    /// Set while a test runs `alone`: it holds every turn already.
    static ALONE: ();
}

/// Runs `test` with no other test running beside it: for a test that
/// changes process-wide state others read (the calendar) or measures
/// something process-wide (every SQL statement the process sends). The
/// turns are given back when `test` ends, also when it panics.
pub async fn alone<F: Future>(test: F) -> F::Output {
    let _all = TURNS.write().await;
    ALONE.scope((), test).await
}

/// Runs `test` beside the other tests, holding a shared turn: for a test
/// that starts a server or opens a database without [`TestApp::spawn`].
pub async fn beside_others<F: Future>(test: F) -> F::Output {
    let _turn = turn().await;
    test.await
}

/// A shared turn, or none inside [`alone`] (which holds them all).
async fn turn() -> Option<RwLockReadGuard<'static, ()>> {
    match ALONE.try_with(|_| ()) {
        Ok(()) => None,
        Err(_) => Some(TURNS.read().await),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub db: Db,
    /// The database's address, for tests that start more servers on it.
    pub db_url: String,
    pub data_dir: std::path::PathBuf,
    cleanup: Cleanup,
    /// This test's turn beside the others (see [`alone`]), held until the
    /// database is dropped.
    _turn: Option<RwLockReadGuard<'static, ()>>,
}

enum Cleanup {
    File(std::path::PathBuf),
    PgDatabase { admin_url: String, name: String },
}

fn admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let root = base.rsplit_once('/').map_or(base, |(r, _)| r);
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

impl TestApp {
    /// Starts a server with the demo data. `None` when PostgreSQL was asked
    /// for, is unreachable, and we are not in CI.
    pub async fn spawn(kind: Kind) -> Option<TestApp> {
        TestApp::spawn_with(kind, None).await
    }

    /// [`TestApp::spawn`] with a pool of `max_connections` whose waits for a
    /// connection end after `acquire_timeout`.
    pub async fn spawn_with_pool(
        kind: Kind,
        max_connections: u32,
        acquire_timeout: std::time::Duration,
    ) -> Option<TestApp> {
        TestApp::spawn_with(kind, Some((max_connections, acquire_timeout))).await
    }

    async fn spawn_with(kind: Kind, pool: Option<(u32, std::time::Duration)>) -> Option<TestApp> {
        let turn = turn().await;
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let pid = std::process::id();
        let (url, cleanup) = match kind {
            Kind::Sqlite => {
                let path = std::env::temp_dir().join(format!("dbt-test-{pid}-{n}.db"));
                let _ = std::fs::remove_file(&path);
                (format!("sqlite://{}?mode=rwc", path.display()), Cleanup::File(path))
            }
            Kind::Postgres => {
                let admin = admin_url();
                let mut conn = match sqlx::PgConnection::connect(&admin).await {
                    Ok(c) => c,
                    Err(e) => {
                        if std::env::var("CI").is_ok_and(|v| v == "true") {
                            panic!("PostgreSQL is required under CI=true but {admin} is unreachable: {e}");
                        }
                        eprintln!("SKIPPED (PostgreSQL unreachable at {admin}: {e})");
                        return None;
                    }
                };
                sweep_stale_databases(&mut conn).await;
                let name = format!("dbt_t_{pid}_{n}");
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}")))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
                (with_database(&admin, &name), Cleanup::PgDatabase { admin_url: admin, name })
            }
        };
        let db = match pool {
            None => backend::startup::connect(&url).await,
            Some((max, wait)) => backend::startup::connect_with(&url, max, wait).await,
        }
        .expect("connect test database");
        demo::load_if_empty(&db, shared::time::china_today(chrono::Utc::now())).await.expect("demo data");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let data_dir = std::env::temp_dir().join(format!("dbt-test-data-{pid}-{n}"));
        // Behind a "proxy" in tests: X-Forwarded-For stands for the client's
        // address, so per-source throttling can be tested from loopback.
        let security = backend::api::security::SecurityConfig { trust_proxy: true, ..Default::default() };
        let ctx = ApiContext::new(db.clone(), data_dir.clone()).with_security(security);
        let router = app(ctx, std::env::temp_dir().join("dbt-no-dist"));
        tokio::spawn(async move {
            axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap()
        });
        Some(TestApp { base: format!("http://{addr}"), db, db_url: url, data_dir, cleanup, _turn: turn })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A client with its own cookie jar, not signed in.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder().cookie_store(true).build().unwrap()
    }

    /// A client signed in as a demo user.
    pub async fn login(&self, username: &str) -> reqwest::Client {
        let c = self.client();
        let r = c
            .post(self.url("/api/login"))
            .json(&serde_json::json!({"username": username, "password": demo::DEMO_PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "login {username}");
        c
    }

    pub async fn get_json(&self, c: &reqwest::Client, path: &str) -> (u16, Value) {
        let r = c.get(self.url(path)).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post_json(&self, c: &reqwest::Client, path: &str, body: &Value) -> (u16, Value) {
        let r = c.post(self.url(path)).json(body).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Rows in a table, counted straight from the database.
    pub async fn count(&self, table: &str) -> i64 {
        use sqlx::Row;
        let sql = match table {
            "visits" => "SELECT COUNT(*) FROM visits",
            "applied_mutations" => "SELECT COUNT(*) FROM applied_mutations",
            "cases" => "SELECT COUNT(*) FROM cases",
            "audit_log" => "SELECT COUNT(*) FROM audit_log",
            "case_events" => "SELECT COUNT(*) FROM case_events",
            "attachments" => "SELECT COUNT(*) FROM attachments",
            "assessment_entries" => "SELECT COUNT(*) FROM assessment_entries",
            "contact_reads" => "SELECT COUNT(*) FROM read_events WHERE action IN ('contact.read', 'contact.sync')",
            other => panic!("no count query for {other}"),
        };
        sqlx::query(sql).fetch_one(&self.db.pool).await.unwrap().try_get(0).unwrap()
    }

    pub async fn finish(self) {
        self.db.pool.close().await;
        let _ = std::fs::remove_dir_all(&self.data_dir);
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::PgDatabase { admin_url, name } => {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                        .execute(&mut conn)
                        .await;
                }
            }
        }
    }
}

/// Drops test databases left by test processes that died (killed runs).
async fn sweep_stale_databases(conn: &mut sqlx::PgConnection) {
    use sqlx::Row;
    static SWEPT: std::sync::Once = std::sync::Once::new();
    let mut first = false;
    SWEPT.call_once(|| first = true);
    if !first {
        return;
    }
    let Ok(rows) =
        sqlx::query("SELECT datname FROM pg_database WHERE datname LIKE 'dbt_t_%'").fetch_all(&mut *conn).await
    else {
        return;
    };
    for row in rows {
        let Ok(name) = row.try_get::<String, _>(0) else { continue };
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
        if !alive && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&mut *conn)
                .await;
        }
    }
}

/// Runs an async test body against both databases:
/// `both!(name)` makes `name::sqlite` and `name::postgres` from `async fn name(&TestApp)`.
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = TestApp::spawn(Kind::Sqlite).await.expect("sqlite");
                super::$name(&app).await;
                app.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = TestApp::spawn(Kind::Postgres).await {
                    super::$name(&app).await;
                    app.finish().await;
                }
            }
        }
    };
}

/// A new random-looking UUID text for device-made ids.
pub fn uuid(n: u64) -> String {
    let pid = std::process::id() as u64;
    let x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (pid << 20);
    format!("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", (x >> 32) as u32, (x >> 16) & 0xffff, x & 0xfff, n & 0xfff, n)
}
