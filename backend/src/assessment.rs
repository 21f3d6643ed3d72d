//! The 100-point assessment of villages (issue 12, seed 001 附件7): the
//! records entered through the year with their evidence, the score of each
//! village from the kept counters and those records, the ranking, and the
//! letters it calls for (三函一约谈), issued, printed and signed for.
//!
//! The rule is `shared::assessment_record` (records → input) and
//! `shared::assessment::assess` (input → score); this module reads what
//! they need and writes the records and letters. A village's counts are
//! the counters of `case_stats` over the year (`backend/src/stats.rs`), so
//! a township's ranking is one read of its villages' counters.

use crate::api::extract::{ApiJson, ApiPath};
use crate::db::audit::{self, AuditEntry};
use crate::db::session::CurrentUser;
use crate::db::{now_text, Write};
use crate::error::{AppError, AppResult};
use crate::ApiContext;
use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Datelike, NaiveDate};
use sha2::{Digest, Sha256};
use shared::assessment::{Escalations, Letter, MatterCounts};
use shared::assessment_record::{
    counted_escalations, entered_escalations, letter_paragraphs, letters_due, outstanding, rank_assessments, score,
    with_issued, with_issued_keys, Acknowledge, AssessmentRow, AssessmentView, EntryFact, EntryKind, EntryView,
    EvidenceView, LetterView, NewEntry, NewLetter, Withdraw, Withdrawal,
};
use shared::error::ErrorCode;
use shared::org::{Role, UnitKind};
use shared::stats::MonthRange;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;

pub fn api_router() -> Router<ApiContext> {
    Router::new()
        .route("/api/assessment", get(list))
        .route("/api/assessment/{unit_id}", get(village))
        .route("/api/assessment/entries", post(add_entry))
        .route("/api/assessment/entries/{id}/withdraw", post(withdraw))
        .route(
            "/api/assessment/entries/{id}/evidence",
            post(add_evidence).layer(DefaultBodyLimit::max(crate::attachments::MAX_ATTACHMENT_BYTES + 1024)),
        )
        .route("/api/assessment/evidence/{id}", get(evidence))
        .route("/api/assessment/letters", post(issue_letter))
        .route("/api/assessment/letters/{id}/acknowledge", post(acknowledge))
}

/// The printable letter (outside `/api/`: an HTML page, like `print::router`).
pub fn print_router() -> Router<ApiContext> {
    Router::new().route("/print/letters/{id}", get(print_letter))
}

/// The desk's users read the assessment (township, banner, league).
fn reader(user: &CurrentUser) -> AppResult<()> {
    crate::stats::desk_reader(user, "考核")
}

/// The township station (镇信访代办服务站 考核各嘎查村) and the banner centre
/// record, issue letters and record receipts; the league reads.
fn assessor(user: &CurrentUser) -> AppResult<()> {
    match user.role {
        Role::TownshipStaff | Role::TownshipLeader | Role::CountyCentre => Ok(()),
        _ => Err(AppError::new(ErrorCode::Forbidden, format!("{}不能登记考核或发函", user.role.label()))),
    }
}

/// `?year=YYYY&unit_id=N`
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct YearQuery {
    /// The assessment year (default: this year).
    #[serde(default)]
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// The unit whose villages are listed (default: the user's own).
    #[serde(default)]
    #[param(minimum = 1)]
    pub unit_id: Option<i64>,
}

fn year_of(q: Result<Query<YearQuery>, QueryRejection>) -> AppResult<(i32, Option<i64>)> {
    let Query(q) =
        q.map_err(|e| AppError::new(ErrorCode::ValidationFailed, format!("考核条件无效：{}", e.body_text())))?;
    let year = q.year.unwrap_or_else(|| shared::time::china_today(chrono::Utc::now()).year());
    if !(2000..=2100).contains(&year) {
        return Err(AppError::new(ErrorCode::ValidationFailed, "考核年度应为 2000–2100"));
    }
    Ok((year, q.unit_id))
}

/// The year's months counted: January to December, or to this month for
/// the year under way.
pub fn year_range(year: i32, today: NaiveDate) -> MonthRange {
    let mut r = MonthRange::year(year);
    if year == today.year() {
        r.to = shared::stats::month_of(today);
    }
    r
}

