//! Attachments: photos and scans belonging to a case (一案一档). The bytes are
//! stored on disk under `<data>/attachments/<sha256>` (identical files are
//! stored once); the table keeps name, type, size and hash. Type and size are
//! checked against the file's own first bytes, not only its claimed type.

use crate::api::extract::ApiPath;
use crate::db::audit::{self, AuditEntry};
use crate::db::scope::Contact;
use crate::db::session::CurrentUser;
use crate::db::{now_text, Write};
use crate::error::{AppError, AppResult};
use crate::ApiContext;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use shared::authority::{may_record, Actor};
use shared::case::AttachmentView;
use shared::error::ErrorCode;
use shared::validation::check_uuid;
use sqlx::Row;

/// The largest attachment accepted. Phones resize photos before upload.
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route(
            "/api/cases/{id}/attachments/{attachment_id}",
            put(upload).layer(DefaultBodyLimit::max(MAX_ATTACHMENT_BYTES + 1024)),
        )
        .route("/api/attachments/{attachment_id}", get(download))
}

/// The type a file really is, from its first bytes.
/// The type a file's first bytes say it is (JPEG, PNG, WebP, PDF), if accepted.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadParams {
    /// The file's name as the user sees it.
    #[param(min_length = 1, max_length = 120)]
    name: String,
    /// The visit the photo belongs to (a device-made UUID), if any.
    #[serde(default)]
    #[param(pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    visit_id: Option<String>,
}

