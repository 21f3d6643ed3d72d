//! Organisation and people: the unit tree, users and agents. Reading is open
//! to every signed-in user within their scope (for pickers); changing is for
//! administrators, within their own unit's subtree. Every change is audited.

use crate::api::extract::{ApiJson, ApiPath};
use crate::db::audit::{self, AuditEntry};
use crate::db::org as db;
use crate::db::session::{hash_password, CurrentUser};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::ApiContext;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use shared::error::ErrorCode;
use shared::org::{
    check_password, check_username, NewUnit, NewUser, Role, Settings, UnitKind, UnitUpdate, UnitView, UserUpdate,
    UserView,
};
use shared::validation::{PersonName, PhoneNumber};

fn admin_only(user: &CurrentUser) -> AppResult<()> {
    if user.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::Forbidden, "只有系统管理员可以管理单位和人员"))
    }
}

#[utoipa::path(get, path = "/api/units", tag = "org", responses((status = 200, body = Vec<UnitView>), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn list_units(State(ctx): State<ApiContext>, user: CurrentUser) -> AppResult<Json<Vec<UnitView>>> {
    Ok(Json(user.scope().units(&ctx.db.pool).await?))
}

/// The units an administrator manages (their unit's subtree).
#[utoipa::path(get, path = "/api/admin/units", tag = "admin", responses((status = 200, body = Vec<UnitView>), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn list_admin_units(State(ctx): State<ApiContext>, user: CurrentUser) -> AppResult<Json<Vec<UnitView>>> {
    admin_only(&user)?;
    list_units(State(ctx), user).await
}

/// Agents of the user's units, for assignment. Phones are left out: they
/// are for administrators.
#[utoipa::path(get, path = "/api/agents", tag = "org", responses((status = 200, body = Vec<UserView>), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn list_agents(State(ctx): State<ApiContext>, user: CurrentUser) -> AppResult<Json<Vec<UserView>>> {
    let mut agents = user.scope().users(&ctx.db.pool, true).await?;
    for a in &mut agents {
        a.phone = None;
    }
    Ok(Json(agents))
}

#[utoipa::path(get, path = "/api/admin/users", tag = "admin", responses((status = 200, body = Vec<UserView>), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn list_users(State(ctx): State<ApiContext>, user: CurrentUser) -> AppResult<Json<Vec<UserView>>> {
    admin_only(&user)?;
    Ok(Json(user.scope().users(&ctx.db.pool, false).await?))
}

#[utoipa::path(post, path = "/api/admin/units", tag = "admin", request_body = NewUnit, responses((status = 201, body = UnitView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn create_unit(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewUnit>,
) -> AppResult<(StatusCode, Json<UnitView>)> {
    admin_only(&user)?;
    let name = new.name.trim().to_string();
    shared::validation::check_text("单位名称", &name, 60)?;
    let number_prefix = optional_prefix(new.number_prefix.as_deref())?;
    new.check_task_group()?;
    let mut tx = ctx.db.begin_write().await?;
    let (parent_kind, parent_path) = managed_unit(&mut tx, &user, new.parent_id).await?;
    if !parent_kind.may_contain(new.kind) {
        return Err(AppError::new(
            ErrorCode::ValidationFailed,
            format!("{}下不能设立{}", parent_kind.label(), new.kind.label()),
        ));
    }
    if let Some(group) = new.task_group {
        if db::task_group_taken(&mut tx, new.parent_id, group).await? {
            return Err(AppError::new(ErrorCode::Conflict, format!("该苏木镇已设立{}", group.label())));
        }
    }
    let (id, path) = db::insert_unit(&mut tx, &new, &name, number_prefix.as_deref(), &parent_path, user.id).await?;
    let view = UnitView {
        id,
        parent_id: Some(new.parent_id),
        kind: new.kind,
        name,
        path,
        number_prefix,
        task_group: new.task_group,
    };
    audit::append(
        &mut tx,
        AuditEntry {
            actor_id: Some(user.id),
            action: "unit.create",
            entity: "unit",
            entity_id: id.to_string(),
            before: None,
            after: serde_json::to_value(&view).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A unit inside the administrator's subtree, or "not found".
pub async fn managed_unit(tx: &mut Tx, user: &CurrentUser, unit_id: i64) -> AppResult<(UnitKind, String)> {
    user.scope()
        .unit(tx, unit_id)
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, "单位不存在，或不在您的管理范围内"))
}

/// Hashes a password on a blocking thread: argon2 takes tens of milliseconds
/// and must not stall the async workers.
pub async fn hash_off_thread(password: &str) -> AppResult<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|_| AppError::new(ErrorCode::Internal, "服务器内部错误"))
}

