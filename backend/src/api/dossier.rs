//! 一案一档: the whole file of one matter as one ZIP — the 代办单 and each
//! 处置单 (the printable HTML), the timeline and the visits (CSV), every
//! attachment, and a manifest (清单) of what is in it and what a complete
//! dossier still lacks (`shared::dossier`). Private data are in it, so the
//! same rules as printing apply: only those handling the matter, audited.

use crate::api::extract::ApiPath;
use crate::db::scope::LedgerFilter;
use crate::db::session::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::ApiContext;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use shared::command::CaseCommand;
use shared::dossier::{missing_materials, DossierFacts, TransferFacts};
use shared::error::ErrorCode;
use shared::export::csv_field;
use shared::time::local_day;
use std::io::Write as _;

/// What the manifest says about the dossier (also `manifest.json` inside).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DossierManifest {
    pub number: String,
    /// The files in the ZIP, in order.
    pub files: Vec<String>,
    /// Materials a complete dossier still lacks (empty: complete).
    pub missing: Vec<String>,
    pub complete: bool,
}

/// A file name safe in a ZIP on every system: no path separators or
/// characters Windows refuses.
fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_control() || "/\\:*?\"<>|".contains(c) { '_' } else { c })
        .collect::<String>()
        .trim_start_matches('.')
        .to_string();
    if cleaned.is_empty() {
        "文件".to_string()
    } else {
        cleaned
    }
}

fn zip_error<E>(_: E) -> AppError {
    AppError::new(ErrorCode::Internal, "案卷文件生成失败")
}

/// The dossier (一案一档) of one matter as a ZIP file.
#[utoipa::path(get, path = "/api/cases/{id}/dossier.zip", tag = "cases", params(("id" = i64, Path, minimum = 1, description = "事项编号")), responses((status = 200, description = "一案一档：代办单、处置单、办理过程、走访记录、附件及清单（ZIP）", content_type = "application/zip"), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn dossier_zip(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let scope = user.scope();
    let pool = &ctx.db.pool;
    let all = LedgerFilter::default();
    let case = scope.ledger_cases(pool, &all, Some(id), 1).await?.into_iter().next().ok_or_else(AppError::not_found)?;
    if !scope.handles(case.agent_id) {
        return Err(AppError::new(ErrorCode::Forbidden, "只有办理该事项的人员可以导出案卷"));
    }
    let dispositions = scope.ledger_dispositions(pool, &all, Some(id)).await?;
    let urges = scope.ledger_events(pool, &all, Some(id), "urge").await?;
    let transfers = scope.ledger_events(pool, &all, Some(id), "transfer").await?;
    let follow_ups = scope.ledger_events(pool, &all, Some(id), "follow_up").await?;
    let visits = scope.visits_of_case(pool, id).await?;
    let timeline = crate::db::records::timeline(pool, id).await?;
    let attachments = crate::db::attachments::of_case(pool, id).await?;

    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut missing = Vec::new();
    files.push((
        "01-信访事项代办单.html".to_string(),
        crate::api::print::agency_form_html(&ctx, &headers, &case)?.into_bytes(),
    ));
    for (i, d) in dispositions.iter().enumerate() {
        let html = crate::api::print::disposition_html(&case, d, &urges)?;
        files.push((format!("02-信访事项处置单-{}-{}.html", i + 1, safe_name(&d.unit_name)), html.into_bytes()));
    }
    let mut csv = String::from("\u{feff}时间,操作人,事项\r\n");
    for e in &timeline {
        csv.push_str(&[csv_field(&e.at), csv_field(&e.actor_name), csv_field(&e.label)].join(","));
        csv.push_str("\r\n");
    }
    files.push(("03-办理过程.csv".to_string(), csv.into_bytes()));
    let mut csv = String::from("\u{feff}走访时间,方式,记录人,情况\r\n");
    for v in &visits {
        let row =
            [csv_field(&v.visited_at), csv_field(v.method.label()), csv_field(&v.recorded_by_name), csv_field(&v.note)];
        csv.push_str(&row.join(","));
        csv.push_str("\r\n");
    }
    files.push(("04-走访记录.csv".to_string(), csv.into_bytes()));
    for (i, a) in attachments.iter().enumerate() {
        let name = format!("05-附件/{:02}-{}", i + 1, safe_name(&a.file_name));
        match tokio::fs::read(ctx.data_dir.join("attachments").join(&a.sha256)).await {
            Ok(bytes) => files.push((name, bytes)),
            Err(_) => missing.push(format!("附件文件缺失：{}（{}）", a.file_name, local_day(&a.at))),
        }
    }

    // What a complete dossier must have (shared::dossier), from what is here.
    let facts = DossierFacts {
        closed: case.stage.is_closed(),
        agent_assigned: case.agent_id.is_some(),
        transfers: transfers
            .iter()
            .map(|t| {
                let (unit, unit_id) = match &t.command {
                    CaseCommand::Transfer { unit, unit_id, .. } => (unit.clone(), *unit_id),
                    _ => (t.label.clone(), None),
                };
                let d = dispositions.iter().find(|d| Some(d.unit_id) == unit_id || d.unit_name == unit);
                TransferFacts { unit, disposition: d.is_some(), replied: d.is_some_and(|d| d.result.is_some()) }
            })
            .collect(),
        result: case.result.as_deref().is_some_and(|r| !r.trim().is_empty()),
        opinion: case.opinion.is_some(),
        follow_up: !follow_ups.is_empty(),
    };
    missing.extend(missing_materials(&facts));
    let manifest = DossierManifest {
        number: case.number.clone(),
        files: files.iter().map(|(n, _)| n.clone()).collect(),
        complete: missing.is_empty(),
        missing,
    };
    let mut text = format!("一案一档 · {} · {}\r\n\r\n已收录：\r\n", case.number, case.citizen_name);
    for f in &manifest.files {
        text.push_str(&format!("  {f}\r\n"));
    }
    text.push_str(if manifest.complete { "\r\n材料齐全。\r\n" } else { "\r\n尚缺材料：\r\n" });
    for m in &manifest.missing {
        text.push_str(&format!("  {m}\r\n"));
    }

    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("00-清单.txt", opts).map_err(zip_error)?;
    zip.write_all(text.as_bytes()).map_err(zip_error)?;
    zip.start_file("manifest.json", opts).map_err(zip_error)?;
    zip.write_all(serde_json::to_string_pretty(&manifest).unwrap_or_default().as_bytes()).map_err(zip_error)?;
    for (name, bytes) in &files {
        zip.start_file(name.as_str(), opts).map_err(zip_error)?;
        zip.write_all(bytes).map_err(zip_error)?;
    }
    let bytes = zip.finish().map_err(zip_error)?.into_inner();

    crate::api::cases::audit_contact_read(&ctx, &user, "case.export_dossier", &[case.id]).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"dossier-{}.zip\"; filename*=UTF-8''{}.zip",
                    case.id,
                    crate::api::public::percent(&case.number)
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}