/// A unit the user may see: its kind, path and name (out of scope: 403).
async fn unit_in_scope(pool: &AnyPool, user: &CurrentUser, unit_id: i64) -> AppResult<(UnitKind, String, String)> {
    crate::stats::unit_named(pool, user, unit_id, "考核").await
}

/// A village in the user's scope (a unit of another kind: 422).
async fn village_in_scope(pool: &AnyPool, user: &CurrentUser, unit_id: i64) -> AppResult<Village> {
    let (kind, _, _) = unit_in_scope(pool, user, unit_id).await?;
    if kind != UnitKind::Village {
        return Err(AppError::new(ErrorCode::ValidationFailed, "考核对象应为嘎查村（社区）"));
    }
    let row = sqlx::query(
        "SELECT v.id, v.name, v.path, p.name AS parent_name, p.path AS parent_path \
         FROM units v JOIN units p ON p.id = v.parent_id WHERE v.id = $1",
    )
    .bind(unit_id)
    .fetch_one(pool)
    .await?;
    Ok(village_from_row(&row)?)
}

#[derive(Debug, Clone)]
struct Village {
    id: i64,
    name: String,
    path: String,
    parent_name: String,
    parent_path: String,
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

/// The counters the assessment reads.
const KEYS: &str = "'total', 'agency', 'channel:online', 'closed', 'resolved', 'opinions', 'satisfied', 'screened', \
     'screened_in_time', 'quality_checked', 'quality_passed', 'level:county', 'level:city'";

/// Each village's counts and the escalations the workflow counted.
fn counts_from(c: &BTreeMap<String, i64>) -> (MatterCounts, Escalations) {
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
struct YearFacts {
    villages: Vec<Village>,
    counters: BTreeMap<String, BTreeMap<String, i64>>,
    entries: BTreeMap<i64, Vec<EntryFact>>,
    issued_keys: BTreeMap<i64, Vec<String>>,
}

async fn year_facts(pool: &AnyPool, path: &str, year: i32, range: &MonthRange) -> AppResult<YearFacts> {
    let pattern = format!("{path}%");
    let villages = sqlx::query(
        "SELECT v.id, v.name, v.path, p.name AS parent_name, p.path AS parent_path \
         FROM units v JOIN units p ON p.id = v.parent_id WHERE v.kind = 'village' AND v.path LIKE $1 ORDER BY v.path",
    )
    .bind(&pattern)
    .fetch_all(pool)
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
        for r in &q.fetch_all(pool).await? {
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
    .fetch_all(pool)
    .await?
    {
        entries.entry(r.try_get("unit_id")?).or_default().push(fact_from_row(&r)?);
    }
    let mut issued_keys: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for r in sqlx::query("SELECT unit_id, letter_key FROM assessment_letters WHERE unit_path LIKE $1 AND year = $2")
        .bind(&pattern)
        .bind(i64::from(year))
        .fetch_all(pool)
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
    let f = year_facts(pool, path, year, &year_range(year, today)).await?;
    Ok(rows_of(&f))
}

fn rows_of(f: &YearFacts) -> Vec<AssessmentRow> {
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

#[utoipa::path(get, path = "/api/assessment", tag = "assessment", params(YearQuery), responses((status = 200, description = "辖区内嘎查村（社区）的考核得分与排名", body = Vec<AssessmentRow>), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn list(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    q: Result<Query<YearQuery>, QueryRejection>,
) -> AppResult<Json<Vec<AssessmentRow>>> {
    reader(&user)?;
    let (year, unit_id) = year_of(q)?;
    let (_, path, _) = unit_in_scope(&ctx.db.pool, &user, unit_id.unwrap_or(user.unit_id)).await?;
    let today = shared::time::china_today(chrono::Utc::now());
    Ok(Json(ranking(&ctx.db.pool, &path, year, today).await?))
}

/// The whole assessment of one village for `year`.
async fn village_view(pool: &AnyPool, v: &Village, year: i32, today: NaiveDate) -> AppResult<AssessmentView> {
    let range = year_range(year, today);
    // The ranking among the township's villages gives the rank, and the
    // village's own facts come with it.
    let f = year_facts(pool, &v.parent_path, year, &range).await?;
    let empty = BTreeMap::new();
    let (counts, counted) = counts_from(f.counters.get(&v.path).unwrap_or(&empty));
    let facts = f.entries.get(&v.id).cloned().unwrap_or_default();
    let (input, result) = score(counts, counted, &facts);
    let rows = rows_of(&f);
    let rank = rows.iter().find(|r| r.unit_id == v.id).map_or(0, |r| r.rank);
    let entries = entries_of(pool, v.id, year).await?;
    let letters = letters_where(pool, "l.unit_id = $1 AND l.year = $2", v.id, i64::from(year)).await?;
    Ok(AssessmentView {
        unit_id: v.id,
        unit_name: v.name.clone(),
        parent_name: v.parent_name.clone(),
        year,
        through: range.to.clone(),
        escalations_counted: counted,
        escalations_entered: entered_escalations(&facts),
        letters_due: with_issued(letters_due(&input), &letters),
        input,
        result,
        rank,
        ranked: rows.len() as u32,
        entries,
        letters,
    })
}

#[utoipa::path(get, path = "/api/assessment/{unit_id}", tag = "assessment", params(("unit_id" = i64, Path, minimum = 1), YearQuery), responses((status = 200, body = AssessmentView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn village(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(unit_id): ApiPath<i64>,
    q: Result<Query<YearQuery>, QueryRejection>,
) -> AppResult<Json<AssessmentView>> {
    reader(&user)?;
    let (year, other) = year_of(q)?;
    if other.is_some() {
        return Err(AppError::new(ErrorCode::ValidationFailed, "单位已在地址中给出"));
    }
    let v = village_in_scope(&ctx.db.pool, &user, unit_id).await?;
    let today = shared::time::china_today(chrono::Utc::now());
    Ok(Json(village_view(&ctx.db.pool, &v, year, today).await?))
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

fn evidence_from_row(r: &AnyRow) -> Result<EvidenceView, sqlx::Error> {
    Ok(EvidenceView {
        id: r.try_get("id")?,
        file_name: r.try_get("file_name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
    })
}

async fn entries_of(pool: &AnyPool, unit_id: i64, year: i32) -> AppResult<Vec<EntryView>> {
    let mut evidence: BTreeMap<i64, Vec<EvidenceView>> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT ev.* FROM assessment_evidence ev JOIN assessment_entries e ON e.id = ev.entry_id \
         WHERE e.unit_id = $1 AND e.year = $2 ORDER BY ev.at, ev.id",
    )
    .bind(unit_id)
    .bind(i64::from(year))
    .fetch_all(pool)
    .await?
    {
        evidence.entry(r.try_get("entry_id")?).or_default().push(evidence_from_row(&r)?);
    }
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{ENTRY_SELECT} WHERE e.unit_id = $1 AND e.year = $2 ORDER BY e.occurred_on, e.id"
    )))
    .bind(unit_id)
    .bind(i64::from(year))
    .fetch_all(pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            entry_from_row(r, evidence.remove(&id).unwrap_or_default())
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

async fn entry_by_id(conn: &mut sqlx::AnyConnection, id: i64) -> AppResult<Option<EntryView>> {
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

/// The record `id` if its village is in the user's scope (else 404, so
/// record ids cannot be walked).
async fn entry_in_scope(ctx: &ApiContext, user: &CurrentUser, id: i64) -> AppResult<EntryView> {
    let mut conn = ctx.db.pool.acquire().await?;
    let e = entry_by_id(&mut conn, id).await?.ok_or_else(AppError::not_found)?;
    if user.scope().unit(&mut conn, e.unit_id).await?.is_none() {
        return Err(AppError::not_found());
    }
    Ok(e)
}

#[utoipa::path(post, path = "/api/assessment/entries", tag = "assessment", request_body = NewEntry, responses((status = 201, body = EntryView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn add_entry(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiJson(e): ApiJson<NewEntry>,
) -> AppResult<(StatusCode, Json<EntryView>)> {
    assessor(&user)?;
    let today = shared::time::china_today(chrono::Utc::now());
    e.validate(today)?;
    let v = village_in_scope(&ctx.db.pool, &user, e.unit_id).await?;
    let case_number = e.case_number.as_deref().map(str::trim).map(str::to_string);
    if let Some(n) = &case_number {
        let found = sqlx::query("SELECT 1 FROM cases WHERE number = $1 AND unit_path LIKE $2")
            .bind(n)
            .bind(format!("{}%", v.path))
            .fetch_optional(&ctx.db.pool)
            .await?;
        if found.is_none() {
            return Err(AppError::new(ErrorCode::ValidationFailed, format!("{}没有编号为 {n} 的事项", v.name)));
        }
    }
    let mut w = Write::begin(&ctx.db, 1).await?;
    let id: i64 = sqlx::query(
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
    .bind(&case_number)
    .bind(user.id)
    .bind(now_text())
    .fetch_one(w.conn())
    .await?
    .try_get(0)?;
    audit::record(
        &mut w,
        AuditEntry {
            actor_id: Some(user.id),
            action: "assessment.entry_add",
            entity: "assessment_entry",
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::to_value(&e).unwrap_or_default()),
        },
    )
    .await?;
    let view = entry_by_id(w.conn(), id).await?.ok_or_else(AppError::not_found)?;
    w.commit().await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(post, path = "/api/assessment/entries/{id}/withdraw", tag = "assessment", params(("id" = i64, Path, minimum = 1)), request_body = Withdraw, responses((status = 200, body = EntryView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn withdraw(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<Withdraw>,
) -> AppResult<Json<EntryView>> {
    assessor(&user)?;
    shared::validation::check_text("撤回原因", &b.reason, 200)?;
    let e = entry_in_scope(&ctx, &user, id).await?;
    let mut w = Write::begin(&ctx.db, 1).await?;
    let n = sqlx::query(
        "UPDATE assessment_entries SET withdrawn_by = $1, withdrawn_at = $2, withdrawn_reason = $3 \
         WHERE id = $4 AND withdrawn_at IS NULL",
    )
    .bind(user.id)
    .bind(now_text())
    .bind(b.reason.trim())
    .bind(id)
    .execute(w.conn())
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::new(ErrorCode::Conflict, "该记录已撤回"));
    }
    audit::record(
        &mut w,
        AuditEntry {
            actor_id: Some(user.id),
            action: "assessment.entry_withdraw",
            entity: "assessment_entry",
            entity_id: id.to_string(),
            before: Some(serde_json::json!({"label": e.label, "persons": e.persons, "note": e.note})),
            after: Some(serde_json::json!({"reason": b.reason.trim()})),
        },
    )
    .await?;
    let view = entry_by_id(w.conn(), id).await?.ok_or_else(AppError::not_found)?;
    w.commit().await?;
    Ok(Json(view))
}

/// `?name=<file name>`
#[derive(Debug, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvidenceParams {
    name: String,
}

#[utoipa::path(post, path = "/api/assessment/entries/{id}/evidence", tag = "assessment", params(("id" = i64, Path, minimum = 1), EvidenceParams), request_body(content = Vec<u8>, content_type = "image/jpeg", description = "证明材料：JPEG、PNG、WebP 图片或 PDF 扫描件，Content-Type 与内容一致"), responses((status = 201, body = EvidenceView), (status = 200, body = EvidenceView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn add_evidence(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    params: Result<Query<EvidenceParams>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<(StatusCode, Json<EvidenceView>)> {
    assessor(&user)?;
    let Query(params) =
        params.map_err(|_| AppError::new(ErrorCode::ValidationFailed, "请提供证明材料的文件名（name）"))?;
    let name = crate::attachments::check_file_name(&params.name)?;
    if body.is_empty() {
        return Err(AppError::new(ErrorCode::ValidationFailed, "证明材料内容为空"));
    }
    if body.len() > crate::attachments::MAX_ATTACHMENT_BYTES {
        return Err(AppError::new(ErrorCode::PayloadTooLarge, "证明材料不能超过 5 MB"));
    }
    let claimed = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let actual = crate::attachments::sniff(&body)
        .ok_or_else(|| AppError::new(ErrorCode::UnsupportedMediaType, "只接受 JPEG、PNG、WebP 图片或 PDF 扫描件"))?;
    if claimed.split(';').next().unwrap_or("").trim() != actual {
        return Err(AppError::new(ErrorCode::UnsupportedMediaType, "证明材料类型与内容不符"));
    }
    let e = entry_in_scope(&ctx, &user, id).await?;
    if e.withdrawn.is_some() {
        return Err(AppError::new(ErrorCode::Conflict, "该记录已撤回，不能再添加证明材料"));
    }
    let sha: String = Sha256::digest(&body).iter().map(|b| format!("{b:02x}")).collect();
    // The same file for the same record is the same evidence: a retried
    // upload answers with it.
    let evidence_id = format!("e{id}-{}", &sha[..16]);
    crate::attachments::store(&ctx.data_dir, &sha, &evidence_id, &body).await?;
    let mut w = Write::begin(&ctx.db, 1).await?;
    let existing = sqlx::query("SELECT * FROM assessment_evidence WHERE id = $1")
        .bind(&evidence_id)
        .fetch_optional(w.conn())
        .await?;
    if let Some(r) = existing {
        return Ok((StatusCode::OK, Json(evidence_from_row(&r)?)));
    }
    sqlx::query(
        "INSERT INTO assessment_evidence (id, entry_id, file_name, content_type, size, sha256, uploaded_by, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&evidence_id)
    .bind(id)
    .bind(&name)
    .bind(actual)
    .bind(body.len() as i64)
    .bind(&sha)
    .bind(user.id)
    .bind(now_text())
    .execute(w.conn())
    .await?;
    audit::record(
        &mut w,
        AuditEntry {
            actor_id: Some(user.id),
            action: "assessment.evidence_add",
            entity: "assessment_entry",
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({"evidence": evidence_id, "name": name, "type": actual, "size": body.len(), "sha256": sha})),
        },
    )
    .await?;
    w.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(EvidenceView {
            id: evidence_id,
            file_name: name,
            content_type: actual.to_string(),
            size: body.len() as i64,
        }),
    ))
}

