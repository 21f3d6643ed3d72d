//! The assessment's queries: the villages and their counters over a year,
//! the records (assessment_entries) with their evidence, and the decoding
//! of those rows; the ranking read from them (`ranking`). The letters are
//! in `db/assessment_letters.rs`.

use crate::db::now_text;
use crate::error::AppResult;
use chrono::{Datelike, NaiveDate};
use shared::assessment::{Escalations, MatterCounts};
use shared::assessment_record::{
    counted_escalations, letters_due, outstanding, rank_assessments, score, with_issued_keys, AssessmentRow, EntryFact,
    EntryKind, EntryView, EvidenceView, NewEntry, Withdrawal,
};
use shared::stats::MonthRange;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;

/// The year's months counted: January to December, or to this month for
/// the year under way.
pub fn year_range(year: i32, today: NaiveDate) -> MonthRange {
    let mut r = MonthRange::year(year);
    if year == today.year() {
        r.to = shared::stats::month_of(today);
    }
    r
}

#[derive(Debug, Clone)]
pub struct Village {
    pub id: i64,
    pub name: String,
    pub path: String,
    pub parent_name: String,
    pub parent_path: String,
}

fn village_from_row(r: &AnyRow) -> Result<Village, sqlx::Error> {
    Ok(Village {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        path: r.try_get("path")?,
        parent_name: r.try_get("parent_name")?,
        parent_path: r.try_get("parent_path")?,
    })
}

/// The unit `unit_id` with its parent (the caller checked it is a village
/// in scope).
pub async fn village(pool: &AnyPool, unit_id: i64) -> AppResult<Village> {
    let row = sqlx::query(
        "SELECT v.id, v.name, v.path, p.name AS parent_name, p.path AS parent_path \
         FROM units v JOIN units p ON p.id = v.parent_id WHERE v.id = $1",
    )
    .bind(unit_id)
    .fetch_one(pool)
    .await?;
    Ok(village_from_row(&row)?)
}

/// The counters the assessment reads.
const KEYS: &str = "'total', 'agency', 'channel:online', 'closed', 'resolved', 'opinions', 'satisfied', 'screened', \
     'screened_in_time', 'quality_checked', 'quality_passed', 'level:county', 'level:city'";

/// Each village's counts and the escalations the workflow counted.
pub fn counts_from(c: &BTreeMap<String, i64>) -> (MatterCounts, Escalations) {
    let g = |k: &str| c.get(k).copied().unwrap_or(0).max(0) as u64;
    (
        MatterCounts {
            total: g("total"),
            by_agents: g("agency"),
            online: g("channel:online"),
            agency_closed: g("closed"),
            agency_resolved: g("resolved"),
            opinions: g("opinions"),
            satisfied: g("satisfied"),
            accepted: g("screened"),
            accepted_in_time: g("screened_in_time"),
            quality_checked: g("quality_checked"),
            quality_passed: g("quality_passed"),
        },
        // A matter now handled at the league passed the banner on its way
        // only if it went level by level; it counts once, where it is.
        counted_escalations(g("level:county"), g("level:city")),
    )
}

/// Everything the ranking needs of the villages below `path`, for `year`.
pub struct YearFacts {
    pub villages: Vec<Village>,
    pub counters: BTreeMap<String, BTreeMap<String, i64>>,
    pub entries: BTreeMap<i64, Vec<EntryFact>>,
    pub issued_keys: BTreeMap<i64, Vec<String>>,
}

pub async fn year_facts(
    conn: &mut sqlx::AnyConnection,
    path: &str,
    year: i32,
    range: &MonthRange,
) -> AppResult<YearFacts> {
    let pattern = format!("{path}%");
    let villages = sqlx::query(
        "SELECT v.id, v.name, v.path, p.name AS parent_name, p.path AS parent_path \
         FROM units v JOIN units p ON p.id = v.parent_id WHERE v.kind = 'village' AND v.path LIKE $1 ORDER BY v.path",
    )
    .bind(&pattern)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(village_from_row)
    .collect::<Result<Vec<_>, _>>()?;
    // The villages' own counters, one primary-key range each. Their paths
    // are bound one by one: with a sub-query PostgreSQL scans the whole
    // table at a league's volume (stats_bench: 136 ms → 35 ms).
    let mut counters: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for chunk in villages.chunks(500) {
        let slots: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT unit_path, stat_key, CAST(SUM(n) AS BIGINT) AS n FROM case_stats \
             WHERE unit_path IN ({}) AND month >= $1 AND month <= $2 AND stat_key IN ({KEYS}) \
             GROUP BY unit_path, stat_key",
            slots.join(", ")
        )))
        .bind(&range.from)
        .bind(&range.to);
        for v in chunk {
            q = q.bind(&v.path);
        }
        for r in &q.fetch_all(&mut *conn).await? {
            counters
                .entry(r.try_get("unit_path")?)
                .or_default()
                .insert(r.try_get("stat_key")?, r.try_get::<Option<i64>, _>("n")?.unwrap_or(0));
        }
    }
    let mut entries: BTreeMap<i64, Vec<EntryFact>> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT unit_id, kind, item, persons FROM assessment_entries \
         WHERE unit_path LIKE $1 AND year = $2 AND withdrawn_at IS NULL",
    )
    .bind(&pattern)
    .bind(i64::from(year))
    .fetch_all(&mut *conn)
    .await?
    {
        entries.entry(r.try_get("unit_id")?).or_default().push(fact_from_row(&r)?);
    }
    let mut issued_keys: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for r in sqlx::query("SELECT unit_id, letter_key FROM assessment_letters WHERE unit_path LIKE $1 AND year = $2")
        .bind(&pattern)
        .bind(i64::from(year))
        .fetch_all(&mut *conn)
        .await?
    {
        issued_keys.entry(r.try_get("unit_id")?).or_default().push(r.try_get("letter_key")?);
    }
    Ok(YearFacts { villages, counters, entries, issued_keys })
}

