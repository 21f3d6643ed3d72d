//! SQL of the citizens' public pages: the townships and villages with their
//! agents, a matter named by its number, and what its citizen may see of it.

use crate::error::AppResult;
use shared::case::Stage;
use shared::lifecycle::{HandlingLevel, Lifecycle};
use sqlx::{AnyPool, Row};

/// A township or village on the public home page.
pub struct PublicUnit {
    pub name: String,
    pub office_phone: Option<String>,
    /// Its registered agents' names, in the order they were created.
    pub agents: Vec<String>,
}

/// Townships and villages with their office phones and agents (names are
/// public; agents' own phones are not).
pub async fn units(pool: &AnyPool) -> AppResult<Vec<PublicUnit>> {
    let rows = sqlx::query(
        "SELECT n.id, n.name, n.office_phone, n.path FROM units n WHERE n.kind IN ('township', 'village') ORDER BY n.path",
    )
    .fetch_all(pool)
    .await?;
    let agents = sqlx::query(
        "SELECT u.unit_id, u.display_name FROM users u WHERE u.agent_kind IS NOT NULL AND u.registered <> 0 ORDER BY u.id",
    )
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        let names: Vec<String> = agents
            .iter()
            .filter(|a| a.try_get::<i64, _>("unit_id").ok() == Some(id))
            .filter_map(|a| a.try_get::<String, _>("display_name").ok())
            .collect();
        out.push(PublicUnit { name: r.try_get("name")?, office_phone: r.try_get("office_phone")?, agents: names });
    }
    Ok(out)
}

/// The matter with this number, with what a citizen's key is checked
/// against (its query code and phone).
pub struct Keyed {
    pub id: i64,
    pub query_code: Option<String>,
    pub phone: Option<String>,
}

/// The number alone selects the row: the caller compares the key, so a code
/// and a phone tail take the same path and the same time.
pub async fn by_number(pool: &AnyPool, number: &str) -> AppResult<Option<Keyed>> {
    match sqlx::query("SELECT id, query_code, phone FROM cases WHERE number = $1")
        .bind(number)
        .fetch_optional(pool)
        .await?
    {
        Some(r) => {
            Ok(Some(Keyed { id: r.try_get("id")?, query_code: r.try_get("query_code")?, phone: r.try_get("phone")? }))
        }
        None => Ok(None),
    }
}

/// The stage of matter `id` (`None`: a stage this server does not know).
pub async fn stage(pool: &AnyPool, id: i64) -> AppResult<Option<Stage>> {
    let stage: String =
        sqlx::query("SELECT stage FROM cases WHERE id = $1").bind(id).fetch_one(pool).await?.try_get(0)?;
    Ok(Stage::parse(&stage))
}

/// The stage of matter `id` (`None`: unknown) and the day it is due.
pub async fn stage_and_due(pool: &AnyPool, id: i64) -> AppResult<(Option<Stage>, chrono::NaiveDate)> {
    let overdue = sqlx::query("SELECT stage, due_on FROM cases WHERE id = $1").bind(id).fetch_one(pool).await?;
    let stage = Stage::parse(&overdue.try_get::<String, _>("stage")?);
    let due: chrono::NaiveDate = overdue
        .try_get::<String, _>("due_on")?
        .parse()
        .map_err(|e: chrono::ParseError| sqlx::Error::Decode(e.into()))?;
    Ok((stage, due))
}

/// What the public page shows of a matter, as stored. Never an ID number,
/// phone, address or text typed about the citizen.
pub struct PublicCaseRow {
    pub number: String,
    /// `None`: a stage this server does not know.
    pub stage: Option<Stage>,
    pub accepted_on: String,
    /// `None`: not a date.
    pub due_on: Option<chrono::NaiveDate>,
    pub result: Option<String>,
    /// The stored lifecycle (`None`: not stored; derive it from the stage).
    pub lifecycle: Option<Lifecycle>,
    /// `None`: a level this server does not know.
    pub handling_level: Option<HandlingLevel>,
    pub unit_name: String,
    pub office_phone: Option<String>,
    pub agent_name: Option<String>,
}

/// Matter `id` for its citizen's page.
pub async fn case_row(pool: &AnyPool, id: i64) -> AppResult<PublicCaseRow> {
    let row = sqlx::query(
        "SELECT c.id, c.number, c.stage, c.accepted_on, c.due_on, c.result, c.lifecycle, c.handling_level, c.created_at, \
         n.name AS unit_name, n.office_phone, a.display_name AS agent_name \
         FROM cases c JOIN units n ON n.id = c.unit_id LEFT JOIN users a ON a.id = c.agent_id WHERE c.id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await?;
    let lifecycle: Option<String> = row.try_get("lifecycle")?;
    Ok(PublicCaseRow {
        number: row.try_get("number")?,
        stage: Stage::parse(&row.try_get::<String, _>("stage")?),
        accepted_on: row.try_get("accepted_on")?,
        due_on: row.try_get::<String, _>("due_on")?.parse().ok(),
        result: row.try_get("result")?,
        lifecycle: match lifecycle {
            Some(json) => Some(serde_json::from_str(&json).map_err(|e| sqlx::Error::Decode(Box::new(e)))?),
            None => None,
        },
        handling_level: HandlingLevel::parse(&row.try_get::<String, _>("handling_level")?),
        unit_name: row.try_get("unit_name")?,
        office_phone: row.try_get("office_phone")?,
        agent_name: row.try_get("agent_name")?,
    })
}

/// The steps taken on matter `id`, oldest first: only which step (`kind`)
/// and when (`at`), never the texts typed with it (notes may name people or
/// places).
pub async fn steps(pool: &AnyPool, id: i64) -> AppResult<Vec<(String, String)>> {
    let events =
        sqlx::query("SELECT kind, at FROM case_events WHERE case_id = $1 ORDER BY id").bind(id).fetch_all(pool).await?;
    let mut out = Vec::with_capacity(events.len());
    for e in &events {
        out.push((e.try_get("kind")?, e.try_get("at")?));
    }
    Ok(out)
}
