//! This device's records of work not yet on the server: the outbox (changes
//! waiting to be pushed), the changes the server refused (需处理), and the
//! photos waiting for upload. Plain data, stored by [`super::store`] and read
//! by the view-model ([`crate::view`]); no browser API here, so it compiles
//! natively for the unit tests.

use serde::{Deserialize, Serialize};
use shared::case::{NewVisit, Visit};
use shared::sync::{Change, Mutation};

/// One change waiting to be pushed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub mutation: Mutation,
    /// When it was made, ms since the epoch (to show the age of unsent work).
    pub created_at: f64,
    /// The user who made it: only their session may push it.
    pub user_id: i64,
}

impl OutboxEntry {
    /// The visit this entry records, as the server will store it.
    pub fn visit(&self, me_name: &str) -> Option<Visit> {
        match &self.mutation.change {
            Change::AddVisit { visit } => Some(visit_of(visit, self.user_id, me_name)),
            _ => None,
        }
    }
}

fn visit_of(v: &NewVisit, user_id: i64, name: &str) -> Visit {
    Visit {
        id: v.id.clone(),
        case_id: v.case_id,
        visited_at: v.visited_at.clone(),
        method: v.method,
        note: v.note.clone(),
        recorded_by: user_id,
        recorded_by_name: name.to_string(),
        position: v.position,
    }
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
    /// The visit this photo was taken for: uploaded only once the server has
    /// the visit, and refused with it if the visit is refused.
    #[serde(default)]
    pub visit_id: Option<String>,
    /// The server refused it, with this reason; kept until discarded.
    #[serde(default)]
    pub rejected: Option<String>,
}

/// The id and case of the visit an entry records.
pub fn visit_key(e: &OutboxEntry) -> Option<(&str, i64)> {
    match &e.mutation.change {
        Change::AddVisit { visit } => Some((&visit.id, visit.case_id)),
        _ => None,
    }
}

/// Whether `entries` record the visit `id`.
pub fn holds_visit<'a>(mut entries: impl Iterator<Item = &'a OutboxEntry>, id: &str) -> bool {
    entries.any(|e| visit_key(e).is_some_and(|v| v.0 == id))
}
