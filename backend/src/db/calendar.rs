//! The working-day calendar's storage: the process-wide cell holding the
//! calendar in use ([`current`]), its loading from `calendar_days`
//! ([`load`]) and the SQL of the entered years.
//!
//! The calendar lives in one process-wide cell: deadlines are counted deep
//! inside the write path (`workflow`, `overdue`, the public pages), where
//! only [`current`] is needed instead of `Calendar::official()`. The cell
//! is filled from the database when it is opened ([`load`], called by
//! `Db::connect`) and updated when an administrator saves a year. Loading
//! adds years and never forgets one, so several databases opened by one
//! process (the tests) do not undo each other's schedules.

use crate::error::AppError;
use chrono::NaiveDate;
use shared::calendar::{Calendar, DayOverride};
use shared::error::ErrorCode;
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock, RwLock};

fn cell() -> &'static RwLock<Arc<Calendar>> {
    static CELL: OnceLock<RwLock<Arc<Calendar>>> = OnceLock::new();
    CELL.get_or_init(|| RwLock::new(Arc::new(Calendar::official().clone())))
}

/// The calendar to count working days with now.
pub fn current() -> Arc<Calendar> {
    cell().read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Changes the calendar in use (after an administrator saved a year).
pub fn update(change: impl FnOnce(Calendar) -> Calendar) {
    let mut guard = cell().write().unwrap_or_else(|e| e.into_inner());
    let next = change((**guard).clone());
    *guard = Arc::new(next);
}

fn kind_text(k: DayOverride) -> &'static str {
    match k {
        DayOverride::Off => "off",
        DayOverride::Work => "work",
    }
}

/// The schedules entered in this database, per year.
pub async fn entered(
    pool: &AnyPool,
    year: Option<i32>,
) -> Result<BTreeMap<i32, Vec<(NaiveDate, DayOverride)>>, AppError> {
    let rows = sqlx::query("SELECT day, year, kind FROM calendar_days WHERE ($1 = 0 OR year = $1) ORDER BY day")
        .bind(i64::from(year.unwrap_or(0)))
        .fetch_all(pool)
        .await?;
    let mut years: BTreeMap<i32, Vec<(NaiveDate, DayOverride)>> = BTreeMap::new();
    for r in rows {
        let day: String = r.try_get("day")?;
        let day = shared::time::parse_ymd(&day)
            .ok_or_else(|| AppError::new(ErrorCode::Internal, format!("日历数据有误：{day}")))?;
        let kind = match r.try_get::<String, _>("kind")?.as_str() {
            "off" => DayOverride::Off,
            "work" => DayOverride::Work,
            other => return Err(AppError::new(ErrorCode::Internal, format!("日历数据有误：{other}"))),
        };
        let y: i64 = r.try_get("year")?;
        years.entry(y as i32).or_default().push((day, kind));
    }
    Ok(years)
}

/// Adds the years entered in the database to the calendar in use.
pub async fn load(pool: &AnyPool) -> Result<(), AppError> {
    let years = entered(pool, None).await?;
    update(|mut cal| {
        for (y, days) in &years {
            cal = cal.with_schedule(*y, days);
        }
        cal
    });
    Ok(())
}

/// Replaces the schedule entered for `year` by `days` (none: removes it),
/// inside the caller's transaction.
pub async fn replace_year(
    conn: &mut AnyConnection,
    year: i32,
    days: &[(NaiveDate, DayOverride)],
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM calendar_days WHERE year = $1").bind(i64::from(year)).execute(&mut *conn).await?;
    for (day, kind) in days {
        sqlx::query("INSERT INTO calendar_days (day, year, kind) VALUES ($1, $2, $3)")
            .bind(day.to_string())
            .bind(i64::from(year))
            .bind(kind_text(*kind))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
