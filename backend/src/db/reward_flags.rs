//! The league's integrity findings on the reward claims (第十七条): the
//! facts of each claim in scope, the refused second claims, and the
//! referrals to discipline inspection.

use crate::db::now_text;
use crate::db::reward::{category_parse, dec, history_of};
use crate::db::scope::Scope;
use crate::error::AppResult;
use shared::reward::{integrity_flags, ClaimFacts, DuplicateAttempt, IntegrityFlag};
use sqlx::Row;

/// The league's integrity findings on the claims of `scope`'s unit path,
/// each with its referral if one was recorded.
pub async fn current_flags(conn: &mut sqlx::AnyConnection, scope: &Scope) -> AppResult<Vec<IntegrityFlag>> {
    let pattern = scope.path_pattern().to_string();
    let rows = sqlx::query(
        "SELECT rc.id, rc.case_id, rc.agent_id, rc.account_number, rc.amount, rc.category, c.number, c.agent_id AS case_agent, \
         ag.display_name AS agent_name, \
         (SELECT COUNT(*) FROM visits v WHERE v.case_id = rc.case_id) AS visits, \
         (SELECT COUNT(*) FROM case_assignments a WHERE a.case_id = rc.case_id AND a.agent_id = rc.agent_id) AS assigned \
         FROM reward_claims rc JOIN cases c ON c.id = rc.case_id JOIN users ag ON ag.id = rc.agent_id \
         WHERE rc.unit_path LIKE $1 ORDER BY rc.id",
    )
    .bind(&pattern)
    .fetch_all(&mut *conn)
    .await?;
    let mut facts = Vec::with_capacity(rows.len());
    for r in &rows {
        let case_id: i64 = r.try_get("case_id")?;
        let agent_id: i64 = r.try_get("agent_id")?;
        let case_agent: Option<i64> = r.try_get("case_agent")?;
        let history = history_of(conn, case_id).await?;
        facts.push(ClaimFacts {
            claim_id: r.try_get("id")?,
            case_id,
            case_number: r.try_get("number")?,
            agent_id,
            agent_name: r.try_get("agent_name")?,
            account_number: r.try_get("account_number")?,
            amount: dec(r, "amount")?,
            category: category_parse(r.try_get("category")?),
            history_category: history.and_then(|h| h.category),
            visits: r.try_get::<i64, _>("visits")?.clamp(0, i64::from(u32::MAX)) as u32,
            agent_assigned: r.try_get::<i64, _>("assigned")? > 0 || case_agent == Some(agent_id),
        });
    }
    let attempts = sqlx::query(
        "SELECT d.case_id, d.existing_claim_id, u.display_name, d.at FROM reward_duplicate_attempts d \
         JOIN users u ON u.id = d.claimant_id JOIN reward_claims rc ON rc.id = d.existing_claim_id \
         WHERE rc.unit_path LIKE $1 ORDER BY d.id",
    )
    .bind(&pattern)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| -> Result<DuplicateAttempt, sqlx::Error> {
        Ok(DuplicateAttempt {
            case_id: r.try_get(0)?,
            existing_claim_id: r.try_get(1)?,
            claimant_name: r.try_get(2)?,
            at: r.try_get(3)?,
        })
    })
    .collect::<Result<Vec<_>, _>>()?;
    let mut flags = integrity_flags(&facts, &attempts);
    for f in &mut flags {
        let r = sqlx::query(
            "SELECT r.note, r.at, u.display_name FROM reward_referrals r JOIN users u ON u.id = r.referred_by \
             WHERE r.flag_key = $1",
        )
        .bind(&f.key)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(r) = r {
            let (note, at, by): (String, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            f.referral = Some(format!("{by} 于 {at} 移交纪检监察机关：{note}"));
        }
    }
    Ok(flags)
}

/// The finding `key` in the scope, if it (still) stands.
pub async fn flag(conn: &mut sqlx::AnyConnection, scope: &Scope, key: &str) -> AppResult<Option<IntegrityFlag>> {
    Ok(current_flags(conn, scope).await?.into_iter().find(|f| f.key == key))
}

/// Records the referral of `flag` to discipline inspection, with the
/// evidence as it stands.
pub async fn insert_referral(
    conn: &mut sqlx::AnyConnection,
    flag: &IntegrityFlag,
    note: &str,
    referred_by: i64,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO reward_referrals (flag_key, kind, evidence, note, referred_by, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&flag.key)
    .bind(flag.kind.as_str())
    .bind(&flag.evidence)
    .bind(note)
    .bind(referred_by)
    .bind(now_text())
    .execute(conn)
    .await?;
    Ok(())
}
