//! Cases over HTTP: the list of my cases, one case with its records, and
//! adding a visit record. Reads and the scope check go through
//! [`crate::jurisdiction::Scope`]; the rules come from `shared`.

use crate::audit::{self, AuditEntry};
use crate::auth::CurrentUser;
use crate::db::{next_change_seq, now_text, Tx};
use crate::error::{ApiJson, ApiPath, AppError, AppResult};
use crate::jurisdiction::{CaseFilter, Contact};
use crate::workflow;
use crate::ApiContext;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDateTime;
use shared::authority::{may_record, Actor};
use shared::case::{CaseDetail, CaseView, NewVisit, TimelineEntry, Visit};
use shared::command::CaseCommand;
use shared::error::{ApiError, ErrorCode};
use shared::export::csv_field;
use shared::intake::NewCase;
use shared::time::china_local;
use shared::validation::check_new_visit;
use sqlx::Row;

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/api/cases", get(list_cases).post(create_case))
        .route("/api/cases/export.csv", get(export_csv))
        .route("/api/cases/{id}", get(get_case))
        .route("/api/cases/{id}/visits", post(post_visit))
        .route("/api/cases/{id}/commands", post(post_command))
}

fn filter_from(q: Result<Query<CaseFilter>, QueryRejection>) -> AppResult<CaseFilter> {
    let f = q
        .map(|Query(f)| f)
        .map_err(|_| AppError::new(ErrorCode::ValidationFailed, "查询条件无效（q、stage、overdue_only、limit）"))?;
    if let Some(q) = &f.q {
        shared::validation::check_plain("查询内容", q)?;
        if q.chars().count() > 100 {
            return Err(AppError::new(ErrorCode::ValidationFailed, "查询内容不能超过 100 个字"));
        }
    }
    if !(1..=5000).contains(&f.limit) {
        return Err(AppError::new(ErrorCode::ValidationFailed, "limit 应为 1–5000"));
    }
    Ok(f)
}

#[utoipa::path(get, path = "/api/cases", tag = "cases", params(CaseFilter), responses((status = 200, body = Vec<CaseView>), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
async fn list_cases(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    filter: Result<Query<CaseFilter>, QueryRejection>,
) -> AppResult<Json<Vec<CaseView>>> {
    Ok(Json(user.scope().list_cases(&ctx.db.pool, &filter_from(filter)?).await?))
}

/// The ledger (台账) of the user's jurisdiction as CSV, without private fields.
#[utoipa::path(get, path = "/api/cases/export.csv", tag = "cases", params(CaseFilter), responses((status = 200, description = "台账 CSV（不含个人隐私信息）", content_type = "text/csv"), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
async fn export_csv(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    filter: Result<Query<CaseFilter>, QueryRejection>,
) -> AppResult<Response> {
    let mut filter = filter_from(filter)?;
    filter.limit = 5000;
    let cases = user.scope().list_cases(&ctx.db.pool, &filter).await?;
    // Every text cell goes through `csv_field`: quoted, and neutralised if a
    // spreadsheet would run it as a formula.
    let cell = csv_field;
    let mut out = String::from(
        "\u{feff}编号,信访人,所属单位,来源渠道,反映的问题及诉求,环节,状态,受理日期,办理期限,代办员,内容分类,信访人意见\r\n",
    );
    for c in &cases {
        let row = [
            cell(&c.number),
            cell(&c.citizen_name),
            cell(&c.unit_name),
            cell(c.channel.label()),
            cell(&c.summary),
            cell(c.stage.label()),
            cell(c.lifecycle.status.label()),
            cell(&c.accepted_on.to_string()),
            cell(&c.due_on.to_string()),
            cell(c.agent_name.as_deref().unwrap_or("")),
            cell(c.category.map_or("", |x| x.label())),
            cell(c.opinion.map_or("", |o| o.label())),
        ];
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"ledger.csv\""),
        ],
        out,
    )
        .into_response())
}

#[utoipa::path(post, path = "/api/cases", tag = "cases", request_body = NewCase, responses((status = 201, body = CaseView), (status = 200, description = "client_ref 已登记过", body = CaseView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
async fn create_case(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewCase>,
) -> AppResult<(StatusCode, Json<CaseView>)> {
    let mut tx = ctx.db.begin_write().await?;
    let (id, created) = workflow::create_case(&mut tx, &user, &new).await?;
    tx.commit().await?;
    let case = user.scope().find_case(&ctx.db.pool, id, Contact::Hide).await?.ok_or_else(AppError::not_found)?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(case)))
}

/// The answer to a command: the timeline entry and the case as it is now.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CommandResult {
    pub entry: TimelineEntry,
    pub case: CaseView,
}

#[utoipa::path(post, path = "/api/cases/{id}/commands", tag = "cases", params(("id" = i64, Path, minimum = 1, description = "事项编号")), request_body = CaseCommand, responses((status = 200, body = CommandResult), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
async fn post_command(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(cmd): ApiJson<CaseCommand>,
) -> AppResult<Json<CommandResult>> {
    let mut tx = ctx.db.begin_write().await?;
    let entry = workflow::apply_command(&mut tx, &user, id, &cmd).await?;
    tx.commit().await?;
    let case = user.scope().find_case(&ctx.db.pool, id, Contact::Hide).await?.ok_or_else(AppError::not_found)?;
    Ok(Json(CommandResult { entry, case }))
}

