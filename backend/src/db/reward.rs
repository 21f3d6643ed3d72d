//! The reward fund's queries: matters' petition records, claims with their
//! typed dossier materials, the year's fund and the year's figures for the
//! performance self-evaluation.

use crate::db::now_text;
use crate::db::scope::Scope;
use crate::error::AppResult;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use shared::reward::{
    category_from_history, fund_warning, mask_account, money_text, ClaimMaterialView, ClaimStatus, ClaimView,
    DossierMaterial, FundView, HistoryView, PetitionHistory, RewardCategory, SelfEvalInput,
};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

pub(crate) fn dec(row: &AnyRow, col: &str) -> Result<Decimal, sqlx::Error> {
    let s: String = row.try_get(col)?;
    s.parse().map_err(|e: rust_decimal::Error| sqlx::Error::Decode(e.into()))
}

fn material_code(m: DossierMaterial) -> &'static str {
    match m {
        DossierMaterial::ResolutionReport => "resolution_report",
        DossierMaterial::AgentDetails => "agent_details",
        DossierMaterial::ProcessRecords => "process_records",
        DossierMaterial::PaymentAccount => "payment_account",
        DossierMaterial::OtherEvidence => "other_evidence",
    }
}

fn material_parse(s: &str) -> Option<DossierMaterial> {
    DossierMaterial::ALL.into_iter().find(|m| material_code(*m) == s)
}

pub(crate) fn category_parse(s: Option<String>) -> Option<RewardCategory> {
    s.and_then(|s| RewardCategory::ALL.into_iter().find(|c| c.letter() == s))
}

// ---------------------------------------------------------------- history

