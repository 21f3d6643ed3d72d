//! The sync engine: push the outbox, upload photos after their visits, pull
//! what changed. It runs on start, on the browser's `online` event, every
//! 20 seconds, after every local save, and on 立即同步; after a passing
//! failure (no answer, a timeout, 5xx) it is retried with backoff.

use crate::state::{store, AppState};
use crate::sync::api::{self, ApiFailure};
use crate::sync::outbox::{holds_visit, OutboxEntry};
use crate::util::{browser_online, now_ms};
use leptos::prelude::*;
use shared::org::Me;
use shared::sync::{MutationStatus, PushRequest, MAX_PUSH_BATCH};

/// The regular interval between syncs when nothing failed.
const SYNC_EVERY_MS: f64 = 20_000.0;

/// The wait before the next attempt after `failures` failed ones: 5 s,
/// 10 s, 20 s … at most 2 minutes.
pub fn backoff_ms(failures: u32) -> f64 {
    (5_000.0 * f64::from(1u32 << failures.saturating_sub(1).min(5))).min(120_000.0)
}

impl AppState {
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
