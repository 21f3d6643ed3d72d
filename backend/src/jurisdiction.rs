//! Jurisdiction: the one place where "which cases may this user touch" is
//! decided. Every handler reads and writes cases through the functions here,
//! which always carry the scope predicate; no handler writes its own.
//!
//! A user sees the cases of their unit and of every unit below it (a township
//! sees its villages, a banner its townships and departments …), plus the
//! cases assigned to them personally wherever those are.

use crate::auth::CurrentUser;
use crate::db::Tx;
use crate::error::AppError;
use shared::case::{CaseView, Channel, Stage, Visit, VisitMethod};
use shared::deadline::MatterLevel;
use shared::org::{may_see_contact, Role};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

/// The jurisdiction of one user.
#[derive(Debug, Clone)]
pub struct Scope {
    user_id: i64,
    role: Role,
    /// `LIKE` pattern matching the user's unit and everything below it.
    path_pattern: String,
}

impl Scope {
    pub fn for_user(user: &CurrentUser) -> Scope {
        Scope {
            user_id: user.id,
            role: user.role,
            path_pattern: format!("{}%", user.unit_path),
        }
    }

    fn view(&self, row: &AnyRow) -> Result<CaseView, sqlx::Error> {
        let stage: String = row.try_get("stage")?;
        let level: String = row.try_get("level")?;
        let channel: String = row.try_get("channel")?;
        let agent_id: Option<i64> = row.try_get("agent_id")?;
        let show_contact = may_see_contact(self.role, agent_id == Some(self.user_id));
        let date = |col: &str| -> Result<chrono::NaiveDate, sqlx::Error> {
            let s: String = row.try_get(col)?;
            s.parse()
                .map_err(|e: chrono::ParseError| sqlx::Error::Decode(e.into()))
        };
        let bad = |what: &str, v: &str| sqlx::Error::Decode(format!("unknown {what} {v}").into());
        let due_unscheduled: i64 = row.try_get("due_unscheduled")?;
        Ok(CaseView {
            id: row.try_get("id")?,
            number: row.try_get("number")?,
            citizen_name: row.try_get("citizen_name")?,
            summary: row.try_get("summary")?,
            stage: Stage::parse(&stage).ok_or_else(|| bad("stage", &stage))?,
            level: MatterLevel::parse(&level).ok_or_else(|| bad("level", &level))?,
            channel: Channel::parse(&channel).ok_or_else(|| bad("channel", &channel))?,
            accepted_on: date("accepted_on")?,
            due_on: date("due_on")?,
            due_unscheduled: due_unscheduled != 0,
            unit_id: row.try_get("unit_id")?,
            unit_name: row.try_get("unit_name")?,
            agent_id,
            agent_name: row.try_get("agent_name")?,
            phone: if show_contact {
                row.try_get("phone")?
            } else {
                None
            },
            address: if show_contact {
                row.try_get("address")?
            } else {
                None
            },
            rev: row.try_get("rev")?,
        })
    }

