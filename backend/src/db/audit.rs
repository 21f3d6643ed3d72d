//! The audit log: every change (who, when, what, before/after) in an
//! append-only table whose rows each carry the hash of the previous row, so
//! editing or deleting any row breaks the chain at that point.
//!
//! Appends take the row lock of `audit_head` first, which serialises them:
//! the chain has no forks even with concurrent writers.
//!
//! Reads of private data are too frequent to queue on that lock (every case
//! opened at a desk, every pull): [`record_read`] writes each read as one
//! plain row of `read_events`, and [`seal_reads`] later chains a digest of
//! the unsealed rows as one `read.seal` entry and stamps the rows with that
//! entry's hash, so [`verify`] catches a sealed read edited or deleted.

use crate::db::{now_text, Cell, Db, Tx, Write};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{AnyPool, Row};

pub const GENESIS: &str = "genesis";

/// What happened, for [`append`].
pub struct AuditEntry<'a> {
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// The hash of a row: SHA-256 over its fields, each prefixed with its
/// length (so no two different rows can run together into the same bytes),
/// in order `prev_hash, at, actor, action, entity, entity_id, before, after`.
fn row_hash(fields: [&str; 8]) -> String {
    let mut h = Sha256::new();
    for part in fields {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn actor_text(actor: Option<i64>) -> String {
    actor.map_or(String::new(), |a| a.to_string())
}

/// Appends one entry inside the caller's transaction.
pub async fn append(tx: &mut Tx, e: AuditEntry<'_>) -> Result<(), sqlx::Error> {
    let prev: String = sqlx::query("UPDATE audit_head SET last_hash = last_hash WHERE id = 1 RETURNING last_hash")
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    let at = now_text();
    let before = e.before.map(|v| v.to_string()).unwrap_or_default();
    let after = e.after.map(|v| v.to_string()).unwrap_or_default();
    let hash = row_hash([&prev, &at, &actor_text(e.actor_id), e.action, e.entity, &e.entity_id, &before, &after]);
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, action, entity, entity_id, before, after, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&at)
    .bind(e.actor_id)
    .bind(e.action)
    .bind(e.entity)
    .bind(&e.entity_id)
    .bind(&before)
    .bind(&after)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1").bind(&hash).execute(&mut **tx).await?;
    Ok(())
}

/// The chain's head as `w` has it, read (and row-locked until commit) the
/// first time: after this, appending in `w` cannot fail on the database.
pub async fn head(w: &mut Write) -> Result<String, sqlx::Error> {
    if let Some(h) = &w.audit_head {
        return Ok(h.clone());
    }
    let h: String = sqlx::query("UPDATE audit_head SET last_hash = last_hash WHERE id = 1 RETURNING last_hash")
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
    w.audit_head = Some(h.clone());
    Ok(h)
}

/// Appends one entry inside a [`Write`]: the head is read (and locked) once
/// per write, each entry chained to the previous one in memory, and the head
/// written once at commit.
pub async fn record(w: &mut Write, e: AuditEntry<'_>) -> Result<(), sqlx::Error> {
    let prev = head(w).await?;
    let at = now_text();
    let before = e.before.map(|v| v.to_string()).unwrap_or_default();
    let after = e.after.map(|v| v.to_string()).unwrap_or_default();
    let actor = actor_text(e.actor_id);
    let hash = row_hash([&prev, &at, &actor, e.action, e.entity, &e.entity_id, &before, &after]);
    // Stored as `append` stores it (empty before/after as empty text), in
    // one multi-row insert at commit.
    w.audit_rows.push([
        Cell::Text(Some(at)),
        Cell::Int(e.actor_id),
        Cell::Text(Some(e.action.to_string())),
        Cell::Text(Some(e.entity.to_string())),
        Cell::Text(Some(e.entity_id)),
        Cell::Text(Some(before)),
        Cell::Text(Some(after)),
        Cell::Text(Some(prev)),
        Cell::Text(Some(hash.clone())),
    ]);
    w.audit_head = Some(hash);
    w.audit_dirty = true;
    Ok(())
}

/// Records that `actor` was shown private data of `entity_ids` (joined
/// with commas, as the chain's own read entries were): one plain insert,
/// outside the chain's lock, so concurrent readers do not wait on each other
/// or on writers. [`seal_reads`] chains it later.
pub async fn record_read(
    db: &Db,
    actor_id: i64,
    action: &str,
    entity: &str,
    entity_ids: &[i64],
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO read_events (at, actor_id, action, entity, entity_id) VALUES ($1, $2, $3, $4, $5)")
        .bind(now_text())
        .bind(actor_id)
        .bind(action)
        .bind(entity)
        .bind(entity_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Rows sealed by one `read.seal` entry: how many, and their digest.
#[derive(Default)]
struct ReadDigest {
    count: i64,
    hash: Sha256,
}

impl ReadDigest {
    fn add(&mut self, r: &sqlx::any::AnyRow) -> Result<(), sqlx::Error> {
        let id: i64 = r.try_get("id")?;
        let actor: Option<i64> = r.try_get("actor_id")?;
        let fields: [String; 6] = [
            id.to_string(),
            r.try_get("at")?,
            actor_text(actor),
            r.try_get("action")?,
            r.try_get("entity")?,
            r.try_get("entity_id")?,
        ];
        for f in &fields {
            self.hash.update((f.len() as u64).to_le_bytes());
            self.hash.update(f.as_bytes());
        }
        self.count += 1;
        Ok(())
    }

    fn finish(self) -> (i64, String) {
        (self.count, self.hash.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }
}

const READ_COLUMNS: &str = "id, at, actor_id, action, entity, entity_id";

/// Seals every read not yet sealed into the chain, in entries of up to
/// 1,000 reads. Returns how many reads were sealed. Run periodically (see
/// [`spawn_sealer`]) and before every verification.
pub async fn seal_reads(db: &Db) -> Result<u64, sqlx::Error> {
    const PER_SEAL: usize = 1000;
    let mut sealed = 0u64;
    loop {
        // Nothing to seal (the usual case for the periodic run): no write
        // transaction, no lock.
        let pending =
            sqlx::query("SELECT id FROM read_events WHERE sealed_by IS NULL LIMIT 1").fetch_optional(&db.pool).await?;
        if pending.is_none() {
            return Ok(sealed);
        }
        let mut w = Write::begin(db, 1).await?;
        // The chain's lock first: two sealers never pick the same rows.
        head(&mut w).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {READ_COLUMNS} FROM read_events WHERE sealed_by IS NULL ORDER BY id LIMIT {PER_SEAL}"
        )))
        .fetch_all(w.conn())
        .await?;
        if rows.is_empty() {
            return Ok(sealed);
        }
        let mut digest = ReadDigest::default();
        let mut ids = Vec::with_capacity(rows.len());
        for r in &rows {
            digest.add(r)?;
            ids.push(r.try_get::<i64, _>("id")?);
        }
        let (count, digest) = digest.finish();
        record(
            &mut w,
            AuditEntry {
                actor_id: None,
                action: "read.seal",
                entity: "read_events",
                entity_id: format!("{}-{}", ids[0], ids[ids.len() - 1]),
                before: None,
                after: Some(serde_json::json!({"count": count, "digest": digest})),
            },
        )
        .await?;
        let seal = w.audit_head.clone().unwrap_or_default();
        for chunk in ids.chunks(500) {
            // Validated integers: they can stand in the text. Not kept as a
            // prepared statement (each list is different).
            let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
            sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE read_events SET sealed_by = $1 WHERE id IN ({list})")))
                .persistent(false)
                .bind(&seal)
                .execute(w.conn())
                .await?;
        }
        w.commit().await?;
        sealed += ids.len() as u64;
        if ids.len() < PER_SEAL {
            return Ok(sealed);
        }
    }
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Verification {
    pub ok: bool,
    pub rows: i64,
    /// The first row whose link or content does not match.
    pub first_broken_id: Option<i64>,
    pub message: String,
}

/// One row of the log, read by column name.
#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: String,
    actor_id: Option<i64>,
    action: String,
    entity: String,
    entity_id: String,
    before: Option<String>,
    after: Option<String>,
    prev_hash: String,
    hash: String,
}

/// Walks the whole chain in order and reports the first broken link.
pub async fn verify(pool: &AnyPool) -> Result<Verification, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, at, actor_id, action, entity, entity_id, before, after, prev_hash, hash FROM audit_log ORDER BY id",
    )
    .fetch_all(pool)
    .await?;
    let mut prev = GENESIS.to_string();
    let mut count = 0i64;
    // (row id, count, digest) of every `read.seal` entry, by its hash.
    let mut seals = std::collections::HashMap::new();
    for r in &rows {
        count += 1;
        let r = <AuditRow as sqlx::FromRow<sqlx::any::AnyRow>>::from_row(r)?;
        let id = r.id;
        let (stored_prev, stored_hash) = (r.prev_hash, r.hash);
        let computed = row_hash([
            &stored_prev,
            &r.at,
            &actor_text(r.actor_id),
            &r.action,
            &r.entity,
            &r.entity_id,
            &r.before.unwrap_or_default(),
            r.after.as_deref().unwrap_or_default(),
        ]);

        if stored_prev != prev || computed != stored_hash {
            return Ok(Verification {
                ok: false,
                rows: count,
                first_broken_id: Some(id),
                message: format!("审计链在第 {id} 条记录处断开：记录被修改或删除"),
            });
        }
        if r.action == "read.seal" {
            let after: Value = serde_json::from_str(r.after.as_deref().unwrap_or_default()).unwrap_or(Value::Null);
            seals.insert(
                stored_hash.clone(),
                (id, after["count"].as_i64().unwrap_or(-1), after["digest"].as_str().unwrap_or_default().to_string()),
            );
        }
        prev = stored_hash;
    }
    let head: String =
        sqlx::query("SELECT last_hash FROM audit_head WHERE id = 1").fetch_one(pool).await?.try_get(0)?;
    if head != prev {
        return Ok(Verification {
            ok: false,
            rows: count,
            first_broken_id: None,
            message: "审计链末尾的记录被删除".to_string(),
        });
    }
    // Each seal's reads, recomputed: a sealed read edited, deleted or
    // re-stamped changes its seal's count or digest.
    let reads = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {READ_COLUMNS}, sealed_by FROM read_events WHERE sealed_by IS NOT NULL ORDER BY id"
    )))
    .fetch_all(pool)
    .await?;
    let mut found: std::collections::HashMap<String, ReadDigest> = Default::default();
    for r in &reads {
        found.entry(r.try_get::<String, _>("sealed_by")?).or_default().add(r)?;
    }
    let mut broken: Option<i64> = None;
    for (hash, digest) in found {
        let (got_count, got_digest) = digest.finish();
        match seals.remove(&hash) {
            Some((_, count, d)) if count == got_count && d == got_digest => {}
            Some((id, ..)) => broken = Some(broken.map_or(id, |b| b.min(id))),
            // Stamped with a hash no seal in the chain has.
            None => broken = Some(broken.unwrap_or(0)),
        }
    }
    // A seal whose reads are all gone.
    for (id, count, _) in seals.into_values() {
        if count != 0 {
            broken = Some(broken.map_or(id, |b| b.min(id)));
        }
    }
    if let Some(id) = broken {
        return Ok(Verification {
            ok: false,
            rows: count,
            first_broken_id: (id > 0).then_some(id),
            message: if id > 0 {
                format!("审计链第 {id} 条记录所封存的查阅记录被修改或删除")
            } else {
                "查阅记录的封存标记被篡改".to_string()
            },
        });
    }
    let pending: i64 =
        sqlx::query("SELECT COUNT(*) FROM read_events WHERE sealed_by IS NULL").fetch_one(pool).await?.try_get(0)?;
    let message = if pending > 0 {
        format!("审计链完整，共 {count} 条记录（另有 {pending} 条查阅记录待封存）")
    } else {
        format!("审计链完整，共 {count} 条记录")
    };
    Ok(Verification { ok: true, rows: count, first_broken_id: None, message })
}
