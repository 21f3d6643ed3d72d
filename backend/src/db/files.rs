//! The stored files of attachments and assessment evidence: the bytes live on
//! disk under `<data>/attachments/<sha256>` (identical files are stored once),
//! and a file's type is checked against its own first bytes, not only its
//! claimed type.

use crate::error::{AppError, AppResult};
use shared::error::ErrorCode;

/// The largest attachment accepted. Phones resize photos before upload.
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;

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

/// The name an upload of (sniffed) `content_type` is stored under
/// ([`shared::validation::clean_file_name`]: the type's extension, no
/// control or format characters).
pub fn stored_name(typed: &str, content_type: &str) -> AppResult<String> {
    Ok(shared::validation::clean_file_name(typed, content_type)?)
}

fn io_error(e: std::io::Error) -> AppError {
    tracing::error!(error = %e, "attachment storage");
    AppError::new(ErrorCode::Internal, "附件保存失败，请稍后重试")
}
