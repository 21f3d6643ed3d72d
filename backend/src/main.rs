//! `daibantong`: runs the 代办通 server.

use backend::{app, db::Db, demo, ApiContext};
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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .init();
    let config = Config::parse();
    let db = Db::connect(&config.database_url).await?;
    if config.demo {
        let today = shared::time::china_today(chrono::Utc::now());
        if demo::load_if_empty(&db, today).await? {
            tracing::info!("demo data loaded");
        }
    }
    if !config.dist.join("index.html").exists() {
        tracing::warn!(dist = %config.dist.display(), "front end not built: only the API is served");
    }
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    println!("代办通 is running: http://{}/", config.listen);
    if config.demo {
        println!("Demo logins (password {}):", demo::DEMO_PASSWORD);
        for (username, name, role, ..) in demo::DEMO_USERS {
            let label = shared::org::Role::parse(role).map_or("", |r| r.label());
            println!("  {username:<8} {name} ({label})");
        }
    }
    axum::serve(listener, app(ApiContext { db, data_dir: config.data_dir }, config.dist))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
