//! The JSON error body every API error carries: `{code, message}`, a machine
//! code for programs and a Chinese message for people.

use serde::{Deserialize, Serialize};

/// Machine-readable error codes. Unknown codes from a newer server still
/// deserialize (as [`ErrorCode::Other`]) so an old field app can show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    MethodNotAllowed,
    Internal,
    #[serde(other)]
    Other,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 14] = [
        ErrorCode::BadJson,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::PayloadTooLarge,
        ErrorCode::ValidationFailed,
        ErrorCode::Unauthenticated,
        ErrorCode::BadCredentials,
        ErrorCode::Forbidden,
        ErrorCode::OutOfJurisdiction,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::TooManyRequests,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Internal,
        ErrorCode::Other,
    ];

    /// The stored text form (same as the JSON form).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadJson => "bad_json",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::BadCredentials => "bad_credentials",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::OutOfJurisdiction => "out_of_jurisdiction",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::TooManyRequests => "too_many_requests",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Internal => "internal",
            ErrorCode::Other => "other",
        }
    }

    /// Parses the text form; unknown codes become [`ErrorCode::Other`].
    pub fn parse(s: &str) -> ErrorCode {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == s).unwrap_or(ErrorCode::Other)
    }

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
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Internal | ErrorCode::Other => 500,
        }
    }
}

/// An error as sent over the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_is_other() {
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(c.as_str()), c);
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        assert_eq!(serde_json::from_str::<ErrorCode>("\"brand_new\"").unwrap(), ErrorCode::Other);
        assert_eq!(ErrorCode::parse("brand_new"), ErrorCode::Other);
    }
}
