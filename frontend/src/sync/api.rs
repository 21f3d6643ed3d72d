//! Calls to the server's JSON API. Every request has a time limit
//! ([`TIMEOUT_MS`]): a request the server (or a proxy) holds is abandoned,
//! and the sync engine retries it later with backoff.

use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::error::ApiError;
use shared::org::{LoginRequest, Me};
use shared::sync::{PullResponse, PushRequest, PushResponse};
use wasm_bindgen::prelude::*;

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

#[wasm_bindgen(inline_js = r#"
export async function http(method, url, body, ctype, ms) {
  const c = new AbortController();
  const t = setTimeout(() => c.abort(), ms);
  try {
    const init = { method, credentials: 'same-origin', signal: c.signal, headers: {} };
    if (body != null) { init.body = body; init.headers['content-type'] = ctype; }
    const r = await fetch(url, init);
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch (e) {}
    return [r.status, json];
  } catch (e) {
    return [c.signal.aborted ? -1 : 0, null];
  } finally {
    clearTimeout(t);
  }
}
"#)]
extern "C" {
    /// `[status, parsed JSON body or null]`; status 0 = network error, -1 = timed out.
    async fn http(method: &str, url: &str, body: JsValue, ctype: &str, ms: u32) -> JsValue;
}

/// One request with the time limit; the answer's JSON body read with
/// serde-wasm-bindgen (the decoder the IndexedDB layer uses too, so each
/// type's decoding code is in the WASM once).
async fn call<T: DeserializeOwned>(method: &str, url: &str, body: JsValue, ctype: &str) -> Result<T, ApiFailure> {
    let a = js_sys::Array::from(&http(method, url, body, ctype, TIMEOUT_MS).await);
    let status = a.get(0).as_f64().unwrap_or(0.0) as i32;
    let json = a.get(1);
    match status {
        -1 => return Err(ApiFailure::Timeout),
        0 => return Err(ApiFailure::Network),
        200..=299 => return serde_wasm_bindgen::from_value(json).map_err(|_| unavailable(status)),
        _ => {}
    }
    let err = serde_wasm_bindgen::from_value::<ApiError>(json).ok();
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

/// A request body as JSON, through serde-wasm-bindgen and `JSON.stringify`.
fn json_body<B: Serialize>(body: &B) -> JsValue {
    body.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()
        .and_then(|js| js_sys::JSON::stringify(&js).ok())
        .map_or(JsValue::NULL, JsValue::from)
}

async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiFailure> {
    call("POST", path, json_body(body), "application/json").await
}

pub async fn login(username: &str, password: &str) -> Result<Me, ApiFailure> {
    post("/api/login", &LoginRequest { username: username.to_string(), password: password.to_string() }).await
}

pub async fn logout() -> Result<serde::de::IgnoredAny, ApiFailure> {
    post("/api/logout", &std::collections::BTreeMap::<String, String>::new()).await
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
    let name: String = js_sys::encode_uri_component(&u.name).into();
    let mut url = format!("/api/cases/{}/attachments/{}?name={name}", u.case_id, u.id);
    if let Some(v) = &u.visit_id {
        url.push_str("&visit_id=");
        url.push_str(v);
    }
    let body = js_sys::Uint8Array::from(u.data.as_slice());
    call("PUT", &url, body.into(), &u.content_type).await
}