#[utoipa::path(get, path = "/api/assessment/evidence/{id}", tag = "assessment", params(("id" = String, Path)), responses((status = 200, description = "文件内容", content_type = "application/octet-stream"), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn evidence(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Response> {
    reader(&user)?;
    let r = sqlx::query("SELECT entry_id, file_name, content_type, sha256 FROM assessment_evidence WHERE id = $1")
        .bind(&id)
        .fetch_optional(&ctx.db.pool)
        .await?
        .ok_or_else(AppError::not_found)?;
    entry_in_scope(&ctx, &user, r.try_get("entry_id")?).await?;
    let bytes = crate::attachments::load(&ctx.data_dir, &r.try_get::<String, _>("sha256")?).await?;
    let name: String = r.try_get("file_name")?;
    Ok((
        [
            (header::CONTENT_TYPE, r.try_get::<String, _>("content_type")?),
            (header::CONTENT_DISPOSITION, format!("inline; filename*=UTF-8''{}", crate::public::percent(&name))),
            (header::CACHE_CONTROL, "private, max-age=31536000, immutable".to_string()),
        ],
        bytes,
    )
        .into_response())
}

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
async fn letters_where(pool: &AnyPool, condition: &str, a: i64, b: i64) -> AppResult<Vec<LetterView>> {
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(format!("{LETTER_SELECT} WHERE {condition} ORDER BY l.issued_on, l.id")))
            .bind(a)
            .bind(b)
            .fetch_all(pool)
            .await?;
    Ok(rows.iter().map(letter_from_row).collect::<Result<_, _>>()?)
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

