//! App-wide state (a Leptos context) and the sync engine.
//!
//! Everything shown comes from IndexedDB ([`crate::store`]); the network only
//! feeds IndexedDB. Sync runs on start, on the browser's `online` event, on a
//! 20-second timer, after every local save, and on the "立即同步" button.

use crate::api::{self, ApiFailure};
use crate::overlay::{overlay, PendingEntry};
use crate::store::{OutboxEntry, RejectedEntry, Store};
use crate::util::{browser_online, now_ms};
use leptos::prelude::*;
use shared::case::CaseView;
use shared::org::Me;
use shared::sync::{MutationStatus, PushRequest, MAX_PUSH_BATCH};
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
    pub syncing: RwSignal<bool>,
    pub pending: RwSignal<u32>,
    pub oldest_pending: RwSignal<Option<f64>>,
    pub last_sync: RwSignal<Option<f64>>,
    pub sync_error: RwSignal<Option<String>>,
    /// The cases shown: the server's, with this device's pending changes replayed.
    pub cases: RwSignal<Vec<CaseView>>,
    /// This device's unsent changes (visits are shown from here until synced).
    pub outbox: RwSignal<Vec<OutboxEntry>>,
    /// Per case, the changes still waiting to be synced.
    pub pending_entries: RwSignal<HashMap<i64, Vec<PendingEntry>>>,
    pub rejected: RwSignal<Vec<RejectedEntry>>,
    /// Photos the server refused: (id, case id, name, reason).
    pub rejected_uploads: RwSignal<Vec<(String, i64, String, String)>>,
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
            syncing: RwSignal::new(false),
            pending: RwSignal::new(0),
            oldest_pending: RwSignal::new(None),
            last_sync: RwSignal::new(None),
            sync_error: RwSignal::new(None),
            cases: RwSignal::new(Vec::new()),
            pending_entries: RwSignal::new(HashMap::new()),
            outbox: RwSignal::new(Vec::new()),
            rejected: RwSignal::new(Vec::new()),
            rejected_uploads: RwSignal::new(Vec::new()),
            route: RwSignal::new(Route::Cases),
            data_version: RwSignal::new(0),
        }
    }

    /// Re-reads what the pages show from the device database.
    pub async fn reload(&self) {
        let started = crate::js::now_ms();
        let s = store();
        let outbox = s.outbox().await.unwrap_or_default();
        let uploads = s.uploads().await.unwrap_or_default();
        if let (Ok(server), Some(me)) = (s.cases().await, self.me.get_untracked()) {
            let (cases, pending) = overlay(server, &outbox, &me, crate::util::china_now().date());
            self.cases.set(cases);
            self.pending_entries.set(pending);
        }
        let waiting_uploads: Vec<_> = uploads.iter().filter(|u| u.rejected.is_none()).collect();
        self.pending.set((outbox.len() + waiting_uploads.len()) as u32);
        self.oldest_pending.set(
            outbox.iter().map(|e| e.created_at).chain(waiting_uploads.iter().map(|u| u.created_at)).reduce(f64::min),
        );
        self.outbox.set(outbox);
        self.rejected_uploads.set(
            uploads
                .iter()
                .filter_map(|u| u.rejected.clone().map(|r| (u.id.clone(), u.case_id, u.name.clone(), r)))
                .collect(),
        );
        if let Ok(rejected) = s.rejected().await {
            self.rejected.set(rejected);
        }
        if let Ok(last) = s.last_sync().await {
            self.last_sync.set(last);
        }
        self.data_version.update(|v| *v += 1);
        crate::js::record_metric("reload", crate::js::now_ms() - started);
    }

    /// Pushes the outbox and pulls changes, if online and not already syncing.
    pub async fn sync_now(&self) {
        if self.syncing.get_untracked() || !self.online.get_untracked() {
            return;
        }
        let Some(me) = self.me.get_untracked() else {
            return;
        };
        self.syncing.set(true);
        let result = run_sync(&me).await;
        match &result {
            Ok(()) => {
                let now = now_ms();
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
        self.syncing.set(false);
        self.reload().await;
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
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
    // Photos: each upload is idempotent by its id; a refusal is kept with its reason.
    for u in s.uploads().await? {
        if u.rejected.is_some() || u.user_id != me.id || u.case_id <= 0 {
            continue;
        }
        match api::upload(&u).await {
            Ok(_) => s.upload_done(&u.id).await?,
            Err(ApiFailure::Server(e)) => {
                let reason = e.message.clone();
                s.upload_rejected(u, reason).await?
            }
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
