//! Cases over HTTP: the list of my cases, one case with its records, and
//! adding a visit record. Reads and the scope check go through
//! [`crate::db::scope::Scope`]; the rules come from `shared`.

use crate::api::extract::{ApiJson, ApiPath};
use crate::db::audit::{self, AuditEntry};
use crate::db::scope::{CaseFilter, Contact};
use crate::db::session::CurrentUser;
use crate::db::Write;
use crate::error::{AppError, AppResult};
use crate::workflow;
use crate::ApiContext;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use shared::case::{CaseDetail, CaseView, NewVisit, TimelineEntry, Visit};
use shared::command::CaseCommand;
use shared::error::ErrorCode;
use shared::export::csv_field;
use shared::intake::NewCase;
use shared::time::{china_local, china_today};
use shared::validation::check_visit;

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
pub async fn list_cases(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    filter: Result<Query<CaseFilter>, QueryRejection>,
) -> AppResult<Json<Vec<CaseView>>> {
    Ok(Json(user.scope().list_cases(&ctx.db.pool, &filter_from(filter)?).await?))
}

/// The ledger (台账) of the user's jurisdiction as CSV, without private fields.
#[utoipa::path(get, path = "/api/cases/export.csv", tag = "cases", params(CaseFilter), responses((status = 200, description = "台账 CSV（不含个人隐私信息）", content_type = "text/csv"), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn export_csv(
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
pub async fn create_case(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewCase>,
) -> AppResult<(StatusCode, Json<CaseView>)> {
    let today = china_today(chrono::Utc::now());
    let checked = new.check(today)?;
    let mut w = Write::begin(&ctx.db, 1).await?;
    let (id, created) = workflow::create_case(&mut w, &user, &checked).await?;
    w.commit().await?;
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
pub async fn post_command(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(cmd): ApiJson<CaseCommand>,
) -> AppResult<Json<CommandResult>> {
    let mut w = Write::begin(&ctx.db, 1).await?;
    let entry = workflow::apply_command(&mut w, &user, id, &cmd, china_today(chrono::Utc::now())).await?;
    w.commit().await?;
    let case = user.scope().find_case(&ctx.db.pool, id, Contact::Hide).await?.ok_or_else(AppError::not_found)?;
    Ok(Json(CommandResult { entry, case }))
}

#[utoipa::path(get, path = "/api/cases/{id}", tag = "cases", params(("id" = i64, Path, minimum = 1, description = "事项编号")), responses((status = 200, body = CaseDetail), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn get_case(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<CaseDetail>> {
    let scope = user.scope();
    let case = scope.find_case(&ctx.db.pool, id, Contact::IfHandling).await?.ok_or_else(AppError::not_found)?;
    let pool = &ctx.db.pool;
    let contact_shown = case.phone.is_some() || case.id_number.is_some() || case.address.is_some();
    // The read is recorded and the rest read at the same time: under load
    // each query waits for a pooled connection, and eight waits one after
    // the other made this the slowest request. No answer without its record.
    let (_, visits, timeline, attachments, complaints, citizen_opinion, dispositions, actions) = tokio::try_join!(
        async {
            if contact_shown {
                // In the read log, not on the chain: readers must not queue
                // behind each other on the chain's head (audit::record_read).
                audit::record_read(&ctx.db, user.id, "contact.read", "case", &[case.id]).await?;
            }
            Ok::<_, AppError>(())
        },
        scope.visits_of_case(pool, id),
        crate::db::records::timeline(pool, id),
        crate::db::attachments::of_case(pool, id),
        crate::db::records::complaints(pool, id),
        crate::db::records::citizen_opinion_of(pool, id),
        crate::db::records::dispositions(pool, id),
        workflow::desk_actions(pool, &user, &case),
    )?;
    Ok(Json(CaseDetail { case, visits, timeline, attachments, complaints, citizen_opinion, dispositions, actions }))
}

/// Records on the audit chain itself that a user printed or exported
/// citizens' private details (ID number, phone, address): rare, deliberate
/// acts that produce a document. Reads on screen go to the read log
/// (`audit::record_read`).
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
pub async fn post_visit(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(visit): ApiJson<NewVisit>,
) -> AppResult<(StatusCode, Json<Visit>)> {
    if visit.case_id != id {
        return Err(AppError::new(ErrorCode::ValidationFailed, "记录所属事项与地址不一致"));
    }
    let checked = check_visit(&visit, china_local(chrono::Utc::now()))?;
    let mut w = Write::begin(&ctx.db, 1).await?;
    let inserted = workflow::add_visit(&mut w, &user, &checked).await?;
    w.commit().await?;
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

/// The station answers a citizen's complaint (shown to the citizen on the public page).
#[utoipa::path(post, path = "/api/complaints/{id}/reply", tag = "cases", params(("id" = i64, Path, minimum = 1, description = "投诉编号")), request_body = shared::case::ComplaintReply, responses((status = 200, description = "已答复"), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn reply_complaint(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(reply): ApiJson<shared::case::ComplaintReply>,
) -> AppResult<Json<serde_json::Value>> {
    let mut w = Write::begin(&ctx.db, 1).await?;
    workflow::citizen::answer_complaint(&mut w, &user, id, &reply.text).await?;
    w.commit().await?;
    Ok(Json(serde_json::json!({"ok": true})))
}
