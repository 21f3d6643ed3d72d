//! The dossier (一案一档) as one ZIP file: a list of what is in it and what
//! is missing (`00-清单.txt`, `manifest.json`), then the files in order.

use crate::error::{AppError, AppResult};
use shared::error::ErrorCode;
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

/// A name part safe in a ZIP on every system: no path separators,
/// characters Windows refuses, control or format (bidi, zero-width)
/// characters.
pub fn safe_name(name: &str) -> String {
    let cleaned = shared::validation::file_name_chars(name);
    let cleaned = cleaned.trim_start_matches('.');
    if cleaned.is_empty() {
        "文件".to_string()
    } else {
        cleaned.to_string()
    }
}

/// A stored file's name in the ZIP: as shown
/// ([`shared::validation::shown_file_name`]: the extension of its sniffed
/// type, whatever name an older row kept).
pub fn safe_file_name(stored: &str, content_type: &str) -> String {
    safe_name(&shared::validation::shown_file_name(stored, content_type))
}

fn zip_error<E>(_: E) -> AppError {
    AppError::new(ErrorCode::Internal, "案卷文件生成失败")
}

/// The ZIP of a matter's dossier: the list, the manifest, then `files`.
pub fn zip(
    number: &str,
    citizen_name: &str,
    manifest: &DossierManifest,
    files: &[(String, Vec<u8>)],
) -> AppResult<Vec<u8>> {
    let mut text = format!("一案一档 · {} · {}\r\n\r\n已收录：\r\n", number, citizen_name);
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
    for (name, bytes) in files {
        zip.start_file(name.as_str(), opts).map_err(zip_error)?;
        zip.write_all(bytes).map_err(zip_error)?;
    }
    let bytes = zip.finish().map_err(zip_error)?.into_inner();

    Ok(bytes)
}
