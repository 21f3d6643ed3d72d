//! App-wide state (a Leptos context): the signals the pages read, filled
//! from the device database by [`AppState::reload`] through the view-model
//! ([`crate::view`]). Everything shown comes from IndexedDB; the network
//! only feeds IndexedDB ([`crate::sync`]).

use crate::route::Route;
use crate::sync::outbox::{OutboxEntry, RejectedEntry};
use crate::sync::store::Store;
use crate::util::{browser_online, now_ms};
use crate::view::{counts, overlay, PendingEntry, RefusedPhoto};
use leptos::prelude::*;
use shared::case::CaseView;
use shared::org::Me;
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
    pub(crate) failures: RwSignal<u32>,
    /// When the next automatic attempt is due (after a failure: the backoff;
    /// otherwise the regular 20-second pull).
    pub(crate) next_attempt: RwSignal<f64>,
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

    /// Gives up a refused change and the photos refused with it (需处理 →
    /// gone), then shows the rest.
    pub async fn discard(self, entry: Option<RejectedEntry>, photos: Vec<String>) {
        let s = store();
        if let Some(e) = &entry {
            let _ = s.discard_rejected(e).await;
        }
        for p in &photos {
            let _ = s.discard_upload(p).await;
        }
        self.reload().await;
    }

    /// Re-reads what the pages show from the device database.
    pub async fn reload(&self) {
        let started = crate::js::now_ms();
        let s = store();
        let outbox = s.outbox().await.unwrap_or_default();
        let uploads = s.uploads().await.unwrap_or_default();
        let rejected = s.rejected().await.unwrap_or_default();
        let mut pending = HashMap::new();
        if let (Ok(server), Some(me)) = (s.cases().await, self.me.get_untracked()) {
            let (cases, p) = overlay(server, &outbox, &me, crate::util::china_now().date());
            self.cases.set(cases);
            pending = p;
        }
        let c = counts(&pending, &outbox, &uploads, &rejected);
        self.pending_entries.set(pending);
        self.needs_worker.set(c.needs_worker);
        self.pending.set(c.pending);
        self.pending_by_case.set(c.by_case);
        self.oldest_pending.set(c.oldest);
        self.outbox.set(outbox);
        self.rejected_uploads.set(c.refused_photos);
        self.rejected.set(rejected);
        if let Ok(last) = s.last_sync().await {
            self.last_sync.set(last);
        }
        self.data_version.update(|v| *v += 1);
        crate::js::record_metric("reload", crate::js::now_ms() - started);
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}
