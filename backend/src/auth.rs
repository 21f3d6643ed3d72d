//! Sign-in with username and password (argon2id hashes) and cookie sessions.
//!
//! The session cookie is HttpOnly (scripts cannot read it) and SameSite=Strict
//! (other sites cannot ride on it). The database keeps only the SHA-256 of the
//! token. Sessions last 30 days because field agents may be offline for long
//! stretches and must still be able to sync what they recorded.

use crate::db::now_text;
use crate::error::{ApiJson, AppError, AppResult};
use crate::jurisdiction::Scope;
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
use shared::error::ErrorCode;
use shared::org::{AgentKind, LoginRequest, Me, Role, UnitKind};
use sqlx::Row;

pub const SESSION_COOKIE: &str = "dbt_session";

/// Failed sign-ins allowed per username within [`THROTTLE_WINDOW`].
pub const MAX_FAILED_LOGINS: u32 = 5;
pub const THROTTLE_WINDOW: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Counts failed sign-ins per username (in memory: a restart forgets, which
/// is acceptable for slowing down guessing).
#[derive(Default)]
pub struct LoginThrottle {
    failures: std::sync::Mutex<std::collections::HashMap<String, (u32, std::time::Instant)>>,
}

impl LoginThrottle {
    fn blocked(&self, username: &str) -> bool {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(username) {
            Some((_, since)) if since.elapsed() > THROTTLE_WINDOW => {
                map.remove(username);
                false
            }
            Some((n, _)) => *n >= MAX_FAILED_LOGINS,
            None => false,
        }
    }

    fn failed(&self, username: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (_, since)| since.elapsed() <= THROTTLE_WINDOW);
        }
        let e = map.entry(username.to_string()).or_insert((0, std::time::Instant::now()));
        e.0 += 1;
    }

    fn succeeded(&self, username: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(username);
    }
}
const SESSION_DAYS: i64 = 30;

pub fn router() -> Router<ApiContext> {
    Router::new().route("/api/login", post(login)).route("/api/logout", post(logout)).route("/api/me", get(me))
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
}

impl CurrentUser {
    /// The jurisdiction every query of this user is limited to.
    pub fn scope(&self) -> Scope {
        Scope::for_user(self)
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
            unit_kind: self.unit_kind,
        }
    }
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == SESSION_COOKIE && !v.is_empty()).then(|| v.to_string())
    })
}

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<CurrentUser, sqlx::Error> {
    let role: String = row.try_get(3)?;
    let agent_kind: Option<String> = row.try_get(7)?;
    Ok(CurrentUser {
        id: row.try_get(0)?,
        username: row.try_get(1)?,
        display_name: row.try_get(2)?,
        role: Role::parse(&role).ok_or_else(|| sqlx::Error::Decode(format!("unknown role {role}").into()))?,
        unit_id: row.try_get(4)?,
        unit_path: row.try_get(5)?,
        unit_name: row.try_get(6)?,
        agent_kind: agent_kind.as_deref().and_then(AgentKind::parse),
        unit_kind: crate::text::from_text("kind", &row.try_get::<String, _>(8)?)?,
    })
}

impl FromRequestParts<ApiContext> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, ctx: &ApiContext) -> Result<Self, Self::Rejection> {
        let token = session_token(&parts.headers).ok_or_else(AppError::unauthenticated)?;
        let row = sqlx::query(USER_BY_SESSION)
            .bind(token_hash(&token))
            .bind(now_text())
            .fetch_optional(&ctx.db.pool)
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::Unauthenticated, "登录已过期，请重新登录"))?;
        Ok(user_from_row(&row)?)
    }
}

// Columns in the order `user_from_row` reads them.
const USER_BY_SESSION: &str =
    "SELECT u.id, u.username, u.display_name, u.role, u.unit_id, n.path, n.name, u.agent_kind, n.kind \
     FROM sessions s JOIN users u ON u.id = s.user_id JOIN units n ON n.id = u.unit_id \
     WHERE s.token_hash = $1 AND s.expires_at > $2";

#[utoipa::path(post, path = "/api/login", tag = "auth", request_body = shared::org::LoginRequest, responses((status = 200, description = "已登录，设置会话 Cookie", body = shared::org::Me), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
async fn login(State(ctx): State<ApiContext>, ApiJson(req): ApiJson<LoginRequest>) -> AppResult<Response> {
    let key = req.username.trim().to_lowercase();
    if ctx.login_throttle.blocked(&key) {
        return Err(AppError::new(ErrorCode::TooManyRequests, "登录失败次数过多，请 10 分钟后再试"));
    }
    let row = sqlx::query(
        "SELECT u.id, u.username, u.display_name, u.role, u.unit_id, n.path, n.name, u.agent_kind, n.kind, u.password_hash \
         FROM users u JOIN units n ON n.id = u.unit_id WHERE u.username = $1",
    )
    .bind(req.username.trim())
    .fetch_optional(&ctx.db.pool)
    .await?;
    let password = req.password.clone();
    let (user, ok) = match row {
        Some(row) => {
            let phc: String = row.try_get(9)?;
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
            ctx.login_throttle.failed(&key);
            return Err(AppError::new(ErrorCode::BadCredentials, "用户名或密码错误"));
        }
    };
    ctx.login_throttle.succeeded(&key);

    let mut raw = [0u8; 32];
    getrandom::getrandom(&mut raw).map_err(|_| AppError::new(ErrorCode::Internal, "无法生成会话"))?;
    let token = hex(&raw);
    let expires = (chrono::Utc::now() + chrono::Duration::days(SESSION_DAYS)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash(&token))
        .bind(user.id)
        .bind(now_text())
        .bind(expires)
        .execute(&ctx.db.pool)
        .await?;
    tracing::info!(user = %user.username, "login");
    let cookie =
        format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}", SESSION_DAYS * 24 * 3600);
    Ok(([(SET_COOKIE, cookie)], Json(user.me())).into_response())
}

fn ctx_dummy_hash() -> String {
    use std::sync::OnceLock;
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a real password")).clone()
}

#[utoipa::path(post, path = "/api/logout", tag = "auth", responses((status = 200, description = "已退出"), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
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
