//! The device's own database (IndexedDB). The field app reads and writes here
//! first; the network comes second.
//!
//! Stores:
//! - `cases`: `CaseView` by case id — the cases of my jurisdiction as last pulled.
//! - `visits`: each case's visits as last pulled, by case id (`Vec<Visit>`).
//! - `timeline`: each case's timeline as last pulled, by case id.
//! - `outbox`: `OutboxEntry` by mutation id — changes not yet acknowledged by
//!   the server, in the order they were made. Visits recorded here are shown
//!   from the outbox (see `crate::view`), so they are never stored twice.
//! - `rejected`: `RejectedEntry` by mutation id — changes the server refused,
//!   kept until the user discards them.
//! - `uploads`: photos waiting to be uploaded (`UploadEntry`, bytes kept as a
//!   `Uint8Array`), by attachment id.
//! - `meta`: small values by name (device id, next mutation id, pull cursor,
//!   signed-in user, last sync time).
//!
//! Saving is one transaction whose requests are all sent at once and
//! awaited at commit: no read stands between the tap and the commit, because
//! the next mutation id is kept in memory (and `add` refuses an id another
//! tab took, in which case the id is re-read and the save retried).
//! A transaction that is not `commit()`ed rolls back (indexed_db_futures).

use crate::sync::outbox::{OutboxEntry, RejectedEntry, UploadEntry};
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use shared::case::{CaseView, NewVisit, TimelineEntry, Visit};
use shared::org::Me;
use shared::sync::{Change, Mutation, PullResponse};
use std::cell::Cell;
use std::rc::Rc;

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

