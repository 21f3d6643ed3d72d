//! App-wide state (a Leptos context) and the sync engine.
//!
//! Everything shown comes from IndexedDB ([`crate::store`]); the network only
//! feeds IndexedDB. Sync runs on start, on the browser's `online` event, every
//! 20 seconds, after every local save, and on the "立即同步" button; after a
//! passing failure (no answer, a timeout, 5xx) it is retried with backoff.

use crate::api::{self, ApiFailure};
use crate::overlay::{overlay, PendingEntry};
use crate::store::{OutboxEntry, RejectedEntry, Store};
use crate::util::{browser_online, now_ms};
use leptos::prelude::*;
use shared::case::CaseView;
use shared::org::Me;
use shared::sync::{Change, MutationStatus, PushRequest, MAX_PUSH_BATCH};
use std::cell::RefCell;
use std::collections::HashMap;

thread_local! {
    static STORE: RefCell<Option<Store>> = const { RefCell::new(None) };
}

/// The open device database (set once at start-up).
pub fn store() -> Store {
    STORE.with(|s| s.borrow().clone()).expect("store opened at start-up")
}

pub fn set_store(s: Store) {
    STORE.with(|cell| *cell.borrow_mut() = Some(s));
}

/// Which page is shown, from the URL hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Cases,
    Case(i64),
    NewCase,
    Device,
}

impl Route {
    pub fn from_hash(hash: &str) -> Route {
        match hash {
            "#/new" => Route::NewCase,
            "#/device" => Route::Device,
            _ => hash.strip_prefix("#/case/").and_then(|id| id.parse().ok()).map_or(Route::Cases, Route::Case),
        }
    }
}

/// A photo the server refused (or whose visit it refused), for 需处理.
#[derive(Debug, Clone, PartialEq)]
pub struct RefusedPhoto {
    pub id: String,
    pub case_id: i64,
    pub name: String,
    pub reason: String,
    /// Set when the photo belongs to a visit: it is shown and discarded with it.
    pub visit_id: Option<String>,
}

/// What the status bar says about the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// The phone has no network.
    Offline,
    /// The network is up but the server did not answer, timed out or failed.
    ServerDown,
    Online,
}

#[derive(Clone, Copy)]
pub struct AppState {
    /// Start-up finished (the device database is open and read).
    pub booted: RwSignal<bool>,
    /// A fatal start-up problem (e.g. IndexedDB unavailable).
    pub boot_error: RwSignal<Option<String>>,
    pub me: RwSignal<Option<Me>>,
    /// Shown on the login page: why the user must sign in again.
    pub login_notice: RwSignal<Option<String>>,
    pub online: RwSignal<bool>,
    /// The last sync attempt failed for a passing reason (no answer, a
    /// timeout, 5xx) while the phone had a network.
    pub server_down: RwSignal<bool>,
    pub syncing: RwSignal<bool>,
    /// Records waiting to be synced, as the worker counts them (a visit with
    /// its photo is one).
    pub pending: RwSignal<u32>,
    /// The same, per case.
    pub pending_by_case: RwSignal<HashMap<i64, u32>>,
    /// Records the server refused, waiting for the worker (需处理).
    pub needs_worker: RwSignal<u32>,
    pub oldest_pending: RwSignal<Option<f64>>,
    pub last_sync: RwSignal<Option<f64>>,
    pub sync_error: RwSignal<Option<String>>,
    /// When the next automatic attempt after a failure will start (ms since the epoch).
    pub next_retry: RwSignal<Option<f64>>,
    /// Now, refreshed every second while a retry is scheduled (for the countdown).
    pub clock: RwSignal<f64>,
    /// Consecutive failed attempts (for the backoff).
    failures: RwSignal<u32>,
    /// When the next automatic attempt is due (after a failure: the backoff;
    /// otherwise the regular 20-second pull).
    next_attempt: RwSignal<f64>,
    /// The cases shown: the server's, with this device's pending changes replayed.
    pub cases: RwSignal<Vec<CaseView>>,
    /// This device's unsent changes (visits are shown from here until synced).
    pub outbox: RwSignal<Vec<OutboxEntry>>,
    /// Per case, the changes still waiting to be synced.
    pub pending_entries: RwSignal<HashMap<i64, Vec<PendingEntry>>>,
    pub rejected: RwSignal<Vec<RejectedEntry>>,
    pub rejected_uploads: RwSignal<Vec<RefusedPhoto>>,
    /// "已保存到本机…" after a save, shown on that case's page.
    pub flash: RwSignal<Option<(i64, String)>>,
    pub route: RwSignal<Route>,
    /// Bumped whenever the device data changed, so open pages reload.
    pub data_version: RwSignal<u64>,
}

/// The regular interval between syncs when nothing failed.
const SYNC_EVERY_MS: f64 = 20_000.0;

/// The wait before the next attempt after `failures` failed ones: 5 s,
/// 10 s, 20 s … at most 2 minutes.
pub fn backoff_ms(failures: u32) -> f64 {
    (5_000.0 * f64::from(1u32 << failures.saturating_sub(1).min(5))).min(120_000.0)
}

