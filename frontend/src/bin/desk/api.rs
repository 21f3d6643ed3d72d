//! The desk's calls to the JSON API: `fetch` with the session cookie, JSON
//! bodies, and the server's `{code, message}` errors shown as they come (in
//! Chinese). No offline store: a failed call is shown, and the user retries.

use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::error::ApiError;
use wasm_bindgen::prelude::*;

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
export async function http(method, url, body) {
  const c = new AbortController();
  const t = setTimeout(() => c.abort(), 30000);
  try {
    const init = { method, credentials: 'same-origin', signal: c.signal, headers: {} };
    if (body != null) { init.body = body; init.headers['content-type'] = 'application/json'; }
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
export function enc(s) { return encodeURIComponent(s); }
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
    async fn http(method: &str, url: &str, body: JsValue) -> JsValue;
    /// `encodeURIComponent`.
    pub fn enc(s: &str) -> String;
    /// The name of the file chosen in a file input ("" when none).
    pub fn picked(input: &JsValue) -> String;
    async fn upload(url: &str, input: &JsValue) -> JsValue;
}

async fn call<T: DeserializeOwned>(method: &str, url: &str, body: JsValue) -> Result<T, Failure> {
    answer(http(method, url, body).await)
}

/// Sends the file chosen in `input` as the raw body (its own content type).
pub async fn post_file<T: DeserializeOwned>(url: &str, input: &JsValue) -> Result<T, Failure> {
    answer(upload(url, input).await)
}

fn answer<T: DeserializeOwned>(reply: JsValue) -> Result<T, Failure> {
    let a = js_sys::Array::from(&reply);
    let status = a.get(0).as_f64().unwrap_or(0.0) as i32;
    let json = a.get(1);
    let fail = |message: String| Err(Failure { status, message });
    match status {
        -1 => return fail("服务器 30 秒未应答，请稍后重试".to_string()),
        0 => return fail("连不上服务器，请检查网络后重试".to_string()),
        200..=299 => {
            return serde_wasm_bindgen::from_value(json).or_else(|e| fail(format!("无法读取服务器的应答（{e}）")));
        }
        _ => {}
    }
    match serde_wasm_bindgen::from_value::<ApiError>(json) {
        Ok(e) => fail(e.message),
        Err(_) if status == 404 => fail("接口不存在（服务器尚未提供此功能）".to_string()),
        Err(_) => fail(format!("服务器拒绝（{status}）")),
    }
}

fn json_body<B: Serialize>(body: &B) -> JsValue {
    body.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()
        .and_then(|js| js_sys::JSON::stringify(&js).ok())
        .map_or(JsValue::NULL, JsValue::from)
}

pub async fn get<T: DeserializeOwned>(url: &str) -> Result<T, Failure> {
    call("GET", url, JsValue::NULL).await
}

pub async fn post<B: Serialize, T: DeserializeOwned>(url: &str, body: &B) -> Result<T, Failure> {
    call("POST", url, json_body(body)).await
}

pub async fn send<B: Serialize, T: DeserializeOwned>(method: &str, url: &str, body: &B) -> Result<T, Failure> {
    call(method, url, json_body(body)).await
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
