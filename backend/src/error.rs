//! The error every layer returns: [`AppError`], a `shared::error::ApiError`
//! (`{code, message}` with a Chinese message). How it leaves as HTTP is
//! `api::extract`'s business; a database error becomes one here.

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
        if is_refused_data(&e) {
            // The database refuses this very data (a character it cannot
            // hold, a broken reference): sending it again changes nothing, so
            // it is the client's input that is refused, not a server fault.
            tracing::warn!(error = %e, "database refused the data");
            return AppError::new(
                ErrorCode::ValidationFailed,
                "内容无法保存：含有系统不接受的字符或数据，请修改后重试",
            );
        }
        tracing::error!(error = %e, "database error");
        AppError::new(ErrorCode::Internal, "服务器内部错误，请稍后重试")
    }
}

impl AppError {
    /// `e` as [`ErrorCode::Conflict`] with `message` when it is a unique
    /// violation (the row a rule allows once is already there: a concurrent
    /// request won), else as usual. For the inserts that carry an "at most
    /// once" rule.
    pub fn once(e: sqlx::Error, message: impl Into<String>) -> AppError {
        if is_unique_violation(&e) {
            tracing::info!(error = %e, "refused a second time by a unique key");
            return AppError::new(ErrorCode::Conflict, message);
        }
        e.into()
    }
}

/// Whether a database error is a unique-key violation (PostgreSQL SQLSTATE
/// 23505; SQLite extended codes 2067 SQLITE_CONSTRAINT_UNIQUE and 1555
/// SQLITE_CONSTRAINT_PRIMARYKEY).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = e else { return false };
    let Some(code) = db.code() else { return false };
    if db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some() {
        return code == "23505";
    }
    if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        return code == "2067" || code == "1555";
    }
    false
}

/// Whether a database error is about the data itself, so retrying the same
/// request can never succeed: PostgreSQL's data exceptions (SQLSTATE class
/// 22, e.g. NUL in text) and integrity violations (class 23); SQLite's
/// constraint, too-big and type-mismatch errors. A unique violation is left
/// out: between concurrent writers it is a race that a retry resolves.
pub fn is_refused_data(e: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = e else { return false };
    let Some(code) = db.code() else { return false };
    if db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some() {
        // SQLSTATE
        return code.starts_with("22") || (code.starts_with("23") && code != "23505");
    }
    if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        // Extended result code: the primary code is the low byte.
        let Ok(n) = code.parse::<i64>() else { return false };
        let unique = n == 2067 || n == 1555;
        let primary = n & 0xff;
        return (primary == 19 && !unique) || primary == 18 || primary == 20;
    }
    false
}
