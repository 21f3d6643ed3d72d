//! Sign-in with username and password (argon2id hashes) and cookie sessions.
//!
//! The session cookie is HttpOnly (scripts cannot read it) and SameSite=Strict
//! (other sites cannot ride on it). The database keeps only the SHA-256 of the
//! token. How long a session lasts depends on the role
//! (`shared::authority::session_hours`): field agents' phones work offline for
//! days, desk sessions are short and end when idle.

use crate::api::extract::ExactJson;
use crate::api::security::is_https;
use crate::db::session::{self, hash_password, hex, token_hash, verify_password, CurrentUser};
use crate::error::{AppError, AppResult};
use crate::ApiContext;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use shared::authority::session_hours;
use shared::error::ErrorCode;
use shared::org::{LoginRequest, Me};
use shared::validation::has_control_chars;

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

impl FromRequestParts<ApiContext> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, ctx: &ApiContext) -> Result<Self, Self::Rejection> {
        let token = session_token(&parts.headers).ok_or_else(AppError::unauthenticated)?;
        let hash = token_hash(&token);
        let now = chrono::Utc::now();
        let (user, last_seen) = session::user_of_session(&ctx.db.pool, &hash, now)
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::Unauthenticated, "登录已过期，请重新登录"))?;
        let last_seen = last_seen.and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok());
        let (_, idle_hours) = session_hours(user.role);
        if last_seen.is_some_and(|t| now.signed_duration_since(t) > chrono::Duration::hours(idle_hours)) {
            session::end_session(&ctx.db.pool, &hash).await?;
            return Err(AppError::new(ErrorCode::Unauthenticated, "长时间未操作，登录已失效，请重新登录"));
        }
        // Note activity at most once a minute: not a write per request.
        if last_seen.is_none_or(|t| now.signed_duration_since(t) > chrono::Duration::seconds(60)) {
            session::touch_session(&ctx.db.pool, &hash, now).await?;
        }
        Ok(user)
    }
}

#[utoipa::path(post, path = "/api/login", tag = "auth", security(()), request_body = shared::org::LoginRequest, responses((status = 200, description = "已登录，设置会话 Cookie", body = shared::org::Me), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn login(
    State(ctx): State<ApiContext>,
    ConnectInfoExt(source): ConnectInfoExt,
    headers: HeaderMap,
    ExactJson(req): ExactJson<LoginRequest>,
) -> AppResult<Response> {
    let key = req.username.trim().to_lowercase();
    if ctx.login_throttle.blocked(&source, &key) {
        return Err(AppError::new(ErrorCode::TooManyRequests, "登录失败次数过多，请 10 分钟后再试"));
    }
    // A name no account can have is simply wrong (and never reaches the database).
    let plausible = !key.is_empty() && key.len() <= 64 && !has_control_chars(&key);
    let row = if plausible { session::user_for_login(&ctx.db.pool, req.username.trim()).await? } else { None };
    let password = req.password.clone();
    let (user, ok) = match row {
        Some((user, phc, disabled)) => {
            let ok = tokio::task::spawn_blocking(move || verify_password(&password, &phc)).await.unwrap_or(false);
            // A switched-off account says so only to someone who knows its
            // password; anyone else gets the ordinary answer below.
            if ok && disabled {
                ctx.login_throttle.failed(&source, &key);
                return Err(AppError::new(ErrorCode::Forbidden, "账号已停用，请联系管理员"));
            }
            (Some(user), ok)
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
        session::end_session(&ctx.db.pool, &token_hash(&old)).await?;
    }
    let mut raw = [0u8; 32];
    getrandom::getrandom(&mut raw).map_err(|_| AppError::new(ErrorCode::Internal, "无法生成会话"))?;
    let token = hex(&raw);
    let (absolute_hours, _) = session_hours(user.role);
    let now = chrono::Utc::now();
    session::start_session(&ctx.db.pool, &token_hash(&token), user.id, now, absolute_hours).await?;
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
        let ip = crate::api::security::client_ip(&parts.headers, &parts.extensions, &ctx.security);
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
pub async fn change_password(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ConnectInfoExt(source): ConnectInfoExt,
    headers: HeaderMap,
    ExactJson(req): ExactJson<PasswordChange>,
) -> AppResult<Json<serde_json::Value>> {
    if ctx.login_throttle.blocked(&source, &user.username) {
        return Err(AppError::new(ErrorCode::TooManyRequests, "密码错误次数过多，请 10 分钟后再试"));
    }
    shared::org::check_password(&req.new_password)?;
    let phc = session::password_hash_of(&ctx.db.pool, user.id).await?;
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
    session::set_own_password(&mut tx, user.id, &hash, &current).await?;
    crate::db::audit::append(
        &mut tx,
        crate::db::audit::AuditEntry {
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
pub async fn logout(State(ctx): State<ApiContext>, headers: HeaderMap) -> AppResult<Response> {
    if let Some(token) = session_token(&headers) {
        session::end_session(&ctx.db.pool, &token_hash(&token)).await?;
    }
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    Ok(([(SET_COOKIE, cookie)], Json(serde_json::json!({"ok": true}))).into_response())
}

#[utoipa::path(get, path = "/api/me", tag = "auth", responses((status = 200, body = shared::org::Me), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn me(user: CurrentUser) -> Json<Me> {
    Json(user.me())
}