impl AppState {
    pub fn new() -> Self {
        AppState {
            booted: RwSignal::new(false),
            boot_error: RwSignal::new(None),
            me: RwSignal::new(None),
            login_notice: RwSignal::new(None),
            online: RwSignal::new(browser_online()),
            server_down: RwSignal::new(false),
            syncing: RwSignal::new(false),
            pending: RwSignal::new(0),
            pending_by_case: RwSignal::new(HashMap::new()),
            needs_worker: RwSignal::new(0),
            oldest_pending: RwSignal::new(None),
            last_sync: RwSignal::new(None),
            sync_error: RwSignal::new(None),
            next_retry: RwSignal::new(None),
            clock: RwSignal::new(now_ms()),
            failures: RwSignal::new(0),
            next_attempt: RwSignal::new(0.0),
            cases: RwSignal::new(Vec::new()),
            pending_entries: RwSignal::new(HashMap::new()),
            outbox: RwSignal::new(Vec::new()),
            rejected: RwSignal::new(Vec::new()),
            rejected_uploads: RwSignal::new(Vec::new()),
            flash: RwSignal::new(None),
            route: RwSignal::new(Route::Cases),
            data_version: RwSignal::new(0),
        }
    }

    /// The connection as the status bar shows it.
    pub fn link(&self) -> Link {
        if !self.online.get() {
            Link::Offline
        } else if self.server_down.get() {
            Link::ServerDown
        } else {
            Link::Online
        }
    }

    /// Called every second: follows the browser's network state and starts
    /// the sync that is due (the regular one, or a retry after its backoff).
    pub fn tick(&self) {
        let online = browser_online();
        if online != self.online.get_untracked() {
            self.online.set(online);
        }
        let now = now_ms();
        if self.next_retry.get_untracked().is_some() {
            self.clock.set(now);
        }
        if now >= self.next_attempt.get_untracked() && online && !self.syncing.get_untracked() {
            let state = *self;
            leptos::task::spawn_local(async move { state.sync_now().await });
        }
    }

    /// Re-reads what the pages show from the device database.
    pub async fn reload(&self) {
        let started = crate::js::now_ms();
        let s = store();
        let outbox = s.outbox().await.unwrap_or_default();
        let uploads = s.uploads().await.unwrap_or_default();
        let rejected = s.rejected().await.unwrap_or_default();
        let mut by_case: HashMap<i64, u32> = HashMap::new();
        if let (Ok(server), Some(me)) = (s.cases().await, self.me.get_untracked()) {
            let (cases, pending) = overlay(server, &outbox, &me, crate::util::china_now().date());
            for (id, p) in &pending {
                by_case.insert(*id, p.len() as u32);
            }
            self.cases.set(cases);
            self.pending_entries.set(pending);
        }
        for (_, case_id) in outbox.iter().filter_map(visit_key) {
            *by_case.entry(case_id).or_default() += 1;
        }
        let refused_visit = |v: &str| holds_visit(rejected.iter().map(|r| &r.entry), v);
        // A photo counts on its own only once its visit has left the outbox.
        let mut pending = outbox.len() as u32;
        let mut oldest = outbox.iter().map(|e| e.created_at).reduce(f64::min);
        let mut refused = Vec::new();
        for u in &uploads {
            let visit = u.visit_id.as_ref();
            if let Some(reason) = &u.rejected {
                refused.push(RefusedPhoto {
                    id: u.id.clone(),
                    case_id: u.case_id,
                    name: u.name.clone(),
                    reason: reason.clone(),
                    visit_id: visit.filter(|v| refused_visit(v)).cloned(),
                });
            } else if !visit.is_some_and(|v| holds_visit(outbox.iter(), v) || refused_visit(v)) {
                pending += 1;
                *by_case.entry(u.case_id).or_default() += 1;
                oldest = Some(oldest.map_or(u.created_at, |o| o.min(u.created_at)));
            }
        }
        self.needs_worker.set(rejected.len() as u32 + refused.iter().filter(|p| p.visit_id.is_none()).count() as u32);
        self.pending.set(pending);
        self.pending_by_case.set(by_case);
        self.oldest_pending.set(oldest);
        self.outbox.set(outbox);
        self.rejected_uploads.set(refused);
        self.rejected.set(rejected);
        if let Ok(last) = s.last_sync().await {
            self.last_sync.set(last);
        }
        self.data_version.update(|v| *v += 1);
        crate::js::record_metric("reload", crate::js::now_ms() - started);
    }