fn check_person(display_name: &str, phone: Option<&str>) -> AppResult<(String, Option<String>)> {
    let name = PersonName::parse(display_name)?.as_str().to_string();
    let phone = phone
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| PhoneNumber::parse(p).map(|p| p.as_str().to_string()))
        .transpose()?;
    Ok((name, phone))
}

#[utoipa::path(post, path = "/api/admin/users", tag = "admin", request_body = NewUser, responses((status = 201, body = UserView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn create_user(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewUser>,
) -> AppResult<(StatusCode, Json<UserView>)> {
    admin_only(&user)?;
    let username = new.username.trim().to_lowercase();
    check_username(&username)?;
    check_password(&new.password)?;
    let (display_name, phone) = check_person(&new.display_name, new.phone.as_deref())?;
    let mut tx = ctx.db.begin_write().await?;
    let (kind, _) = managed_unit(&mut tx, &user, new.unit_id).await?;
    if !new.role.fits_unit(kind) {
        return Err(AppError::new(
            ErrorCode::ValidationFailed,
            format!("{}不能设在{}", new.role.label(), kind.label()),
        ));
    }
    if db::username_taken(&mut tx, &username).await? {
        return Err(AppError::new(ErrorCode::Conflict, "用户名已被使用"));
    }
    let hash = hash_off_thread(&new.password).await?;
    let id = db::insert_user(&mut tx, &new, &username, hash, &display_name, phone.as_deref()).await?;
    let view = fetch_user(&mut tx, &user, id).await?;
    audit::append(
        &mut tx,
        AuditEntry {
            actor_id: Some(user.id),
            action: "user.create",
            entity: "user",
            entity_id: id.to_string(),
            before: None,
            after: serde_json::to_value(&view).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A person the administrator manages (in their unit's subtree).
pub async fn fetch_user(tx: &mut Tx, user: &CurrentUser, id: i64) -> AppResult<UserView> {
    user.scope().user(tx, id).await?.ok_or_else(|| AppError::new(ErrorCode::NotFound, "用户不存在"))
}

#[utoipa::path(patch, path = "/api/admin/users/{id}", tag = "admin", params(("id" = i64, Path, minimum = 1)), request_body = UserUpdate, responses((status = 200, body = UserView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn update_user(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(up): ApiJson<UserUpdate>,
) -> AppResult<Json<UserView>> {
    admin_only(&user)?;
    if id == user.id {
        // No self-elevation: an administrator changes nobody's authority
        // over their own account (own password: POST /api/me/password).
        return Err(AppError::new(ErrorCode::Forbidden, "不能通过管理接口修改自己的账号；修改本人密码请用“修改密码”"));
    }
    let mut tx = ctx.db.begin_write().await?;
    // The user must be inside the admin's subtree, and so must a new unit.
    let before = fetch_user(&mut tx, &user, id).await?;
    let mut after = before.clone();
    if let Some(n) = &up.display_name {
        after.display_name = check_person(n, None)?.0;
    }
    if let Some(p) = &up.phone {
        after.phone = check_person(&after.display_name, Some(p))?.1;
    }
    if let Some(r) = up.role {
        after.role = r;
    }
    if let Some(u) = up.unit_id {
        after.unit_id = u;
    }
    let (kind, _) = managed_unit(&mut tx, &user, after.unit_id).await?;
    if !after.role.fits_unit(kind) {
        return Err(AppError::new(
            ErrorCode::ValidationFailed,
            format!("{}不能设在{}", after.role.label(), kind.label()),
        ));
    }
    if up.clear_agent_kind {
        after.agent_kind = None;
    } else if let Some(k) = up.agent_kind {
        after.agent_kind = Some(k);
    }
    after.full_time = up.full_time.unwrap_or(after.full_time);
    after.registered = up.registered.unwrap_or(after.registered);
    after.public_employee = up.public_employee.unwrap_or(after.public_employee);
    db::update_user(&mut tx, id, &after).await?;
    if let Some(d) = up.disabled.filter(|d| *d != before.disabled) {
        // 停用 ends every session of the account in this same transaction.
        db::set_disabled(&mut tx, id, d, &crate::db::session::utc_text(chrono::Utc::now())).await?;
    }
    if let Some(p) = &up.password {
        check_password(p)?;
        let hash = hash_off_thread(p).await?;
        db::set_password(&mut tx, id, hash).await?;
    }
    let after = fetch_user(&mut tx, &user, id).await?;
    audit::append(
        &mut tx,
        AuditEntry {
            actor_id: Some(user.id),
            // Role and unit changes decide who sees what: they get their own
            // action name so they are easy to find in the log.
            action: if before.disabled != after.disabled {
                if after.disabled {
                    "user.disable"
                } else {
                    "user.enable"
                }
            } else if before.role != after.role || before.unit_id != after.unit_id {
                "user.role_or_unit_change"
            } else if up.password.is_some() {
                "user.update_with_password"
            } else {
                "user.update"
            },
            entity: "user",
            entity_id: id.to_string(),
            before: serde_json::to_value(&before).ok(),
            after: serde_json::to_value(&after).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(after))
}

/// A 编号 prefix as entered: empty means none.
fn optional_prefix(raw: Option<&str>) -> AppResult<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(p) => Ok(Some(shared::validation::check_number_prefix(p)?)),
    }
}

/// Renames a unit or sets (or removes) its own 编号 prefix.
#[utoipa::path(patch, path = "/api/admin/units/{id}", tag = "admin", params(("id" = i64, Path, minimum = 1)), request_body = UnitUpdate, responses((status = 200, body = UnitView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn update_unit(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(up): ApiJson<UnitUpdate>,
) -> AppResult<Json<UnitView>> {
    admin_only(&user)?;
    let mut tx = ctx.db.begin_write().await?;
    managed_unit(&mut tx, &user, id).await?;
    let before = db::unit_view(&mut tx, id).await?;
    let mut after = before.clone();
    if let Some(n) = &up.name {
        let name = n.trim().to_string();
        shared::validation::check_text("单位名称", &name, 60)?;
        after.name = name;
    }
    if let Some(p) = &up.number_prefix {
        after.number_prefix = optional_prefix(Some(p))?;
    }
    db::update_unit(&mut tx, id, &after.name, after.number_prefix.as_deref()).await?;
    audit::append(
        &mut tx,
        AuditEntry {
            actor_id: Some(user.id),
            action: "unit.update",
            entity: "unit",
            entity_id: id.to_string(),
            before: serde_json::to_value(&before).ok(),
            after: serde_json::to_value(&after).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(after))
}

/// The deployment's settings.
#[utoipa::path(get, path = "/api/admin/settings", tag = "admin", responses((status = 200, body = Settings), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn get_settings(State(ctx): State<ApiContext>, user: CurrentUser) -> AppResult<Json<Settings>> {
    admin_only(&user)?;
    Ok(Json(db::read_settings(&ctx.db.pool).await?))
}

/// Changes the deployment's settings (the 编号 prefix; empty or null: the
/// built-in one).
#[utoipa::path(put, path = "/api/admin/settings", tag = "admin", request_body = Settings, responses((status = 200, body = Settings), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn put_settings(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiJson(new): ApiJson<Settings>,
) -> AppResult<Json<Settings>> {
    admin_only(&user)?;
    let prefix = optional_prefix(new.number_prefix.as_deref())?;
    let before = db::read_settings(&ctx.db.pool).await?;
    let mut tx = ctx.db.begin_write().await?;
    db::set_number_prefix(&mut tx, prefix.as_deref()).await?;
    let after = Settings { number_prefix: prefix };
    audit::append(
        &mut tx,
        AuditEntry {
            actor_id: Some(user.id),
            action: "settings.update",
            entity: "settings",
            entity_id: "number_prefix".to_string(),
            before: serde_json::to_value(&before).ok(),
            after: serde_json::to_value(&after).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(after))
}
