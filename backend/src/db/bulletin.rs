//! The bulletin's and the agents' appraisal's queries: a unit's kept
//! counters (`case_stats`) and those of the units below it, the overdue
//! matters, and the agents' matters and visits.

use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use shared::bulletin::{bulletin_title, rank_rows, AgentAppraisal, Bulletin, BulletinKind, BulletinRow, OverdueRow};
use shared::error::ErrorCode;
use shared::stats::{figures, Counts, MonthRange};
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;

/// Builds the bulletin of the unit at `path` for `period` (a month, or a
/// year), as of `today`.
pub async fn build(
    pool: &AnyPool,
    kind: BulletinKind,
    unit_id: i64,
    unit_name: String,
    path: &str,
    period: MonthRange,
    today: NaiveDate,
) -> AppResult<Bulletin> {
    let year: i32 = period.from[..4].parse().map_err(|_| AppError::new(ErrorCode::ValidationFailed, "月份无效"))?;
    let year_to_date = MonthRange { from: format!("{year:04}-01"), to: period.to.clone() };
    // The unit's own counters in the period.
    let own = sqlx::query(
        "SELECT stat_key, CAST(SUM(n) AS BIGINT) AS n FROM case_stats \
         WHERE unit_path = $1 AND month >= $2 AND month <= $3 GROUP BY stat_key",
    )
    .bind(path)
    .bind(&period.from)
    .bind(&period.to)
    .fetch_all(pool)
    .await?;
    let mut totals = Counts::new();
    for r in &own {
        totals.insert(r.try_get("stat_key")?, r.try_get::<Option<i64>, _>("n")?.unwrap_or(0));
    }
    let children = sqlx::query(
        "SELECT id, name, path FROM units WHERE parent_id = $1 AND kind NOT IN ('task_group', 'department') ORDER BY path",
    )
    .bind(unit_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| Ok((r.try_get::<i64, _>("id")?, r.try_get::<String, _>("name")?, r.try_get::<String, _>("path")?)))
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let overdue_now = overdue_by_child(pool, unit_id, today).await?;
    let rows = child_rows(pool, unit_id, &children, &period, &overdue_now).await?;
    let rows_year = child_rows(pool, unit_id, &children, &year_to_date, &overdue_now).await?;
    let overdue_total: i64 = sqlx::query(
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM case_stats \
         WHERE unit_path = $1 AND month = '' AND stat_key >= 'due:' AND stat_key < $2",
    )
    .bind(path)
    .bind(format!("due:{today}"))
    .fetch_one(pool)
    .await?
    .try_get(0)?;
    let overdue = overdue_matters(pool, path, today).await?;
    let assessment = crate::db::assessment::ranking(pool, path, year, today).await?;
    let (from, to) = period.days();
    let letters = crate::db::assessment_letters::letters_issued(pool, path, from, to).await?;
    Ok(Bulletin {
        kind,
        unit_id,
        title: bulletin_title(kind, &unit_name, &period),
        unit_name,
        figures: figures(&totals),
        rows,
        rows_year,
        overdue,
        overdue_total,
        assessment,
        letters,
        period,
        year_to_date,
        made_on: today,
    })
}

/// Each child unit's open matters past their limit now, from the snapshot
/// counters (`due:YYYY-MM-DD` before today).
async fn overdue_by_child(pool: &AnyPool, unit_id: i64, today: NaiveDate) -> AppResult<BTreeMap<String, i64>> {
    let rows = sqlx::query(
        "SELECT unit_path, CAST(SUM(n) AS BIGINT) AS n FROM case_stats \
         WHERE unit_path IN (SELECT path FROM units WHERE parent_id = $1) AND month = '' \
         AND stat_key >= 'due:' AND stat_key < $2 GROUP BY unit_path",
    )
    .bind(unit_id)
    .bind(format!("due:{today}"))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("unit_path")?, r.try_get::<Option<i64>, _>("n")?.unwrap_or(0))))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

async fn child_rows(
    pool: &AnyPool,
    unit_id: i64,
    children: &[(i64, String, String)],
    range: &MonthRange,
    overdue: &BTreeMap<String, i64>,
) -> AppResult<Vec<BulletinRow>> {
    let sums = sqlx::query(
        "SELECT unit_path, stat_key, CAST(SUM(n) AS BIGINT) AS n FROM case_stats \
         WHERE unit_path IN (SELECT path FROM units WHERE parent_id = $1) AND month >= $2 AND month <= $3 \
         AND stat_key IN ('total', 'agency', 'channel:online', 'closed', 'resolved') GROUP BY unit_path, stat_key",
    )
    .bind(unit_id)
    .bind(&range.from)
    .bind(&range.to)
    .fetch_all(pool)
    .await?;
    let mut per: BTreeMap<String, Counts> = BTreeMap::new();
    for r in &sums {
        per.entry(r.try_get("unit_path")?)
            .or_default()
            .insert(r.try_get("stat_key")?, r.try_get::<Option<i64>, _>("n")?.unwrap_or(0));
    }
    let empty = Counts::new();
    let mut rows: Vec<BulletinRow> = children
        .iter()
        .map(|(id, name, path)| {
            BulletinRow::of(*id, name.clone(), per.get(path).unwrap_or(&empty), overdue.get(path).copied().unwrap_or(0))
        })
        .collect();
    rank_rows(&mut rows);
    Ok(rows)
}

