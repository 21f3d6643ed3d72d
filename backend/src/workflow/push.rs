//! Applying a phone's push: each mutation through the workflow, its answer
//! stored in `applied_mutations` in the same transaction (zero2prod's
//! idempotency pattern), so a retried push replays answers instead of
//! applying changes twice.

use crate::db::session::CurrentUser;
use crate::db::{insert_rows, now_text, Cell, Db, Write};
use crate::error::{AppError, AppResult};
use crate::workflow;
use sha2::{Digest, Sha256};
use shared::error::ErrorCode;
use shared::sync::{Change, MutationResult, MutationStatus, RawMutation, MAX_PUSH_BATCH};
use shared::validation::check_uuid;
use sqlx::Row;

/// Savepoints per transaction. A command runs under a savepoint, and
/// PostgreSQL slows sharply once one transaction has more than 64
/// subtransactions (its per-backend subtransaction cache overflows), so a
/// part ends after 60 of them. Visits need none (see [`apply_part`]).
pub const CHANGES_PER_TRANSACTION: usize = 60;

/// How often one mutation may fail with a server error before it is answered
/// `rejected`, so that no single record can block the records behind it.
const MAX_SERVER_FAILURES: u32 = 3;

/// Notes that a device pushed (the user it pushed as, when).
pub async fn note_client(db: &Db, client: &str, user_id: i64) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO sync_clients (client_id, user_id, first_seen, last_seen) VALUES ($1, $2, $3, $3) \
         ON CONFLICT (client_id) DO UPDATE SET user_id = $2, last_seen = $3",
    )
    .bind(client)
    .bind(user_id)
    .bind(now_text())
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Applies a batch of mutations from `client` (at most `MAX_PUSH_BATCH`,
/// checked by the caller) in as few transactions as it can, and answers
/// each.
pub async fn apply_batch(
    db: &Db,
    failures: &PushFailures,
    user: &CurrentUser,
    client: &str,
    mutations: &[RawMutation],
) -> AppResult<Vec<MutationResult>> {
    let now = chrono::Utc::now();
    note_client(db, client, user.id).await?;
    let mut results = Vec::with_capacity(mutations.len());
    // Answers given by earlier parts of this batch (a repeated id replays them).
    let mut known = std::collections::HashMap::new();
    let mut done = 0;
    while done < mutations.len() {
        let rest = &mutations[done..];
        // First the fast way (visits without savepoints); if a visit failed
        // on the database, the part is redone the careful way.
        let mut careful = false;
        let part = loop {
            match apply_part(db, failures, user, client, rest, &known, now, careful).await? {
                Ok(part) => break part,
                Err(Redo) => careful = true,
            }
        };
        done += part.results.len();
        known.extend(part.known);
        results.extend(part.results);
    }
    for m in mutations {
        failures.clear(client, m.id);
    }
    Ok(results)
}

/// The answers of one transaction, and the stored form of each (for ids
/// repeated later in the batch).
struct Part {
    results: Vec<MutationResult>,
    known: std::collections::HashMap<u64, StoredAnswer>,
}

/// A part must be redone with a savepoint per change.
struct Redo;

/// Applies the first mutations of `mutations` in one transaction and
/// returns their answers, or [`Redo`] (nothing kept) in the fast way when a
/// visit failed on the database.
///
/// Careful (as every part was once): up to [`CHANGES_PER_TRANSACTION`]
/// mutations, each under its own savepoint, each visit its own `INSERT`.
/// Fast: a visit gets no savepoint, because `workflow::add_visit` checks
/// everything before its one write and cannot fail after it — a refused
/// visit has written nothing to undo — and that write is held back: the
/// part's visit ids are looked up in one query and the rows inserted 50 at
/// a time at the end ([`Write::defer_visits`]). Commands still get
/// savepoints (they write several rows), and the part ends at
/// [`CHANGES_PER_TRANSACTION`] savepoints, so a batch of visits is one
/// transaction, not nine. When the database itself fails a visit (a server
/// fault, data it refuses, a visit another push stored meanwhile) the whole
/// part is redone carefully, where that failure is handled, and answered
/// for that one visit, as it always was.
#[allow(clippy::too_many_arguments)]
async fn apply_part(
    db: &Db,
    failures: &PushFailures,
    user: &CurrentUser,
    client: &str,
    mutations: &[RawMutation],
    known: &std::collections::HashMap<u64, StoredAnswer>,
    now: chrono::DateTime<chrono::Utc>,
    careful: bool,
) -> AppResult<Result<Part, Redo>> {
    let take = mutations.len().min(if careful { CHANGES_PER_TRANSACTION } else { MAX_PUSH_BATCH });
    let mutations = &mutations[..take];
    let mut w = Write::begin(db, take).await?;
    let stored = stored_answers(&mut w, client, mutations).await?;
    let decoded: Vec<_> = mutations.iter().map(|m| serde_json::from_value::<Change>(m.change.clone())).collect();
    if !careful {
        // The visits' ids are looked up in one query and the rows written
        // together at the end, instead of one INSERT per visit.
        let ids = decoded
            .iter()
            .filter_map(|c| match c {
                Ok(Change::AddVisit { visit }) if check_uuid(&visit.id).is_ok() => Some(visit.id.clone()),
                _ => None,
            })
            .collect();
        w.defer_visits(ids).await?;
    }
    let mut mine = std::collections::HashMap::new();
    let mut results = Vec::with_capacity(take);
    let mut answers = Vec::with_capacity(take);
    for (m, decoded) in mutations.iter().zip(decoded) {
        if w.savepoints() as usize >= CHANGES_PER_TRANSACTION {
            // PostgreSQL's subtransaction cache: the rest goes in the next part.
            break;
        }
        if !m.has_valid_id() {
            results.push(MutationResult::rejected(m.id, ErrorCode::ValidationFailed, "变更编号无效"));
            continue;
        }
        let digest = digest(match &decoded {
            Ok(change) => serde_json::to_string(change).unwrap_or_default(),
            Err(_) => m.change.to_string(),
        });
        if let Some(prev) = mine.get(&m.id).or_else(|| known.get(&m.id)).or_else(|| stored.get(&m.id)) {
            results.push(replay(prev, user, m.id, &digest));
            continue;
        }
        let change = decoded.map_err(|e| format!("无法识别的变更内容：{e}"));
        let is_visit = matches!(change, Ok(Change::AddVisit { .. }));
        let mark = if careful || !is_visit { Some(w.mark().await?) } else { None };
        let outcome = match &change {
            Err(why) => Err(AppError::new(ErrorCode::ValidationFailed, why.clone())),
            // The shared rule first (desk-only commands are refused from the phone queue).
            Ok(change) => match change.check_offline() {
                Err(e) => Err(AppError::from(e)),
                Ok(()) => apply_change(&mut w, user, change, now).await,
            },
        };
        let result = match (outcome, mark) {
            (Ok(()), mark) => {
                if let Some(mark) = mark {
                    w.keep(mark).await?;
                }
                MutationResult::applied(m.id)
            }
            (Err(AppError(e)), None) => {
                if e.code == ErrorCode::Internal || !w.usable().await {
                    return Ok(Err(Redo));
                }
                // Refused by a rule before anything was written.
                tracing::info!(client, mutation_id = m.id, code = ?e.code, "mutation rejected");
                MutationResult::rejected(m.id, e.code, e.message)
            }
            (Err(AppError(e)), Some(mark)) if e.code == ErrorCode::Internal => {
                if failures.failed(client, m.id) < MAX_SERVER_FAILURES {
                    // A server fault: nothing of this part is kept; the
                    // device retries the batch, and exactly-once makes that safe.
                    return Err(AppError(e));
                }
                tracing::error!(client, mutation_id = m.id, error = %e, "mutation keeps failing: rejected");
                w.undo_to(mark).await?;
                MutationResult::rejected(
                    m.id,
                    ErrorCode::Internal,
                    format!("服务器多次无法处理此条记录（{}），已退回，请联系管理员", e.message),
                )
            }
            (Err(AppError(e)), Some(mark)) => {
                w.undo_to(mark).await?;
                tracing::info!(client, mutation_id = m.id, code = ?e.code, "mutation rejected");
                MutationResult::rejected(m.id, e.code, e.message)
            }
        };
        answers.push(answer_row(user, client, &result, &digest));
        mine.insert(m.id, StoredAnswer::of(&result, user.id, &digest));
        results.push(result);
    }
    if let Err(e) = w.flush_visits().await {
        if careful {
            return Err(e.into());
        }
        // Which visit the database refused is not known from a multi-row
        // insert: one by one, with savepoints.
        tracing::info!(client, error = %e, "batched visits refused: redoing the part one by one");
        return Ok(Err(Redo));
    }
    // Every answer is stored in the transaction of its change: a retried
    // push replays them, and a part that failed stored none.
    insert_rows(
        w.conn(),
        "applied_mutations (client_id, mutation_id, user_id, status, code, message, applied_at, digest)",
        &answers,
    )
    .await?;
    w.commit().await?;
    Ok(Ok(Part { results, known: mine }))
}

/// SHA-256 of a change's canonical JSON.
fn digest(json: String) -> String {
    Sha256::digest(json.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Counts server errors per mutation (in memory: a restart forgives).
#[derive(Default)]
pub struct PushFailures(std::sync::Mutex<std::collections::HashMap<(String, u64), u32>>);

impl PushFailures {
    fn failed(&self, client: &str, id: u64) -> u32 {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.clear();
        }
        let n = map.entry((client.to_string(), id)).or_insert(0);
        *n += 1;
        *n
    }

    fn clear(&self, client: &str, id: u64) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if !map.is_empty() {
            map.remove(&(client.to_string(), id));
        }
    }
}

/// The answers already stored for this batch's mutation ids, in one query.
async fn stored_answers(
    w: &mut Write,
    client: &str,
    mutations: &[RawMutation],
) -> AppResult<std::collections::HashMap<u64, StoredAnswer>> {
    let ids: Vec<String> =
        mutations.iter().filter(|m| m.id > 0 && m.id <= i64::MAX as u64).map(|m| m.id.to_string()).collect();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    // The ids are validated integers, so they can stand in the text. Each
    // list is different: not kept as a prepared statement, where it would
    // push the hot statements out of the connection's statement cache.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT mutation_id, status, code, message, user_id, digest FROM applied_mutations \
         WHERE client_id = $1 AND mutation_id IN ({})",
        ids.join(", ")
    )))
    .persistent(false)
    .bind(client)
    .fetch_all(w.conn())
    .await?;
    let mut out = std::collections::HashMap::new();
    for r in &rows {
        let id: i64 = r.try_get("mutation_id")?;
        out.insert(id as u64, <StoredAnswer as sqlx::FromRow<sqlx::any::AnyRow>>::from_row(r)?);
    }
    Ok(out)
}

