//! SQL of a case's attachments (一案一档): the `attachments` rows with their
//! uploader's name, the retry check, the visit a photo is dated by, and the
//! insert of a new row.

use crate::error::AppResult;
use shared::case::AttachmentView;
use sqlx::{AnyConnection, AnyPool, Row};

/// The name as shown: rows kept before names were cleaned come out clean
/// (`shared::validation::shown_file_name`).
fn view_from_row(r: &sqlx::any::AnyRow) -> Result<AttachmentView, sqlx::Error> {
    let content_type: String = r.try_get("content_type")?;
    Ok(AttachmentView {
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        file_name: shared::validation::shown_file_name(&r.try_get::<String, _>("file_name")?, &content_type),
        content_type,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        uploaded_by_name: r.try_get("uploaded_by_name")?,
        at: r.try_get("at")?,
    })
}

/// One attachment by its id, whatever its case.
pub async fn find(pool: &AnyPool, id: &str) -> AppResult<Option<AttachmentView>> {
    let row = sqlx::query(
        "SELECT a.*, u.display_name AS uploaded_by_name FROM attachments a JOIN users u ON u.id = a.uploaded_by WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| view_from_row(&r)).transpose()?)
}

/// The attachments of a case (already known to be in scope).
pub async fn of_case(pool: &AnyPool, case_id: i64) -> AppResult<Vec<AttachmentView>> {
    let rows = sqlx::query(
        "SELECT a.*, u.display_name AS uploaded_by_name FROM attachments a JOIN users u ON u.id = a.uploaded_by \
         WHERE a.case_id = $1 ORDER BY a.at, a.id",
    )
    .bind(case_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(view_from_row).collect::<Result<_, _>>()?)
}

/// The case and file hash already stored under attachment id `id`, if any
/// (a retried upload).
pub async fn stored(conn: &mut AnyConnection, id: &str) -> Result<Option<(i64, String)>, sqlx::Error> {
    match sqlx::query("SELECT case_id, sha256 FROM attachments WHERE id = $1").bind(id).fetch_optional(conn).await? {
        Some(row) => Ok(Some((row.try_get("case_id")?, row.try_get("sha256")?))),
        None => Ok(None),
    }
}

/// When visit `visit_id` of case `case_id` took place (local time as
/// stored), if the visit is stored under that case.
pub async fn visit_time(conn: &mut AnyConnection, visit_id: &str, case_id: i64) -> Result<Option<String>, sqlx::Error> {
    match sqlx::query("SELECT visited_at FROM visits WHERE id = $1 AND case_id = $2")
        .bind(visit_id)
        .bind(case_id)
        .fetch_optional(conn)
        .await?
    {
        Some(row) => Ok(Some(row.try_get::<String, _>(0)?)),
        None => Ok(None),
    }
}

/// A new attachment row, its file already stored.
pub struct NewAttachment<'a> {
    pub id: &'a str,
    pub case_id: i64,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub uploaded_by: i64,
    pub visit_id: Option<&'a str>,
}

/// Inserts `a` at time `at` under change sequence number `rev`.
pub async fn insert(conn: &mut AnyConnection, a: &NewAttachment<'_>, at: &str, rev: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO attachments (id, case_id, file_name, content_type, size, sha256, uploaded_by, at, rev, visit_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(a.id)
    .bind(a.case_id)
    .bind(a.file_name)
    .bind(a.content_type)
    .bind(a.size)
    .bind(a.sha256)
    .bind(a.uploaded_by)
    .bind(at)
    .bind(rev)
    .bind(a.visit_id)
    .execute(conn)
    .await?;
    Ok(())
}
