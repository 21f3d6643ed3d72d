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
//!
//! This file holds the handlers; the queries are in `db/assessment.rs` and
//! `db/assessment_letters.rs`, the printed letter in `render/letters.rs`.

use crate::api::extract::{ApiJson, ApiPath};
use crate::db::assessment::{self as queries, Village};
use crate::db::assessment_letters::{self as letter_queries, NewLetterRow};
use crate::db::audit::{self, AuditEntry};
use crate::db::session::CurrentUser;
use crate::db::{Db, Write};
use crate::error::{AppError, AppResult};
use crate::ApiContext;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Datelike, NaiveDate};
use sha2::{Digest, Sha256};
use shared::assessment_record::{
    entered_escalations, letters_due, score, with_issued, Acknowledge, AssessmentRow, AssessmentView, EntryView,
    EvidenceView, LetterView, NewEntry, NewLetter, Withdraw,
};
use shared::error::ErrorCode;
use shared::org::UnitKind;
use std::collections::BTreeMap;

/// The desk's users read the assessment (township, banner, league).
fn reader(user: &CurrentUser) -> AppResult<()> {
    crate::api::stats::desk_reader(user, "考核")
}

/// The township station (镇信访代办服务站 考核各嘎查村) and the banner centre
/// record, issue letters and record receipts; the league reads.
fn assessor(user: &CurrentUser) -> AppResult<()> {
    Ok(shared::assessment_record::may_record(user.role)?)
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

/// A unit the user may see: its kind, path and name (out of scope: 403).
pub async fn unit_in_scope(db: &Db, user: &CurrentUser, unit_id: i64) -> AppResult<(UnitKind, String, String)> {
    crate::db::stats::unit_named(&db.pool, user, unit_id, "考核").await
}

/// A village in the user's scope (a unit of another kind: 422).
pub async fn village_in_scope(db: &Db, user: &CurrentUser, unit_id: i64) -> AppResult<Village> {
    let (kind, _, _) = unit_in_scope(db, user, unit_id).await?;
    if kind != UnitKind::Village {
        return Err(AppError::new(ErrorCode::ValidationFailed, "考核对象应为嘎查村（社区）"));
    }
    queries::village(&db.pool, unit_id).await
}

#[utoipa::path(get, path = "/api/assessment", tag = "assessment", params(YearQuery), responses((status = 200, description = "辖区内嘎查村（社区）的考核得分与排名", body = Vec<AssessmentRow>), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn list(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    q: Result<Query<YearQuery>, QueryRejection>,
) -> AppResult<Json<Vec<AssessmentRow>>> {
    reader(&user)?;
    let (year, unit_id) = year_of(q)?;
    let (_, path, _) = unit_in_scope(&ctx.db, &user, unit_id.unwrap_or(user.unit_id)).await?;
    let today = shared::time::china_today(chrono::Utc::now());
    Ok(Json(queries::ranking(&ctx.db.pool, &path, year, today).await?))
}

/// The whole assessment of one village for `year`.
/// Read on `conn`: a handler that holds a write passes the write's own
/// connection (a second one from the pool may never come).
pub async fn village_view(
    conn: &mut crate::db::Conn,
    v: &Village,
    year: i32,
    today: NaiveDate,
) -> AppResult<AssessmentView> {
    let range = queries::year_range(year, today);
    // The ranking among the township's villages gives the rank, and the
    // village's own facts come with it.
    let f = queries::year_facts(&mut *conn, &v.parent_path, year, &range).await?;
    let empty = BTreeMap::new();
    let (counts, counted) = queries::counts_from(f.counters.get(&v.path).unwrap_or(&empty));
    let facts = f.entries.get(&v.id).cloned().unwrap_or_default();
    let (input, result) = score(counts, counted, &facts);
    let rows = queries::rows_of(&f);
    let rank = rows.iter().find(|r| r.unit_id == v.id).map_or(0, |r| r.rank);
    let entries = queries::entries_of(&mut *conn, v.id, year).await?;
    let letters = letter_queries::letters_of(&mut *conn, v.id, year).await?;
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
    let v = village_in_scope(&ctx.db, &user, unit_id).await?;
    let today = shared::time::china_today(chrono::Utc::now());
    let mut conn = ctx.db.pool.acquire().await?;
    Ok(Json(village_view(&mut conn, &v, year, today).await?))
}