/// The stored form of a pulled visit. Older versions of the app kept local
/// visits here too, flagged; those flags are read and such rows ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct VisitRow {
    visit: Visit,
    #[serde(default)]
    pending: bool,
    #[serde(default)]
    rejected: Option<String>,
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
    db: Rc<Database>,
    /// The next mutation id, kept in memory so saving needs no read.
    next_id: Rc<Cell<f64>>,
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
        let store = Store { db: Rc::new(db), next_id: Rc::new(Cell::new(1.0)) };
        store.refresh_next_id().await?;
        Ok(store)
    }

    /// Reads the next mutation id (at start, and after another tab took one).
    async fn refresh_next_id(&self) -> StoreResult<()> {
        let stored: Option<f64> = self.meta_get("next_mutation_id").await?;
        // Never below an id still in the outbox or the rejected list.
        let mut next = stored.unwrap_or(1.0);
        for e in self.outbox().await? {
            next = next.max(e.mutation.id as f64 + 1.0);
        }
        for r in self.rejected().await? {
            next = next.max(r.entry.mutation.id as f64 + 1.0);
        }
        self.next_id.set(next);
        Ok(())
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

    /// The visits of a case as last pulled from the server.
    pub async fn visits(&self, case_id: i64) -> StoreResult<Vec<Visit>> {
        let tx = self.db.transaction(VISITS).build()?;
        let store = tx.object_store(VISITS)?;
        let v: Option<Vec<VisitRow>> = store.get(case_id as f64).serde()?.await?;
        Ok(v.unwrap_or_default().into_iter().filter(|r| !r.pending && r.rejected.is_none()).map(|r| r.visit).collect())
    }

    /// Saves a visit made on this device: its outbox entry and its photo (if
    /// any) in ONE transaction, so neither exists without the other.
    pub async fn save_visit(
        &self,
        me: &Me,
        visit: NewVisit,
        photo: Option<UploadEntry>,
        now_ms: f64,
    ) -> StoreResult<OutboxEntry> {
        self.write_outbox(me, Change::AddVisit { visit }, photo, now_ms).await
    }

    /// Queues any other change (a command, a new matter) for the server.
    pub async fn queue(&self, me: &Me, change: Change, now_ms: f64) -> StoreResult<OutboxEntry> {
        self.write_outbox(me, change, None, now_ms).await
    }

    async fn write_outbox(
        &self,
        me: &Me,
        change: Change,
        photo: Option<UploadEntry>,
        now_ms: f64,
    ) -> StoreResult<OutboxEntry> {
        match self.try_write_outbox(me, change.clone(), photo.clone(), now_ms).await {
            Ok(e) => Ok(e),
            Err(_) => {
                // Another tab may have taken this id: re-read and try once more.
                self.refresh_next_id().await?;
                self.try_write_outbox(me, change, photo, now_ms).await
            }
        }
    }

    async fn try_write_outbox(
        &self,
        me: &Me,
        change: Change,
        photo: Option<UploadEntry>,
        now_ms: f64,
    ) -> StoreResult<OutboxEntry> {
        let id = self.next_id.get();
        let entry = OutboxEntry { mutation: Mutation { id: id as u64, change }, created_at: now_ms, user_id: me.id };
        let tx = self.db.transaction([OUTBOX, META, UPLOADS]).with_mode(TransactionMode::Readwrite).build()?;
        // Requests go out when built; the commit awaits them all (a failed
        // request aborts the transaction, and the commit reports it).
        drop(tx.object_store(OUTBOX)?.add(&entry).with_key(id).without_key_type().serde()?);
        drop(tx.object_store(META)?.put(id + 1.0).with_key("next_mutation_id".to_string()).without_key_type().serde()?);
        if let Some(photo) = &photo {
            drop(tx.object_store(UPLOADS)?.put(photo).with_key(photo.id.clone()).without_key_type().serde()?);
        }
        tx.commit().await?;

        self.next_id.set(id + 1.0);

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

    /// The server has the photo (or the user discarded it): forget the local copy.
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

    /// Records the server's answers to pushed changes: applied ones leave the
    /// outbox; refused ones move to `rejected`. One transaction for the answer.
    pub async fn acknowledge(&self, applied: &[u64], rejected: &[(OutboxEntry, String, String)]) -> StoreResult<()> {
        let tx = self.db.transaction([OUTBOX, REJECTED]).with_mode(TransactionMode::Readwrite).build()?;
        let outbox = tx.object_store(OUTBOX)?;
        for id in applied {
            drop(outbox.delete(*id as f64).build()?);
        }
        let rej = tx.object_store(REJECTED)?;
        for (entry, code, message) in rejected {
            let id = entry.mutation.id as f64;
            drop(
                rej.put(&RejectedEntry { entry: entry.clone(), code: code.clone(), message: message.clone() })
                    .with_key(id)
                    .without_key_type()
                    .serde()?,
            );
            drop(outbox.delete(id).build()?);
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

    /// The user discards a refused change.
    pub async fn discard_rejected(&self, entry: &RejectedEntry) -> StoreResult<()> {
        let tx = self.db.transaction(REJECTED).with_mode(TransactionMode::Readwrite).build()?;
        tx.object_store(REJECTED)?.delete(entry.entry.mutation.id as f64).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Applies one pull page: cases, their visits and timelines replaced by
    /// the server's, and the new cursor — in one transaction.
    pub async fn apply_pull(&self, page: &PullResponse) -> StoreResult<()> {
        let tx = self.db.transaction([CASES, VISITS, TIMELINE, META]).with_mode(TransactionMode::Readwrite).build()?;
        let cases = tx.object_store(CASES)?;
        let visits = tx.object_store(VISITS)?;
        let timeline = tx.object_store(TIMELINE)?;
        for c in &page.cases {
            let key = c.id as f64;
            drop(cases.put(c).with_key(key).without_key_type().serde()?);
            let rows: Vec<VisitRow> = page
                .visits
                .iter()
                .filter(|v| v.case_id == c.id)
                .map(|v| VisitRow { visit: v.clone(), pending: false, rejected: None })
                .collect();
            drop(visits.put(&rows).with_key(key).without_key_type().serde()?);
            let entries: Vec<&TimelineEntry> = page.timeline.iter().filter(|e| e.case_id == c.id).collect();
            drop(timeline.put(&entries).with_key(key).without_key_type().serde()?);
        }
        drop(tx.object_store(META)?.put(page.cursor as f64).with_key("cursor".to_string()).without_key_type().serde()?);
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