/// The oldest 200 open matters past their limit below `path`: number,
/// units, category and dates only (a bulletin names no citizen).
async fn overdue_matters(pool: &AnyPool, path: &str, today: NaiveDate) -> AppResult<Vec<OverdueRow>> {
    let rows = sqlx::query(
        "SELECT c.id, c.number, c.category, c.accepted_on, c.due_on, c.handling_level, u.name AS unit_name, \
         h.name AS handling_name FROM cases c JOIN units u ON u.id = c.unit_id \
         LEFT JOIN units h ON h.id = c.handling_unit_id \
         WHERE c.unit_path LIKE $1 AND c.status IN ('screening', 'handling') AND c.due_on < $2 \
         ORDER BY c.due_on, c.id LIMIT 200",
    )
    .bind(format!("{path}%"))
    .bind(today.to_string())
    .fetch_all(pool)
    .await?;
    let cal = crate::db::calendar::current();
    rows.iter()
        .map(|r| {
            let due_on = crate::db::text::date(&r.try_get::<String, _>("due_on")?)?;
            let level: shared::lifecycle::HandlingLevel =
                crate::db::text::from_text("handling_level", &r.try_get::<String, _>("handling_level")?)?;
            let category: Option<shared::routing::ContentCategory> =
                crate::db::text::opt_from_text("category", r.try_get("category")?)?;
            Ok(OverdueRow {
                case_id: r.try_get("id")?,
                number: r.try_get("number")?,
                unit_name: r.try_get("unit_name")?,
                handling: r.try_get::<Option<String>, _>("handling_name")?.unwrap_or_else(|| level.label().to_string()),
                category: category.map_or("未分类".to_string(), |c| c.label().to_string()),
                accepted_on: crate::db::text::date(&r.try_get::<String, _>("accepted_on")?)?,
                due_on,
                days_over: cal.working_days_between(due_on, today).value.max(0),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

/// Every agent of the units below `path`: the matters they handle received
/// in the period (counted by the matters' own counter keys, the shared
/// rule), and their visits logged in the period.
pub async fn appraise(pool: &AnyPool, path: &str, period: &MonthRange) -> AppResult<Vec<AgentAppraisal>> {
    let pattern = format!("{path}%");
    let (from, to) = period.days();
    let agents = sqlx::query(
        "SELECT u.id, u.display_name, n.name AS unit_name FROM users u JOIN units n ON n.id = u.unit_id \
         WHERE u.role = 'field_agent' AND n.path LIKE $1 ORDER BY n.path, u.display_name",
    )
    .bind(&pattern)
    .fetch_all(pool)
    .await?;
    let has = |k: &str| format!("SUM(CASE WHEN c.stat_keys LIKE '%|{k}|%' THEN 1 ELSE 0 END)");
    let sums = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT c.agent_id, CAST({} AS BIGINT) AS taken, CAST({} AS BIGINT) AS closed, CAST({} AS BIGINT) AS resolved, \
         CAST({} AS BIGINT) AS on_time, CAST({} AS BIGINT) AS opinions, CAST({} AS BIGINT) AS satisfied \
         FROM cases c WHERE c.unit_path LIKE $1 AND c.accepted_on >= $2 AND c.accepted_on <= $3 \
         AND c.agent_id IS NOT NULL GROUP BY c.agent_id",
        has("agency"),
        has("closed"),
        has("resolved"),
        has("closed_in_time"),
        has("opinions"),
        has("satisfied"),
    )))
    .bind(&pattern)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(pool)
    .await?;
    let mut per: BTreeMap<i64, [i64; 6]> = BTreeMap::new();
    for r in &sums {
        let g = |c: &str| r.try_get::<Option<i64>, _>(c).map(|v| v.unwrap_or(0));
        per.insert(
            r.try_get("agent_id")?,
            [g("taken")?, g("closed")?, g("resolved")?, g("on_time")?, g("opinions")?, g("satisfied")?],
        );
    }
    // Visits are dated by the device (local time text): the period's days.
    let visits = sqlx::query(
        "SELECT v.recorded_by, COUNT(*) AS n FROM visits v JOIN users u ON u.id = v.recorded_by \
         JOIN units n ON n.id = u.unit_id WHERE n.path LIKE $1 AND v.visited_at >= $2 AND v.visited_at < $3 \
         GROUP BY v.recorded_by",
    )
    .bind(&pattern)
    .bind(from.to_string())
    .bind(to.succ_opt().unwrap_or(to).to_string())
    .fetch_all(pool)
    .await?;
    let mut visit_n: BTreeMap<i64, i64> = BTreeMap::new();
    for r in &visits {
        visit_n.insert(r.try_get("recorded_by")?, r.try_get("n")?);
    }
    let mut out: Vec<AgentAppraisal> = agents
        .iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            let [taken, closed, resolved, on_time, opinions, satisfied] = per.get(&id).copied().unwrap_or_default();
            Ok(AgentAppraisal::of(
                id,
                r.try_get("display_name")?,
                r.try_get("unit_name")?,
                taken,
                closed,
                resolved,
                on_time,
                opinions,
                satisfied,
                visit_n.get(&id).copied().unwrap_or(0),
            ))
        })
        .collect::<Result<_, sqlx::Error>>()?;
    out.sort_by(|a, b| b.taken.cmp(&a.taken).then(b.closed.cmp(&a.closed)).then(a.name.cmp(&b.name)));
    Ok(out)
}
