//! The reward fund's quarterly batches: reading them with their claims and
//! steps, each step of the chain written, and the batches in public notice
//! for the public page.

use crate::db::now_text;
use crate::db::reward::{budget_of, claims, committed_and_paid, dec, ClaimsOf};
use crate::db::scope::Scope;
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use shared::org::Role;
use shared::reward::{batch_budget_warning, money_text, BatchStage, BatchStepView, BatchView, ClaimStatus};
use sqlx::any::AnyRow;
use sqlx::Row;

/// A batch as stored.
pub struct BatchRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_path: String,
    pub unit_name: String,
    pub year: i32,
    pub quarter: u32,
    pub stage: BatchStage,
    pub treasury_ref: Option<String>,
}

fn opt_date(r: &AnyRow, col: &str) -> Result<Option<NaiveDate>, sqlx::Error> {
    let s: Option<String> = r.try_get(col)?;
    s.map(|s| s.parse().map_err(|e: chrono::ParseError| sqlx::Error::Decode(e.into()))).transpose()
}

fn batch_row(r: &AnyRow) -> Result<BatchRow, sqlx::Error> {
    let stage: String = r.try_get("stage")?;
    let missing = || sqlx::Error::Decode("batch dates missing".into());
    let stage = match stage.as_str() {
        "draft" => BatchStage::Draft,
        "township_reviewed" => BatchStage::TownshipReviewed,
        "in_notice" => BatchStage::InNotice {
            published: opt_date(r, "notice_published")?.ok_or_else(missing)?,
            ends: opt_date(r, "notice_ends")?.ok_or_else(missing)?,
        },
        "county_reviewed" => BatchStage::CountyReviewed,
        "league_approved" => BatchStage::LeagueApproved,
        "paid" => BatchStage::Paid { on: opt_date(r, "paid_on")?.ok_or_else(missing)? },
        other => return Err(sqlx::Error::Decode(format!("batch stage {other}").into())),
    };
    Ok(BatchRow {
        id: r.try_get("id")?,
        unit_id: r.try_get("unit_id")?,
        unit_path: r.try_get("unit_path")?,
        unit_name: r.try_get("unit_name")?,
        year: r.try_get::<i64, _>("year")? as i32,
        quarter: r.try_get::<i64, _>("quarter")? as u32,
        stage,
        treasury_ref: r.try_get("treasury_ref")?,
    })
}

fn stage_code(s: BatchStage) -> &'static str {
    match s {
        BatchStage::Draft => "draft",
        BatchStage::TownshipReviewed => "township_reviewed",
        BatchStage::InNotice { .. } => "in_notice",
        BatchStage::CountyReviewed => "county_reviewed",
        BatchStage::LeagueApproved => "league_approved",
        BatchStage::Paid { .. } => "paid",
    }
}

/// A batch in the scope: batches of the user's township or of the
/// townships below their banner or league.
pub async fn batch_in_scope(conn: &mut sqlx::AnyConnection, scope: &Scope, id: i64) -> AppResult<Option<BatchRow>> {
    let row = sqlx::query(
        "SELECT b.*, u.name AS unit_name FROM reward_batches b JOIN units u ON u.id = b.unit_id \
         WHERE b.id = $1 AND b.unit_path LIKE $2",
    )
    .bind(id)
    .bind(scope.path_pattern().to_string())
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => Ok(Some(batch_row(&row)?)),
        None => Ok(None),
    }
}

/// The batches in the scope, the latest quarter first.
pub async fn batches_in_scope(conn: &mut sqlx::AnyConnection, scope: &Scope) -> AppResult<Vec<BatchRow>> {
    let rows = sqlx::query(
        "SELECT b.*, u.name AS unit_name FROM reward_batches b JOIN units u ON u.id = b.unit_id \
         WHERE b.unit_path LIKE $1 ORDER BY b.year DESC, b.quarter DESC, b.id",
    )
    .bind(scope.path_pattern().to_string())
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().map(batch_row).collect::<Result<Vec<_>, _>>()?)
}

