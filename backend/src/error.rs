//! How the server answers errors: always JSON `{code, message}` with a
//! Chinese message (the shape is `shared::error::ApiError`), and the right
//! HTTP status. Also [`ApiJson`], the JSON body extractor whose rejections
//! (malformed JSON, unknown fields, wrong content type, oversized body) come
//! out in that same shape.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use shared::error::{ApiError, ErrorCode};

/// An error a handler returns.
#[derive(Debug)]
pub struct AppError(pub ApiError);

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError(ApiError::new(code, message))
    }

    pub fn not_found() -> Self {
        AppError::new(ErrorCode::NotFound, "未找到该事项，或不在您的辖区内")
    }

    pub fn unauthenticated() -> Self {
        AppError::new(ErrorCode::Unauthenticated, "请先登录")
    }
}

impl From<ApiError> for AppError {
    fn from(e: ApiError) -> Self {
        AppError(e)
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "database error");
        AppError::new(ErrorCode::Internal, "服务器内部错误，请稍后重试")
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.0)).into_response()
    }
}

/// `Json<T>` whose rejections are [`AppError`]s.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
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
