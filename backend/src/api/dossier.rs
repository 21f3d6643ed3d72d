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
        let html = crate::render::print::disposition_html(&case, d, &urges)?;
        files.push((
            format!("02-信访事项处置单-{}-{}.html", i + 1, crate::render::dossier::safe_name(&d.unit_name)),
            html.into_bytes(),
        ));
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
        let shown = crate::render::dossier::safe_file_name(&a.file_name, &a.content_type);
        let name = format!("05-附件/{:02}-{shown}", i + 1);
        match tokio::fs::read(ctx.data_dir.join("attachments").join(&a.sha256)).await {
            Ok(bytes) => files.push((name, bytes)),
            Err(_) => missing.push(format!("附件文件缺失：{shown}（{}）", local_day(&a.at))),
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
    let manifest = crate::render::dossier::DossierManifest {
        number: case.number.clone(),
        files: files.iter().map(|(n, _)| n.clone()).collect(),
        complete: missing.is_empty(),
        missing,
    };
    let bytes = crate::render::dossier::zip(&case.number, &case.citizen_name, &manifest, &files)?;

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
