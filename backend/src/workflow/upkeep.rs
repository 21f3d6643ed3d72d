//! Upkeep of stored matters at start: what older versions left unset.

use crate::db::{new_query_code, Db};
use sqlx::Row;

/// Gives every matter registered before query codes existed its code.
pub async fn backfill_query_codes(db: &Db) -> anyhow::Result<()> {
    let ids: Vec<i64> = sqlx::query("SELECT id FROM cases WHERE query_code IS NULL")
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>(0))
        .collect::<Result<_, _>>()?;
    for id in ids {
        sqlx::query("UPDATE cases SET query_code = $1 WHERE id = $2 AND query_code IS NULL")
            .bind(new_query_code())
            .bind(id)
            .execute(&db.pool)
            .await?;
    }
    Ok(())
}
