//! How the server answers errors over HTTP: always JSON `{code, message}`
//! with a Chinese message (the shape is `shared::error::ApiError`), and the
//! right HTTP status. Also [`ApiJson`] and [`ApiPath`], extractors whose
//! rejections (malformed JSON, unknown fields, wrong content type, oversized
//! body, a bad path id) come out in that same shape.

use crate::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use shared::error::ErrorCode;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.0)).into_response()
    }
}

/// `Path<T>` whose rejections are [`AppError`]s: a path id that is not a
/// number, or overflows, is a JSON 400 like any other bad input.
pub struct ApiPath<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(_) => Err(AppError::new(ErrorCode::ValidationFailed, "地址中的编号无效（应为正整数或规定格式的编号）")),
        }
    }
}

/// The answer for an error that some layer (routing, a body limit, a
/// timeout …) made without our JSON shape: the same status, as `{code,
/// message}` in Chinese. Applied to every `/api` response by [`json_errors`].
fn error_for_status(status: StatusCode) -> AppError {
    match status.as_u16() {
        400 => AppError::new(ErrorCode::ValidationFailed, "请求无效，请检查地址和参数"),
        401 => AppError::unauthenticated(),
        403 => AppError::new(ErrorCode::Forbidden, "没有权限"),
        404 => AppError::new(ErrorCode::NotFound, "接口不存在"),
        405 => AppError::new(ErrorCode::MethodNotAllowed, "该接口不支持此请求方法"),
        408 => AppError::new(ErrorCode::Internal, "请求超时，请重试"),
        413 => AppError::new(ErrorCode::PayloadTooLarge, "请求内容过大"),
        415 => AppError::new(ErrorCode::UnsupportedMediaType, "不支持的内容类型"),
        422 => AppError::new(ErrorCode::ValidationFailed, "请求内容不符合要求"),
        429 => AppError::new(ErrorCode::TooManyRequests, "请求过于频繁，请稍后再试"),
        _ => AppError::new(ErrorCode::Internal, "服务器内部错误，请稍后重试"),
    }
}

/// Middleware: any error answer that is not already JSON becomes `{code,
/// message}` with the same status, so no layer can leak a plain-text or
/// empty error.
pub async fn json_errors(req: Request, next: axum::middleware::Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let is_json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return resp;
    }
    let mut fixed = error_for_status(status).into_response();
    *fixed.status_mut() = status;
    for (name, value) in resp.headers() {
        // Keep what tells the client how to go on (Allow on a 405, Retry-After).
        if name == axum::http::header::ALLOW || name == axum::http::header::RETRY_AFTER {
            fixed.headers_mut().insert(name.clone(), value.clone());
        }
    }
    fixed
}

/// `Json<T>` whose rejections are [`AppError`]s, with the invisible format
/// controls (bidi overrides, zero-width characters:
/// [`shared::validation::is_format_control`]) removed from every string in
/// it — the one place free text from a JSON body loses them.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|r| match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => AppError::new(ErrorCode::PayloadTooLarge, "请求内容过大"),
            _ => AppError::new(ErrorCode::BadJson, format!("无法读取请求内容：{}", r.body_text())),
        })?;
        let body = match std::str::from_utf8(&bytes) {
            Ok(text) => axum::body::Body::from(strip_json_format_controls(text)),
            Err(_) => axum::body::Body::from(bytes),
        };
        let mut req = Request::new(body);
        *req.headers_mut() = headers;
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// [`ApiJson`] that keeps every string exactly as sent: only for secrets
/// (passwords), which are compared, never shown.
pub struct ExactJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ExactJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ExactJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// JSON text with the format controls taken out of its strings, whether
/// sent as they are or escaped (`\u202e`); everything else byte for byte.
/// (Outside strings JSON has no place for them: such text stays invalid.)
fn strip_json_format_controls(text: &str) -> String {
    use shared::validation::is_format_control;
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let mut used = c.len_utf8();
        if !in_string {
            in_string = c == '"';
            out.push(c);
        } else if c == '"' {
            in_string = false;
            out.push(c);
        } else if c == '\\' {
            let escaped =
                rest.get(2..6).filter(|h| rest[1..].starts_with('u') && h.bytes().all(|b| b.is_ascii_hexdigit()));
            let code = escaped.and_then(|h| u32::from_str_radix(h, 16).ok()).and_then(char::from_u32);
            if code.is_some_and(is_format_control) {
                used = 6;
            } else {
                out.push(c);
                if let Some(next) = rest[1..].chars().next() {
                    out.push(next);
                    used += next.len_utf8();
                }
            }
        } else if !is_format_control(c) {
            out.push(c);
        }
        rest = &rest[used..];
    }
    out
}

fn json_rejection(r: JsonRejection) -> AppError {
    match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::new(ErrorCode::PayloadTooLarge, "请求内容过大"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            AppError::new(ErrorCode::UnsupportedMediaType, "请求须为 JSON（Content-Type: application/json）")
        }
        _ => match r {
            JsonRejection::JsonDataError(e) => {
                let detail = e.body_text();
                let detail = detail.trim_start_matches("Failed to deserialize the JSON body into the target type: ");
                AppError::new(ErrorCode::BadJson, format!("请求内容不符合要求（字段缺失、多余或类型不对）：{detail}"))
            }
            JsonRejection::JsonSyntaxError(_) => AppError::new(ErrorCode::BadJson, "请求不是有效的 JSON"),
            other => AppError::new(ErrorCode::BadJson, format!("无法读取请求内容：{}", other.body_text())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::strip_json_format_controls as strip;

    #[test]
    fn format_controls_leave_json_strings() {
        assert_eq!(strip(r#"{"a":"x\u202Ey","b":"\u200b"}"#), r#"{"a":"xy","b":""}"#);
        assert_eq!(strip("{\"a\":\"x\u{202E}y\u{FEFF}\"}"), r#"{"a":"xy"}"#);
        // Other escapes, an escaped backslash before `u202e`, and quotes stay.
        let kept = r#"{"a":"\\u202e \" \n \u4e2d \ud83d\ude00","b":[1,2.5,true,null]}"#;
        assert_eq!(strip(kept), kept);
        assert_eq!(strip("{\"a\":\"\\"), "{\"a\":\"\\");
    }
}
