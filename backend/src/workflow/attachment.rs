//! Adding an attachment to a case (一案一档): the row, under a new change
//! sequence number that raises the case's revision at commit, and its audit
//! entry. The caller has checked the authority and stored the file.

use crate::db::attachments::NewAttachment;
use crate::db::audit::{self, AuditEntry};
use crate::db::{now_text, Write};
use crate::error::AppResult;

/// Records attachment `a` (its file already stored) in the write `w`.
pub async fn add(w: &mut Write, a: &NewAttachment<'_>) -> AppResult<()> {
    let seq = w.next_seq().await?;
    let at = now_text();
    crate::db::attachments::insert(w.conn(), a, &at, seq).await?;
    w.touch_case(a.case_id, seq);
    audit::record(
        w,
        AuditEntry {
            actor_id: Some(a.uploaded_by),
            action: "attachment.add",
            entity: "attachment",
            entity_id: a.id.to_string(),
            before: None,
            after: Some(serde_json::json!({"case_id": a.case_id, "visit_id": a.visit_id, "name": a.file_name, "type": a.content_type, "size": a.size, "sha256": a.sha256})),
        },
    )
    .await?;
    Ok(())
}