#[utoipa::path(get, path = "/api/cases/{id}", tag = "cases", params(("id" = i64, Path, minimum = 1, description = "事项编号")), responses((status = 200, body = CaseDetail), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
async fn get_case(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<CaseDetail>> {
    let scope = user.scope();
    let case = scope.find_case(&ctx.db.pool, id, Contact::IfHandling).await?.ok_or_else(AppError::not_found)?;
    if case.phone.is_some() || case.id_number.is_some() || case.address.is_some() {
        audit_contact_read(&ctx, &user, "contact.read", &[case.id]).await?;
    }
    let visits = scope.visits_of_case(&ctx.db.pool, id).await?;
    let timeline = workflow::timeline(&ctx.db.pool, id).await?;
    let attachments = crate::attachments::of_case(&ctx.db.pool, id).await?;
    Ok(Json(CaseDetail { case, visits, timeline, attachments }))
}

/// Records that a user was shown citizens' private details (ID number, phone, address).
pub async fn audit_contact_read(ctx: &ApiContext, user: &CurrentUser, action: &str, case_ids: &[i64]) -> AppResult<()> {
    let mut tx = ctx.db.begin_write().await?;
    audit::append(
        &mut tx,
        AuditEntry {
            actor_id: Some(user.id),
            action,
            entity: "case",
            entity_id: case_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[utoipa::path(post, path = "/api/cases/{id}/visits", tag = "cases", params(("id" = i64, Path, minimum = 1, description = "事项编号")), request_body = NewVisit, responses((status = 201, body = Visit), (status = 200, description = "该走访记录已存在", body = Visit), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
async fn post_visit(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(visit): ApiJson<NewVisit>,
) -> AppResult<(StatusCode, Json<Visit>)> {
    if visit.case_id != id {
        return Err(AppError::new(ErrorCode::ValidationFailed, "记录所属事项与地址不一致"));
    }
    let mut tx = ctx.db.begin_write().await?;
    let inserted = add_visit(&mut tx, &user, &visit).await?;
    tx.commit().await?;
    let status = if inserted { StatusCode::CREATED } else { StatusCode::OK };
    Ok((
        status,
        Json(Visit {
            id: visit.id,
            case_id: visit.case_id,
            visited_at: visit.visited_at,
            method: visit.method,
            note: visit.note,
            recorded_by: user.id,
            recorded_by_name: user.display_name.clone(),
            position: visit.position,
        }),
    ))
}

/// Appends a visit to a case inside `tx`. Returns `Ok(false)` when this very
/// visit (same id, same case) is already stored: appending is idempotent.
/// Refusals are `ApiError`s with a Chinese message; nothing is written then.
pub async fn add_visit(tx: &mut Tx, user: &CurrentUser, v: &NewVisit) -> Result<bool, AppError> {
    check_new_visit(v, china_local(chrono::Utc::now()))?;
    // Out of scope and missing answer alike, so case ids cannot be walked.
    let case = user.scope().case_for_write(tx, v.case_id).await?.ok_or_else(AppError::not_found)?;
    if !case.stage.accepts_records() {
        return Err(
            ApiError::new(ErrorCode::Conflict, format!("该事项已{}，不能再添加走访记录", case.stage.label())).into()
        );
    }
    let visited_at = shared::validation::parse_local_datetime(&v.visited_at)?;
    let mine_until = assignment_ended(tx, v.case_id, user.id).await?;
    may_record(Actor { id: user.id, role: user.role }, &workflow::handling(&case), visited_at, mine_until)?;
    if let Some(row) =
        sqlx::query("SELECT case_id FROM visits WHERE id = $1").bind(&v.id).fetch_optional(&mut **tx).await?
    {
        let existing_case: i64 = row.try_get(0)?;
        return if existing_case == v.case_id {
            Ok(false)
        } else {
            Err(ApiError::new(ErrorCode::Conflict, "记录编号已被其他事项使用").into())
        };
    }
    let seq = next_change_seq(tx).await?;
    sqlx::query(
        "INSERT INTO visits (id, case_id, visited_at, method, note, recorded_by, created_at, rev, lat_e6, lng_e6, accuracy_m) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&v.id)
    .bind(v.case_id)
    .bind(&v.visited_at)
    .bind(v.method.as_str())
    .bind(&v.note)
    .bind(user.id)
    .bind(now_text())
    .bind(seq)
    .bind(v.position.map(|p| p.lat_e6))
    .bind(v.position.map(|p| p.lng_e6))
    .bind(v.position.map(|p| p.accuracy_m))
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE cases SET rev = $1 WHERE id = $2").bind(seq).bind(v.case_id).execute(&mut **tx).await?;
    audit::append(
        tx,
        AuditEntry {
            actor_id: Some(user.id),
            action: "visit.add",
            entity: "visit",
            entity_id: v.id.clone(),
            before: None,
            after: serde_json::to_value(v).ok(),
        },
    )
    .await?;
    Ok(true)
}

/// When the case's last assignment to `agent` ended (China local time), if
/// it was assigned to them and no longer is.
pub async fn assignment_ended(tx: &mut Tx, case_id: i64, agent: i64) -> Result<Option<NaiveDateTime>, AppError> {
    let row = sqlx::query("SELECT MAX(ended_at) FROM case_assignments WHERE case_id = $1 AND agent_id = $2")
        .bind(case_id)
        .bind(agent)
        .fetch_one(&mut **tx)
        .await?;
    let ended: Option<String> = row.try_get(0)?;
    Ok(ended
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| china_local(t.with_timezone(&chrono::Utc))))
}