/// `PUT /api/cases/{id}/attachments/{uuid}?name=…` with the file as the body.
/// The id is made on the device, so a retried upload is the same attachment.
#[utoipa::path(put, path = "/api/cases/{id}/attachments/{attachment_id}", tag = "attachments", params(("id" = i64, Path, minimum = 1, description = "事项编号"), ("attachment_id" = String, Path, pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", description = "设备生成的 UUID"), UploadParams), request_body(content = Vec<u8>, content_type = "image/jpeg"), responses((status = 201, body = AttachmentView), (status = 200, body = AttachmentView), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
async fn upload(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath((case_id, attachment_id)): ApiPath<(i64, String)>,
    params: Result<Query<UploadParams>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<(StatusCode, Json<AttachmentView>)> {
    check_uuid(&attachment_id).map_err(|_| AppError::new(ErrorCode::ValidationFailed, "附件编号格式无效"))?;
    let Query(params) = params.map_err(|_| AppError::new(ErrorCode::ValidationFailed, "请提供附件文件名（name）"))?;
    let name = check_file_name(&params.name)?;
    if let Some(v) = &params.visit_id {
        check_uuid(v).map_err(|_| AppError::new(ErrorCode::ValidationFailed, "走访记录编号格式无效"))?;
    }
    if body.is_empty() {
        return Err(AppError::new(ErrorCode::ValidationFailed, "附件内容为空"));
    }
    if body.len() > MAX_ATTACHMENT_BYTES {
        return Err(AppError::new(ErrorCode::PayloadTooLarge, "附件不能超过 5 MB"));
    }
    let claimed = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let actual = sniff(&body)
        .ok_or_else(|| AppError::new(ErrorCode::UnsupportedMediaType, "只接受 JPEG、PNG、WebP 图片或 PDF 扫描件"))?;
    if claimed.split(';').next().unwrap_or("").trim() != actual {
        return Err(AppError::new(ErrorCode::UnsupportedMediaType, "附件类型与内容不符"));
    }
    let sha: String = Sha256::digest(&body).iter().map(|b| format!("{b:02x}")).collect();

    let mut w = Write::begin(&ctx.db, 1).await?;
    // Out of scope and missing answer alike, so case ids cannot be walked.
    let case = user.scope().case_for_write(w.conn(), case_id).await?.ok_or_else(AppError::not_found)?;
    if let Some(row) = sqlx::query("SELECT case_id, sha256 FROM attachments WHERE id = $1")
        .bind(&attachment_id)
        .fetch_optional(w.conn())
        .await?
    {
        // A retried upload of the same file is the same attachment.
        let (c, h): (i64, String) = (row.try_get("case_id")?, row.try_get("sha256")?);
        drop(w);
        if c != case_id || h != sha {
            return Err(AppError::new(ErrorCode::Conflict, "附件编号已被其他文件使用"));
        }
        let view = find(&ctx, &attachment_id).await?.ok_or_else(AppError::not_found)?;
        return Ok((StatusCode::OK, Json(view)));
    }
    if !case.stage.accepts_records() {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("该事项已{}，不能再添加照片或附件", case.stage.label()),
        ));
    }
    // A visit's photo is dated by its visit; any other file by now.
    let taken_at = match &params.visit_id {
        Some(visit_id) => {
            let row = sqlx::query("SELECT visited_at FROM visits WHERE id = $1 AND case_id = $2")
                .bind(visit_id)
                .bind(case_id)
                .fetch_optional(w.conn())
                .await?
                .ok_or_else(|| {
                    AppError::new(
                        ErrorCode::Conflict,
                        "照片所属的走访记录未被接受（已被退回或不属于该事项），照片不能上传",
                    )
                })?;
            shared::validation::parse_local_datetime(&row.try_get::<String, _>(0)?)?
        }
        None => shared::time::china_local(chrono::Utc::now()),
    };
    let mine_until = crate::workflow::assignment_ended(&mut w, case_id, user.id).await?;
    may_record(Actor { id: user.id, role: user.role }, &crate::workflow::handling(&case), taken_at, mine_until)?;

    store(&ctx.data_dir, &sha, &attachment_id, &body).await?;
    let seq = w.next_seq().await?;
    let at = now_text();
    sqlx::query(
        "INSERT INTO attachments (id, case_id, file_name, content_type, size, sha256, uploaded_by, at, rev, visit_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&attachment_id)
    .bind(case_id)
    .bind(&name)
    .bind(actual)
    .bind(body.len() as i64)
    .bind(&sha)
    .bind(user.id)
    .bind(&at)
    .bind(seq)
    .bind(&params.visit_id)
    .execute(w.conn())
    .await?;
    w.touch_case(case_id, seq);
    audit::record(
        &mut w,
        AuditEntry {
            actor_id: Some(user.id),
            action: "attachment.add",
            entity: "attachment",
            entity_id: attachment_id.clone(),
            before: None,
            after: Some(serde_json::json!({"case_id": case_id, "visit_id": params.visit_id, "name": name, "type": actual, "size": body.len(), "sha256": sha})),
        },
    )
    .await?;
    w.commit().await?;
    let view = find(&ctx, &attachment_id).await?.ok_or_else(AppError::not_found)?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Keeps `bytes` under `data/attachments/<sha256>` (once: the same file is
/// stored once, whoever uploads it). `tag` makes the temporary name unique.
pub async fn store(data_dir: &std::path::Path, sha: &str, tag: &str, bytes: &[u8]) -> AppResult<()> {
    let dir = data_dir.join("attachments");
    tokio::fs::create_dir_all(&dir).await.map_err(io_error)?;
    let path = dir.join(sha);
    if tokio::fs::metadata(&path).await.is_err() {
        // Write to a temporary name and rename: a crash never leaves half a file under the hash.
        let tmp = dir.join(format!("{sha}.{tag}.tmp"));
        tokio::fs::write(&tmp, bytes).await.map_err(io_error)?;
        tokio::fs::rename(&tmp, &path).await.map_err(io_error)?;
    }
    Ok(())
}

/// Reads the stored file with hash `sha`.
pub async fn load(data_dir: &std::path::Path, sha: &str) -> AppResult<Vec<u8>> {
    tokio::fs::read(data_dir.join("attachments").join(sha)).await.map_err(io_error)
}

/// A file name as uploaded: 1–120 characters, no path, no control characters.
pub fn check_file_name(name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > 120
        || name.contains(['/', '\\'])
        || shared::validation::has_control_chars(name)
    {
        return Err(AppError::new(ErrorCode::ValidationFailed, "附件文件名无效"));
    }
    Ok(name.to_string())
}

fn io_error(e: std::io::Error) -> AppError {
    tracing::error!(error = %e, "attachment storage");
    AppError::new(ErrorCode::Internal, "附件保存失败，请稍后重试")
}

fn view_from_row(r: &sqlx::any::AnyRow) -> Result<AttachmentView, sqlx::Error> {
    Ok(AttachmentView {
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        file_name: r.try_get("file_name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        uploaded_by_name: r.try_get("uploaded_by_name")?,
        at: r.try_get("at")?,
    })
}

async fn find(ctx: &ApiContext, id: &str) -> AppResult<Option<AttachmentView>> {
    let row = sqlx::query(
        "SELECT a.*, u.display_name AS uploaded_by_name FROM attachments a JOIN users u ON u.id = a.uploaded_by WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(&ctx.db.pool)
    .await?;
    Ok(row.map(|r| view_from_row(&r)).transpose()?)
}

/// The attachments of a case (already known to be in scope).
pub async fn of_case(pool: &sqlx::AnyPool, case_id: i64) -> AppResult<Vec<AttachmentView>> {
    let rows = sqlx::query(
        "SELECT a.*, u.display_name AS uploaded_by_name FROM attachments a JOIN users u ON u.id = a.uploaded_by \
         WHERE a.case_id = $1 ORDER BY a.at, a.id",
    )
    .bind(case_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(view_from_row).collect::<Result<_, _>>()?)
}

#[utoipa::path(get, path = "/api/attachments/{attachment_id}", tag = "attachments", params(("attachment_id" = String, Path, pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")), responses((status = 200, description = "文件内容", content_type = "application/octet-stream"), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
async fn download(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(attachment_id): ApiPath<String>,
) -> AppResult<Response> {
    let view = find(&ctx, &attachment_id).await?.ok_or_else(AppError::not_found)?;
    // The attachment is visible exactly when its case is.
    if user.scope().find_case(&ctx.db.pool, view.case_id, Contact::Hide).await?.is_none() {
        return Err(AppError::not_found());
    }
    let bytes = load(&ctx.data_dir, &view.sha256).await?;
    Ok((
        [
            (header::CONTENT_TYPE, view.content_type.clone()),
            (header::CACHE_CONTROL, "private, max-age=31536000, immutable".to_string()),
        ],
        bytes,
    )
        .into_response())
}
