//! The device's own database (IndexedDB). The field app reads and writes here
//! first; the network comes second.
//!
//! Stores:
//! - `cases`: `CaseView` by case id — the cases of my jurisdiction as last pulled.
//! - `visits`: the visit list of each case, by case id (`Vec<StoredVisit>`).
//!   Keeping a case's visits in one value makes "open a case" one read and
//!   "save a visit" one read-modify-write inside the save transaction.
//! - `timeline`: each case's timeline as last pulled, by case id.
//! - `uploads`: photos waiting to be uploaded (`UploadEntry`, bytes kept as a
//!   `Uint8Array`), by attachment id.
//! - `outbox`: `OutboxEntry` by mutation id — changes not yet acknowledged by
//!   the server, in the order they were made.
//! - `rejected`: `RejectedEntry` by mutation id — changes the server refused,
//!   kept until the user discards them.
//! - `meta`: small values by name (device id, next mutation id, pull cursor,
//!   signed-in user, last sync time).
//!
//! A transaction that is not `commit()`ed rolls back (indexed_db_futures).

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use shared::case::{CaseView, NewVisit, TimelineEntry, Visit};
use shared::org::Me;
use shared::sync::{Change, Mutation, PullResponse};

const DB_NAME: &str = "daibantong";
/// 2: `timeline` and `uploads` stores. Upgrades only add stores, so an
/// outbox written by an older version of the app survives the update.
const DB_VERSION: u8 = 2;

const CASES: &str = "cases";
const VISITS: &str = "visits";
const TIMELINE: &str = "timeline";
const OUTBOX: &str = "outbox";
const REJECTED: &str = "rejected";
const UPLOADS: &str = "uploads";
const META: &str = "meta";

/// A visit as the device keeps it: the server's form, plus whether it is
/// still waiting to be synced or was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]

pub struct StoredVisit {
    pub visit: Visit,
    pub pending: bool,
    #[serde(default)]
    pub rejected: Option<String>,
}

/// One change waiting to be pushed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub mutation: Mutation,
    /// When it was made, ms since the epoch (to show the age of unsent work).
    pub created_at: f64,
    /// The user who made it: only their session may push it.
    pub user_id: i64,
}

/// A change the server refused, with its reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedEntry {
    pub entry: OutboxEntry,
    pub code: String,
    pub message: String,
}

/// A photo waiting to be uploaded as an attachment of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadEntry {
    /// The attachment's UUID (made on the device: a retried upload is the same).
    pub id: String,
    pub case_id: i64,
    pub name: String,
    pub content_type: String,
    #[serde(with = "serde_bytes")]
    pub data: Vec<u8>,
    pub created_at: f64,
    pub user_id: i64,
    /// The server refused it, with this reason; kept until discarded.
    #[serde(default)]
    pub rejected: Option<String>,
}

#[derive(Debug, Clone)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "本机存储出错：{}", self.0)
    }
}

