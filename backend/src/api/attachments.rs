//! Attachments: photos and scans belonging to a case (一案一档). The bytes are
//! stored on disk under `<data>/attachments/<sha256>` (identical files are
//! stored once); the table keeps name, type, size and hash. Type and size are
//! checked against the file's own first bytes, not only its claimed type.
//!
//! The HTTP handlers; the SQL is in [`crate::db::attachments`], the file
//! storage and type sniffing in [`crate::db::files`] (re-exported here), the
//! write of a new attachment in [`crate::workflow::attachment`].

use crate::api::extract::ApiPath;
use crate::db::attachments::{find, NewAttachment};
use crate::db::files::{load, sniff, store, stored_name, MAX_ATTACHMENT_BYTES};
use crate::db::scope::Contact;
use crate::db::session::CurrentUser;
use crate::db::Write;
use crate::error::{AppError, AppResult};
use crate::ApiContext;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use shared::authority::{may_record, Actor};
use shared::case::AttachmentView;
use shared::error::ErrorCode;
use shared::validation::check_uuid;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadParams {
    /// The file's name as the user sees it; stored with the extension of
    /// the type its bytes are (`照片.html` as a JPEG is `照片.jpg`), without
    /// control, bidi or zero-width characters.
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
pub async fn upload(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath((case_id, attachment_id)): ApiPath<(i64, String)>,
    params: Result<Query<UploadParams>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<(StatusCode, Json<AttachmentView>)> {
    check_uuid(&attachment_id).map_err(|_| AppError::new(ErrorCode::ValidationFailed, "附件编号格式无效"))?;
    let Query(params) = params.map_err(|_| AppError::new(ErrorCode::ValidationFailed, "请提供附件文件名（name）"))?;
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
    // Stored under the sniffed type's extension, whatever was typed.
    let name = stored_name(&params.name, actual)?;
    let sha: String = Sha256::digest(&body).iter().map(|b| format!("{b:02x}")).collect();

    let mut w = Write::begin(&ctx.db, 1).await?;
    // Out of scope and missing answer alike, so case ids cannot be walked.
    let case = user.scope().case_for_write(w.conn(), case_id).await?.ok_or_else(AppError::not_found)?;
    if let Some((c, h)) = crate::db::attachments::stored(w.conn(), &attachment_id).await? {
        // A retried upload of the same file is the same attachment.
        drop(w);
        if c != case_id || h != sha {
            return Err(AppError::new(ErrorCode::Conflict, "附件编号已被其他文件使用"));
        }
        let view = find(&ctx.db.pool, &attachment_id).await?.ok_or_else(AppError::not_found)?;
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
            let visited_at =
                crate::db::attachments::visit_time(w.conn(), visit_id, case_id).await?.ok_or_else(|| {
                    AppError::new(
                        ErrorCode::Conflict,
                        "照片所属的走访记录未被接受（已被退回或不属于该事项），照片不能上传",
                    )
                })?;
            shared::validation::parse_local_datetime(&visited_at)?
        }
        None => shared::time::china_local(chrono::Utc::now()),
    };
    let mine_until = crate::workflow::assignment_ended(&mut w, case_id, user.id).await?;
    may_record(Actor { id: user.id, role: user.role }, &crate::workflow::handling(&case), taken_at, mine_until)?;

    store(&ctx.data_dir, &sha, &attachment_id, &body).await?;
    let new = NewAttachment {
        id: &attachment_id,
        case_id,
        file_name: &name,
        content_type: actual,
        size: body.len() as i64,
        sha256: &sha,
        uploaded_by: user.id,
        visit_id: params.visit_id.as_deref(),
    };
    crate::workflow::attachment::add(&mut w, &new).await?;
    w.commit().await?;
    let view = find(&ctx.db.pool, &attachment_id).await?.ok_or_else(AppError::not_found)?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/api/attachments/{attachment_id}", tag = "attachments", params(("attachment_id" = String, Path, pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")), responses((status = 200, description = "文件内容", content_type = "application/octet-stream"), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn download(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    ApiPath(attachment_id): ApiPath<String>,
) -> AppResult<Response> {
    let view = find(&ctx.db.pool, &attachment_id).await?.ok_or_else(AppError::not_found)?;
    // The attachment is visible exactly when its case is.
    if user.scope().find_case(&ctx.db.pool, view.case_id, Contact::Hide).await?.is_none() {
        return Err(AppError::not_found());
    }
    let bytes = load(&ctx.data_dir, &view.sha256).await?;
    Ok((
        [
            (header::CONTENT_TYPE, view.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                crate::api::attachments::inline_disposition(&view.file_name, &view.content_type),
            ),
            (header::CACHE_CONTROL, "private, max-age=31536000, immutable".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// `Content-Disposition` of a stored file: inline, under its name as shown
/// ([`shared::validation::shown_file_name`], so rows kept before names were
/// cleaned come out clean too).
pub(crate) fn inline_disposition(stored: &str, content_type: &str) -> String {
    let name = shared::validation::shown_file_name(stored, content_type);
    format!("inline; filename*=UTF-8''{}", crate::api::public::percent(&name))
}