async fn letter_in_scope(ctx: &ApiContext, user: &CurrentUser, id: i64) -> AppResult<LetterView> {
    let mut conn = ctx.db.pool.acquire().await?;
    let r = sqlx::query(sqlx::AssertSqlSafe(format!("{LETTER_SELECT} WHERE l.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(AppError::not_found)?;
    let l = letter_from_row(&r)?;
    if user.scope().unit(&mut conn, l.unit_id).await?.is_none() {
        return Err(AppError::not_found());
    }
    Ok(l)
}

#[utoipa::path(post, path = "/api/assessment/letters", tag = "assessment", request_body = NewLetter, responses((status = 201, body = LetterView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn issue_letter(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiJson(n): ApiJson<NewLetter>,
) -> AppResult<(StatusCode, Json<LetterView>)> {
    assessor(&user)?;
    if !(2000..=2100).contains(&n.year) {
        return Err(AppError::new(ErrorCode::ValidationFailed, "考核年度应为 2000–2100"));
    }
    let v = village_in_scope(&ctx.db.pool, &user, n.unit_id).await?;
    let today = shared::time::china_today(chrono::Utc::now());
    let mut w = Write::begin(&ctx.db, 1).await?;
    // Read under the write lock: two clerks cannot both send the last one due.
    let view = village_view(&ctx.db.pool, &v, n.year, today).await?;
    let Some(due) = view.letters_due.iter().find(|d| d.key == n.key) else {
        return Err(AppError::new(ErrorCode::Conflict, format!("{} {} 年度没有应发的该项函件", v.name, n.year)));
    };
    if due.issued >= due.due {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("{}已发出 {} 份，应发函件已全部发出", due.kind.label(), due.issued),
        ));
    }
    let issuer_name: String =
        sqlx::query("SELECT name FROM units WHERE id = $1").bind(user.unit_id).fetch_one(w.conn()).await?.try_get(0)?;
    let seq: i64 = sqlx::query("SELECT COUNT(*) FROM assessment_letters WHERE issuer_unit_id = $1 AND year = $2")
        .bind(user.unit_id)
        .bind(i64::from(n.year))
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
    let number = format!("{issuer_name}信代函〔{}〕{}号", n.year, seq + 1);
    let id: i64 = sqlx::query(
        "INSERT INTO assessment_letters (number, unit_id, unit_path, year, kind, letter_key, reason, issuer_unit_id, \
         issued_by, issued_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(&number)
    .bind(v.id)
    .bind(&v.path)
    .bind(i64::from(n.year))
    .bind(due.kind.as_str())
    .bind(&due.key)
    .bind(&due.reason)
    .bind(user.unit_id)
    .bind(user.id)
    .bind(today.to_string())
    .fetch_one(w.conn())
    .await?
    .try_get(0)?;
    audit::record(
        &mut w,
        AuditEntry {
            actor_id: Some(user.id),
            action: "assessment.letter_issue",
            entity: "assessment_letter",
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({"number": number, "unit_id": v.id, "year": n.year, "kind": due.kind, "key": due.key, "reason": due.reason})),
        },
    )
    .await?;
    w.commit().await?;
    Ok((StatusCode::CREATED, Json(letter_in_scope(&ctx, &user, id).await?)))
}