/// A batch with its claims in the scope, its steps, its total and, unless
/// paid, the warning if it would go beyond the year's budget.
pub async fn batch_view(conn: &mut sqlx::AnyConnection, scope: &Scope, b: BatchRow) -> AppResult<BatchView> {
    let claims = claims(conn, scope, ClaimsOf::Batch(b.id)).await?;
    let total: Decimal = claims.iter().filter(|c| c.status != ClaimStatus::Stopped).map(|c| c.amount).sum();
    let steps = sqlx::query(
        "SELECT s.*, u.display_name, u.role FROM reward_batch_steps s JOIN users u ON u.id = s.actor_id \
         WHERE s.batch_id = $1 ORDER BY s.id",
    )
    .bind(b.id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| -> Result<BatchStepView, sqlx::Error> {
        let step: String = r.try_get("step")?;
        let role: String = r.try_get("role")?;
        let on: String = r.try_get("on_date")?;
        Ok(BatchStepView {
            label: shared::reward::batch_step_label(&step).to_string(),
            step,
            opinion: r.try_get("opinion")?,
            actor_name: r.try_get("display_name")?,
            actor_role: Role::parse(&role).map_or(role.clone(), |r| r.label().to_string()),
            on: on.parse().map_err(|e: chrono::ParseError| sqlx::Error::Decode(e.into()))?,
            at: r.try_get("at")?,
        })
    })
    .collect::<Result<Vec<_>, _>>()?;
    let budget_warning = if matches!(b.stage, BatchStage::Paid { .. }) {
        None
    } else {
        let budget = budget_of(conn, b.year).await?;
        let (others, _) = committed_and_paid(conn, b.year, Some(b.id)).await?;
        batch_budget_warning(b.year, budget, others, total)
    };
    Ok(BatchView {
        id: b.id,
        unit_id: b.unit_id,
        unit_name: b.unit_name,
        year: b.year,
        quarter: b.quarter,
        stage_label: b.stage.label().to_string(),
        stage: b.stage,
        total,
        total_text: money_text(total),
        treasury_ref: b.treasury_ref,
        claims,
        steps,
        budget_warning,
    })
}

/// Whether the unit has a batch for the quarter.
pub async fn batch_exists(conn: &mut sqlx::AnyConnection, unit_id: i64, year: i32, quarter: u32) -> AppResult<bool> {
    let exists = sqlx::query("SELECT id FROM reward_batches WHERE unit_id = $1 AND year = $2 AND quarter = $3")
        .bind(unit_id)
        .bind(i64::from(year))
        .bind(i64::from(quarter))
        .fetch_optional(conn)
        .await?;
    Ok(exists.is_some())
}

/// A new draft batch of the unit for the quarter, created now: its id.
pub async fn insert_batch(
    conn: &mut sqlx::AnyConnection,
    unit_id: i64,
    unit_path: &str,
    year: i32,
    quarter: u32,
    created_by: i64,
) -> AppResult<i64> {
    Ok(sqlx::query(
        "INSERT INTO reward_batches (unit_id, unit_path, year, quarter, stage, created_by, created_at) \
         VALUES ($1, $2, $3, $4, 'draft', $5, $6) RETURNING id",
    )
    .bind(unit_id)
    .bind(unit_path)
    .bind(i64::from(year))
    .bind(i64::from(quarter))
    .bind(created_by)
    .bind(now_text())
    .fetch_one(conn)
    .await
    .map_err(|e| AppError::once(e, format!("{year}年第{quarter}季度的批次已建立")))?
    .try_get(0)?)
}

/// Puts the township's pending claims filed before `next` into the batch:
/// how many.
pub async fn take_pending_claims(
    conn: &mut sqlx::AnyConnection,
    batch: i64,
    township: i64,
    next: NaiveDate,
) -> AppResult<u64> {
    // Filed before the quarter's next day (stored times are UTC text; the
    // date prefix compares as text on both databases).
    Ok(sqlx::query(
        "UPDATE reward_claims SET batch_id = $1, status = 'in_batch' \
         WHERE township_id = $2 AND status = 'pending' AND batch_id IS NULL AND created_at < $3",
    )
    .bind(batch)
    .bind(township)
    .bind(next.to_string())
    .execute(conn)
    .await?
    .rows_affected())
}