/// The answer to a mutation id seen before: its stored answer — only for
/// the same user and the same content (by digest); otherwise a refusal,
/// never a silent drop and never another user's answer.
fn replay(prev: &StoredAnswer, user: &CurrentUser, id: u64, digest: &str) -> MutationResult {
    if prev.user_id != user.id {
        return MutationResult::rejected(
            id,
            ErrorCode::Conflict,
            "该设备编号下的这条变更属于其他用户，未予处理（请退出后重新登录再同步）",
        );
    }
    if prev.digest.as_deref().is_some_and(|d| d != digest) {
        return MutationResult::rejected(
            id,
            ErrorCode::Conflict,
            format!("变更编号 {id} 已用于另一条内容不同的记录，此条未被保存，请重新提交"),
        );
    }
    prev.result(id)
}

async fn apply_change(
    w: &mut Write,
    user: &CurrentUser,
    change: &Change,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let today = shared::time::china_today(now);
    match change {
        Change::AddVisit { visit } => {
            let visit = shared::validation::check_visit(visit, shared::time::china_local(now))?;
            workflow::add_visit(w, user, &visit).await.map(|_| ())
        }
        Change::Command { case_id, command } => {
            workflow::apply_command(w, user, *case_id, command, today).await.map(|_| ())
        }
        Change::CreateCase { case } => workflow::create_case(w, user, &case.check(today)?).await.map(|_| ()),
        Change::CommandOnNew { client_ref, command } => {
            check_uuid(client_ref)?;
            let row = sqlx::query("SELECT id FROM cases WHERE client_ref = $1")
                .bind(client_ref)
                .fetch_optional(w.conn())
                .await?
                .ok_or_else(|| AppError::new(ErrorCode::NotFound, "找不到本机登记的该事项（登记可能被退回）"))?;
            workflow::apply_command(w, user, row.try_get("id")?, command, today).await.map(|_| ())
        }
    }
}

