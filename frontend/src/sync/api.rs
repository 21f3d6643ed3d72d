//! Calls to the server's JSON API (through `frontend::web`, the HTTP the
//! desk uses too). Every request has a time limit ([`TIMEOUT_MS`]): a
//! request the server (or a proxy) holds is abandoned, and the sync engine
//! retries it later with backoff.

use frontend::web;
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::error::ApiError;
use shared::org::{LoginRequest, Me};
use shared::sync::{PullResponse, PushRequest, PushResponse};
use wasm_bindgen::JsValue;

/// How long one request may take before it is abandoned.
pub const TIMEOUT_MS: u32 = 20_000;

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// No answer: offline, or the connection broke. Try again later.
    Network,
    /// No answer within [`TIMEOUT_MS`]. Try again later.
    Timeout,
    /// The server (or a proxy) answered 5xx, 408 or 429: it may work later.
    Unavailable(String),
    /// The session is missing or expired.
    Unauthenticated(String),
    /// The server answered with an error meaning "never" (a 4xx).
    Server(ApiError),
    /// The device database failed.
    Local(String),
}

impl From<crate::sync::store::StoreError> for ApiFailure {
    fn from(e: crate::sync::store::StoreError) -> Self {
        ApiFailure::Local(e.to_string())
    }
}

impl ApiFailure {
    /// A passing failure of the network or the server: retry with backoff.
    pub fn is_transient(&self) -> bool {
        matches!(self, ApiFailure::Network | ApiFailure::Timeout | ApiFailure::Unavailable(_))
    }

    pub fn message(&self) -> String {
        match self {
            ApiFailure::Network => "连不上服务器，稍后自动重试".to_string(),
            ApiFailure::Timeout => "服务器 20 秒未应答，稍后自动重试".to_string(),
            ApiFailure::Unavailable(m) => m.clone(),
            ApiFailure::Unauthenticated(m) => m.clone(),
            ApiFailure::Server(e) => e.message.clone(),
            ApiFailure::Local(m) => m.clone(),
        }
    }
}

/// One request with the time limit, its failure classified for the engine.
async fn call<T: DeserializeOwned>(method: &str, url: &str, body: JsValue, ctype: &str) -> Result<T, ApiFailure> {
    let (status, json) = web::request(method, url, body, ctype, TIMEOUT_MS).await;
    match status {
        -1 => return Err(ApiFailure::Timeout),
        0 => return Err(ApiFailure::Network),
        200..=299 => return serde_wasm_bindgen::from_value(json).map_err(|_| unavailable(status)),
        _ => {}
    }
    let err = web::api_error(json);
    Err(match (status, err) {
        // A passing state of the server or a proxy in front of it: retried.
        (500.., _) | (408, _) => unavailable(status),
        (429, e) => ApiFailure::Unavailable(e.map_or_else(|| unavailable_text(status), |e| e.message)),
        (401, e) => ApiFailure::Unauthenticated(e.map_or_else(|| "请重新登录".to_string(), |e| e.message)),
        // Any other 4xx means "never" for this request.
        (_, e) => ApiFailure::Server(
            e.unwrap_or_else(|| ApiError::new(shared::error::ErrorCode::Other, format!("服务器拒绝（{status}）"))),
        ),
    })
}

fn unavailable_text(status: i32) -> String {
    format!("服务器暂时无法处理（{status}），稍后自动重试")
}

fn unavailable(status: i32) -> ApiFailure {
    ApiFailure::Unavailable(unavailable_text(status))
}

async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiFailure> {
    call("POST", path, web::json_body(body), "application/json").await
}

pub async fn login(username: &str, password: &str) -> Result<Me, ApiFailure> {
    post("/api/login", &LoginRequest { username: username.to_string(), password: password.to_string() }).await
}

pub async fn logout() -> Result<serde::de::IgnoredAny, ApiFailure> {
    // The body `{}` as a literal: serialising an empty map costs the WASM
    // a map serialiser it needs nowhere else.
    call("POST", "/api/logout", JsValue::from_str("{}"), "application/json").await
}

pub async fn me() -> Result<Me, ApiFailure> {
    call("GET", "/api/me", JsValue::NULL, "").await
}

pub async fn push(req: &PushRequest) -> Result<PushResponse, ApiFailure> {
    post("/api/sync/push", req).await
}

pub async fn pull(cursor: i64) -> Result<PullResponse, ApiFailure> {
    call("GET", &format!("/api/sync/pull?cursor={cursor}"), JsValue::NULL, "").await
}

/// Uploads a photo as an attachment of its case (idempotent by its id); a
/// visit's photo names its visit, so the server can refuse it with the visit.
pub async fn upload(u: &crate::sync::outbox::UploadEntry) -> Result<serde::de::IgnoredAny, ApiFailure> {
    let name = web::enc(&u.name);
    let mut url = format!("/api/cases/{}/attachments/{}?name={name}", u.case_id, u.id);
    if let Some(v) = &u.visit_id {
        url.push_str("&visit_id=");
        url.push_str(v);
    }
    let body = js_sys::Uint8Array::from(u.data.as_slice());
    call("PUT", &url, body.into(), &u.content_type).await
}
