//! The desk's calls to the JSON API (through `frontend::web`, the HTTP the
//! field app uses too): `fetch` with the session cookie, JSON bodies, and
//! the server's `{code, message}` errors shown as they come (in Chinese). No
//! offline store: a failed call is shown, and the user retries.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use frontend::web;
pub use frontend::web::enc;

/// Why a call failed, in Chinese; `signed_out` when the session is gone.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub status: i32,
    pub message: String,
}

impl Failure {
    pub fn signed_out(&self) -> bool {
        self.status == 401
    }
}

#[wasm_bindgen(inline_js = r#"
export function picked(input) { const f = input && input.files && input.files[0]; return f ? f.name : ''; }
export async function upload(url, input) {
  const f = input.files[0];
  try {
    const r = await fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': f.type || 'application/octet-stream' }, body: f });
    let json = null;
    try { json = JSON.parse(await r.text()); } catch (e) {}
    return [r.status, json];
  } catch (e) {
    return [0, null];
  }
}
"#)]
extern "C" {
    /// The name of the file chosen in a file input ("" when none).
    pub fn picked(input: &JsValue) -> String;
    async fn upload(url: &str, input: &JsValue) -> JsValue;
}

/// How long a call may take before it is abandoned.
const TIMEOUT_MS: u32 = 30_000;

async fn call<T: DeserializeOwned>(method: &str, url: &str, body: JsValue) -> Result<T, Failure> {
    answer(web::request(method, url, body, "application/json", TIMEOUT_MS).await)
}

/// Sends the file chosen in `input` as the raw body (its own content type).
pub async fn post_file<T: DeserializeOwned>(url: &str, input: &JsValue) -> Result<T, Failure> {
    answer(web::status_and_json(upload(url, input).await))
}

/// The value, or the failure in Chinese as the page shows it.
fn answer<T: DeserializeOwned>((status, json): (i32, JsValue)) -> Result<T, Failure> {
    let fail = |message: String| Err(Failure { status, message });
    match status {
        -1 => return fail("服务器 30 秒未应答，请稍后重试".to_string()),
        0 => return fail("连不上服务器，请检查网络后重试".to_string()),
        200..=299 => {
            return serde_wasm_bindgen::from_value(json).or_else(|e| fail(format!("无法读取服务器的应答（{e}）")));
        }
        _ => {}
    }
    match web::api_error(json) {
        Some(e) => fail(e.message),
        None if status == 404 => fail("接口不存在（服务器尚未提供此功能）".to_string()),
        None => fail(format!("服务器拒绝（{status}）")),
    }
}

pub async fn get<T: DeserializeOwned>(url: &str) -> Result<T, Failure> {
    call("GET", url, JsValue::NULL).await
}

pub async fn post<B: Serialize, T: DeserializeOwned>(url: &str, body: &B) -> Result<T, Failure> {
    call("POST", url, web::json_body(body)).await
}

pub async fn send<B: Serialize, T: DeserializeOwned>(method: &str, url: &str, body: &B) -> Result<T, Failure> {
    call(method, url, web::json_body(body)).await
}

/// A query string from the pairs whose value is not empty.
pub fn query(pairs: &[(&str, String)]) -> String {
    let parts: Vec<String> =
        pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", enc(v))).collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// Any JSON answer, ignored.
pub type Ignored = serde::de::IgnoredAny;
