//! `daibantong`: runs the 代办通 server.

use backend::workflow::demo;
use backend::{app, startup, ApiContext};
use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "daibantong", about = "代办通 信访代办服务器")]
struct Config {
    /// Database URL: `sqlite://data/daibantong.db?mode=rwc` (default, embedded)
    /// or `postgres://user@host/db`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/daibantong.db?mode=rwc")]
    database_url: String,

    /// Address to listen on.
    #[arg(long, env = "DAIBANTONG_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,

    /// Folder of the built front end (Trunk's `dist`).
    #[arg(long, env = "DAIBANTONG_DIST", default_value = "dist")]
    dist: PathBuf,

    /// Folder for files (attachments).
    #[arg(long, env = "DAIBANTONG_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,

    /// Load the demo organisation, accounts and cases into an empty database.
    #[arg(long, env = "DAIBANTONG_DEMO")]
    demo: bool,

    /// Database connections in the pool (default: 4 for SQLite, 16 for
    /// PostgreSQL).
    #[arg(long, env = "DAIBANTONG_DB_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..=1000))]
    db_connections: Option<u32>,

    /// Seconds a request waits for a free database connection before it
    /// fails.
    #[arg(long, env = "DAIBANTONG_DB_ACQUIRE_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    db_acquire_timeout: u64,

    /// Seconds between runs of the overdue job (0: never).
    #[arg(long, env = "DAIBANTONG_OVERDUE_INTERVAL", default_value_t = 3600)]
    overdue_interval: u64,

    /// Log format: `text` for people, `json` for log collectors (one object per line).
    #[arg(long, env = "DAIBANTONG_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    log_format: String,

    /// Another origin (`https://host[:port]`) allowed to send changes, e.g.
    /// the public address in front of a proxy. Repeat for several.
    #[arg(long = "allowed-origin", env = "DAIBANTONG_ALLOWED_ORIGINS", value_delimiter = ',')]
    allowed_origins: Vec<String>,

    /// Behind a reverse proxy: trust X-Forwarded-For/-Proto/-Host.
    #[arg(long, env = "DAIBANTONG_TRUST_PROXY")]
    trust_proxy: bool,

    /// Served over HTTPS: mark the session cookie Secure (also set
    /// automatically when a trusted proxy says X-Forwarded-Proto: https).
    #[arg(long, env = "DAIBANTONG_SECURE_COOKIES")]
    secure_cookies: bool,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Serve the app (the default).
    Serve,
    /// Check the audit log's hash chain and print the first broken link.
    VerifyAudit,
    /// Run the overdue job once and print what it did.
    RunOverdue,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    if config.log_format == "json" {
        tracing_subscriber::fmt().json().with_env_filter(filter).init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }

    let connections =
        config.db_connections.unwrap_or_else(|| backend::db::Db::default_connections(&config.database_url));
    let wait = std::time::Duration::from_secs(config.db_acquire_timeout);
    let db = startup::connect_with(&config.database_url, connections, wait).await?;
    match config.command {
        Some(Command::VerifyAudit) => {
            backend::db::audit::seal_reads(&db).await?;
            let v = backend::db::audit::verify(&db.pool).await?;
            println!("{}", v.message);
            std::process::exit(if v.ok { 0 } else { 1 });
        }
        Some(Command::RunOverdue) => {
            let today = shared::time::china_today(chrono::Utc::now());
            let r = backend::workflow::overdue::run_once(&db, today).await.map_err(|e| anyhow::anyhow!("{}", e.0))?;
            println!("催办 {} 件，其中建议上报 {} 件", r.urged, r.escalation_warnings);
            return Ok(());
        }
        Some(Command::Serve) | None => {}
    }
    if config.demo {
        let today = shared::time::china_today(chrono::Utc::now());
        if demo::load_if_empty(&db, today).await? {
            tracing::info!("demo data loaded");
        }
    }
    if !config.dist.join("index.html").exists() {
        tracing::warn!(dist = %config.dist.display(), "front end not built: only the API is served");
    }
    startup::spawn_jobs(&db, std::time::Duration::from_secs(config.overdue_interval));
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    println!("代办通 is running: http://{}/", config.listen);
    if config.demo {
        println!("Demo logins (password {}):", demo::DEMO_PASSWORD);
        for (username, name, role, ..) in demo::DEMO_USERS {
            let label = shared::org::Role::parse(role).map_or("", |r| r.label());
            println!("  {username:<8} {name} ({label})");
        }
    }
    let security = backend::api::security::SecurityConfig {
        allowed_origins: config.allowed_origins,
        trust_proxy: config.trust_proxy,
        secure_cookies: config.secure_cookies,
    };
    let router = app(ApiContext::new(db, config.data_dir).with_security(security), config.dist);
    // The peer address reaches handlers (sign-in throttling per source).
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
