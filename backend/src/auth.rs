//! Sign-in with username and password (argon2id hashes) and cookie sessions.
//!
//! The session cookie is HttpOnly (scripts cannot read it) and SameSite=Strict
//! (other sites cannot ride on it). The database keeps only the SHA-256 of the
//! token. How long a session lasts depends on the role
//! (`shared::authority::session_hours`): field agents' phones work offline for
//! days, desk sessions are short and end when idle.

use crate::error::{ApiJson, AppError, AppResult};
use crate::jurisdiction::Scope;
use crate::security::is_https;
use crate::ApiContext;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sha2::{Digest, Sha256};
use shared::authority::session_hours;
use shared::error::ErrorCode;
use shared::org::{AgentKind, LoginRequest, Me, Role, UnitKind};
use shared::routing::TaskGroup;
use shared::validation::has_control_chars;
use sqlx::Row;

pub const SESSION_COOKIE: &str = "dbt_session";

/// Failed sign-ins allowed for one name from one source within [`THROTTLE_WINDOW`].
pub const MAX_FAILED_LOGINS: u32 = 5;
/// Failed sign-ins allowed from one source, whatever the names, within the window.
pub const MAX_FAILED_LOGINS_PER_SOURCE: u32 = 30;
pub const THROTTLE_WINDOW: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Counts failed sign-ins per (source, name) and per source (in memory: a
/// restart forgets, which is acceptable for slowing down guessing).
///
/// Never per name alone: then anyone could lock every account out by typing
/// wrong passwords. Guessing one name from one address stops after 5 tries;
/// one address guessing many names stops after 30; the real user signing in
/// from their own phone is never held up by what others try.
#[derive(Default)]
pub struct LoginThrottle {
    failures: std::sync::Mutex<std::collections::HashMap<String, (u32, std::time::Instant)>>,
}

impl LoginThrottle {
    fn keys(source: &str, username: &str) -> [(String, u32); 2] {
        [(format!("{source}|{username}"), MAX_FAILED_LOGINS), (format!("{source}|*"), MAX_FAILED_LOGINS_PER_SOURCE)]
    }

    fn blocked(&self, source: &str, username: &str) -> bool {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        Self::keys(source, username).iter().any(|(key, limit)| match map.get(key) {
            Some((_, since)) if since.elapsed() > THROTTLE_WINDOW => {
                map.remove(key);
                false
            }
            Some((n, _)) => n >= limit,
            None => false,
        })
    }

    fn failed(&self, source: &str, username: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (_, since)| since.elapsed() <= THROTTLE_WINDOW);
        }
        for (key, _) in Self::keys(source, username) {
            let e = map.entry(key).or_insert((0, std::time::Instant::now()));
            e.0 += 1;
        }
    }

    fn succeeded(&self, source: &str, username: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(&format!("{source}|{username}"));
    }
}

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/me", get(me))
        .route("/api/me/password", post(change_password))
}

/// Hashes a password with argon2id and a random salt (PHC string format).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing cannot fail with default params")
        .to_string()
}

fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

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
    /// The jurisdiction every query of this user is limited to.
    pub fn scope(&self) -> Scope {
        Scope::for_user(self)
    }

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

/// The value of the cookie `name`, if the request carries it (non-empty).
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name && !v.is_empty()).then(|| v.to_string())
    })
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE)
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
        agent_kind: crate::text::opt_from_text("agent_kind", r.agent_kind)?,
        unit_kind: crate::text::from_text("kind", &r.unit_kind)?,
        task_group: crate::text::opt_from_text("task_group", r.task_group)?,
    })
}

impl FromRequestParts<ApiContext> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, ctx: &ApiContext) -> Result<Self, Self::Rejection> {
        let token = session_token(&parts.headers).ok_or_else(AppError::unauthenticated)?;
        let hash = token_hash(&token);
        let now = chrono::Utc::now();
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, s.last_seen FROM sessions s JOIN users u ON u.id = s.user_id \
             JOIN units n ON n.id = u.unit_id WHERE s.token_hash = $1 AND s.expires_at > $2"
        )))
        .bind(&hash)
        .bind(utc_text(now))
        .fetch_optional(&ctx.db.pool)
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::Unauthenticated, "登录已过期，请重新登录"))?;
        let user = user_from_row(&row)?;
        let last_seen: Option<String> = row.try_get("last_seen")?;
        let last_seen = last_seen.and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok());
        let (_, idle_hours) = session_hours(user.role);
        if last_seen.is_some_and(|t| now.signed_duration_since(t) > chrono::Duration::hours(idle_hours)) {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(&hash).execute(&ctx.db.pool).await?;
            return Err(AppError::new(ErrorCode::Unauthenticated, "长时间未操作，登录已失效，请重新登录"));
        }
        // Note activity at most once a minute: not a write per request.
        if last_seen.is_none_or(|t| now.signed_duration_since(t) > chrono::Duration::seconds(60)) {
            sqlx::query("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2")
                .bind(utc_text(now))
                .bind(&hash)
                .execute(&ctx.db.pool)
                .await?;
        }
        Ok(user)
    }
}

