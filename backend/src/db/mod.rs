//! Database access for both back ends through sqlx's `Any` driver.
//!
//! One query text serves SQLite and PostgreSQL: parameters are written `$1`,
//! `$2`, … (both accept them), integers are 64-bit, dates and times are ISO
//! text. Only the schema differs (identity columns), so each back end has its
//! own numbered migrations under `migrations/<backend>/`.

pub mod assessment;
pub mod assessment_letters;
pub mod attachments;
pub mod audit;
pub mod bulletin;
pub mod calendar;
pub mod files;
pub mod org;
pub mod public;
pub mod records;
pub mod reward;
pub mod reward_batch;
pub mod reward_flags;
pub mod scope;
pub mod session;
pub mod stats;
pub mod text;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The connection pool and which back end it talks to.
#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// One connection, for handlers that read on a write's connection.
pub type Conn = sqlx::AnyConnection;

impl Db {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://…`) and
    /// applies pending migrations. The server starts with
    /// `startup::connect`, which also runs the backfills and loads caches.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        Db::connect_with(url, Db::default_connections(url), Duration::from_secs(10)).await
    }

    /// The pool's size unless told otherwise: 4 for SQLite (one writer at a
    /// time anyway), 16 for PostgreSQL.
    pub fn default_connections(url: &str) -> u32 {
        if url.starts_with("sqlite:") {
            4
        } else {
            16
        }
    }

    /// [`Db::connect`] with a pool of `max_connections` whose requests for a
    /// connection wait at most `acquire_timeout`. Tests run a server with one
    /// connection: a handler that holds a write and asks the pool for a
    /// second connection then fails at once instead of waiting under load.
    pub async fn connect_with(url: &str, max_connections: u32, acquire_timeout: Duration) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            anyhow::bail!("不支持的数据库地址（应以 sqlite: 或 postgres: 开头）: {url}");
        };
        if backend == Backend::Sqlite {
            if let Some(path) = sqlite_file(url) {
                if let Some(dir) = std::path::Path::new(&path).parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir)?;
                    }
                }
            }
        }
        let opts = AnyPoolOptions::new().max_connections(max_connections.max(1)).acquire_timeout(acquire_timeout);
        let opts = if backend == Backend::Sqlite {
            opts.after_connect(|conn, _| {
                Box::pin(async move {
                    use sqlx::Executor;
                    // WAL lets readers proceed while a writer commits;
                    // busy_timeout makes writers queue instead of failing.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    Ok(())
                })
            })
        } else {
            opts
        };
        let pool = opts.connect(url).await?;
        let db = Db { pool, backend };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> anyhow::Result<()> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => sqlx::migrate!("migrations/postgres").run(&self.pool).await?,
        }
        Ok(())
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock
    /// at once (`BEGIN IMMEDIATE`): a deferred transaction that reads first
    /// and writes later can fail with SQLITE_BUSY instead of waiting.
    pub async fn begin_write(&self) -> sqlx::Result<Tx> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }
}

/// The tables whose rows [`Write::lock_rows`] locks.
#[derive(Debug, Clone, Copy)]
pub enum LockTable {
    Units,
    RewardBatches,
}

/// The next value of the change sequence, taken inside a write transaction.
/// The row lock it takes (PostgreSQL) or the write lock already held (SQLite)
/// means sequence numbers become visible in order.
pub async fn next_change_seq(tx: &mut Tx) -> sqlx::Result<i64> {
    let row: AnyRow = sqlx::query("UPDATE counters SET value = value + 1 WHERE name = 'change_seq' RETURNING value")
        .fetch_one(&mut **tx)
        .await?;
    row.try_get::<i64, _>(0)
}

fn sqlite_file(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        None
    } else {
        Some(path.to_string())
    }
}

