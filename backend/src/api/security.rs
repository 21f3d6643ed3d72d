//! What every request and answer passes through, whatever the handler:
//! the check that a state-changing request comes from our own pages (CSRF),
//! the security headers (CSP, nosniff, framing, referrer), the client's
//! address for throttling, and how long browsers may cache our files.

use crate::error::AppError;
use crate::ApiContext;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shared::error::ErrorCode;
use std::net::{IpAddr, SocketAddr};

/// Deployment settings that concern security.
#[derive(Debug, Clone, Default)]
pub struct SecurityConfig {
    /// Origins (`https://host[:port]`) besides the server's own that may send
    /// state-changing requests (e.g. the public address behind a proxy).
    pub allowed_origins: Vec<String>,
    /// Behind a reverse proxy: take the client address from
    /// `X-Forwarded-For` and HTTPS from `X-Forwarded-Proto`.
    pub trust_proxy: bool,
    /// Mark the session cookie `Secure` always (served over HTTPS).
    pub secure_cookies: bool,
}

/// The origin a request claims to come from, as `scheme://host[:port]`.
fn origin_of(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())
}

/// Whether `origin` names this server: the same host (and port) as the
/// request's `Host` (or, behind a trusted proxy, `X-Forwarded-Host`), or one
/// of the configured origins.
fn same_origin(origin: &str, headers: &HeaderMap, cfg: &SecurityConfig) -> bool {
    if cfg.allowed_origins.iter().any(|o| o.trim_end_matches('/') == origin) {
        return true;
    }
    let Some(rest) = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://")) else {
        return false;
    };
    let host = cfg
        .trust_proxy
        .then(|| headers.get("x-forwarded-host"))
        .flatten()
        .or_else(|| headers.get(header::HOST))
        .and_then(|v| v.to_str().ok());
    host.is_some_and(|h| h.eq_ignore_ascii_case(rest))
}

/// Middleware: refuses a state-changing request (anything but GET, HEAD and
/// OPTIONS) that a browser says comes from another site. Browsers send
/// `Origin` on every such request; where it is absent, `Sec-Fetch-Site`
/// tells. A client that is no browser sends neither and is let through: it
/// holds no victim's cookie. SameSite=Strict is the second line, not the only one.
pub async fn check_origin(State(ctx): State<ApiContext>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let headers = req.headers();
        let refused = match origin_of(headers) {
            Some(origin) => !same_origin(origin, headers, &ctx.security),
            None => headers
                .get("sec-fetch-site")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|site| !matches!(site, "same-origin" | "none")),
        };
        if refused {
            tracing::warn!(origin = ?origin_of(headers), path = %req.uri().path(), "cross-site request refused");
            return AppError::new(ErrorCode::Forbidden, "请求来源不被允许：只能从本系统的页面提交").into_response();
        }
    }
    next.run(req).await
}

/// The client's address: the connection's peer, or behind a trusted proxy
/// the first address of `X-Forwarded-For`.
pub fn client_ip(req_headers: &HeaderMap, extensions: &axum::http::Extensions, cfg: &SecurityConfig) -> Option<IpAddr> {
    if cfg.trust_proxy {
        let forwarded = req_headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

/// Whether the request reached us over HTTPS (directly, or as a trusted proxy says).
pub fn is_https(headers: &HeaderMap, cfg: &SecurityConfig) -> bool {
    cfg.secure_cookies
        || (cfg.trust_proxy
            && headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|p| p == "https"))
}

/// The Content-Security-Policy. Scripts: our own files, WebAssembly
/// compilation, and exactly the inline scripts of the built `index.html`
/// (by hash, computed at start so a rebuild needs no edit here).
pub fn content_security_policy(index_html: Option<&str>) -> String {
    let hashes: String =
        index_html.map(inline_script_hashes).unwrap_or_default().iter().map(|h| format!(" 'sha256-{h}'")).collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Base64 SHA-256 of the text of every inline `<script>` (one without `src`).
fn inline_script_hashes(html: &str) -> Vec<String> {
    use sha2::{Digest, Sha256};
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(tag_end) = after.find('>') else { break };
        let tag = &after[..tag_end];
        let body_start = tag_end + 1;
        let Some(close) = after[body_start..].find("</script>") else { break };
        if !tag.contains(" src=") {
            out.push(base64(&Sha256::digest(&after.as_bytes()[body_start..body_start + close])));
        }
        rest = &after[body_start + close..];
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Middleware: security headers on every answer, and cache lifetimes for
/// the front end's files: Trunk's content-hashed files never change
/// (`immutable`); the page, the service worker and the manifest must be
/// revalidated every time, or a new version would never arrive.
pub async fn headers(State(csp): State<std::sync::Arc<str>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // same-origin, not no-referrer: with no-referrer a browser sends
    // `Origin: null` on a form post, and the citizens' pages post forms
    // (the Origin check would refuse them). Other sites still get nothing.
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !path.starts_with("/api/") && !h.contains_key(header::CACHE_CONTROL) {
        let hashed = is_hashed_asset(&path);
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(if hashed { "public, max-age=31536000, immutable" } else { "no-cache" }),
        );
    }
    resp
}

/// Trunk names built files `name-<16 hex digits>.ext`.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    let Some((_, hash)) = stem.rsplit_once('-') else { return false };
    let hash = hash.strip_suffix("_bg").unwrap_or(hash);
    hash.len() >= 16 && hash.chars().all(|c| c.is_ascii_hexdigit())
}

/// `/robots.txt`: this is a case system with private data; only the
/// citizens' public information page is for search engines (a matter's own
/// page needs its query code and is never linked).
pub async fn robots() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "User-agent: *\nAllow: /public$\nDisallow: /\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn inline_scripts_are_hashed_external_ones_are_not() {
        let html = r#"<script src="/a.js"></script><script type="module">alert(1)</script>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 1);
        // printf 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert_eq!(hashes[0], "bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=");
    }

    #[test]
    fn hashed_assets() {
        assert!(is_hashed_asset("/frontend-3f2a9c0b1d4e5f60_bg.wasm"));
        assert!(is_hashed_asset("/main-3f2a9c0b1d4e5f60.css"));
        assert!(!is_hashed_asset("/sw.js"));
        assert!(!is_hashed_asset("/index.html"));
    }

    #[test]
    fn origins() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        let cfg = SecurityConfig::default();
        assert!(same_origin("http://127.0.0.1:8080", &h, &cfg));
        assert!(!same_origin("http://evil.example", &h, &cfg));
        assert!(!same_origin("null", &h, &cfg));
        let cfg = SecurityConfig { allowed_origins: vec!["https://dbt.example.cn".into()], ..Default::default() };
        assert!(same_origin("https://dbt.example.cn", &h, &cfg));
    }
}