/// The record `id` if its village is in the user's scope (else 404, so
/// record ids cannot be walked).
pub async fn entry_in_scope(ctx: &ApiContext, user: &CurrentUser, id: i64) -> AppResult<EntryView> {
    let mut conn = ctx.db.pool.acquire().await?;
    let e = queries::entry_by_id(&mut conn, id).await?.ok_or_else(AppError::not_found)?;
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
    let v = village_in_scope(&ctx.db, &user, e.unit_id).await?;
    let case_number = e.case_number.as_deref().map(str::trim).map(str::to_string);
    if let Some(n) = &case_number {
        if !queries::case_numbered_below(&ctx.db.pool, n, &v.path).await? {
            return Err(AppError::new(ErrorCode::ValidationFailed, format!("{}没有编号为 {n} 的事项", v.name)));
        }
    }
    let mut w = Write::begin(&ctx.db, 1).await?;
    let id = queries::insert_entry(w.conn(), &v, &e, &case_number, user.id).await?;
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
    let view = queries::entry_by_id(w.conn(), id).await?.ok_or_else(AppError::not_found)?;
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
    let n = queries::withdraw_entry(w.conn(), id, user.id, b.reason.trim()).await?;
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
    let view = queries::entry_by_id(w.conn(), id).await?.ok_or_else(AppError::not_found)?;
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
    if body.is_empty() {
        return Err(AppError::new(ErrorCode::ValidationFailed, "证明材料内容为空"));
    }
    if body.len() > crate::db::files::MAX_ATTACHMENT_BYTES {
        return Err(AppError::new(ErrorCode::PayloadTooLarge, "证明材料不能超过 5 MB"));
    }
    let claimed = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let actual = crate::db::files::sniff(&body)
        .ok_or_else(|| AppError::new(ErrorCode::UnsupportedMediaType, "只接受 JPEG、PNG、WebP 图片或 PDF 扫描件"))?;
    if claimed.split(';').next().unwrap_or("").trim() != actual {
        return Err(AppError::new(ErrorCode::UnsupportedMediaType, "证明材料类型与内容不符"));
    }
    // Stored under the sniffed type's extension, whatever was typed.
    let name = crate::db::files::stored_name(&params.name, actual)?;
    let e = entry_in_scope(&ctx, &user, id).await?;
    if e.withdrawn.is_some() {
        return Err(AppError::new(ErrorCode::Conflict, "该记录已撤回，不能再添加证明材料"));
    }
    let sha: String = Sha256::digest(&body).iter().map(|b| format!("{b:02x}")).collect();
    // The same file for the same record is the same evidence: a retried
    // upload answers with it.
    let evidence_id = format!("e{id}-{}", &sha[..16]);
    crate::db::files::store(&ctx.data_dir, &sha, &evidence_id, &body).await?;
    let mut w = Write::begin(&ctx.db, 1).await?;
    if let Some(existing) = queries::evidence_by_id(w.conn(), &evidence_id).await? {
        return Ok((StatusCode::OK, Json(existing)));
    }
    queries::insert_evidence(
        w.conn(),
        &queries::NewEvidence {
            id: &evidence_id,
            entry_id: id,
            file_name: &name,
            content_type: actual,
            size: body.len() as i64,
            sha256: &sha,
            uploaded_by: user.id,
        },
    )
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
    let r = queries::stored_evidence(&ctx.db.pool, &id).await?.ok_or_else(AppError::not_found)?;
    entry_in_scope(&ctx, &user, r.entry_id).await?;
    let bytes = crate::db::files::load(&ctx.data_dir, &r.sha256).await?;
    let disposition = crate::api::attachments::inline_disposition(&r.file_name, &r.content_type);
    Ok((
        [
            (header::CONTENT_TYPE, r.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, max-age=31536000, immutable".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// The letter `id` if its village is in the user's scope (else 404).
pub async fn letter_in_scope(ctx: &ApiContext, user: &CurrentUser, id: i64) -> AppResult<LetterView> {
    let mut conn = ctx.db.pool.acquire().await?;
    let l = letter_queries::letter_by_id(&mut conn, id).await?.ok_or_else(AppError::not_found)?;
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
    let v = village_in_scope(&ctx.db, &user, n.unit_id).await?;
    let today = shared::time::china_today(chrono::Utc::now());
    let mut w = Write::begin(&ctx.db, 1).await?;
    // Read under the write lock, on the write's own connection: the village
    // and the issuer are locked first (PostgreSQL; SQLite's write lock is
    // the whole database), so two clerks cannot both send the last one due
    // or take the same number.
    w.lock_units(&[v.id, user.unit_id]).await?;
    let view = village_view(w.conn(), &v, n.year, today).await?;
    let Some(due) = view.letters_due.iter().find(|d| d.key == n.key) else {
        return Err(AppError::new(ErrorCode::Conflict, format!("{} {} 年度没有应发的该项函件", v.name, n.year)));
    };
    if due.issued >= due.due {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("{}已发出 {} 份，应发函件已全部发出", due.kind.label(), due.issued),
        ));
    }
    let issuer_name = letter_queries::unit_name(w.conn(), user.unit_id).await?;
    let seq = letter_queries::letters_issued_by(w.conn(), user.unit_id, n.year).await?;
    let number = format!("{issuer_name}信代函〔{}〕{}号", n.year, seq + 1);
    let id = letter_queries::insert_letter(
        w.conn(),
        &NewLetterRow {
            number: &number,
            unit_id: v.id,
            unit_path: &v.path,
            year: n.year,
            due,
            issuer_unit_id: user.unit_id,
            issued_by: user.id,
            issued_on: today,
        },
    )
    .await?;
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
    let n = letter_queries::acknowledge_letter(w.conn(), id, a.acknowledged_on, a.signed_by.trim(), user.id).await?;
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

/// `GET /print/letters/{id}`: the letter on A4, with the receipt (回执) to
/// cut off and return.
pub async fn print_letter(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    reader(&user)?;
    let l = letter_in_scope(&ctx, &user, id).await?;
    let html =
        crate::render::letters::letter_page(&l).map_err(|_| AppError::new(ErrorCode::Internal, "函件生成失败"))?;
    Ok(([(header::CACHE_CONTROL, "no-store")], axum::response::Html(html)).into_response())
}