/// Current UTC time as stored in the database (RFC 3339, seconds).
pub fn now_text() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A write transaction that also carries the bookkeeping every change
/// needs — change sequence numbers, the audit chain's head, the revision of
/// cases whose records changed — and writes that bookkeeping once, at
/// commit, instead of once per change. A batch of 500 synced changes then
/// updates the counter, the audit head and each case's revision once, not
/// 500 times (on PostgreSQL, hundreds of updates of one row inside one
/// transaction each leave a row version the next must walk past).
///
/// Changes inside one `Write` can be undone one by one with [`Write::mark`]
/// and [`Write::undo_to`] (savepoints), so one refused change in a batch
/// leaves the others.
pub struct Write {
    tx: Tx,
    backend: Backend,
    /// Sequence numbers taken and not yet used: `next..=end`.
    seq_next: i64,
    seq_end: i64,
    /// How many numbers to take at once.
    seq_block: i64,
    /// The audit chain's head as this transaction has it (locked once read).
    pub(crate) audit_head: Option<String>,
    pub(crate) audit_dirty: bool,
    /// Audit rows chained but not yet inserted (one multi-row insert at commit).
    pub(crate) audit_rows: Vec<[Cell; 9]>,
    /// Cases whose records (visits, attachments) were added: the highest rev.
    touched: std::collections::BTreeMap<i64, i64>,
    savepoints: u32,
    /// Cases read for rules during this write, by (case, user), with when
    /// the case stopped being the user's: dropped when a command changes the
    /// case or a change is undone.
    cases: std::collections::HashMap<(i64, i64), (shared::case::CaseView, Option<chrono::NaiveDateTime>)>,
    /// Visits held back for multi-row inserts (see [`Write::defer_visits`]).
    visits: Option<Visits>,
}

/// Visits of a sync push, written together at the end of the part.
struct Visits {
    /// Ids looked up for the whole part in one query, with the case of
    /// those already stored.
    checked: std::collections::HashSet<String>,
    stored: std::collections::HashMap<String, i64>,
    /// Rows to insert, and their (id, case).
    rows: Vec<[Cell; 11]>,
    pending: std::collections::HashMap<String, i64>,
}

/// The columns of a visit row, for [`Write::defer_visit`].
pub const VISIT_COLUMNS: &str =
    "visits (id, case_id, visited_at, method, note, recorded_by, created_at, rev, lat_e6, lng_e6, accuracy_m)";

/// What [`Write::undo_to`] goes back to.
pub struct Mark {
    name: String,
    audit_rows: usize,
    audit_head: Option<String>,
    audit_dirty: bool,
    touched: std::collections::BTreeMap<i64, i64>,
    visit_rows: usize,
}

impl Write {
    /// Begins a write for about `changes` changes.
    pub async fn begin(db: &Db, changes: usize) -> sqlx::Result<Write> {
        Ok(Write {
            tx: db.begin_write().await?,
            backend: db.backend,
            seq_next: 1,
            seq_end: 0,
            seq_block: changes.clamp(1, 1000) as i64,
            audit_head: None,
            audit_dirty: false,
            audit_rows: Vec::new(),
            touched: Default::default(),
            savepoints: 0,
            cases: Default::default(),
            visits: None,
        })
    }

