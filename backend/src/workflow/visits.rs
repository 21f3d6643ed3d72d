//! A visit (走访) appended to a matter, and when an agent's assignment to
//! a matter ended (their visits before it are still accepted).

use super::*;

/// Appends a visit to a case inside `w`. Returns `Ok(false)` when this very
/// visit (same id, same case) is already stored: appending is idempotent.
/// Refusals are `ApiError`s with a Chinese message; nothing is written then.
pub async fn add_visit(w: &mut Write, user: &CurrentUser, v: &CheckedVisit) -> Result<bool, AppError> {
    // A batch of visits usually goes to a few cases: what the rules need of
    // a case (and of its assignments) is read once per batch. Commands and
    // undone changes drop it (`Write`).
    let (case, mine_until) = match w.cached_case(v.case_id, user.id) {
        Some(found) => found,
        None => {
            // Out of scope and missing answer alike, so case ids cannot be walked.
            let case = user.scope().case_for_write(w.conn(), v.case_id).await?.ok_or_else(AppError::not_found)?;
            let mine_until = assignment_ended(w, v.case_id, user.id).await?;
            w.cache_case(user.id, &case, mine_until);
            (case, mine_until)
        }
    };
    if !case.stage.accepts_records() {
        return Err(
            ApiError::new(ErrorCode::Conflict, format!("该事项已{}，不能再添加走访记录", case.stage.label())).into()
        );
    }
    may_record(Actor { id: user.id, role: user.role }, &handling(&case), v.visited_at, mine_until)?;
    let seq = w.next_seq().await?;
    // The audit head before the one write, so nothing after the write can
    // fail: a refused visit has written nothing, and the sync push need not
    // wrap each visit in a savepoint (`sync::apply_part`).
    audit::head(w).await?;
    // Appending is idempotent: a visit already stored (same id) is not
    // written again; one stored under another case is refused.
    let stored_under = match w.deferred_visit(&v.id) {
        // A sync push looked the batch's ids up at once: the row is written
        // with the others at the end of the part.
        Some(None) => {
            let row = [
                Cell::Text(Some(v.id.clone())),
                Cell::Int(Some(v.case_id)),
                Cell::Text(Some(v.wire.visited_at.clone())),
                Cell::Text(Some(v.method.as_str().to_string())),
                Cell::Text(Some(v.note.clone())),
                Cell::Int(Some(user.id)),
                Cell::Text(Some(now_text())),
                Cell::Int(Some(seq)),
                Cell::Int(v.position.map(|p| p.lat_e6)),
                Cell::Int(v.position.map(|p| p.lng_e6)),
                Cell::Int(v.position.map(|p| p.accuracy_m)),
            ];
            w.defer_visit(&v.id, v.case_id, row);
            None
        }
        Some(Some(case_id)) => Some(case_id),
        None => {
            let inserted = sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO {VISIT_COLUMNS} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING"
            )))
            .bind(&v.id)
            .bind(v.case_id)
            .bind(&v.wire.visited_at)
            .bind(v.method.as_str())
            .bind(&v.note)
            .bind(user.id)
            .bind(now_text())
            .bind(seq)
            .bind(v.position.map(|p| p.lat_e6))
            .bind(v.position.map(|p| p.lng_e6))
            .bind(v.position.map(|p| p.accuracy_m))
            .execute(w.conn())
            .await?
            .rows_affected();
            if inserted == 0 {
                Some(
                    sqlx::query("SELECT case_id FROM visits WHERE id = $1")
                        .bind(&v.id)
                        .fetch_one(w.conn())
                        .await?
                        .try_get(0)?,
                )
            } else {
                None
            }
        }
    };
    if let Some(existing) = stored_under {
        return if existing == v.case_id {
            Ok(false)
        } else {
            Err(ApiError::new(ErrorCode::Conflict, "记录编号已被其他事项使用").into())
        };
    }
    w.touch_case(v.case_id, seq);
    audit::record(
        w,
        AuditEntry {
            actor_id: Some(user.id),
            action: "visit.add",
            entity: "visit",
            entity_id: v.id.clone(),
            before: None,
            after: serde_json::to_value(&v.wire).ok(),
        },
    )
    .await?;
    Ok(true)
}

/// When the case's last assignment to `agent` ended (China local time), if
/// it was assigned to them and no longer is.
pub async fn assignment_ended(w: &mut Write, case_id: i64, agent: i64) -> Result<Option<NaiveDateTime>, AppError> {
    let row = sqlx::query("SELECT MAX(ended_at) FROM case_assignments WHERE case_id = $1 AND agent_id = $2")
        .bind(case_id)
        .bind(agent)
        .fetch_one(w.conn())
        .await?;
    let ended: Option<String> = row.try_get(0)?;
    Ok(ended
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| china_local(t.with_timezone(&chrono::Utc))))
}
