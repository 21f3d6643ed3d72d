//! The assessment's letters (三函一约谈, assessment_letters): read with their
//! village, issuer and clerk, numbered, issued and signed for.

use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use shared::assessment_record::{LetterDue, LetterView};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

const LETTER_SELECT: &str =
    "SELECT l.*, v.name AS unit_name, i.name AS issuer_unit_name, u.display_name AS issued_by_name \
     FROM assessment_letters l JOIN units v ON v.id = l.unit_id JOIN units i ON i.id = l.issuer_unit_id \
     JOIN users u ON u.id = l.issued_by";

fn letter_from_row(r: &AnyRow) -> Result<LetterView, sqlx::Error> {
    Ok(LetterView {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        year: r.try_get::<i64, _>("year")? as i32,
        kind: crate::db::text::from_text("kind", &r.try_get::<String, _>("kind")?)?,
        key: r.try_get("letter_key")?,
        reason: r.try_get("reason")?,
        issuer_unit_name: r.try_get("issuer_unit_name")?,
        issued_by_name: r.try_get("issued_by_name")?,
        issued_on: crate::db::text::date(&r.try_get::<String, _>("issued_on")?)?,
        acknowledged_on: r
            .try_get::<Option<String>, _>("acknowledged_on")?
            .map(|d| crate::db::text::date(&d))
            .transpose()?,
        acknowledged_by: r.try_get("acknowledged_by")?,
    })
}

/// Letters matching `condition` (binds `$1`, `$2`), oldest first.
async fn letters_where(conn: &mut sqlx::AnyConnection, condition: &str, a: i64, b: i64) -> AppResult<Vec<LetterView>> {
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(format!("{LETTER_SELECT} WHERE {condition} ORDER BY l.issued_on, l.id")))
            .bind(a)
            .bind(b)
            .fetch_all(conn)
            .await?;
    Ok(rows.iter().map(letter_from_row).collect::<Result<_, _>>()?)
}

/// The letters to village `unit_id` for `year`, oldest first.
pub async fn letters_of(conn: &mut sqlx::AnyConnection, unit_id: i64, year: i32) -> AppResult<Vec<LetterView>> {
    letters_where(conn, "l.unit_id = $1 AND l.year = $2", unit_id, i64::from(year)).await
}

/// Letters to the villages below `path` issued from `from` to `to`.
pub async fn letters_issued(pool: &AnyPool, path: &str, from: NaiveDate, to: NaiveDate) -> AppResult<Vec<LetterView>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{LETTER_SELECT} WHERE l.unit_path LIKE $1 AND l.issued_on >= $2 AND l.issued_on <= $3 ORDER BY l.issued_on, l.id"
    )))
    .bind(format!("{path}%"))
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(letter_from_row).collect::<Result<_, _>>()?)
}

/// The letter `id`, if any (the caller checks its village's scope).
pub async fn letter_by_id(conn: &mut sqlx::AnyConnection, id: i64) -> AppResult<Option<LetterView>> {
    let Some(r) = sqlx::query(sqlx::AssertSqlSafe(format!("{LETTER_SELECT} WHERE l.id = $1")))
        .bind(id)
        .fetch_optional(conn)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(letter_from_row(&r)?))
}

/// The name of unit `unit_id` (the issuer, for the letter's number).
pub async fn unit_name(conn: &mut sqlx::AnyConnection, unit_id: i64) -> AppResult<String> {
    Ok(sqlx::query("SELECT name FROM units WHERE id = $1").bind(unit_id).fetch_one(conn).await?.try_get(0)?)
}

/// How many letters unit `issuer_unit_id` issued for `year` so far.
pub async fn letters_issued_by(conn: &mut sqlx::AnyConnection, issuer_unit_id: i64, year: i32) -> AppResult<i64> {
    Ok(sqlx::query("SELECT COUNT(*) FROM assessment_letters WHERE issuer_unit_id = $1 AND year = $2")
        .bind(issuer_unit_id)
        .bind(i64::from(year))
        .fetch_one(conn)
        .await?
        .try_get(0)?)
}

/// A letter to store: the one `due` to village `unit_id` for `year`.
pub struct NewLetterRow<'a> {
    pub number: &'a str,
    pub unit_id: i64,
    pub unit_path: &'a str,
    pub year: i32,
    pub due: &'a LetterDue,
    pub issuer_unit_id: i64,
    pub issued_by: i64,
    pub issued_on: NaiveDate,
}

/// Stores the letter; its id.
pub async fn insert_letter(conn: &mut sqlx::AnyConnection, l: &NewLetterRow<'_>) -> AppResult<i64> {
    Ok(sqlx::query(
        "INSERT INTO assessment_letters (number, unit_id, unit_path, year, kind, letter_key, reason, issuer_unit_id, \
         issued_by, issued_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(l.number)
    .bind(l.unit_id)
    .bind(l.unit_path)
    .bind(i64::from(l.year))
    .bind(l.due.kind.as_str())
    .bind(&l.due.key)
    .bind(&l.due.reason)
    .bind(l.issuer_unit_id)
    .bind(l.issued_by)
    .bind(l.issued_on.to_string())
    .fetch_one(conn)
    .await
    .map_err(|e| AppError::once(e, format!("函件编号 {} 已被使用，请重试", l.number)))?
    .try_get(0)?)
}

/// Records the receipt of letter `id`, unless one is recorded already: the
/// rows changed (0 or 1).
pub async fn acknowledge_letter(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    acknowledged_on: NaiveDate,
    signed_by: &str,
    recorded_by: i64,
) -> AppResult<u64> {
    Ok(sqlx::query(
        "UPDATE assessment_letters SET acknowledged_on = $1, acknowledged_by = $2, ack_recorded_by = $3 \
         WHERE id = $4 AND acknowledged_on IS NULL",
    )
    .bind(acknowledged_on.to_string())
    .bind(signed_by)
    .bind(recorded_by)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected())
}
