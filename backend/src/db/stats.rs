//! The statistics' SQL: the counters kept as aggregates in `case_stats` and
//! their drill-down members `case_stat_members`, kept by [`changed`] and
//! counted afresh by [`recount`] / [`rebuild`]; the figures of a unit read
//! from them ([`stats_of`]) and the in-scope unit of a page of figures
//! ([`unit_named`]).
//!
//! Which matter counts where is `shared::stats::contributions`. The write
//! path calls [`changed`] after every change of a `cases` row, inside the
//! same transaction: the row's old contributions are subtracted and the new
//! ones added, for its unit and every unit above it (so a unit's figure is
//! a primary-key range of `case_stats`, never a scan of its cases). The
//! recount ([`recount`]) runs the same rule over the cases; the tests find
//! both equal.

use crate::db::session::CurrentUser;
use crate::db::text::{from_text, opt_from_text};
use crate::db::Cell;
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use shared::case::Stage;
use shared::error::ErrorCode;
use shared::lifecycle::{HandlingLevel, Lifecycle};
use shared::stats::{
    counted_at, delta_at, due_now, figures, keys_text, mixes, month_rows, rank, CaseFacts, Counts, MonthRange, RankRow,
    UnitStats,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

/// The columns [`facts_from_row`] reads.
pub const FACT_COLUMNS: &str = "unit_path, accepted_on, channel, source, category, stage, handling_level, lifecycle, \
     due_on, screened_in_time, closed_in_time, quality_passed, \
     (SELECT COUNT(*) FROM citizen_opinions o WHERE o.case_id = cases.id) AS citizen_rated";

fn flag(row: &AnyRow, col: &str) -> Result<Option<bool>, sqlx::Error> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(|v| v != 0))
}

fn date(row: &AnyRow, col: &str) -> Result<NaiveDate, sqlx::Error> {
    let s: String = row.try_get(col)?;
    s.parse().map_err(|e: chrono::ParseError| sqlx::Error::Decode(format!("{col}: {e}").into()))
}

/// A case row's facts (the columns of [`FACT_COLUMNS`]).
pub fn facts_from_row(row: &AnyRow) -> Result<CaseFacts, sqlx::Error> {
    let stage: Stage = from_text("stage", &row.try_get::<String, _>("stage")?)?;
    let level: HandlingLevel = from_text("handling_level", &row.try_get::<String, _>("handling_level")?)?;
    let lifecycle = match row.try_get::<Option<String>, _>("lifecycle")? {
        Some(json) => serde_json::from_str(&json).map_err(|e| sqlx::Error::Decode(e.into()))?,
        None => Lifecycle::from_stage(stage, level),
    };
    Ok(CaseFacts {
        unit_path: row.try_get("unit_path")?,
        accepted_on: date(row, "accepted_on")?,
        channel: from_text("channel", &row.try_get::<String, _>("channel")?)?,
        source: from_text("source", &row.try_get::<String, _>("source")?)?,
        category: opt_from_text("category", row.try_get("category")?)?,
        lifecycle,
        due_on: date(row, "due_on")?,
        screened_in_time: flag(row, "screened_in_time")?,
        closed_in_time: flag(row, "closed_in_time")?,
        quality: flag(row, "quality_passed")?,
        citizen_rated: row.try_get::<i64, _>("citizen_rated")? > 0,
        // Filled by the callers from `dispositions` (see [`departments_of`]).
        departments: vec![],
    })
}

/// The facts of case `id` as stored now (inside the caller's transaction).
pub async fn facts(conn: &mut AnyConnection, id: i64) -> Result<Option<CaseFacts>, AppError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {FACT_COLUMNS} FROM cases WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(mut f) = row.map(|r| facts_from_row(&r)).transpose()? else { return Ok(None) };
    f.departments = departments_of(conn, id, id).await?.remove(&id).unwrap_or_default();
    Ok(Some(f))
}