fn utc_text(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[utoipa::path(post, path = "/api/login", tag = "auth", security(()), request_body = shared::org::LoginRequest, responses((status = 200, description = "已登录，设置会话 Cookie", body = shared::org::Me), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
async fn login(
    State(ctx): State<ApiContext>,
    ConnectInfoExt(source): ConnectInfoExt,
    headers: HeaderMap,
    ApiJson(req): ApiJson<LoginRequest>,
) -> AppResult<Response> {
    let key = req.username.trim().to_lowercase();
    if ctx.login_throttle.blocked(&source, &key) {
        return Err(AppError::new(ErrorCode::TooManyRequests, "登录失败次数过多，请 10 分钟后再试"));
    }
    // A name no account can have is simply wrong (and never reaches the database).
    let plausible = !key.is_empty() && key.len() <= 64 && !has_control_chars(&key);
    let row = if plausible {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, u.password_hash FROM users u JOIN units n ON n.id = u.unit_id WHERE u.username = $1"
        )))
        .bind(req.username.trim())
        .fetch_optional(&ctx.db.pool)
        .await?
    } else {
        None
    };
    let password = req.password.clone();
    let (user, ok) = match row {
        Some(row) => {
            let phc: String = row.try_get("password_hash")?;
            let ok = tokio::task::spawn_blocking(move || verify_password(&password, &phc)).await.unwrap_or(false);
            (Some(user_from_row(&row)?), ok)
        }
        None => {
            // Spend the same time as a real check so response timing does
            // not tell which usernames exist.
            let _ = tokio::task::spawn_blocking(move || verify_password(&password, &ctx_dummy_hash())).await;
            (None, false)
        }
    };
    let user = match (user, ok) {
        (Some(u), true) => u,
        _ => {
            ctx.login_throttle.failed(&source, &key);
            return Err(AppError::new(ErrorCode::BadCredentials, "用户名或密码错误"));
        }
    };
    ctx.login_throttle.succeeded(&source, &key);

    // A session id is never carried across a sign-in (no fixation): the one
    // the browser brought, if any, ends here, and a new one is made.
    if let Some(old) = session_token(&headers) {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash(&old)).execute(&ctx.db.pool).await?;
    }
    let mut raw = [0u8; 32];
    getrandom::getrandom(&mut raw).map_err(|_| AppError::new(ErrorCode::Internal, "无法生成会话"))?;
    let token = hex(&raw);
    let (absolute_hours, _) = session_hours(user.role);
    let now = chrono::Utc::now();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen) VALUES ($1, $2, $3, $4, $3)",
    )
    .bind(token_hash(&token))
    .bind(user.id)
    .bind(utc_text(now))
    .bind(utc_text(now + chrono::Duration::hours(absolute_hours)))
    .execute(&ctx.db.pool)
    .await?;
    tracing::info!(user = %user.username, "login");
    let secure = if is_https(&headers, &ctx.security) { "; Secure" } else { "" };
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        absolute_hours * 3600
    );
    Ok(([(SET_COOKIE, cookie)], Json(user.me())).into_response())
}

/// The client's address as text, for throttling.
pub struct ConnectInfoExt(pub String);

impl FromRequestParts<ApiContext> for ConnectInfoExt {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, ctx: &ApiContext) -> Result<Self, Self::Rejection> {
        let ip = crate::security::client_ip(&parts.headers, &parts.extensions, &ctx.security);
        Ok(ConnectInfoExt(ip.map_or_else(|| "unknown".to_string(), |ip| ip.to_string())))
    }
}

/// `POST /api/me/password` body.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub old_password: String,
    #[schema(min_length = 8, max_length = 128)]
    pub new_password: String,
}

/// Everyone changes their own password here, with the old one; an
/// administrator cannot change their own through the admin API.
#[utoipa::path(post, path = "/api/me/password", tag = "auth", request_body = PasswordChange, responses((status = 200, description = "密码已修改，其他会话已退出"), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
async fn change_password(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ConnectInfoExt(source): ConnectInfoExt,
    headers: HeaderMap,
    ApiJson(req): ApiJson<PasswordChange>,
) -> AppResult<Json<serde_json::Value>> {
    if ctx.login_throttle.blocked(&source, &user.username) {
        return Err(AppError::new(ErrorCode::TooManyRequests, "密码错误次数过多，请 10 分钟后再试"));
    }
    shared::org::check_password(&req.new_password)?;
    let phc: String = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
        .bind(user.id)
        .fetch_one(&ctx.db.pool)
        .await?
        .try_get(0)?;
    let old = req.old_password.clone();
    if !tokio::task::spawn_blocking(move || verify_password(&old, &phc)).await.unwrap_or(false) {
        ctx.login_throttle.failed(&source, &user.username);
        return Err(AppError::new(ErrorCode::BadCredentials, "原密码不正确"));
    }
    let new = req.new_password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&new))
        .await
        .map_err(|_| AppError::new(ErrorCode::Internal, "服务器内部错误"))?;
    let current = session_token(&headers).map(|t| token_hash(&t)).unwrap_or_default();
    let mut tx = ctx.db.begin_write().await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(hash).bind(user.id).execute(&mut *tx).await?;
    // Every other session of this user ends.
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user.id)
        .bind(current)
        .execute(&mut *tx)
        .await?;
    crate::audit::append(
        &mut tx,
        crate::audit::AuditEntry {
            actor_id: Some(user.id),
            action: "user.own_password",
            entity: "user",
            entity_id: user.id.to_string(),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

fn ctx_dummy_hash() -> String {
    use std::sync::OnceLock;
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a real password")).clone()
}

#[utoipa::path(post, path = "/api/logout", tag = "auth", security(()), responses((status = 200, description = "已退出"), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
async fn logout(State(ctx): State<ApiContext>, headers: HeaderMap) -> AppResult<Response> {
    if let Some(token) = session_token(&headers) {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(&token))
            .execute(&ctx.db.pool)
            .await?;
    }
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    Ok(([(SET_COOKIE, cookie)], Json(serde_json::json!({"ok": true}))).into_response())
}

#[utoipa::path(get, path = "/api/me", tag = "auth", responses((status = 200, body = shared::org::Me), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
async fn me(user: CurrentUser) -> Json<Me> {
    Json(user.me())
}