    /// Cases in scope, ordered by stage then deadline.
    pub async fn list_cases(&self, pool: &AnyPool) -> Result<Vec<CaseView>, AppError> {
        let rows = sqlx::query(
            "SELECT c.*, un.name AS unit_name, ag.display_name AS agent_name \
             FROM cases c JOIN units un ON un.id = c.unit_id LEFT JOIN users ag ON ag.id = c.agent_id \
             WHERE (un.path LIKE $1 OR c.agent_id = $2) \
             ORDER BY c.due_on, c.id",
        )
        .bind(&self.path_pattern)
        .bind(self.user_id)
        .fetch_all(pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| self.view(r))
            .collect::<Result<_, _>>()?)
    }

    /// Cases in scope changed after `after_rev`, oldest change first.
    pub async fn cases_changed_since(
        &self,
        pool: &AnyPool,
        after_rev: i64,
        limit: i64,
    ) -> Result<Vec<CaseView>, AppError> {
        let rows = sqlx::query(
            "SELECT c.*, un.name AS unit_name, ag.display_name AS agent_name \
             FROM cases c JOIN units un ON un.id = c.unit_id LEFT JOIN users ag ON ag.id = c.agent_id \
             WHERE (un.path LIKE $1 OR c.agent_id = $2) AND c.rev > $3 \
             ORDER BY c.rev LIMIT $4",
        )
        .bind(&self.path_pattern)
        .bind(self.user_id)
        .bind(after_rev)
        .bind(limit)
        .fetch_all(pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| self.view(r))
            .collect::<Result<_, _>>()?)
    }

    /// One case if it is in scope. Out of scope and missing look the same
    /// (`None`), so ids outside the jurisdiction reveal nothing.
    pub async fn find_case(&self, pool: &AnyPool, id: i64) -> Result<Option<CaseView>, AppError> {
        let row = sqlx::query(
            "SELECT c.*, un.name AS unit_name, ag.display_name AS agent_name \
             FROM cases c JOIN units un ON un.id = c.unit_id LEFT JOIN users ag ON ag.id = c.agent_id \
             WHERE (un.path LIKE $1 OR c.agent_id = $2) AND c.id = $3",
        )
        .bind(&self.path_pattern)
        .bind(self.user_id)
        .bind(id)
        .fetch_optional(pool)
        .await?;
        Ok(row.map(|r| self.view(&r)).transpose()?)
    }

    /// Visits of the cases in scope whose rev lies in `(after_rev, upto_rev]`:
    /// exactly the visits of the cases one pull page delivers.
    pub async fn visits_of_cases_changed_between(
        &self,
        pool: &AnyPool,
        after_rev: i64,
        upto_rev: i64,
    ) -> Result<Vec<Visit>, AppError> {
        let rows = sqlx::query(
            "SELECT v.*, u.display_name AS recorded_by_name FROM visits v \
             JOIN cases c ON c.id = v.case_id JOIN units un ON un.id = c.unit_id JOIN users u ON u.id = v.recorded_by \
             WHERE (un.path LIKE $1 OR c.agent_id = $2) AND c.rev > $3 AND c.rev <= $4 \
             ORDER BY v.case_id, v.visited_at, v.id",
        )
        .bind(&self.path_pattern)
        .bind(self.user_id)
        .bind(after_rev)
        .bind(upto_rev)
        .fetch_all(pool)
        .await?;
        Ok(rows.iter().map(visit_from_row).collect::<Result<_, _>>()?)
    }

    /// Visits of one case in scope, oldest first.
    pub async fn visits_of_case(
        &self,
        pool: &AnyPool,
        case_id: i64,
    ) -> Result<Vec<Visit>, AppError> {
        let rows = sqlx::query(
            "SELECT v.*, u.display_name AS recorded_by_name FROM visits v \
             JOIN cases c ON c.id = v.case_id JOIN units un ON un.id = c.unit_id JOIN users u ON u.id = v.recorded_by \
             WHERE (un.path LIKE $1 OR c.agent_id = $2) AND c.id = $3 \
             ORDER BY v.visited_at, v.id",
        )
        .bind(&self.path_pattern)
        .bind(self.user_id)
        .bind(case_id)
        .fetch_all(pool)
        .await?;
        Ok(rows.iter().map(visit_from_row).collect::<Result<_, _>>()?)
    }

    /// Inside a write transaction: the stage of a case if it is in scope.
    pub async fn case_stage_for_write(
        &self,
        tx: &mut Tx,
        id: i64,
    ) -> Result<Option<Stage>, AppError> {
        let row = sqlx::query(
            "SELECT c.stage FROM cases c JOIN units un ON un.id = c.unit_id \
             WHERE (un.path LIKE $1 OR c.agent_id = $2) AND c.id = $3",
        )
        .bind(&self.path_pattern)
        .bind(self.user_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        match row {
            None => Ok(None),
            Some(r) => {
                let s: String = r.try_get(0)?;
                Ok(Some(Stage::parse(&s).ok_or_else(|| {
                    sqlx::Error::Decode(format!("unknown stage {s}").into())
                })?))
            }
        }
    }
}

/// Whether a case exists at all (used only to tell "not yours" from
/// "no such case" in sync rejections, which go to the device that made them).
pub async fn case_exists(tx: &mut Tx, id: i64) -> Result<bool, AppError> {
    Ok(sqlx::query("SELECT 1 FROM cases WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .is_some())
}

fn visit_from_row(row: &AnyRow) -> Result<Visit, sqlx::Error> {
    let method: String = row.try_get("method")?;
    Ok(Visit {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        visited_at: row.try_get("visited_at")?,
        method: VisitMethod::parse(&method)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown visit method {method}").into()))?,
        note: row.try_get("note")?,
        recorded_by: row.try_get("recorded_by")?,
        recorded_by_name: row.try_get("recorded_by_name")?,
    })
}