/// The department paths each case with an id in `from..=to` was
/// transferred to (处置单), sorted and distinct.
async fn departments_of(conn: &mut AnyConnection, from: i64, to: i64) -> Result<BTreeMap<i64, Vec<String>>, AppError> {
    let rows = sqlx::query(
        "SELECT DISTINCT d.case_id, u.path FROM dispositions d JOIN units u ON u.id = d.unit_id \
         WHERE d.case_id >= $1 AND d.case_id <= $2 ORDER BY d.case_id, u.path",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let mut out: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for r in &rows {
        out.entry(r.try_get("case_id")?).or_default().push(r.try_get("path")?);
    }
    Ok(out)
}

/// A drill-down member row: (unit path, key, due date, case id, month).
pub type Member = (String, String, String, i64, String);

/// The member rows of matter `id` with facts `f`: one per period counter it
/// adds to ([`shared::stats::contributions`], month ≠ ''), for its unit and
/// every unit above it — the rows of `case_stats` it counts in, one by one.
pub fn members_of(id: i64, f: &CaseFacts) -> Vec<Member> {
    let due = f.due_on.to_string();
    counted_at(f)
        .into_iter()
        .filter(|(_, c)| !c.month.is_empty())
        .map(|(path, c)| (path, c.key, due.clone(), id, c.month))
        .collect()
}

/// Applies the change of matter `id` from `old` to `new` to its rows in
/// `case_stat_members` (the same rule as the counters): the rows no longer
/// true are deleted, the new ones inserted.
pub async fn move_members(
    conn: &mut AnyConnection,
    id: i64,
    old: Option<&CaseFacts>,
    new: Option<&CaseFacts>,
) -> Result<(), AppError> {
    use std::collections::BTreeSet;
    let old: BTreeSet<Member> = old.map(|f| members_of(id, f)).unwrap_or_default().into_iter().collect();
    let new: BTreeSet<Member> = new.map(|f| members_of(id, f)).unwrap_or_default().into_iter().collect();
    for (p, k, d, i, m) in old.difference(&new) {
        sqlx::query(
            "DELETE FROM case_stat_members \
             WHERE unit_path = $1 AND stat_key = $2 AND month = $3 AND due_on = $4 AND case_id = $5",
        )
        .bind(p)
        .bind(k)
        .bind(m)
        .bind(d)
        .bind(*i)
        .execute(&mut *conn)
        .await?;
    }
    let rows: Vec<Member> = new.difference(&old).cloned().collect();
    insert_members(conn, &rows).await
}

async fn insert_members(conn: &mut AnyConnection, rows: &[Member]) -> Result<(), AppError> {
    let rows: Vec<[Cell; 5]> = rows
        .iter()
        .map(|(p, k, d, i, m)| {
            [
                Cell::Text(Some(p.clone())),
                Cell::Text(Some(k.clone())),
                Cell::Text(Some(d.clone())),
                Cell::Int(Some(*i)),
                Cell::Text(Some(m.clone())),
            ]
        })
        .collect();
    crate::db::insert_rows(conn, "case_stat_members (unit_path, stat_key, due_on, case_id, month)", &rows).await?;
    Ok(())
}

/// The next page of every matter's facts after case id `after` (which it
/// moves on), in id order: the one read the recounts and rebuilds share.
/// Empty once all cases were read.
async fn next_facts(conn: &mut AnyConnection, after: &mut i64) -> Result<Vec<(i64, CaseFacts)>, AppError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, {FACT_COLUMNS} FROM cases WHERE id > $1 ORDER BY id LIMIT 5000"
    )))
    .bind(*after)
    .fetch_all(&mut *conn)
    .await?;
    let mut page = rows
        .iter()
        .map(|r| Ok((r.try_get::<i64, _>("id")?, facts_from_row(r)?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    if let (Some((first, _)), Some((last, _))) = (page.first(), page.last()) {
        let mut departments = departments_of(conn, *first, *last).await?;
        *after = *last;
        for (id, f) in &mut page {
            f.departments = departments.remove(id).unwrap_or_default();
        }
    }
    Ok(page)
}

/// The drill-down members counted afresh from the cases with the shared rule.
pub async fn recount_members(conn: &mut AnyConnection) -> Result<Vec<Member>, AppError> {
    let mut out = Vec::new();
    let mut after = 0_i64;
    loop {
        let page = next_facts(conn, &mut after).await?;
        if page.is_empty() {
            break;
        }
        for (id, f) in &page {
            out.extend(members_of(*id, f));
        }
    }
    out.sort();
    Ok(out)
}

/// The drill-down members as stored, sorted.
pub async fn stored_members(conn: &mut AnyConnection) -> Result<Vec<Member>, AppError> {
    let rows = sqlx::query("SELECT unit_path, stat_key, due_on, case_id, month FROM case_stat_members")
        .fetch_all(conn)
        .await?;
    let mut out = rows
        .iter()
        .map(|r| {
            Ok((
                r.try_get("unit_path")?,
                r.try_get("stat_key")?,
                r.try_get("due_on")?,
                r.try_get("case_id")?,
                r.try_get("month")?,
            ))
        })
        .collect::<Result<Vec<Member>, sqlx::Error>>()?;
    out.sort();
    Ok(out)
}

/// Writes the members counted afresh from the cases as the whole of
/// `case_stat_members` (replacing what was there), a batch of cases at a time.
pub async fn rebuild_members(conn: &mut AnyConnection) -> Result<(), AppError> {
    sqlx::query("DELETE FROM case_stat_members").execute(&mut *conn).await?;
    let mut after = 0_i64;
    loop {
        let page = next_facts(conn, &mut after).await?;
        if page.is_empty() {
            break;
        }
        let members: Vec<Member> = page.iter().flat_map(|(id, f)| members_of(*id, f)).collect();
        insert_members(conn, &members).await?;
    }
    Ok(())
}

/// Applies the change of one matter from `old` to `new` to the counters of
/// every unit it counts for ([`shared::stats::counted_at`]), in one statement.
pub async fn move_counters(
    conn: &mut AnyConnection,
    old: Option<&CaseFacts>,
    new: Option<&CaseFacts>,
) -> Result<(), AppError> {
    // In key order (the BTreeMap's): two writers touching the same counters
    // lock them in the same order (they are serialised by the change
    // counter anyway).
    let rows: Vec<[Cell; 4]> = delta_at(old, new)
        .into_iter()
        .map(|((p, c), n)| {
            [Cell::Text(Some(p)), Cell::Text(Some(c.month)), Cell::Text(Some(c.key)), Cell::Int(Some(n))]
        })
        .collect();
    upsert(conn, &rows).await
}

/// Adds each row's `n` to its counter, creating it if need be.
async fn upsert(conn: &mut AnyConnection, rows: &[[Cell; 4]]) -> Result<(), AppError> {
    for chunk in rows.chunks(100) {
        let mut sql = String::from("INSERT INTO case_stats (unit_path, month, stat_key, n) VALUES ");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("(${}, ${}, ${}, ${})", 4 * i + 1, 4 * i + 2, 4 * i + 3, 4 * i + 4));
        }
        sql.push_str(" ON CONFLICT (unit_path, month, stat_key) DO UPDATE SET n = case_stats.n + excluded.n");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            for v in row {
                q = match v {
                    Cell::Text(t) => q.bind(t.clone()),
                    Cell::Int(i) => q.bind(*i),
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The counters (unit path, month, key) → n counted afresh from the cases
/// with the shared rule; also each case's counter keys, by id.
pub async fn recount(conn: &mut AnyConnection) -> Result<(Counters, BTreeMap<i64, String>), AppError> {
    let mut out = Counters::new();
    let mut keys = BTreeMap::new();
    let mut after = 0_i64;
    loop {
        let page = next_facts(conn, &mut after).await?;
        if page.is_empty() {
            break;
        }
        for (id, f) in &page {
            add_contributions(&mut out, f);
            keys.insert(*id, keys_text(f));
        }
    }
    Ok((out, keys))
}

/// Counters by (unit path, month, key).
pub type Counters = BTreeMap<(String, String, String), i64>;

/// Adds one matter's contributions to `out`, for its unit and every unit above.
pub fn add_contributions(out: &mut Counters, f: &CaseFacts) {
    for (path, c) in counted_at(f) {
        *out.entry((path, c.month, c.key)).or_default() += 1;
    }
}

/// The counters as stored (zeros left out).
pub async fn stored(conn: &mut AnyConnection) -> Result<Counters, AppError> {
    let rows = sqlx::query("SELECT unit_path, month, stat_key, n FROM case_stats WHERE n <> 0").fetch_all(conn).await?;
    rows.iter()
        .map(|r| Ok(((r.try_get("unit_path")?, r.try_get("month")?, r.try_get("stat_key")?), r.try_get("n")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

/// Writes `counters` as the whole of `case_stats` (replacing what was there).
pub async fn write_all(conn: &mut AnyConnection, counters: &Counters) -> Result<(), AppError> {
    sqlx::query("DELETE FROM case_stats").execute(&mut *conn).await?;
    let rows: Vec<[Cell; 4]> = counters
        .iter()
        .filter(|(_, n)| **n != 0)
        .map(|((p, m, k), n)| {
            [Cell::Text(Some(p.clone())), Cell::Text(Some(m.clone())), Cell::Text(Some(k.clone())), Cell::Int(Some(*n))]
        })
        .collect();
    crate::db::insert_rows(conn, "case_stats (unit_path, month, stat_key, n)", &rows).await?;
    Ok(())
}

/// A unit in the user's scope for a page of figures: its kind, path and
/// name (out of scope: 403 naming `what`).
pub async fn unit_named(
    pool: &sqlx::AnyPool,
    user: &CurrentUser,
    unit_id: i64,
    what: &str,
) -> AppResult<(shared::org::UnitKind, String, String)> {
    let mut conn = pool.acquire().await?;
    let Some((kind, path)) = user.scope().unit(&mut conn, unit_id).await? else {
        return Err(AppError::new(ErrorCode::OutOfJurisdiction, format!("只能查看本辖区单位的{what}")));
    };
    let name: String =
        sqlx::query("SELECT name FROM units WHERE id = $1").bind(unit_id).fetch_one(&mut *conn).await?.try_get(0)?;
    Ok((kind, path, name))
}

/// The statistics of the unit at `unit_path` for `range`, from the counters.
pub async fn stats_of(
    pool: &sqlx::AnyPool,
    unit_id: i64,
    unit_name: String,
    unit_path: &str,
    range: MonthRange,
    today: NaiveDate,
    soon: NaiveDate,
) -> Result<UnitStats, AppError> {
    let rows = sqlx::query(
        "SELECT month, stat_key, n FROM case_stats WHERE unit_path = $1 AND (month = '' OR (month >= $2 AND month <= $3))",
    )
    .bind(unit_path)
    .bind(&range.from)
    .bind(&range.to)
    .fetch_all(pool)
    .await?;
    let mut totals = Counts::new();
    let mut snapshot = Counts::new();
    let mut by_month: BTreeMap<String, Counts> = BTreeMap::new();
    for r in &rows {
        let month: String = r.try_get("month")?;
        let key: String = r.try_get("stat_key")?;
        let n: i64 = r.try_get("n")?;
        if month.is_empty() {
            *snapshot.entry(key).or_default() += n;
        } else {
            *totals.entry(key.clone()).or_default() += n;
            *by_month.entry(month).or_default().entry(key).or_default() += n;
        }
    }
    // The units right below, ranked: their own counters, summed over the
    // period. A township's task groups (专班组) register no matters: left out.
    let children =
        sqlx::query("SELECT id, name, path FROM units WHERE parent_id = $1 AND kind <> 'task_group' ORDER BY path")
            .bind(unit_id)
            .fetch_all(pool)
            .await?;
    let sums = sqlx::query(
        "SELECT unit_path, stat_key, CAST(SUM(n) AS BIGINT) AS n FROM case_stats \
         WHERE unit_path IN (SELECT path FROM units WHERE parent_id = $1) AND month >= $2 AND month <= $3 \
         AND stat_key IN ('total', 'agency', 'closed', 'resolved') GROUP BY unit_path, stat_key",
    )
    .bind(unit_id)
    .bind(&range.from)
    .bind(&range.to)
    .fetch_all(pool)
    .await?;
    let mut per_child: BTreeMap<String, Counts> = BTreeMap::new();
    for r in &sums {
        per_child
            .entry(r.try_get("unit_path")?)
            .or_default()
            .insert(r.try_get("stat_key")?, r.try_get::<Option<i64>, _>("n")?.unwrap_or(0));
    }
    let empty = Counts::new();
    let mut ranking: Vec<RankRow> = children
        .iter()
        .map(|r| {
            let path: String = r.try_get("path")?;
            Ok(RankRow::of(r.try_get("id")?, r.try_get("name")?, per_child.get(&path).unwrap_or(&empty)))
        })
        .collect::<Result<_, sqlx::Error>>()?;
    rank(&mut ranking);
    Ok(UnitStats {
        unit_id,
        unit_name,
        figures: figures(&totals),
        months: month_rows(&range, &by_month),
        ranking,
        mix: mixes(&totals),
        due: due_now(&snapshot, today, soon),
        period: range,
    })
}
