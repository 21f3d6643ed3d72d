//! The organisation's SQL: units, users (their rows, passwords and
//! sessions) and the deployment's settings (the 编号 prefix).

use crate::db::text::to_text;
use crate::db::Tx;
use crate::error::AppResult;
use shared::org::{NewUnit, NewUser, Settings, UnitView, UserView};
use shared::routing::TaskGroup;
use sqlx::Row;

/// Whether the unit `parent_id` already has a unit for task group `group`.
pub async fn task_group_taken(tx: &mut Tx, parent_id: i64, group: TaskGroup) -> AppResult<bool> {
    let taken = sqlx::query("SELECT id FROM units WHERE parent_id = $1 AND task_group = $2")
        .bind(parent_id)
        .bind(group.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    Ok(taken.is_some())
}

/// Inserts unit `new` (named `name`, with 编号 prefix `number_prefix`) below
/// its parent at `parent_path`, created by user `user_id`, and gives it its
/// path. Returns its id and path.
pub async fn insert_unit(
    tx: &mut Tx,
    new: &NewUnit,
    name: &str,
    number_prefix: Option<&str>,
    parent_path: &str,
    user_id: i64,
) -> AppResult<(i64, String)> {
    let id: i64 = sqlx::query(
        "INSERT INTO units (parent_id, kind, name, path, number_prefix, task_group) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(new.parent_id)
    .bind(to_text(&new.kind))
    .bind(name)
    // A unique placeholder until the id is known.
    .bind(format!(
        "{parent_path}pending-{}-{}/",
        user_id,
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
    ))
    .bind(number_prefix)
    .bind(new.task_group.map(|g| g.as_str()))
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    let path = format!("{parent_path}{id}/");
    sqlx::query("UPDATE units SET path = $1 WHERE id = $2").bind(&path).bind(id).execute(&mut **tx).await?;
    Ok((id, path))
}

/// Whether a user named `username` exists.
pub async fn username_taken(tx: &mut Tx, username: &str) -> AppResult<bool> {
    Ok(sqlx::query("SELECT 1 FROM users WHERE username = $1").bind(username).fetch_optional(&mut **tx).await?.is_some())
}

/// Inserts user `new` with the checked `username`, `display_name` and
/// `phone` and the password hash `hash`; returns the id.
pub async fn insert_user(
    tx: &mut Tx,
    new: &NewUser,
    username: &str,
    hash: String,
    display_name: &str,
    phone: Option<&str>,
) -> AppResult<i64> {
    Ok(sqlx::query(
        "INSERT INTO users (username, password_hash, display_name, role, unit_id, phone, agent_kind, full_time, registered, public_employee) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(username)
    .bind(hash)
    .bind(display_name)
    .bind(to_text(&new.role))
    .bind(new.unit_id)
    .bind(phone)
    .bind(new.agent_kind.map(|k| to_text(&k)))
    .bind(i64::from(new.full_time))
    .bind(i64::from(new.registered))
    .bind(i64::from(new.public_employee))
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?)
}

/// Writes user `id`'s editable fields as in `after`.
pub async fn update_user(tx: &mut Tx, id: i64, after: &UserView) -> AppResult<()> {
    sqlx::query(
        "UPDATE users SET display_name = $1, role = $2, unit_id = $3, phone = $4, agent_kind = $5, full_time = $6, \
         registered = $7, public_employee = $8 WHERE id = $9",
    )
    .bind(&after.display_name)
    .bind(to_text(&after.role))
    .bind(after.unit_id)
    .bind(&after.phone)
    .bind(after.agent_kind.map(|k| to_text(&k)))
    .bind(i64::from(after.full_time))
    .bind(i64::from(after.registered))
    .bind(i64::from(after.public_employee))
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Sets user `id`'s password hash and ends their sessions.
pub async fn set_password(tx: &mut Tx, id: i64, hash: String) -> AppResult<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(hash).bind(id).execute(&mut **tx).await?;
    // A new password ends the user's sessions.
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut **tx).await?;
    Ok(())
}

/// Switches user `id` off (ending every session of theirs) or on again.
pub async fn set_disabled(tx: &mut Tx, id: i64, disabled: bool, now: &str) -> AppResult<()> {
    sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
        .bind(disabled.then_some(now))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if disabled {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut **tx).await?;
    }
    Ok(())
}

/// The 编号 prefix of matters registered under `unit_id`: the nearest unit
/// up the tree (itself included) that has one, else the deployment's
/// setting, else the built-in one.
pub async fn number_prefix(conn: &mut sqlx::AnyConnection, unit_id: i64) -> AppResult<String> {
    let own = sqlx::query(
        "SELECT a.number_prefix FROM units u JOIN units a ON u.path LIKE a.path || '%' \
         WHERE u.id = $1 AND a.number_prefix IS NOT NULL ORDER BY LENGTH(a.path) DESC LIMIT 1",
    )
    .bind(unit_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(r) = own {
        return Ok(r.try_get(0)?);
    }
    let setting =
        sqlx::query("SELECT value FROM settings WHERE name = 'number_prefix'").fetch_optional(&mut *conn).await?;
    Ok(match setting {
        Some(r) => r.try_get(0)?,
        None => shared::case::CASE_NUMBER_PREFIX.to_string(),
    })
}

/// Renames unit `id` and sets its own 编号 prefix (`None`: none).
pub async fn update_unit(tx: &mut Tx, id: i64, name: &str, number_prefix: Option<&str>) -> AppResult<()> {
    sqlx::query("UPDATE units SET name = $1, number_prefix = $2 WHERE id = $3")
        .bind(name)
        .bind(number_prefix)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A unit already checked to be in the administrator's subtree.
pub async fn unit_view(tx: &mut Tx, id: i64) -> AppResult<UnitView> {
    let r = sqlx::query("SELECT id, parent_id, kind, name, path, number_prefix, task_group FROM units WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(UnitView {
        id: r.try_get("id")?,
        parent_id: r.try_get("parent_id")?,
        kind: crate::db::text::from_text("kind", &r.try_get::<String, _>("kind")?)?,
        name: r.try_get("name")?,
        path: r.try_get("path")?,
        number_prefix: r.try_get("number_prefix")?,
        task_group: crate::db::text::opt_from_text("task_group", r.try_get("task_group")?)?,
    })
}

/// The deployment's settings.
pub async fn read_settings(pool: &sqlx::AnyPool) -> AppResult<Settings> {
    let prefix = sqlx::query("SELECT value FROM settings WHERE name = 'number_prefix'").fetch_optional(pool).await?;
    Ok(Settings { number_prefix: prefix.map(|r| r.try_get(0)).transpose()? })
}

/// Sets the deployment's 编号 prefix (`None`: the built-in one).
pub async fn set_number_prefix(tx: &mut Tx, prefix: Option<&str>) -> AppResult<()> {
    sqlx::query("DELETE FROM settings WHERE name = 'number_prefix'").execute(&mut **tx).await?;
    if let Some(p) = prefix {
        sqlx::query("INSERT INTO settings (name, value) VALUES ('number_prefix', $1)")
            .bind(p)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