/// A matter's petition record with the category it gives, if recorded.
pub async fn history_of(conn: &mut sqlx::AnyConnection, case_id: i64) -> AppResult<Option<HistoryView>> {
    let row = sqlx::query(
        "SELECT h.*, u.display_name AS recorded_by_name FROM petition_histories h \
         JOIN users u ON u.id = h.recorded_by WHERE h.case_id = $1",
    )
    .bind(case_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let n = |c: &str| -> Result<u32, sqlx::Error> { Ok(r.try_get::<i64, _>(c)?.clamp(0, 999) as u32) };
    let b = |c: &str| -> Result<bool, sqlx::Error> { Ok(r.try_get::<i64, _>(c)? != 0) };
    let history = PetitionHistory {
        record_year: r.try_get::<i64, _>("record_year")? as i32,
        first_year: r.try_get::<i64, _>("first_year")? as i32,
        beijing_visits: n("beijing_visits")?,
        beijing_this_year: b("beijing_this_year")?,
        region_visits: n("region_visits")?,
        region_this_year: b("region_this_year")?,
        league_visits: n("league_visits")?,
        league_petitions: n("league_petitions")?,
        key_matter: b("key_matter")?,
        appeal: b("appeal")?,
    };
    let (category, reason) = category_from_history(&history);
    Ok(Some(HistoryView {
        case_id,
        history,
        category,
        amount_text: category.map(|c| money_text(c.amount())),
        reason,
        recorded_by_name: r.try_get("recorded_by_name")?,
        recorded_at: r.try_get("recorded_at")?,
    }))
}

/// The unit path of a matter (which must exist).
pub async fn case_unit_path(conn: &mut sqlx::AnyConnection, case_id: i64) -> AppResult<String> {
    Ok(sqlx::query("SELECT unit_path FROM cases WHERE id = $1").bind(case_id).fetch_one(conn).await?.try_get(0)?)
}

/// Replaces a matter's petition record (at the matter's unit `path`).
pub async fn replace_history(
    conn: &mut sqlx::AnyConnection,
    case_id: i64,
    path: &str,
    h: &PetitionHistory,
    recorded_by: i64,
) -> AppResult<()> {
    sqlx::query("DELETE FROM petition_histories WHERE case_id = $1").bind(case_id).execute(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO petition_histories (case_id, unit_path, record_year, first_year, beijing_visits, beijing_this_year, \
         region_visits, region_this_year, league_visits, league_petitions, key_matter, appeal, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(case_id)
    .bind(path)
    .bind(i64::from(h.record_year))
    .bind(i64::from(h.first_year))
    .bind(i64::from(h.beijing_visits))
    .bind(i64::from(h.beijing_this_year))
    .bind(i64::from(h.region_visits))
    .bind(i64::from(h.region_this_year))
    .bind(i64::from(h.league_visits))
    .bind(i64::from(h.league_petitions))
    .bind(i64::from(h.key_matter))
    .bind(i64::from(h.appeal))
    .bind(recorded_by)
    .bind(now_text())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- claims

const CLAIM_SELECT: &str = "SELECT rc.*, c.number AS case_number, un.name AS unit_name, \
     ag.display_name AS agent_name, cb.display_name AS claimed_by_name \
     FROM reward_claims rc JOIN cases c ON c.id = rc.case_id JOIN units un ON un.id = c.unit_id \
     JOIN users ag ON ag.id = rc.agent_id JOIN users cb ON cb.id = rc.claimed_by \
     WHERE (rc.unit_path LIKE $1 OR rc.agent_id = $2)";

async fn claim_view(conn: &mut sqlx::AnyConnection, r: &AnyRow) -> AppResult<ClaimView> {
    let id: i64 = r.try_get("id")?;
    let rows = sqlx::query(
        "SELECT m.material, m.attachment_id, a.file_name, a.content_type FROM reward_claim_materials m \
         JOIN attachments a ON a.id = m.attachment_id WHERE m.claim_id = $1 ORDER BY m.material, m.attachment_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut materials = Vec::new();
    for m in rows {
        let code: String = m.try_get("material")?;
        let Some(material) = material_parse(&code) else { continue };
        materials.push(ClaimMaterialView {
            material,
            label: material.label().to_string(),
            attachment_id: m.try_get("attachment_id")?,
            file_name: shared::validation::shown_file_name(
                &m.try_get::<String, _>("file_name")?,
                &m.try_get::<String, _>("content_type")?,
            ),
        });
    }
    materials.sort_by_key(|m| (m.material, m.attachment_id.clone()));
    let status: String = r.try_get("status")?;
    let status = ClaimStatus::parse(&status).ok_or_else(|| sqlx::Error::Decode(format!("status {status}").into()))?;
    let amount = dec(r, "amount")?;
    let account: String = r.try_get("account_number")?;
    Ok(ClaimView {
        id,
        case_id: r.try_get("case_id")?,
        case_number: r.try_get("case_number")?,
        unit_name: r.try_get("unit_name")?,
        agent_id: r.try_get("agent_id")?,
        agent_name: r.try_get("agent_name")?,
        claimed_by_name: r.try_get("claimed_by_name")?,
        kind: r.try_get("kind")?,
        category: category_parse(r.try_get("category")?),
        proposed_category: category_parse(r.try_get("proposed_category")?),
        category_reason: r.try_get("category_reason")?,
        justification: r.try_get("justification")?,
        amount,
        amount_text: money_text(amount),
        league_approval: r.try_get("league_approval")?,
        account_name: r.try_get("account_name")?,
        account_masked: mask_account(&account),
        status,
        status_label: status.label().to_string(),
        batch_id: r.try_get("batch_id")?,
        stopped_reason: r.try_get("stopped_reason")?,
        materials,
        created_at: r.try_get("created_at")?,
    })
}

/// Which of the claims in a scope [`claims`] reads.
#[derive(Debug, Clone, Copy)]
pub enum ClaimsOf {
    All,
    /// The claim with this id.
    Id(i64),
    /// The claims of this batch.
    Batch(i64),
}

/// The claims in `scope` (of its unit path, or filed for its user), by id.
pub async fn claims(conn: &mut sqlx::AnyConnection, scope: &Scope, of: ClaimsOf) -> AppResult<Vec<ClaimView>> {
    let (tail, arg) = match of {
        ClaimsOf::All => ("", None),
        ClaimsOf::Id(id) => ("AND rc.id = $3", Some(id)),
        ClaimsOf::Batch(id) => ("AND rc.batch_id = $3", Some(id)),
    };
    let sql = format!("{CLAIM_SELECT} {tail} ORDER BY rc.id");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(scope.path_pattern().to_string()).bind(scope.user_id());
    if let Some(a) = arg {
        q = q.bind(a);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(claim_view(conn, r).await?);
    }
    Ok(out)
}

/// The township a matter at `case_path` belongs to (its batches are the
/// township's), if any.
pub async fn township_of(conn: &mut sqlx::AnyConnection, case_path: &str) -> AppResult<Option<i64>> {
    let row = sqlx::query(
        "SELECT id FROM units WHERE kind = 'township' AND $1 LIKE path || '%' ORDER BY LENGTH(path) DESC LIMIT 1",
    )
    .bind(case_path)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(r) => Ok(Some(r.try_get(0)?)),
        None => Ok(None),
    }
}

/// The claim already filed on a matter, if any.
pub async fn claim_on_case(conn: &mut sqlx::AnyConnection, case_id: i64) -> AppResult<Option<i64>> {
    match sqlx::query("SELECT id FROM reward_claims WHERE case_id = $1").bind(case_id).fetch_optional(conn).await? {
        Some(r) => Ok(Some(r.try_get(0)?)),
        None => Ok(None),
    }
}

/// Keeps a refused second claim on a matter for the league's integrity check.
pub async fn insert_duplicate_attempt(
    conn: &mut sqlx::AnyConnection,
    case_id: i64,
    existing_claim_id: i64,
    claimant_id: i64,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO reward_duplicate_attempts (case_id, existing_claim_id, claimant_id, at) VALUES ($1, $2, $3, $4)",
    )
    .bind(case_id)
    .bind(existing_claim_id)
    .bind(claimant_id)
    .bind(now_text())
    .execute(conn)
    .await?;
    Ok(())
}

/// What a claim's rules need to know of the person rewarded.
pub struct AgentFacts {
    /// `None`: not an agent.
    pub agent_kind: Option<String>,
    pub registered: bool,
    pub public_employee: bool,
}

/// The person `agent_id`, if they exist.
pub async fn agent_facts(conn: &mut sqlx::AnyConnection, agent_id: i64) -> AppResult<Option<AgentFacts>> {
    let Some(agent) = sqlx::query("SELECT agent_kind, registered, public_employee FROM users WHERE id = $1")
        .bind(agent_id)
        .fetch_optional(conn)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(AgentFacts {
        agent_kind: agent.try_get("agent_kind")?,
        registered: agent.try_get::<i64, _>("registered")? != 0,
        public_employee: agent.try_get::<i64, _>("public_employee")? != 0,
    }))
}

/// Whether `agent_id` was ever assigned to the matter.
pub async fn agent_assigned(conn: &mut sqlx::AnyConnection, case_id: i64, agent_id: i64) -> AppResult<bool> {
    let assigned: i64 = sqlx::query("SELECT COUNT(*) FROM case_assignments WHERE case_id = $1 AND agent_id = $2")
        .bind(case_id)
        .bind(agent_id)
        .fetch_one(conn)
        .await?
        .try_get(0)?;
    Ok(assigned > 0)
}

/// Whether attachment `attachment_id` belongs to the matter.
pub async fn attachment_on_case(conn: &mut sqlx::AnyConnection, attachment_id: &str, case_id: i64) -> AppResult<bool> {
    let on_case = sqlx::query("SELECT 1 FROM attachments WHERE id = $1 AND case_id = $2")
        .bind(attachment_id)
        .bind(case_id)
        .fetch_optional(conn)
        .await?;
    Ok(on_case.is_some())
}

/// A claim to file (pending, filed now).
pub struct NewClaim<'a> {
    pub case_id: i64,
    pub unit_path: &'a str,
    pub township_id: i64,
    pub agent_id: i64,
    pub claimed_by: i64,
    /// `resolved` or `partial_subsidy`.
    pub kind: &'a str,
    pub category: Option<RewardCategory>,
    pub proposed_category: Option<RewardCategory>,
    pub category_reason: &'a str,
    pub justification: &'a str,
    pub amount: Decimal,
    pub league_approval: &'a Option<String>,
    pub account_name: &'a str,
    pub account_number: &'a str,
}

/// Files a claim; `None` if the matter has a claim already (a concurrent
/// claim won the race: the unique index refused this one).
pub async fn insert_claim(conn: &mut sqlx::AnyConnection, c: &NewClaim<'_>) -> AppResult<Option<i64>> {
    let inserted = sqlx::query(
        "INSERT INTO reward_claims (case_id, unit_path, township_id, agent_id, claimed_by, kind, category, proposed_category, \
         category_reason, justification, amount, league_approval, account_name, account_number, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
    )
    .bind(c.case_id)
    .bind(c.unit_path)
    .bind(c.township_id)
    .bind(c.agent_id)
    .bind(c.claimed_by)
    .bind(c.kind)
    .bind(c.category.map(|c| c.letter().to_string()))
    .bind(c.proposed_category.map(|c| c.letter().to_string()))
    .bind(c.category_reason)
    .bind(c.justification)
    .bind(money_text(c.amount))
    .bind(c.league_approval)
    .bind(c.account_name)
    .bind(c.account_number)
    .bind(ClaimStatus::Pending.as_str())
    .bind(now_text())
    .fetch_one(conn)
    .await;
    match inserted {
        Ok(r) => Ok(Some(r.try_get(0)?)),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A claim's typed materials, in order.
pub async fn insert_claim_materials(
    conn: &mut sqlx::AnyConnection,
    claim_id: i64,
    materials: &[(DossierMaterial, String)],
) -> AppResult<()> {
    for (m, a) in materials {
        sqlx::query("INSERT INTO reward_claim_materials (claim_id, material, attachment_id) VALUES ($1, $2, $3)")
            .bind(claim_id)
            .bind(material_code(*m))
            .bind(a)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A claim's full account number (private: for the payment list only).
pub async fn account_number(pool: &AnyPool, claim_id: i64) -> AppResult<String> {
    Ok(sqlx::query("SELECT account_number FROM reward_claims WHERE id = $1")
        .bind(claim_id)
        .fetch_one(pool)
        .await?
        .try_get(0)?)
}

// ---------------------------------------------------------------- fund

/// The year's budget, if set.
pub async fn budget_of(conn: &mut sqlx::AnyConnection, year: i32) -> AppResult<Option<Decimal>> {
    let row = sqlx::query("SELECT budget FROM reward_funds WHERE year = $1")
        .bind(i64::from(year))
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| dec(&r, "budget")).transpose()?)
}

/// Amounts committed in the year's batches (claims not stopped), and paid;
/// leaving out one batch when asked (to check that batch against the rest).
pub async fn committed_and_paid(
    conn: &mut sqlx::AnyConnection,
    year: i32,
    except_batch: Option<i64>,
) -> AppResult<(Decimal, Decimal)> {
    let rows = sqlx::query(
        "SELECT rc.amount, rc.status, rc.batch_id FROM reward_claims rc JOIN reward_batches b ON b.id = rc.batch_id \
         WHERE b.year = $1 AND rc.status IN ('in_batch', 'paid')",
    )
    .bind(i64::from(year))
    .fetch_all(conn)
    .await?;
    let (mut committed, mut paid) = (Decimal::ZERO, Decimal::ZERO);
    for r in rows {
        let batch: Option<i64> = r.try_get("batch_id")?;
        if except_batch.is_some() && batch == except_batch {
            continue;
        }
        let amount = dec(&r, "amount")?;
        committed += amount;
        if r.try_get::<String, _>("status")? == ClaimStatus::Paid.as_str() {
            paid += amount;
        }
    }
    Ok((committed, paid))
}

/// The year's fund as of `today`: budget, committed, paid and what remains,
/// with the warning when the fund runs low or has no budget yet.
pub async fn fund_view(conn: &mut sqlx::AnyConnection, year: i32, today: NaiveDate) -> AppResult<FundView> {
    let budget = budget_of(conn, year).await?.unwrap_or(Decimal::ZERO);
    let (committed, paid) = committed_and_paid(conn, year, None).await?;
    let remaining = budget - committed;
    let mut warning = fund_warning(year, budget, committed, today);
    if budget == Decimal::ZERO && warning.is_none() {
        warning = Some(format!("{year} 年奖补资金预算尚未下达"));
    }
    Ok(FundView {
        year,
        budget,
        committed,
        paid,
        remaining,
        budget_text: money_text(budget),
        committed_text: money_text(committed),
        paid_text: money_text(paid),
        remaining_text: money_text(remaining),
        execution_rate: (budget > Decimal::ZERO).then(|| (paid / budget).round_dp(4)),
        warning,
    })
}

/// Sets the year's budget.
pub async fn replace_budget(conn: &mut sqlx::AnyConnection, year: i32, budget: Decimal, set_by: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM reward_funds WHERE year = $1").bind(i64::from(year)).execute(&mut *conn).await?;
    sqlx::query("INSERT INTO reward_funds (year, budget, set_by, set_at) VALUES ($1, $2, $3, $4)")
        .bind(i64::from(year))
        .bind(money_text(budget))
        .bind(set_by)
        .bind(now_text())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The year's facts for the self-evaluation (the whole fund: the league's
/// table); `target_matters` counts the claims in the year's batches, stopped
/// ones excluded.
pub async fn self_eval_input(pool: &AnyPool, year: i32) -> AppResult<SelfEvalInput> {
    let budget: Decimal = match sqlx::query("SELECT budget FROM reward_funds WHERE year = $1")
        .bind(i64::from(year))
        .fetch_optional(pool)
        .await?
    {
        Some(r) => r.try_get::<String, _>(0)?.parse().unwrap_or(Decimal::ZERO),
        None => Decimal::ZERO,
    };
    let rows = sqlx::query(
        "SELECT rc.amount, rc.status, rc.kind, b.paid_on, c.opinion FROM reward_claims rc \
         JOIN reward_batches b ON b.id = rc.batch_id JOIN cases c ON c.id = rc.case_id \
         WHERE b.year = $1 AND rc.status IN ('in_batch', 'paid')",
    )
    .bind(i64::from(year))
    .fetch_all(pool)
    .await?;
    let mut i = SelfEvalInput {
        year,
        budget,
        paid: Decimal::ZERO,
        claims_paid: 0,
        resolved_paid: 0,
        paid_in_year: 0,
        target_matters: 0,
        opinions: 0,
        satisfied: 0,
    };
    for r in &rows {
        i.target_matters += 1;
        if r.try_get::<String, _>("status")? != "paid" {
            continue;
        }
        let amount: String = r.try_get("amount")?;
        i.paid += amount.parse::<Decimal>().unwrap_or(Decimal::ZERO);
        i.claims_paid += 1;
        if r.try_get::<String, _>("kind")? == "resolved" {
            i.resolved_paid += 1;
        }
        let paid_on: Option<String> = r.try_get("paid_on")?;
        if paid_on.is_some_and(|d| d.starts_with(&format!("{year:04}-"))) {
            i.paid_in_year += 1;
        }
        let opinion: Option<String> = r.try_get("opinion")?;
        if let Some(o) = opinion {
            i.opinions += 1;
            if o == "satisfied" || o == "fairly_satisfied" {
                i.satisfied += 1;
            }
        }
    }
    Ok(i)
}
