//! Users and their sessions: the signed-in user of a request
//! ([`CurrentUser`]), password hashes (argon2id) and the session rows, of
//! which the database keeps only the SHA-256 of the token.

use crate::error::AppResult;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};
use shared::org::{AgentKind, Me, Role, UnitKind};
use shared::routing::TaskGroup;
use sqlx::{AnyPool, Row};

/// The signed-in user of a request. Extracting it fails with 401 when the
/// request has no valid session.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: i64,
    pub unit_path: String,
    pub unit_name: String,
    pub agent_kind: Option<AgentKind>,
    pub unit_kind: UnitKind,
    /// A member of a township's 代办专班组: `unit_*` above are then the
    /// township's (the group works the township's matters with its
    /// authority), `unit_name` the group's, and this names the group whose
    /// categories the user's queues and lists hold.
    pub task_group: Option<TaskGroup>,
}

impl CurrentUser {
    /// The kind of the user's own unit: a task group's members are
    /// township staff with the group's queues.
    pub fn desk_kind(&self) -> UnitKind {
        if self.task_group.is_some() {
            UnitKind::TaskGroup
        } else {
            self.unit_kind
        }
    }

    pub fn me(&self) -> Me {
        Me {
            id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            unit_id: self.unit_id,
            unit_name: self.unit_name.clone(),
            agent_kind: self.agent_kind,
            unit_kind: self.desk_kind(),
        }
    }
}

/// Hashes a password with argon2id and a random salt (PHC string format).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing cannot fail with default params")
        .to_string()
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn utc_text(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A user row with their unit, read by column name (see [`USER_COLUMNS`]).
#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    unit_id: i64,
    unit_path: String,
    unit_name: String,
    agent_kind: Option<String>,
    unit_kind: String,
    task_group: Option<String>,
}

/// The columns [`UserRow`] reads.
/// A task group's member takes the township's unit (`n.parent_id`), so
/// the scope, the rules of who acts and the registering unit are the
/// township's, with no special case in any of them.
const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.role, \
     CASE WHEN n.kind = 'task_group' THEN n.parent_id ELSE u.unit_id END AS unit_id, \
     CASE WHEN n.kind = 'task_group' THEN (SELECT p.path FROM units p WHERE p.id = n.parent_id) ELSE n.path END \
     AS unit_path, n.name AS unit_name, u.agent_kind, \
     CASE WHEN n.kind = 'task_group' THEN 'township' ELSE n.kind END AS unit_kind, n.task_group";

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<CurrentUser, sqlx::Error> {
    let r = <UserRow as sqlx::FromRow<sqlx::any::AnyRow>>::from_row(row)?;
    Ok(CurrentUser {
        id: r.id,
        username: r.username,
        display_name: r.display_name,
        role: Role::parse(&r.role).ok_or_else(|| sqlx::Error::Decode(format!("unknown role {}", r.role).into()))?,
        unit_id: r.unit_id,
        unit_path: r.unit_path,
        unit_name: r.unit_name,
        agent_kind: crate::db::text::opt_from_text("agent_kind", r.agent_kind)?,
        unit_kind: crate::db::text::from_text("kind", &r.unit_kind)?,
        task_group: crate::db::text::opt_from_text("task_group", r.task_group)?,
    })
}

/// The user of an unexpired session, with the session's last activity.
pub async fn user_of_session(
    pool: &AnyPool,
    hash: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Option<(CurrentUser, Option<String>)>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS}, s.last_seen FROM sessions s JOIN users u ON u.id = s.user_id \
         JOIN units n ON n.id = u.unit_id WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL"
    )))
    .bind(hash)
    .bind(utc_text(now))
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let user = user_from_row(&row)?;
    let last_seen: Option<String> = row.try_get("last_seen")?;
    Ok(Some((user, last_seen)))
}

/// Ends the session with this token hash.
pub async fn end_session(pool: &AnyPool, hash: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(hash).execute(pool).await?;
    Ok(())
}

/// Notes a session's activity.
pub async fn touch_session(pool: &AnyPool, hash: &str, now: chrono::DateTime<chrono::Utc>) -> AppResult<()> {
    sqlx::query("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2")
        .bind(utc_text(now))
        .bind(hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// The account signing in under this name, with its password hash and
/// whether an administrator has switched it off.
pub async fn user_for_login(pool: &AnyPool, username: &str) -> AppResult<Option<(CurrentUser, String, bool)>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS}, u.password_hash, u.disabled_at FROM users u JOIN units n ON n.id = u.unit_id WHERE u.username = $1"
    )))
    .bind(username)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let phc: String = row.try_get("password_hash")?;
    let disabled = row.try_get::<Option<String>, _>("disabled_at")?.is_some();
    Ok(Some((user_from_row(&row)?, phc, disabled)))
}

/// Starts a session for `user_id` that ends after `hours` at the latest.
pub async fn start_session(
    pool: &AnyPool,
    hash: &str,
    user_id: i64,
    now: chrono::DateTime<chrono::Utc>,
    hours: i64,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen) VALUES ($1, $2, $3, $4, $3)",
    )
    .bind(hash)
    .bind(user_id)
    .bind(utc_text(now))
    .bind(utc_text(now + chrono::Duration::hours(hours)))
    .execute(pool)
    .await?;
    Ok(())
}

/// A user's password hash.
pub async fn password_hash_of(pool: &AnyPool, user_id: i64) -> AppResult<String> {
    Ok(sqlx::query("SELECT password_hash FROM users WHERE id = $1").bind(user_id).fetch_one(pool).await?.try_get(0)?)
}

/// Sets a user's own password and ends every other session of theirs, in
/// the caller's transaction.
pub async fn set_own_password(
    tx: &mut crate::db::Tx,
    user_id: i64,
    hash: &str,
    keep_token_hash: &str,
) -> AppResult<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    // Every other session of this user ends.
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep_token_hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