/// Records one step of a batch (or a claim of it) with its opinion. Each
/// step happens once per batch (and claim): a second is refused by the
/// unique key `reward_batch_steps_once` as a conflict.
pub async fn insert_step(
    conn: &mut sqlx::AnyConnection,
    batch: i64,
    step: &str,
    claim: Option<i64>,
    opinion: &str,
    actor: i64,
    on: NaiveDate,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO reward_batch_steps (batch_id, step, claim_id, opinion, actor_id, on_date, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(batch)
    .bind(step)
    .bind(claim)
    .bind(opinion)
    .bind(actor)
    .bind(on.to_string())
    .bind(now_text())
    .execute(conn)
    .await
    .map_err(|e| AppError::once(e, "该环节已办理，不能重复办理"))?;
    Ok(())
}

/// The batch's claims still in it are paid.
pub async fn pay_claims(conn: &mut sqlx::AnyConnection, batch: i64) -> AppResult<()> {
    sqlx::query("UPDATE reward_claims SET status = 'paid' WHERE batch_id = $1 AND status = 'in_batch'")
        .bind(batch)
        .execute(conn)
        .await?;
    Ok(())
}

/// The batch moves to stage `next` (its notice or payment dates with it),
/// with the treasury reference if given.
pub async fn set_stage(
    conn: &mut sqlx::AnyConnection,
    batch: i64,
    next: BatchStage,
    treasury_ref: &Option<String>,
) -> AppResult<()> {
    let (published, ends, paid_on) = match next {
        BatchStage::InNotice { published, ends } => (Some(published.to_string()), Some(ends.to_string()), None),
        BatchStage::Paid { on } => (None, None, Some(on.to_string())),
        _ => (None, None, None),
    };
    sqlx::query(
        "UPDATE reward_batches SET stage = $1, notice_published = COALESCE($2, notice_published), \
         notice_ends = COALESCE($3, notice_ends), paid_on = COALESCE($4, paid_on), \
         treasury_ref = COALESCE($5, treasury_ref) WHERE id = $6",
    )
    .bind(stage_code(next))
    .bind(published)
    .bind(ends)
    .bind(paid_on)
    .bind(treasury_ref)
    .bind(batch)
    .execute(conn)
    .await?;
    Ok(())
}

/// A claim is stopped, with the reason.
pub async fn stop_claim(conn: &mut sqlx::AnyConnection, claim_id: i64, reason: &str) -> AppResult<()> {
    sqlx::query("UPDATE reward_claims SET status = 'stopped', stopped_reason = $1 WHERE id = $2")
        .bind(reason)
        .bind(claim_id)
        .execute(conn)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------- public notice

/// One line of the public notice: the agent's name and unit, the category
/// and the amount — never an ID number, an account or the citizen.
pub struct NoticeLine {
    pub agent_name: String,
    pub unit_name: String,
    pub category: String,
    pub amount: String,
}

pub struct NoticeBatch {
    pub township: String,
    pub year: i32,
    pub quarter: u32,
    pub published: String,
    pub ends: String,
    pub office_phone: Option<String>,
    pub lines: Vec<NoticeLine>,
    pub total: String,
}

/// The batches whose public notice runs today, for the public page.
pub async fn notices(pool: &sqlx::AnyPool, today: NaiveDate) -> AppResult<Vec<NoticeBatch>> {
    let rows = sqlx::query(
        "SELECT b.id, b.year, b.quarter, b.notice_published, b.notice_ends, u.name, u.office_phone \
         FROM reward_batches b JOIN units u ON u.id = b.unit_id \
         WHERE b.stage = 'in_notice' AND b.notice_published <= $1 AND b.notice_ends >= $1 ORDER BY u.name, b.id",
    )
    .bind(today.to_string())
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let lines = sqlx::query(
            "SELECT ag.display_name, un.name AS unit_name, rc.category, rc.amount FROM reward_claims rc \
             JOIN users ag ON ag.id = rc.agent_id JOIN cases c ON c.id = rc.case_id JOIN units un ON un.id = c.unit_id \
             WHERE rc.batch_id = $1 AND rc.status = 'in_batch' ORDER BY rc.id",
        )
        .bind(id)
        .fetch_all(pool)
        .await?;
        let mut total = Decimal::ZERO;
        let mut ls = Vec::new();
        for l in &lines {
            let amount = dec(l, "amount")?;
            total += amount;
            let cat: Option<String> = l.try_get("category")?;
            ls.push(NoticeLine {
                agent_name: l.try_get("display_name")?,
                unit_name: l.try_get("unit_name")?,
                category: cat.map_or("酌情补贴".to_string(), |c| format!("{c}类")),
                amount: money_text(amount),
            });
        }
        out.push(NoticeBatch {
            township: r.try_get("name")?,
            year: r.try_get::<i64, _>("year")? as i32,
            quarter: r.try_get::<i64, _>("quarter")? as u32,
            published: r.try_get("notice_published")?,
            ends: r.try_get("notice_ends")?,
            office_phone: r.try_get("office_phone")?,
            lines: ls,
            total: money_text(total),
        });
    }
    Ok(out)
}
