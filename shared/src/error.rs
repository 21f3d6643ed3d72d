//! The JSON error body every API error carries: `{code, message}`, a machine
//! code for programs and a Chinese message for people.

use serde::{Deserialize, Serialize};

/// Machine-readable error codes. Unknown codes from a newer server still
/// deserialize (as [`ErrorCode::Other`]) so an old field app can show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadJson,
    UnsupportedMediaType,
    PayloadTooLarge,
    ValidationFailed,
    Unauthenticated,
    BadCredentials,
    Forbidden,
    OutOfJurisdiction,
    NotFound,
    Conflict,
    TooManyRequests,
    Internal,
    #[serde(other)]
    Other,
}

impl ErrorCode {
    /// The HTTP status the server answers with for this code.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadJson | ErrorCode::ValidationFailed => 400,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::Unauthenticated | ErrorCode::BadCredentials => 401,
            ErrorCode::Forbidden | ErrorCode::OutOfJurisdiction => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::Conflict => 409,
            ErrorCode::TooManyRequests => 429,
            ErrorCode::Internal | ErrorCode::Other => 500,
        }
    }
}

/// An error as sent over the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into() }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}