impl<E: std::fmt::Debug> From<E> for StoreError
where
    E: Into<indexed_db_futures::error::Error>,
{
    fn from(e: E) -> Self {
        let e: indexed_db_futures::error::Error = e.into();
        StoreError(format!("{e:?}"))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The open database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: std::rc::Rc<Database>,
}

impl Store {
    pub async fn open() -> StoreResult<Store> {
        let db = Database::open(DB_NAME)
            .with_version(DB_VERSION)
            .with_on_upgrade_needed(|_ev, db| {
                for name in [CASES, VISITS, TIMELINE, OUTBOX, REJECTED, UPLOADS, META] {
                    if !db.object_store_names().any(|n| n == name) {
                        db.create_object_store(name).build()?;
                    }
                }
                Ok(())
            })
            .await
            .map_err(|e| StoreError(format!("{e:?}")))?;
        Ok(Store { db: std::rc::Rc::new(db) })
    }

    async fn meta_get<T: DeserializeOwned>(&self, key: &str) -> StoreResult<Option<T>> {
        let tx = self.db.transaction(META).build()?;
        let store = tx.object_store(META)?;
        let v: Option<T> = store.get(key.to_string()).serde()?.await?;
        Ok(v)
    }

    async fn meta_put<T: Serialize>(&self, key: &str, value: &T) -> StoreResult<()> {
        let tx = self.db.transaction(META).with_mode(TransactionMode::Readwrite).build()?;
        let store = tx.object_store(META)?;
        store.put(value).with_key(key.to_string()).without_key_type().serde()?.await?;
        tx.commit().await?;
        Ok(())
    }

    /// This device's stable id, made on first use.
    pub async fn client_id(&self) -> StoreResult<String> {
        if let Some(id) = self.meta_get::<String>("client_id").await? {
            return Ok(id);
        }
        let id = crate::util::new_uuid();
        self.meta_put("client_id", &id).await?;
        Ok(id)
    }

    pub async fn me(&self) -> StoreResult<Option<Me>> {
        self.meta_get("me").await
    }

    pub async fn set_me(&self, me: &Me) -> StoreResult<()> {
        self.meta_put("me", me).await
    }

    pub async fn cursor(&self) -> StoreResult<i64> {
        Ok(self.meta_get("cursor").await?.unwrap_or(0))
    }

    pub async fn last_sync(&self) -> StoreResult<Option<f64>> {
        self.meta_get("last_sync").await
    }

    pub async fn set_last_sync(&self, ms: f64) -> StoreResult<()> {
        self.meta_put("last_sync", &ms).await
    }

    /// All cached cases.
    pub async fn cases(&self) -> StoreResult<Vec<CaseView>> {
        let tx = self.db.transaction(CASES).build()?;
        let store = tx.object_store(CASES)?;
        let all = store.get_all::<CaseView>().serde()?.await?;
        Ok(all.collect::<Result<Vec<_>, _>>()?)
    }

    pub async fn visits(&self, case_id: i64) -> StoreResult<Vec<StoredVisit>> {
        let tx = self.db.transaction(VISITS).build()?;
        let store = tx.object_store(VISITS)?;
        let v: Option<Vec<StoredVisit>> = store.get(case_id as f64).serde()?.await?;
        Ok(v.unwrap_or_default())
    }

    /// Saves a visit made on this device: the visit, its outbox entry and
    /// its photo (if any) are written in ONE transaction, so none exists
    /// without the others.
    pub async fn save_visit(
        &self,
        me: &Me,
        visit: NewVisit,
        photo: Option<UploadEntry>,
        now_ms: f64,
    ) -> StoreResult<OutboxEntry> {
        let tx = self.db.transaction([VISITS, OUTBOX, META, UPLOADS]).with_mode(TransactionMode::Readwrite).build()?;
        let visits = tx.object_store(VISITS)?;
        let mut list: Vec<StoredVisit> = visits.get(visit.case_id as f64).serde()?.await?.unwrap_or_default();
        list.push(StoredVisit {
            visit: Visit {
                id: visit.id.clone(),
                case_id: visit.case_id,
                visited_at: visit.visited_at.clone(),
                method: visit.method,
                note: visit.note.clone(),
                recorded_by: me.id,
                recorded_by_name: me.display_name.clone(),
                position: visit.position,
            },
            pending: true,
            rejected: None,
        });
        visits.put(&list).with_key(visit.case_id as f64).without_key_type().serde()?.await?;
        if let Some(photo) = &photo {
            tx.object_store(UPLOADS)?.put(photo).with_key(photo.id.clone()).without_key_type().serde()?.await?;
        }
        let entry = put_outbox(&tx, me, Change::AddVisit { visit }, now_ms).await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Queues any other change (a command, a new matter) for the server.
    pub async fn queue(&self, me: &Me, change: Change, now_ms: f64) -> StoreResult<OutboxEntry> {
        let tx = self.db.transaction([OUTBOX, META]).with_mode(TransactionMode::Readwrite).build()?;
        let entry = put_outbox(&tx, me, change, now_ms).await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Photos waiting to be uploaded (and refused ones), oldest first.
    pub async fn uploads(&self) -> StoreResult<Vec<UploadEntry>> {
        let tx = self.db.transaction(UPLOADS).build()?;
        let all = tx.object_store(UPLOADS)?.get_all::<UploadEntry>().serde()?.await?;
        let mut v = all.collect::<Result<Vec<_>, _>>()?;
        v.sort_by(|a, b| a.created_at.total_cmp(&b.created_at));
        Ok(v)
    }

    /// The server has the photo: forget the local copy.
    pub async fn upload_done(&self, id: &str) -> StoreResult<()> {
        let tx = self.db.transaction(UPLOADS).with_mode(TransactionMode::Readwrite).build()?;
        tx.object_store(UPLOADS)?.delete(id.to_string()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The server refused the photo: keep it, with the reason, for the user.
    pub async fn upload_rejected(&self, mut upload: UploadEntry, reason: String) -> StoreResult<()> {
        upload.rejected = Some(reason);
        let tx = self.db.transaction(UPLOADS).with_mode(TransactionMode::Readwrite).build()?;
        tx.object_store(UPLOADS)?.put(&upload).with_key(upload.id.clone()).without_key_type().serde()?.await?;
        tx.commit().await?;
        Ok(())
    }

    /// The timeline of a case as last pulled.
    pub async fn timeline(&self, case_id: i64) -> StoreResult<Vec<TimelineEntry>> {
        let tx = self.db.transaction(TIMELINE).build()?;
        let v: Option<Vec<TimelineEntry>> = tx.object_store(TIMELINE)?.get(case_id as f64).serde()?.await?;
        Ok(v.unwrap_or_default())
    }

    /// Unsent changes, oldest first.
    pub async fn outbox(&self) -> StoreResult<Vec<OutboxEntry>> {
        let tx = self.db.transaction(OUTBOX).build()?;
        let store = tx.object_store(OUTBOX)?;
        let all = store.get_all::<OutboxEntry>().serde()?.await?;
        Ok(all.collect::<Result<Vec<_>, _>>()?)
    }

    /// Records the server's acknowledgement of pushed changes: applied ones
    /// leave the outbox; refused ones move to `rejected` and their visit is
    /// marked with the reason. One transaction for the whole answer.
    pub async fn acknowledge(&self, applied: &[u64], rejected: &[(OutboxEntry, String, String)]) -> StoreResult<()> {
        let tx = self.db.transaction([OUTBOX, REJECTED, VISITS]).with_mode(TransactionMode::Readwrite).build()?;
        let outbox = tx.object_store(OUTBOX)?;
        for id in applied {
            outbox.delete(*id as f64).await?;
        }
        let rej = tx.object_store(REJECTED)?;
        let visits = tx.object_store(VISITS)?;
        for (entry, code, message) in rejected {
            let id = entry.mutation.id as f64;
            rej.put(&RejectedEntry { entry: entry.clone(), code: code.clone(), message: message.clone() })
                .with_key(id)
                .without_key_type()
                .serde()?
                .await?;
            outbox.delete(id).await?;
            if let Change::AddVisit { visit } = &entry.mutation.change {
                let mut list: Vec<StoredVisit> = visits.get(visit.case_id as f64).serde()?.await?.unwrap_or_default();
                for v in list.iter_mut().filter(|v| v.visit.id == visit.id) {
                    v.pending = false;
                    v.rejected = Some(message.clone());
                }
                visits.put(&list).with_key(visit.case_id as f64).without_key_type().serde()?.await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn rejected(&self) -> StoreResult<Vec<RejectedEntry>> {
        let tx = self.db.transaction(REJECTED).build()?;
        let store = tx.object_store(REJECTED)?;
        let all = store.get_all::<RejectedEntry>().serde()?.await?;
        Ok(all.collect::<Result<Vec<_>, _>>()?)
    }

    /// The user discards a refused photo.
    pub async fn discard_upload(&self, id: &str) -> StoreResult<()> {
        self.upload_done(id).await
    }

    /// The user discards a refused change: it and its local visit go.
    pub async fn discard_rejected(&self, entry: &RejectedEntry) -> StoreResult<()> {
        let tx = self.db.transaction([REJECTED, VISITS]).with_mode(TransactionMode::Readwrite).build()?;
        tx.object_store(REJECTED)?.delete(entry.entry.mutation.id as f64).await?;
        if let Change::AddVisit { visit } = &entry.entry.mutation.change {
            let visits = tx.object_store(VISITS)?;
            let mut list: Vec<StoredVisit> = visits.get(visit.case_id as f64).serde()?.await?.unwrap_or_default();
            list.retain(|v| v.visit.id != visit.id);
            visits.put(&list).with_key(visit.case_id as f64).without_key_type().serde()?.await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Applies one pull page: cases replaced by the server's, each case's
    /// visits replaced by the server's list plus this device's visits the
    /// server does not have yet (pending or refused), and the new cursor.
    pub async fn apply_pull(&self, page: &PullResponse) -> StoreResult<()> {
        let tx = self.db.transaction([CASES, VISITS, TIMELINE, META]).with_mode(TransactionMode::Readwrite).build()?;
        let cases = tx.object_store(CASES)?;
        let visits = tx.object_store(VISITS)?;
        let timeline = tx.object_store(TIMELINE)?;
        for c in &page.cases {
            cases.put(c).with_key(c.id as f64).without_key_type().serde()?.await?;
            let entries: Vec<&TimelineEntry> = page.timeline.iter().filter(|e| e.case_id == c.id).collect();
            timeline.put(&entries).with_key(c.id as f64).without_key_type().serde()?.await?;
            let local: Vec<StoredVisit> = visits.get(c.id as f64).serde()?.await?.unwrap_or_default();
            let mut merged: Vec<StoredVisit> = page
                .visits
                .iter()
                .filter(|v| v.case_id == c.id)
                .map(|v| StoredVisit { visit: v.clone(), pending: false, rejected: None })
                .collect();
            for l in local {
                if (l.pending || l.rejected.is_some()) && !merged.iter().any(|m| m.visit.id == l.visit.id) {
                    merged.push(l);
                }
            }
            merged.sort_by(|a, b| a.visit.visited_at.cmp(&b.visit.visited_at).then(a.visit.id.cmp(&b.visit.id)));
            visits.put(&merged).with_key(c.id as f64).without_key_type().serde()?.await?;
        }
        tx.object_store(META)?
            .put(page.cursor as f64)
            .with_key("cursor".to_string())
            .without_key_type()
            .serde()?
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets the cached cases of a previous user (never the outbox).
    pub async fn clear_cache(&self) -> StoreResult<()> {
        let tx = self.db.transaction([CASES, VISITS, TIMELINE, META]).with_mode(TransactionMode::Readwrite).build()?;
        tx.object_store(CASES)?.clear()?.await?;
        tx.object_store(VISITS)?.clear()?.await?;
        tx.object_store(TIMELINE)?.clear()?.await?;
        let meta = tx.object_store(META)?;
        meta.delete("cursor".to_string()).await?;
        meta.delete("me".to_string()).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Writes an outbox entry with the next mutation id, inside `tx` (which must
/// include the `outbox` and `meta` stores).
async fn put_outbox(
    tx: &indexed_db_futures::transaction::Transaction<'_>,
    me: &Me,
    change: Change,
    now_ms: f64,
) -> StoreResult<OutboxEntry> {
    let meta = tx.object_store(META)?;
    let next: Option<f64> = meta.get("next_mutation_id".to_string()).serde()?.await?;
    let mutation_id = next.unwrap_or(1.0);
    meta.put(mutation_id + 1.0).with_key("next_mutation_id".to_string()).without_key_type().serde()?.await?;
    let entry =
        OutboxEntry { mutation: Mutation { id: mutation_id as u64, change }, created_at: now_ms, user_id: me.id };
    tx.object_store(OUTBOX)?.put(&entry).with_key(mutation_id).without_key_type().serde()?.await?;
    Ok(entry)
}