#[utoipa::path(post, path = "/api/assessment/letters/{id}/acknowledge", tag = "assessment", params(("id" = i64, Path, minimum = 1)), request_body = Acknowledge, responses((status = 200, body = LetterView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn acknowledge(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(a): ApiJson<Acknowledge>,
) -> AppResult<Json<LetterView>> {
    assessor(&user)?;
    let l = letter_in_scope(&ctx, &user, id).await?;
    let today = shared::time::china_today(chrono::Utc::now());
    a.validate(l.issued_on, today)?;
    let mut w = Write::begin(&ctx.db, 1).await?;
    let n = sqlx::query(
        "UPDATE assessment_letters SET acknowledged_on = $1, acknowledged_by = $2, ack_recorded_by = $3 \
         WHERE id = $4 AND acknowledged_on IS NULL",
    )
    .bind(a.acknowledged_on.to_string())
    .bind(a.signed_by.trim())
    .bind(user.id)
    .bind(id)
    .execute(w.conn())
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::new(ErrorCode::Conflict, "该函件已登记签收"));
    }
    audit::record(
        &mut w,
        AuditEntry {
            actor_id: Some(user.id),
            action: "assessment.letter_acknowledge",
            entity: "assessment_letter",
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({"acknowledged_on": a.acknowledged_on, "signed_by": a.signed_by.trim()})),
        },
    )
    .await?;
    w.commit().await?;
    Ok(Json(letter_in_scope(&ctx, &user, id).await?))
}

#[derive(Template)]
#[template(path = "print/letter.html")]
struct LetterPage<'a> {
    l: &'a LetterView,
    title: &'static str,
    addressee: String,
    paragraphs: Vec<String>,
    issued_on: String,
    acknowledged_on: String,
}

/// A date as a letter writes it: "2026年11月24日".
pub fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// `GET /print/letters/{id}`: the letter on A4, with the receipt (回执) to
/// cut off and return.
pub async fn print_letter(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    reader(&user)?;
    let l = letter_in_scope(&ctx, &user, id).await?;
    let addressee = match l.kind {
        Letter::Interview => format!("{}属地信访工作联席会议召集人", l.unit_name),
        _ => l.unit_name.clone(),
    };
    let html = LetterPage {
        l: &l,
        title: l.kind.label(),
        addressee,
        paragraphs: letter_paragraphs(&l),
        issued_on: chinese_date(l.issued_on),
        acknowledged_on: l.acknowledged_on.map(chinese_date).unwrap_or_default(),
    }
    .render()
    .map_err(|_| AppError::new(ErrorCode::Internal, "函件生成失败"))?;
    Ok(([(header::CACHE_CONTROL, "no-store")], axum::response::Html(html)).into_response())
}
