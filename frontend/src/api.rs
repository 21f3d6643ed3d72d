//! Calls to the server's JSON API.

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::error::{ApiError, ErrorCode};
use shared::org::{LoginRequest, Me};
use shared::sync::{PullResponse, PushRequest, PushResponse};

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// No answer: offline, or the connection broke. Try again later.
    Network,
    /// The session is missing or expired.
    Unauthenticated(String),
    /// The server answered with an error.
    Server(ApiError),
    /// The device database failed.
    Local(String),
}

impl From<crate::store::StoreError> for ApiFailure {
    fn from(e: crate::store::StoreError) -> Self {
        ApiFailure::Local(e.to_string())
    }
}

impl ApiFailure {
    pub fn message(&self) -> String {
        match self {
            ApiFailure::Network => "网络不可用，稍后自动重试".to_string(),
            ApiFailure::Unauthenticated(m) => m.clone(),
            ApiFailure::Server(e) => e.message.clone(),
            ApiFailure::Local(m) => m.clone(),
        }
    }
}

/// Parses a JSON body with the browser's own `JSON.parse` and reads it with
/// serde-wasm-bindgen — the same deserializer the IndexedDB layer uses, so
/// each type's decoding code is in the WASM once, not twice (it keeps the
/// first load small).
async fn body<T: DeserializeOwned>(resp: Response) -> Option<T> {
    let text = resp.text().await.ok()?;
    let js = js_sys::JSON::parse(&text).ok()?;
    serde_wasm_bindgen::from_value(js).ok()
}

/// A request body as JSON, through serde-wasm-bindgen and `JSON.stringify`.
fn json_body<B: Serialize>(body: &B) -> Option<String> {
    let js = body.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).ok()?;
    js_sys::JSON::stringify(&js).ok().and_then(|s| s.as_string())
}

async fn read<T: DeserializeOwned>(resp: Response) -> Result<T, ApiFailure> {
    if resp.ok() {
        return body::<T>(resp).await.ok_or(ApiFailure::Network);
    }
    let status = resp.status();
    let err = body::<ApiError>(resp)
        .await
        .unwrap_or_else(|| ApiError::new(ErrorCode::Other, format!("服务器暂时无法处理（{status}）")));
    if status == 401 {
        Err(ApiFailure::Unauthenticated(err.message))
    } else {
        Err(ApiFailure::Server(err))
    }
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiFailure> {
    let resp = Request::get(path).send().await.map_err(|_| ApiFailure::Network)?;
    read(resp).await
}

async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiFailure> {
    let resp = Request::post(path)
        .header("content-type", "application/json")
        .body(json_body(body).ok_or(ApiFailure::Network)?)
        .map_err(|_| ApiFailure::Network)?
        .send()
        .await
        .map_err(|_| ApiFailure::Network)?;
    read(resp).await
}

pub async fn login(username: &str, password: &str) -> Result<Me, ApiFailure> {
    post("/api/login", &LoginRequest { username: username.to_string(), password: password.to_string() }).await
}

pub async fn logout() -> Result<serde::de::IgnoredAny, ApiFailure> {
    post("/api/logout", &std::collections::BTreeMap::<String, String>::new()).await
}

pub async fn me() -> Result<Me, ApiFailure> {
    get("/api/me").await
}

pub async fn push(req: &PushRequest) -> Result<PushResponse, ApiFailure> {
    post("/api/sync/push", req).await
}

pub async fn pull(cursor: i64) -> Result<PullResponse, ApiFailure> {
    get(&format!("/api/sync/pull?cursor={cursor}")).await
}

/// Uploads a photo as an attachment of its case (idempotent by its id).
pub async fn upload(u: &crate::store::UploadEntry) -> Result<serde::de::IgnoredAny, ApiFailure> {
    let name: String = js_sys::encode_uri_component(&u.name).into();
    let url = format!("/api/cases/{}/attachments/{}?name={name}", u.case_id, u.id);
    let body = js_sys::Uint8Array::from(u.data.as_slice());
    let resp = Request::put(&url)
        .header("content-type", &u.content_type)
        .body(body)
        .map_err(|_| ApiFailure::Network)?
        .send()
        .await
        .map_err(|_| ApiFailure::Network)?;
    read(resp).await
}