    /// Pushes the outbox, uploads photos and pulls changes, if online and
    /// not already syncing. A passing failure schedules a retry with backoff.
    pub async fn sync_now(&self) {
        if self.syncing.get_untracked() || !self.online.get_untracked() {
            return;
        }
        let Some(me) = self.me.get_untracked() else {
            return;
        };
        self.syncing.set(true);
        let result = run_sync(&me).await;
        let now = now_ms();
        match &result {
            Ok(()) => {
                let _ = store().set_last_sync(now).await;
                self.sync_error.set(None);
            }
            Err(ApiFailure::Unauthenticated(msg)) => {
                // Keep every unsent change; ask the user to sign in again.
                self.sync_error.set(Some(msg.clone()));
                self.login_notice.set(Some(format!("{msg}。本机未同步的记录会保留，登录后自动上传。")));
                self.me.set(None);
            }
            Err(e) => self.sync_error.set(Some(e.message())),
        }
        let transient = result.as_ref().is_err_and(ApiFailure::is_transient);
        if transient {
            let failures = self.failures.get_untracked() + 1;
            self.failures.set(failures);
            let at = now + backoff_ms(failures);
            self.next_attempt.set(at);
            self.next_retry.set(Some(at));
            self.clock.set(now);
        } else {
            self.failures.set(0);
            self.next_attempt.set(now + SYNC_EVERY_MS);
            self.next_retry.set(None);
        }
        self.server_down.set(transient && browser_online());
        self.syncing.set(false);
        self.reload().await;
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

/// For a refused command: the earlier change to the same case this device
/// made and the server also refused — the likely reason this one failed too.
pub fn refused_before<'a>(all: &'a [RejectedEntry], r: &RejectedEntry) -> Option<&'a RejectedEntry> {
    let key = |c: &Change| match c {
        Change::Command { case_id, .. } => Some(case_id.to_string()),
        Change::CommandOnNew { client_ref, .. } => Some(client_ref.clone()),
        Change::CreateCase { case } => case.client_ref.clone(),
        Change::AddVisit { .. } => None,
    };
    if matches!(r.entry.mutation.change, Change::CreateCase { .. }) {
        return None;
    }
    let k = key(&r.entry.mutation.change)?;
    all.iter()
        .filter(|e| e.entry.mutation.id < r.entry.mutation.id && key(&e.entry.mutation.change).as_ref() == Some(&k))
        .max_by_key(|e| e.entry.mutation.id)
}

/// The id and case of the visit an entry records.
fn visit_key(e: &OutboxEntry) -> Option<(&str, i64)> {
    match &e.mutation.change {
        Change::AddVisit { visit } => Some((&visit.id, visit.case_id)),
        _ => None,
    }
}

/// Whether `entries` record the visit `id`.
fn holds_visit<'a>(mut entries: impl Iterator<Item = &'a OutboxEntry>, id: &str) -> bool {
    entries.any(|e| visit_key(e).is_some_and(|v| v.0 == id))
}

async fn run_sync(me: &Me) -> Result<(), ApiFailure> {
    let s = store();
    let client_id = s.client_id().await?;
    // Push: only this user's entries (another user's wait for them to sign in).
    loop {
        let outbox: Vec<OutboxEntry> =
            s.outbox().await.unwrap_or_default().into_iter().filter(|e| e.user_id == me.id).collect();
        if outbox.is_empty() {
            break;
        }
        let batch: Vec<OutboxEntry> = outbox.into_iter().take(MAX_PUSH_BATCH).collect();
        let req =
            PushRequest { client_id: client_id.clone(), mutations: batch.iter().map(|e| e.mutation.clone()).collect() };
        let resp = api::push(&req).await?;
        let mut applied = Vec::new();
        let mut rejected = Vec::new();
        for r in resp.results {
            // Only an explicit answer from the server removes an entry.
            let Some(entry) = batch.iter().find(|e| e.mutation.id == r.id) else {
                continue;
            };
            match r.status {
                MutationStatus::Applied => applied.push(r.id),
                MutationStatus::Rejected => rejected.push((
                    entry.clone(),
                    r.code.map(|c| c.as_str().to_string()).unwrap_or_default(),
                    r.message.unwrap_or_else(|| "服务器拒绝了该记录".to_string()),
                )),
            }
        }
        let acknowledged = applied.len() + rejected.len();
        s.acknowledge(&applied, &rejected).await?;
        if acknowledged == 0 || batch.len() < MAX_PUSH_BATCH {
            break;
        }
    }
    // Photos, after their visits: each upload is idempotent by its id. Only a
    // 4xx answer for the photo is a refusal; no answer, a timeout or a 5xx
    // keeps it for the next attempt.
    let queued = s.outbox().await?;
    let refused = s.rejected().await?;
    for u in s.uploads().await? {
        if u.rejected.is_some() || u.user_id != me.id || u.case_id <= 0 {
            continue;
        }
        match u.visit_id.as_ref() {
            Some(v) if holds_visit(queued.iter(), v) => continue, // its visit first
            Some(v) if holds_visit(refused.iter().map(|r| &r.entry), v) => {
                s.upload_rejected(u, "所属走访记录被退回，照片未上传".to_string()).await?;
                continue;
            }
            _ => {}
        }
        match api::upload(&u).await {
            Ok(_) => s.upload_done(&u.id).await?,
            Err(ApiFailure::Server(e)) => s.upload_rejected(u, e.message).await?,
            Err(other) => return Err(other),
        }
    }
    // Pull until the server has nothing more.
    loop {
        let cursor = s.cursor().await.unwrap_or(0);
        let page = api::pull(cursor).await?;
        s.apply_pull(&page).await?;
        if !page.has_more {
            break;
        }
    }
    Ok(())
}
