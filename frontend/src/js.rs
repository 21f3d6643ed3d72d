//! Browser facilities that are far shorter in JavaScript than through
//! web-sys: photo resizing on a canvas, geolocation, storage estimates and
//! persistence, and the performance metrics the benchmark reads.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
export async function resize_photo(file, maxDim, quality) {
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const scale = Math.min(1, maxDim / Math.max(img.naturalWidth, img.naturalHeight));
    const w = Math.max(1, Math.round(img.naturalWidth * scale));
    const h = Math.max(1, Math.round(img.naturalHeight * scale));
    const canvas = document.createElement('canvas');
    canvas.width = w; canvas.height = h;
    canvas.getContext('2d').drawImage(img, 0, 0, w, h);
    const blob = await new Promise((ok) => canvas.toBlob(ok, 'image/jpeg', quality));
    return new Uint8Array(await blob.arrayBuffer());
  } finally {
    URL.revokeObjectURL(url);
  }
}

export function current_position(timeoutMs) {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      (p) => resolve([p.coords.latitude, p.coords.longitude, p.coords.accuracy]),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60000 });
  });
}

export async function storage_estimate() {
  const s = navigator.storage;
  const est = s && s.estimate ? await s.estimate() : {};
  const persisted = s && s.persisted ? await s.persisted() : false;
  return [est.usage || 0, est.quota || 0, persisted];
}

export async function request_persist() {
  const s = navigator.storage;
  return s && s.persist ? await s.persist() : false;
}

export function is_ios_browser_tab() {
  const ios = /iPhone|iPad|iPod/.test(navigator.userAgent);
  const standalone = window.matchMedia('(display-mode: standalone)').matches || navigator.standalone === true;
  return ios && !standalone;
}

export function record_metric(name, ms) {
  const m = (window.__dbtMetrics = window.__dbtMetrics || {});
  (m[name] = m[name] || []).push(ms);
}

export function now_ms() { return performance.now(); }

export function reveal_first_invalid() {
  const el = document.querySelector('[aria-invalid=true]');
  if (el) { el.scrollIntoView({ block: 'center' }); el.focus({ preventScroll: true }); }
}

export function local_get(key) { try { return localStorage.getItem(key); } catch (e) { return null; } }
export function local_set(key, value) { try { localStorage.setItem(key, value); } catch (e) {} }
export function local_remove(key) { try { localStorage.removeItem(key); } catch (e) {} }
"#)]
extern "C" {
    /// Resizes a photo to at most `max_dim` pixels on its long side, as JPEG.
    #[wasm_bindgen(catch)]
    async fn resize_photo(file: web_sys::File, max_dim: u32, quality: f64) -> Result<JsValue, JsValue>;
    async fn current_position(timeout_ms: u32) -> JsValue;
    async fn storage_estimate() -> JsValue;
    async fn request_persist() -> JsValue;
    pub fn is_ios_browser_tab() -> bool;
    /// Adds a timing to `window.__dbtMetrics[name]` (read by the benchmark).
    pub fn record_metric(name: &str, ms: f64);
    /// `performance.now()`.
    pub fn now_ms() -> f64;
    /// Scrolls the first field marked invalid into view and focuses it.
    pub fn reveal_first_invalid();
    pub fn local_get(key: &str) -> Option<String>;
    pub fn local_set(key: &str, value: &str);
    pub fn local_remove(key: &str);
}

/// The longest side of a photo after resizing, and the JPEG quality.
pub const PHOTO_MAX_DIM: u32 = 1280;
pub const PHOTO_QUALITY: f64 = 0.72;
/// Photos larger than this after resizing are refused.
pub const PHOTO_MAX_BYTES: usize = 1_500_000;

/// A resized JPEG of the chosen photo.
pub async fn resize(file: web_sys::File) -> Result<Vec<u8>, String> {
    let v = resize_photo(file, PHOTO_MAX_DIM, PHOTO_QUALITY).await.map_err(|_| "无法读取这张照片".to_string())?;
    Ok(js_sys::Uint8Array::new(&v).to_vec())
}

/// The phone's position (degrees, degrees, metres), if it gives one in time.
pub async fn position(timeout_ms: u32) -> Option<(f64, f64, f64)> {
    let v = current_position(timeout_ms).await;
    if v.is_null() || v.is_undefined() {
        return None;
    }
    let a = js_sys::Array::from(&v);
    Some((a.get(0).as_f64()?, a.get(1).as_f64()?, a.get(2).as_f64()?))
}

/// (bytes used, bytes available, persisted).
pub async fn storage() -> (f64, f64, bool) {
    let a = js_sys::Array::from(&storage_estimate().await);
    (a.get(0).as_f64().unwrap_or(0.0), a.get(1).as_f64().unwrap_or(0.0), a.get(2).as_bool().unwrap_or(false))
}

/// Asks the browser not to evict this site's data. Only a request.
pub async fn persist() -> bool {
    request_persist().await.as_bool().unwrap_or(false)
}
