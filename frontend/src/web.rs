//! The browser calls both front ends make the same way: one `fetch` with a
//! time limit and the session cookie (`credentials: 'same-origin'`), JSON
//! bodies, the answer's status and the server's `{code, message}` decoded
//! once ([`api_error`]); the page's route in the URL hash; China's clock. Each
//! binary words its failures its own way: the field app retries passing
//! ones, the desk shows them. Only what both use belongs here: the field
//! app's first load is budgeted. Every function is `#[inline]`: across the
//! crate boundary (release builds share no generics) the field app's WASM
//! was some 650 bytes larger without.

use chrono::NaiveDateTime;
use serde::Serialize;
use shared::error::ApiError;
use wasm_bindgen::prelude::*;

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

/// One request: `body` (a string, bytes or null) is sent with the content
/// type `ctype`; abandoned after `timeout_ms`. The answer's status (0: no
/// connection, -1: timed out) and its JSON body (null when none); read a 2xx
/// body with serde-wasm-bindgen (the decoder the field app's IndexedDB layer
/// uses too, so each type's decoding code is in the WASM once), a refusal
/// with [`api_error`].
#[inline]
pub async fn request(method: &str, url: &str, body: JsValue, ctype: &str, timeout_ms: u32) -> (i32, JsValue) {
    status_and_json(http(method, url, body, ctype, timeout_ms).await)
}

/// `[status, json]` as [`request`]'s JavaScript (or another call of that
/// shape) returns it.
#[inline]
pub fn status_and_json(answer: JsValue) -> (i32, JsValue) {
    let a = js_sys::Array::from(&answer);
    (a.get(0).as_f64().unwrap_or(0.0) as i32, a.get(1))
}

/// The server's `{code, message}` in the body of a refusal, if it sent one.
#[inline]
pub fn api_error(json: JsValue) -> Option<ApiError> {
    serde_wasm_bindgen::from_value(json).ok()
}

/// A request body as JSON, through serde-wasm-bindgen and `JSON.stringify`
/// (null when it cannot be written).
#[inline]
pub fn json_body<B: Serialize>(body: &B) -> JsValue {
    body.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()
        .and_then(|js| js_sys::JSON::stringify(&js).ok())
        .map_or(JsValue::NULL, JsValue::from)
}

/// `encodeURIComponent`: a value for a URL's query.
#[inline]
pub fn enc(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

/// The URL hash (`#/case/12`), the route each binary parses.
#[inline]
pub fn location_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Navigates to the page of `href` (a hash, e.g. `#/case/12`).
#[inline]
pub fn set_location_hash(href: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(href);
    }
}

/// Now in China Standard Time, whatever the device's time zone.
#[inline]
pub fn china_now() -> NaiveDateTime {
    shared::time::china_local_from_millis(js_sys::Date::now())
}