fn fact_from_row(r: &AnyRow) -> Result<EntryFact, sqlx::Error> {
    Ok(EntryFact {
        kind: crate::db::text::from_text("kind", &r.try_get::<String, _>("kind")?)?,
        item: r.try_get("item")?,
        persons: r.try_get::<i64, _>("persons")? as u32,
    })
}

/// The villages below the unit at `path`, scored for `year` and ranked.
pub async fn ranking(pool: &AnyPool, path: &str, year: i32, today: NaiveDate) -> AppResult<Vec<AssessmentRow>> {
    let mut conn = pool.acquire().await?;
    let f = year_facts(&mut conn, path, year, &year_range(year, today)).await?;
    Ok(rows_of(&f))
}

pub fn rows_of(f: &YearFacts) -> Vec<AssessmentRow> {
    let empty = BTreeMap::new();
    let mut rows: Vec<AssessmentRow> = f
        .villages
        .iter()
        .map(|v| {
            let (counts, counted) = counts_from(f.counters.get(&v.path).unwrap_or(&empty));
            let (input, result) = score(counts, counted, f.entries.get(&v.id).map(Vec::as_slice).unwrap_or(&[]));
            let issued = f.issued_keys.get(&v.id).map(Vec::as_slice).unwrap_or(&[]);
            let due = with_issued_keys(letters_due(&input), issued.iter().map(String::as_str));
            AssessmentRow {
                unit_id: v.id,
                unit_name: v.name.clone(),
                parent_name: v.parent_name.clone(),
                result,
                rank: 0,
                letters_outstanding: outstanding(&due),
            }
        })
        .collect();
    rank_assessments(&mut rows);
    rows
}

const ENTRY_SELECT: &str = "SELECT e.*, u.display_name AS entered_by_name, w.display_name AS withdrawn_by_name \
     FROM assessment_entries e JOIN users u ON u.id = e.entered_by LEFT JOIN users w ON w.id = e.withdrawn_by";

fn entry_from_row(r: &AnyRow, evidence: Vec<EvidenceView>) -> Result<EntryView, sqlx::Error> {
    let kind: EntryKind = crate::db::text::from_text("kind", &r.try_get::<String, _>("kind")?)?;
    let item: Option<String> = r.try_get("item")?;
    let label = match item.as_deref().and_then(|i| kind.item_label(i)) {
        Some(l) => format!("{}：{l}", kind.label()),
        None => kind.label().to_string(),
    };
    let withdrawn = match r.try_get::<Option<String>, _>("withdrawn_at")? {
        Some(at) => Some(Withdrawal {
            by_name: r.try_get::<Option<String>, _>("withdrawn_by_name")?.unwrap_or_default(),
            at,
            reason: r.try_get::<Option<String>, _>("withdrawn_reason")?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(EntryView {
        id: r.try_get("id")?,
        unit_id: r.try_get("unit_id")?,
        year: r.try_get::<i64, _>("year")? as i32,
        kind,
        item,
        label,
        persons: r.try_get::<i64, _>("persons")? as u32,
        occurred_on: crate::db::text::date(&r.try_get::<String, _>("occurred_on")?)?,
        note: r.try_get("note")?,
        case_number: r.try_get("case_number")?,
        entered_by_name: r.try_get("entered_by_name")?,
        entered_at: r.try_get("entered_at")?,
        evidence,
        withdrawn,
    })
}

/// The name as shown: rows kept before names were cleaned come out clean
/// (`shared::validation::shown_file_name`).
fn evidence_from_row(r: &AnyRow) -> Result<EvidenceView, sqlx::Error> {
    let content_type: String = r.try_get("content_type")?;
    Ok(EvidenceView {
        id: r.try_get("id")?,
        file_name: shared::validation::shown_file_name(&r.try_get::<String, _>("file_name")?, &content_type),
        content_type,
        size: r.try_get("size")?,
    })
}

/// The records of village `unit_id` for `year` with their evidence, in the
/// order they happened.
pub async fn entries_of(conn: &mut sqlx::AnyConnection, unit_id: i64, year: i32) -> AppResult<Vec<EntryView>> {
    let mut evidence: BTreeMap<i64, Vec<EvidenceView>> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT ev.* FROM assessment_evidence ev JOIN assessment_entries e ON e.id = ev.entry_id \
         WHERE e.unit_id = $1 AND e.year = $2 ORDER BY ev.at, ev.id",
    )
    .bind(unit_id)
    .bind(i64::from(year))
    .fetch_all(&mut *conn)
    .await?
    {
        evidence.entry(r.try_get("entry_id")?).or_default().push(evidence_from_row(&r)?);
    }
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{ENTRY_SELECT} WHERE e.unit_id = $1 AND e.year = $2 ORDER BY e.occurred_on, e.id"
    )))
    .bind(unit_id)
    .bind(i64::from(year))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            entry_from_row(r, evidence.remove(&id).unwrap_or_default())
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

