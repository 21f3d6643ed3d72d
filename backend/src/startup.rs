//! Starting the server: connect and migrate, the backfills older versions
//! need, the caches loaded from the database, and the background jobs.

use crate::db::Db;

/// Connects to `url`, applies pending migrations, fills in what older
/// versions left unset (query codes, the statistics counters) and loads the
/// working-day calendar. Everything that serves requests starts with this.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    prepare(Db::connect(url).await?).await
}

/// [`connect`] with a pool of `max_connections`, each wait for a connection
/// at most `acquire_timeout` (see [`Db::connect_with`]).
pub async fn connect_with(url: &str, max_connections: u32, acquire_timeout: std::time::Duration) -> anyhow::Result<Db> {
    prepare(Db::connect_with(url, max_connections, acquire_timeout).await?).await
}

async fn prepare(db: Db) -> anyhow::Result<Db> {
    crate::workflow::upkeep::backfill_query_codes(&db).await?;
    crate::workflow::counters::ensure_built(&db).await.map_err(|e| anyhow::anyhow!("{}", e.0.message))?;
    crate::db::calendar::load(&db.pool).await.map_err(|e| anyhow::anyhow!("{}", e.0.message))?;
    Ok(db)
}

/// Starts the background jobs: the overdue job every `overdue_every` (none
/// when zero) and the sealing of reads into the audit chain every 2 s.
pub fn spawn_jobs(db: &Db, overdue_every: std::time::Duration) {
    if !overdue_every.is_zero() {
        crate::workflow::overdue::spawn(db.clone(), overdue_every);
    }
    // Reads of private data are chained within seconds (audit::seal_reads).
    spawn_sealer(db.clone(), std::time::Duration::from_secs(2));
}

/// Seals reads every `every` in the background.
pub fn spawn_sealer(db: Db, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = crate::db::audit::seal_reads(&db).await {
                tracing::warn!(error = %e, "sealing read events failed");
            }
        }
    });
}