/// A row of `applied_mutations` for [`insert_rows`].
fn answer_row(user: &CurrentUser, client_id: &str, r: &MutationResult, digest: &str) -> [Cell; 8] {
    [
        Cell::Text(Some(client_id.to_string())),
        Cell::Int(Some(r.id as i64)),
        Cell::Int(Some(user.id)),
        Cell::Text(Some(if r.status == MutationStatus::Applied { "applied" } else { "rejected" }.to_string())),
        Cell::Text(r.code.map(|c| c.as_str().to_string())),
        Cell::Text(r.message.clone()),
        Cell::Text(Some(now_text())),
        Cell::Text(Some(digest.to_string())),
    ]
}

/// A stored answer, read by column name.
#[derive(sqlx::FromRow)]
struct StoredAnswer {
    status: String,
    code: Option<String>,
    message: Option<String>,
    user_id: i64,
    digest: Option<String>,
}

impl StoredAnswer {
    fn result(&self, id: u64) -> MutationResult {
        if self.status == "applied" {
            return MutationResult::applied(id);
        }
        let code = self.code.as_deref().map_or(ErrorCode::Other, ErrorCode::parse);
        MutationResult::rejected(id, code, self.message.clone().unwrap_or_default())
    }

    /// The answer just given, as if read back (a repeated id later in the batch replays it).
    fn of(r: &MutationResult, user_id: i64, digest: &str) -> StoredAnswer {
        StoredAnswer {
            status: if r.status == MutationStatus::Applied { "applied" } else { "rejected" }.to_string(),
            code: r.code.map(|c| c.as_str().to_string()),
            message: r.message.clone(),
            user_id,
            digest: Some(digest.to_string()),
        }
    }
}