pub async fn entry_by_id(conn: &mut sqlx::AnyConnection, id: i64) -> AppResult<Option<EntryView>> {
    let Some(r) = sqlx::query(sqlx::AssertSqlSafe(format!("{ENTRY_SELECT} WHERE e.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let evidence = sqlx::query("SELECT * FROM assessment_evidence WHERE entry_id = $1 ORDER BY at, id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(evidence_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(entry_from_row(&r, evidence)?))
}

/// Whether a matter numbered `number` was registered at or below `path`.
pub async fn case_numbered_below(pool: &AnyPool, number: &str, path: &str) -> AppResult<bool> {
    let found = sqlx::query("SELECT 1 FROM cases WHERE number = $1 AND unit_path LIKE $2")
        .bind(number)
        .bind(format!("{path}%"))
        .fetch_optional(pool)
        .await?;
    Ok(found.is_some())
}

/// Stores record `e` of village `v` entered by user `entered_by`; its id.
pub async fn insert_entry(
    conn: &mut sqlx::AnyConnection,
    v: &Village,
    e: &NewEntry,
    case_number: &Option<String>,
    entered_by: i64,
) -> AppResult<i64> {
    Ok(sqlx::query(
        "INSERT INTO assessment_entries (unit_id, unit_path, year, kind, item, persons, occurred_on, note, case_number, \
         entered_by, entered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(v.id)
    .bind(&v.path)
    .bind(i64::from(e.occurred_on.year()))
    .bind(e.kind.as_str())
    .bind(&e.item)
    .bind(i64::from(e.persons))
    .bind(e.occurred_on.to_string())
    .bind(e.note.trim())
    .bind(case_number)
    .bind(entered_by)
    .bind(now_text())
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

/// Marks record `id` withdrawn by `by` for `reason`, unless it already is:
/// the rows changed (0 or 1).
pub async fn withdraw_entry(conn: &mut sqlx::AnyConnection, id: i64, by: i64, reason: &str) -> AppResult<u64> {
    Ok(sqlx::query(
        "UPDATE assessment_entries SET withdrawn_by = $1, withdrawn_at = $2, withdrawn_reason = $3 \
         WHERE id = $4 AND withdrawn_at IS NULL",
    )
    .bind(by)
    .bind(now_text())
    .bind(reason)
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected())
}

/// The evidence stored under `id`, if any.
pub async fn evidence_by_id(conn: &mut sqlx::AnyConnection, id: &str) -> AppResult<Option<EvidenceView>> {
    let existing = sqlx::query("SELECT * FROM assessment_evidence WHERE id = $1").bind(id).fetch_optional(conn).await?;
    Ok(existing.as_ref().map(evidence_from_row).transpose()?)
}

/// A file to store as evidence of a record.
pub struct NewEvidence<'a> {
    pub id: &'a str,
    pub entry_id: i64,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub uploaded_by: i64,
}

pub async fn insert_evidence(conn: &mut sqlx::AnyConnection, e: &NewEvidence<'_>) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO assessment_evidence (id, entry_id, file_name, content_type, size, sha256, uploaded_by, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(e.id)
    .bind(e.entry_id)
    .bind(e.file_name)
    .bind(e.content_type)
    .bind(e.size)
    .bind(e.sha256)
    .bind(e.uploaded_by)
    .bind(now_text())
    .execute(conn)
    .await?;
    Ok(())
}

/// Where a piece of evidence is: its record and its file.
pub struct StoredEvidence {
    pub entry_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub sha256: String,
}

pub async fn stored_evidence(pool: &AnyPool, id: &str) -> AppResult<Option<StoredEvidence>> {
    let Some(r) =
        sqlx::query("SELECT entry_id, file_name, content_type, sha256 FROM assessment_evidence WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?
    else {
        return Ok(None);
    };
    Ok(Some(StoredEvidence {
        entry_id: r.try_get("entry_id")?,
        file_name: r.try_get("file_name")?,
        content_type: r.try_get("content_type")?,
        sha256: r.try_get("sha256")?,
    }))
}
