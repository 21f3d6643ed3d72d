//! The OpenAPI document of the whole API, served at `/api/openapi.json`.
//! Every handler carries a `#[utoipa::path]`; adding a route without listing
//! it here fails `tests/it/openapi.rs` and `tests/it/house.rs`.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "代办通 API", description = "信访代办制案件系统：登录、事项办理流程、离线同步、附件、审计与组织管理。错误一律为 JSON {code, message}，message 为中文。"),
    paths(
        crate::api::auth::login,
        crate::api::auth::logout,
        crate::api::auth::me,
        crate::api::auth::change_password,
        crate::api::cases::list_cases,
        crate::api::cases::export_csv,
        crate::api::cases::create_case,
        crate::api::cases::get_case,
        crate::api::cases::post_visit,
        crate::api::cases::post_command,
        crate::api::cases::reply_complaint,
        crate::api::desk::inbox,
        crate::api::desk::cases,
        crate::api::desk::boards,
        crate::api::desk::duplicates,
        crate::api::desk::departments,
        crate::api::stats::unit_stats,
        crate::api::stats::sample,
        crate::api::stats::list_inspections,
        crate::api::stats::inspect,
        crate::api::sync::push,
        crate::api::sync::pull,
        crate::api::audit::verify_endpoint,
        crate::api::attachments::upload,
        crate::api::attachments::download,
        crate::api::org::list_units,
        crate::api::org::list_agents,
        crate::api::org::list_admin_units,
        crate::api::org::list_users,
        crate::api::org::create_unit,
        crate::api::org::create_user,
        crate::api::org::update_user,
        crate::api::org::update_unit,
        crate::api::org::get_settings,
        crate::api::org::put_settings,
        crate::api::calendar::get_year,
        crate::api::calendar::put_year,
        crate::api::ledger::ledger_xlsx,
        crate::api::dossier::dossier_zip,
        crate::api::reward::get_history,
        crate::api::reward::put_history,
        crate::api::reward::list_claims,
        crate::api::reward::create_claim,
        crate::api::reward::complaint,
        crate::api::reward::list_batches,
        crate::api::reward::create_batch,
        crate::api::reward::get_batch,
        crate::api::reward::batch_step,
        crate::api::reward::get_fund,
        crate::api::reward::put_fund,
        crate::api::reward::flags,
        crate::api::reward::refer,
        crate::api::reward_report::notice_xlsx,
        crate::api::reward_report::payment_xlsx,
        crate::api::reward_report::self_evaluation_xlsx,
        crate::api::assessment::list,
        crate::api::assessment::village,
        crate::api::assessment::add_entry,
        crate::api::assessment::withdraw,
        crate::api::assessment::add_evidence,
        crate::api::assessment::evidence,
        crate::api::assessment::issue_letter,
        crate::api::assessment::acknowledge,
        crate::api::bulletin::bulletin,
        crate::api::bulletin::bulletin_xlsx,
        crate::api::bulletin::appraisal,
    ),
    modifiers(&SessionCookie),
    // Every endpoint needs the session cookie unless it says otherwise
    // (sign-in, sign-out and this document).
    security(("session_cookie" = [])),
    tags(
        (name = "auth", description = "登录与会话"),
        (name = "cases", description = "信访事项与办理流程"),
        (name = "desk", description = "办公桌面：待办、列表、到期看板、重复件"),
        (name = "stats", description = "统计：各项比率（分子、分母、目标）、月度趋势、排名、质检"),
        (name = "assessment", description = "考核：嘎查村百分制考核、记录与证明材料、三函一约谈、月通报与年汇总、代办员考评"),
        (name = "sync", description = "现场端离线同步"),
        (name = "attachments", description = "照片、扫描件"),
        (name = "audit", description = "审计日志"),
        (name = "org", description = "单位与代办员"),
        (name = "admin", description = "系统管理"),
        (name = "reward", description = "奖补资金：信访记录与类别、申报、季度批次、预算、核查"),
    )
)]
pub struct ApiDoc;

/// The session cookie that `POST /api/login` sets, as a security scheme.
struct SessionCookie;

impl utoipa::Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::api::auth::SESSION_COOKIE,
                "POST /api/login 设置的会话 Cookie（HttpOnly）",
            ))),
        );
    }
}

/// `GET /api/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