    /// The connection, for queries.
    pub fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// Locks the rows `ids` of `table` to commit, in id order, so that what
    /// this write reads next about them cannot change before it commits: a
    /// rule checked by counting (a letter still due, a batch's stage) then
    /// holds against concurrent requests. PostgreSQL: `SELECT … FOR NO KEY
    /// UPDATE` (each later statement sees what was committed before the lock
    /// came; rows that merely reference the locked one are not held up);
    /// SQLite: nothing, `BEGIN IMMEDIATE` already holds the one write lock.
    pub async fn lock_rows(&mut self, table: LockTable, ids: &[i64]) -> sqlx::Result<()> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let sql = match table {
            LockTable::Units => "SELECT id FROM units WHERE id = $1 FOR NO KEY UPDATE",
            LockTable::RewardBatches => "SELECT id FROM reward_batches WHERE id = $1 FOR NO KEY UPDATE",
        };
        for id in ids {
            sqlx::query(sql).bind(id).fetch_optional(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// [`Write::lock_rows`] of units.
    pub async fn lock_units(&mut self, ids: &[i64]) -> sqlx::Result<()> {
        self.lock_rows(LockTable::Units, ids).await
    }

    /// The next change sequence number. Numbers are taken from the counter
    /// in blocks; the counter's row lock, held to commit, serialises writers,
    /// so revisions become visible in order (a pull cursor never skips one).
    /// Numbers a refused change took are simply not used.
    pub async fn next_seq(&mut self) -> sqlx::Result<i64> {
        if self.seq_next > self.seq_end {
            let row: AnyRow =
                sqlx::query("UPDATE counters SET value = value + $1 WHERE name = 'change_seq' RETURNING value")
                    .bind(self.seq_block)
                    .fetch_one(&mut *self.tx)
                    .await?;
            self.seq_end = row.try_get::<i64, _>(0)?;
            self.seq_next = self.seq_end - self.seq_block + 1;
        }
        self.seq_next += 1;
        Ok(self.seq_next - 1)
    }

    /// A record of case `case` was added under `rev`: the case's own rev is
    /// raised at commit, so a pull delivers the record with its case.
    pub fn touch_case(&mut self, case: i64, rev: i64) {
        let r = self.touched.entry(case).or_insert(rev);
        *r = (*r).max(rev);
    }

    /// A case this write read for `user` before, if no command changed it since.
    pub fn cached_case(&self, case: i64, user: i64) -> Option<(shared::case::CaseView, Option<chrono::NaiveDateTime>)> {
        self.cases.get(&(case, user)).cloned()
    }

    pub fn cache_case(&mut self, user: i64, case: &shared::case::CaseView, mine_until: Option<chrono::NaiveDateTime>) {
        self.cases.insert((case.id, user), (case.clone(), mine_until));
    }

    /// The case changed: read it afresh next time.
    pub fn forget_case(&mut self, case: i64) {
        self.cases.retain(|(c, _), _| *c != case);
    }

    /// A point to go back to if the next change is refused.
    pub async fn mark(&mut self) -> sqlx::Result<Mark> {
        self.savepoints += 1;
        let name = format!("change_{}", self.savepoints);
        // Not kept as a prepared statement: each name is new, and dozens of
        // them would push the hot statements out of the statement cache.
        sqlx::query(sqlx::AssertSqlSafe(format!("SAVEPOINT {name}"))).persistent(false).execute(&mut *self.tx).await?;
        Ok(Mark {
            name,
            audit_rows: self.audit_rows.len(),
            audit_head: self.audit_head.clone(),
            audit_dirty: self.audit_dirty,
            touched: self.touched.clone(),
            visit_rows: self.visits.as_ref().map_or(0, |v| v.rows.len()),
        })
    }

    /// Undoes everything since `mark`.
    pub async fn undo_to(&mut self, mark: Mark) -> sqlx::Result<()> {
        sqlx::query(sqlx::AssertSqlSafe(format!("ROLLBACK TO SAVEPOINT {}", mark.name)))
            .persistent(false)
            .execute(&mut *self.tx)
            .await?;
        self.audit_head = mark.audit_head;
        self.audit_dirty = mark.audit_dirty;
        self.audit_rows.truncate(mark.audit_rows);
        self.touched = mark.touched;
        self.cases.clear();
        if let Some(v) = &mut self.visits {
            for row in v.rows.drain(mark.visit_rows..) {
                if let Cell::Text(Some(id)) = &row[0] {
                    v.pending.remove(id);
                }
            }
        }
        Ok(())
    }

    /// From now on, visits with these ids are held back and written by
    /// [`Write::flush_visits`] in multi-row inserts instead of one `INSERT`
    /// each: the ids already stored are looked up here, in one query per
    /// 500, so `workflow::add_visit` still knows a re-sent visit at once.
    pub async fn defer_visits(&mut self, ids: Vec<String>) -> sqlx::Result<()> {
        let mut stored = std::collections::HashMap::new();
        for chunk in ids.chunks(500) {
            let params = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
            // Lists of different lengths: not kept as prepared statements.
            let mut q =
                sqlx::query(sqlx::AssertSqlSafe(format!("SELECT id, case_id FROM visits WHERE id IN ({params})")))
                    .persistent(false);
            for id in chunk {
                q = q.bind(id);
            }
            for r in q.fetch_all(&mut *self.tx).await? {
                stored.insert(r.try_get::<String, _>("id")?, r.try_get::<i64, _>("case_id")?);
            }
        }
        self.visits =
            Some(Visits { checked: ids.into_iter().collect(), stored, rows: Vec::new(), pending: Default::default() });
        Ok(())
    }

    /// For a visit id looked up by [`Write::defer_visits`]: the case it is
    /// stored (or held back) under, if any. `None`: not looked up.
    pub fn deferred_visit(&self, id: &str) -> Option<Option<i64>> {
        let v = self.visits.as_ref()?;
        if !v.checked.contains(id) {
            return None;
        }
        Some(v.stored.get(id).or_else(|| v.pending.get(id)).copied())
    }

    /// Holds a visit row (`visits` columns in `VISIT_COLUMNS` order) back
    /// for [`Write::flush_visits`].
    pub fn defer_visit(&mut self, id: &str, case_id: i64, row: [Cell; 11]) {
        if let Some(v) = &mut self.visits {
            v.pending.insert(id.to_string(), case_id);
            v.rows.push(row);
        }
    }

    /// Writes the visits held back, 50 per `INSERT`. An error (data the
    /// database refuses, a visit stored meanwhile by another push) cannot
    /// be laid at one visit's door: the caller redoes the part one by one.
    pub async fn flush_visits(&mut self) -> sqlx::Result<()> {
        let Some(v) = &mut self.visits else { return Ok(()) };
        let rows = std::mem::take(&mut v.rows);
        v.pending.clear();
        insert_rows(&mut self.tx, VISIT_COLUMNS, &rows).await
    }

    /// Savepoints taken so far.
    pub fn savepoints(&self) -> u32 {
        self.savepoints
    }

    /// Whether the transaction still accepts statements after a statement
    /// failed. A failed statement is undone alone on SQLite; on PostgreSQL
    /// it leaves the whole transaction refusing everything until rollback.
    pub async fn usable(&mut self) -> bool {
        sqlx::query("SELECT 1").fetch_one(&mut *self.tx).await.is_ok()
    }

    /// Keeps what was done since `mark`. The savepoint is simply left in
    /// place (commit ends them all): releasing each would cost a round trip
    /// per change and gains nothing, since it is never rolled back to again.
    pub async fn keep(&mut self, mark: Mark) -> sqlx::Result<()> {
        drop(mark);
        Ok(())
    }

    /// Writes the bookkeeping and commits.
    pub async fn commit(mut self) -> sqlx::Result<()> {
        self.flush_visits().await?;
        for (case, rev) in std::mem::take(&mut self.touched) {
            sqlx::query("UPDATE cases SET rev = $1 WHERE id = $2 AND rev < $1")
                .bind(rev)
                .bind(case)
                .execute(&mut *self.tx)
                .await?;
        }
        let rows = std::mem::take(&mut self.audit_rows);
        insert_rows(
            &mut self.tx,
            "audit_log (at, actor_id, action, entity, entity_id, before, after, prev_hash, hash)",
            &rows,
        )
        .await?;
        if self.audit_dirty {
            if let Some(head) = &self.audit_head {
                sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
                    .bind(head)
                    .execute(&mut *self.tx)
                    .await?;
            }
        }
        self.tx.commit().await
    }
}

/// One value of a row for [`insert_rows`].
#[derive(Debug, Clone)]
pub enum Cell {
    Text(Option<String>),
    Int(Option<i64>),
}

/// Inserts rows into `table (columns)` with multi-row `INSERT`s, in order,
/// 50 rows per statement (PostgreSQL gains from fewer round trips; SQLite
/// slows down with parameter lists in the thousands).
pub async fn insert_rows<const N: usize>(
    conn: &mut sqlx::AnyConnection,
    table_and_columns: &str,
    rows: &[[Cell; N]],
) -> sqlx::Result<()> {
    for chunk in rows.chunks(50) {
        let mut sql = format!("INSERT INTO {table_and_columns} VALUES ");
        for r in 0..chunk.len() {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..N {
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${}", r * N + c + 1));
            }
            sql.push(')');
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            for v in row {
                q = match v {
                    Cell::Text(t) => q.bind(t.clone()),
                    Cell::Int(i) => q.bind(*i),
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// A new random query code (查询码) for a matter.
pub fn new_query_code() -> String {
    let mut raw = [0u8; 4];
    // The operating system's generator; it does not fail on supported systems.
    let _ = getrandom::getrandom(&mut raw);
    shared::public::QueryCode::from_random(u32::from_le_bytes(raw)).as_str().to_string()
}
