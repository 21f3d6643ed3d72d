//! Small browser helpers.

use crate::route::Route;

/// A new random UUID from the browser's `crypto.randomUUID()`.
pub fn new_uuid() -> String {
    web_sys::window().and_then(|w| w.crypto().ok()).map(|c| c.random_uuid()).unwrap_or_else(|| {
        // Very old browsers: build a v4 UUID from Math.random.
        let hex: String = (0..32).map(|_| format!("{:x}", (js_sys::Math::random() * 16.0) as u8)).collect();
        format!("{}-{}-4{}-a{}-{}", &hex[0..8], &hex[8..12], &hex[13..16], &hex[17..20], &hex[20..32])
    })
}

/// Milliseconds since the epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

pub use frontend::web::china_now;

/// Whether the browser believes it is online.
pub fn browser_online() -> bool {
    web_sys::window().map(|w| w.navigator().on_line()).unwrap_or(true)
}

/// "14:05" for today, "11-20 14:05" otherwise (China time).
pub fn short_time(ms: f64) -> String {
    let t = shared::time::china_local_from_millis(ms);
    if t.date() == china_now().date() {
        shared::time::format_hour_minute(t)
    } else {
        format!("{} {}", shared::time::format_month_day(t.date()), shared::time::format_hour_minute(t))
    }
}

/// The page's route, from the URL hash (e.g. `#/case/12`).
pub fn current_route() -> Route {
    Route::from_hash(&frontend::web::location_hash())
}

/// Whether a desk user (stations, departments, centres, administrators) is
/// sent to the desk workbench: yes, unless the page was opened as `/?field`
/// (a station worker screening at the doorstep with a phone).
pub fn sent_to_desk(role: shared::org::Role) -> bool {
    let Some(w) = web_sys::window() else { return false };
    if !shared::desk::uses_desk(role) || w.location().search().unwrap_or_default().contains("field") {
        return false;
    }
    let _ = w.location().replace("/desk/");
    true
}

/// Navigates to a page.
pub fn go(route: Route) {
    frontend::web::set_location_hash(&route.href());
}

/// Appends `text` for HTML: `&`, `<`, `>` and quotes escaped.
pub fn esc(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// Appends `open`, then `text` escaped, then `close`.
pub fn el(h: &mut String, open: &str, text: &str, close: &str) {
    h.push_str(open);
    esc(h, text);
    h.push_str(close);
}
