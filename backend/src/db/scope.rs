//! Jurisdiction: the one place where "which cases may this user touch" is
//! decided. Every read of cases goes through [`Scope`], whose queries always
//! carry the scope predicate; the desk's queues are in `scope/desk.rs`, the
//! ledger's and the documents' reads in `scope/ledger.rs`.
//!
//! A user sees the cases of their unit and of every unit below it (a township
//! sees its villages, a banner its townships and departments …), the cases
//! transferred to their unit (or below) with a 处置单, plus the cases
//! assigned to them personally wherever those are. A matter reported up
//! (上报) stays registered at its unit, so the lower unit keeps reading it;
//! who may act is `shared::authority::may_act_from`'s.

use crate::db::session::CurrentUser;
use crate::db::text::{from_text, opt_from_text};
use crate::error::AppError;
use shared::case::{CaseView, GeoPoint, Stage, TimelineEntry, Visit, VisitMethod};
use shared::desk::{BoardRow, CasePage, DeskFilter, DueBoards, DuplicateCandidate, InboxCount, InboxQueue};
use shared::lifecycle::{HandlingLevel, Lifecycle};
use shared::org::{may_see_contact, Role, UnitKind, UnitView, UserView};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

/// Whether a read includes the private contact details. Lists never do; a
/// case page does for those who handle the case (the desk reads them on
/// demand); the field app's pull only for the matters assigned to the user,
/// so a phone never carries a whole territory's private data. Every read that
/// includes them is audited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contact {
    Hide,
    IfHandling,
    IfAssigned,
}

/// What a case list asks for.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CaseFilter {
    /// A name, number or words of the problem.
    #[serde(default)]
    #[param(max_length = 100)]
    pub q: Option<String>,
    #[serde(default)]
    pub stage: Option<Stage>,
    /// Only matters the overdue job has marked.
    #[serde(default)]
    pub overdue_only: bool,
    #[serde(default = "default_limit")]
    #[param(minimum = 1, maximum = 5000)]
    pub limit: i64,
}

fn default_limit() -> i64 {
    2000
}

/// The scope predicate itself, for queries that select something else than cases.
macro_rules! in_scope {
    () => {
        "(c.unit_path LIKE $1 OR c.agent_id = $2 OR c.id IN \
          (SELECT d.case_id FROM dispositions d JOIN units du ON du.id = d.unit_id WHERE du.path LIKE $1))"
    };
}

/// The scope predicate, written once: `$1` is the user's unit-path pattern,
/// `$2` the user's id. Every case query of this module starts with it.
macro_rules! scoped_cases {
    ($tail:literal) => {
        concat!(
            "SELECT c.*, un.name AS unit_name, ag.display_name AS agent_name, hu.name AS handling_unit_name \
             FROM cases c JOIN units un ON un.id = c.unit_id LEFT JOIN users ag ON ag.id = c.agent_id \
             LEFT JOIN units hu ON hu.id = c.handling_unit_id \
             WHERE ",
            in_scope!(),
            " ",
            $tail
        )
    };
}

/// The jurisdiction of one user: which cases, units and people they may
/// read or change. Every query of cases, units and users is written here and
/// binds the scope itself, so no handler can forget it.
#[derive(Debug, Clone)]
pub struct Scope {
    user_id: i64,
    role: Role,
    /// `LIKE` pattern matching the cases' units in scope ('' matches none).
    path_pattern: String,
    /// `LIKE` pattern matching the user's unit and everything below it (the
    /// units and people they see, and administrators manage).
    units_pattern: String,
    /// A task group's member: the desk's queues and lists hold the group's
    /// categories only ('' for everyone else); bound as `$4` there.
    task_group: &'static str,
    /// The kind of unit the user acts for (a department sees no contacts).
    unit_kind: UnitKind,
}

impl Scope {
    pub fn for_user(user: &CurrentUser) -> Scope {
        let units_pattern = format!("{}%", user.unit_path);
        if user.role == Role::Admin {
            // Administrators manage accounts, not cases: their scope holds no
            // case at all (no unit path matches '' and no case is assigned
            // to user 0).
            return Scope {
                user_id: 0,
                role: user.role,
                path_pattern: String::new(),
                units_pattern,
                task_group: "",
                unit_kind: user.unit_kind,
            };
        }
        Scope {
            user_id: user.id,
            role: user.role,
            path_pattern: units_pattern.clone(),
            units_pattern,
            task_group: user.task_group.map_or("", |g| g.as_str()),
            unit_kind: user.unit_kind,
        }
    }

    /// What the field app pulls onto a phone. A banner or league account
    /// sees its whole territory at the desk, but its phone gets only the
    /// matters at its own unit (not the units below) and those assigned to
    /// the user; township and village users pull their whole scope.
    pub fn for_phone(mut self) -> Scope {
        if matches!(self.role, Role::CountyCentre | Role::LeagueBureau) {
            // No wildcard: the pattern matches the user's own unit only.
            self.path_pattern = self.units_pattern.trim_end_matches('%').to_string();
        }
        self
    }

    /// Whether this user handles the case (sees private contact details).
    /// The system's own scope (the overdue job): every case, from the root.
    pub fn system() -> Scope {
        Scope {
            user_id: 0,
            role: Role::CountyCentre,
            path_pattern: "/%".to_string(),
            units_pattern: "/%".to_string(),
            task_group: "",
            unit_kind: UnitKind::Banner,
        }
    }

    pub fn handles(&self, agent_id: Option<i64>) -> bool {
        may_see_contact(self.role, self.unit_kind, agent_id == Some(self.user_id))
    }

    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    /// The `LIKE` pattern of the unit paths in scope, for records filed under
    /// a case's unit path (reward claims and batches, `reward.rs`): the same
    /// territory as the cases ('' for administrators: nothing).
    pub fn path_pattern(&self) -> &str {
        &self.path_pattern
    }

    fn view(&self, row: &AnyRow, contact: Contact) -> Result<CaseView, sqlx::Error> {
        let stage: String = row.try_get("stage")?;
        let stage = Stage::parse(&stage).ok_or_else(|| sqlx::Error::Decode(format!("unknown stage {stage}").into()))?;
        let agent_id: Option<i64> = row.try_get("agent_id")?;
        let show_contact = match contact {
            Contact::Hide => false,
            Contact::IfHandling => self.handles(agent_id),
            Contact::IfAssigned => agent_id == Some(self.user_id) && self.handles(agent_id),
        };
        let date = |col: &str| -> Result<chrono::NaiveDate, sqlx::Error> {
            let s: String = row.try_get(col)?;
            s.parse().map_err(|e: chrono::ParseError| sqlx::Error::Decode(e.into()))
        };
        let opt_date = |col: &str| -> Result<Option<chrono::NaiveDate>, sqlx::Error> {
            let s: Option<String> = row.try_get(col)?;
            s.map(|s| s.parse().map_err(|e: chrono::ParseError| sqlx::Error::Decode(e.into()))).transpose()
        };
        let level: HandlingLevel = from_text("handling_level", &row.try_get::<String, _>("handling_level")?)?;
        let lifecycle: Option<String> = row.try_get("lifecycle")?;
        let lifecycle = match lifecycle {
            Some(json) => serde_json::from_str(&json).map_err(|e| sqlx::Error::Decode(e.into()))?,
            None => Lifecycle::from_stage(stage, level),
        };
        let due_unscheduled: i64 = row.try_get("due_unscheduled")?;
        let private = |col: &str| -> Result<Option<String>, sqlx::Error> {
            if show_contact {
                row.try_get(col)
            } else {
                Ok(None)
            }
        };
        Ok(CaseView {
            id: row.try_get("id")?,
            number: row.try_get("number")?,
            citizen_name: row.try_get("citizen_name")?,
            summary: row.try_get("summary")?,
            stage,
            level: from_text("level", &row.try_get::<String, _>("level")?)?,
            channel: from_text("channel", &row.try_get::<String, _>("channel")?)?,
            accepted_on: date("accepted_on")?,
            due_on: date("due_on")?,
            due_unscheduled: due_unscheduled != 0,
            unit_id: row.try_get("unit_id")?,
            unit_name: row.try_get("unit_name")?,
            agent_id,
            agent_name: row.try_get("agent_name")?,
            phone: private("phone")?,
            address: private("address")?,
            id_number: private("id_number")?,
            rev: row.try_get("rev")?,
            lifecycle,
            source: from_text("source", &row.try_get::<String, _>("source")?)?,
            client_ref: row.try_get("client_ref")?,
            category: opt_from_text("category", row.try_get("category")?)?,
            task_group: opt_from_text("task_group", row.try_get("task_group")?)?,
            brief: row.try_get("brief")?,
            proposed_handling: row.try_get("proposed_handling")?,
            leader_opinion: row.try_get("leader_opinion")?,
            leader_instruction: row.try_get("leader_instruction")?,
            notice_form: opt_from_text("notice_form", row.try_get("notice_form")?)?,
            result: row.try_get("result")?,
            opinion: opt_from_text("opinion", row.try_get("opinion")?)?,
            concluded_on: opt_date("concluded_on")?,
            follow_up_due: opt_date("follow_up_due")?,
            overdue_since: opt_date("overdue_since")?,
            registered_by: row.try_get("registered_by")?,
            query_code: private("query_code")?,
            handling_unit_id: row.try_get("handling_unit_id")?,
            handling_unit_name: row.try_get("handling_unit_name")?,
            plan_fixed_on: opt_date("plan_fixed_on")?,
        })
    }

    /// Cases in scope matching `filter`, most urgent deadline first.
    pub async fn list_cases(&self, pool: &AnyPool, filter: &CaseFilter) -> Result<Vec<CaseView>, AppError> {
        let pattern = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(|q| {
            // Escape LIKE wildcards typed by the user.
            let escaped = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            format!("%{escaped}%")
        });
        let rows = sqlx::query(
            scoped_cases!("\
               AND ($3 = '' OR c.stage = $3) \
               AND ($4 = '' OR c.citizen_name LIKE $4 ESCAPE '\\' OR c.number LIKE $4 ESCAPE '\\' OR c.summary LIKE $4 ESCAPE '\\') \
               AND ($5 = 0 OR c.overdue_since IS NOT NULL) \
             ORDER BY c.due_on, c.id LIMIT $6"),
        )
        .bind(&self.path_pattern)
        .bind(self.user_id)
        .bind(filter.stage.map_or("", |s| s.as_str()))
        .bind(pattern.unwrap_or_default())
        .bind(i64::from(filter.overdue_only))
        .bind(filter.limit.clamp(1, 5000))
        .fetch_all(pool)
        .await?;
        Ok(rows.iter().map(|r| self.view(r, Contact::Hide)).collect::<Result<_, _>>()?)
    }

    /// Cases in scope changed after `after_rev`, oldest change first.
    pub async fn cases_changed_since(
        &self,
        pool: &AnyPool,
        after_rev: i64,
        limit: i64,
    ) -> Result<Vec<CaseView>, AppError> {
        let rows = sqlx::query(scoped_cases!(
            "AND c.rev > $3 \
             ORDER BY c.rev LIMIT $4"
        ))
        .bind(&self.path_pattern)
        .bind(self.user_id)
        .bind(after_rev)
        .bind(limit)
        .fetch_all(pool)
        .await?;
        Ok(rows.iter().map(|r| self.view(r, Contact::IfAssigned)).collect::<Result<_, _>>()?)
    }

    /// One case if it is in scope. Out of scope and missing look the same
    /// (`None`), so ids outside the jurisdiction reveal nothing.
    pub async fn find_case(&self, pool: &AnyPool, id: i64, contact: Contact) -> Result<Option<CaseView>, AppError> {
        let row = sqlx::query(scoped_cases!("AND c.id = $3"))
            .bind(&self.path_pattern)
            .bind(self.user_id)
            .bind(id)
            .fetch_optional(pool)
            .await?;
        Ok(row.map(|r| self.view(&r, contact)).transpose()?)
    }

    /// Visits of the cases in scope whose rev lies in `(after_rev, upto_rev]`:
    /// exactly the visits of the cases one pull page delivers.
    pub async fn visits_of_cases_changed_between(
        &self,
        pool: &AnyPool,
        after_rev: i64,
        upto_rev: i64,
    ) -> Result<Vec<Visit>, AppError> {
        let rows = sqlx::query(concat!(
            "SELECT v.*, u.display_name AS recorded_by_name FROM visits v \
             JOIN cases c ON c.id = v.case_id JOIN units un ON un.id = c.unit_id JOIN users u ON u.id = v.recorded_by \
             WHERE ",
            in_scope!(),
            " AND c.rev > $3 AND c.rev <= $4 \
             ORDER BY v.case_id, v.visited_at, v.id"
        ))
        .bind(&self.path_pattern)
        .bind(self.user_id)
        .bind(after_rev)
        .bind(upto_rev)
        .fetch_all(pool)
        .await?;
        Ok(rows.iter().map(visit_from_row).collect::<Result<_, _>>()?)
    }

    /// Timeline entries of the cases in scope whose rev lies in
    /// `(after_rev, upto_rev]` (the cases one pull page delivers).
    pub async fn timeline_of_cases_changed_between(
        &self,
        pool: &AnyPool,
        after_rev: i64,
        upto_rev: i64,
    ) -> Result<Vec<TimelineEntry>, AppError> {
        let rows = sqlx::query(
            concat!("SELECT e.id, e.case_id, e.payload, e.label, e.actor_id, u.display_name AS actor_name, e.at FROM case_events e \
             JOIN cases c ON c.id = e.case_id JOIN units un ON un.id = c.unit_id LEFT JOIN users u ON u.id = e.actor_id \
             WHERE ", in_scope!(), " AND c.rev > $3 AND c.rev <= $4 ORDER BY e.id"),
        )
        .bind(&self.path_pattern)
        .bind(self.user_id)
        .bind(after_rev)
        .bind(upto_rev)
        .fetch_all(pool)
        .await?;
        Ok(rows.iter().map(timeline_from_row).collect::<Result<_, _>>()?)
    }

    /// Visits of one case in scope, oldest first.
    pub async fn visits_of_case(&self, pool: &AnyPool, case_id: i64) -> Result<Vec<Visit>, AppError> {
        let rows = sqlx::query(concat!(
            "SELECT v.*, u.display_name AS recorded_by_name FROM visits v \
             JOIN cases c ON c.id = v.case_id JOIN units un ON un.id = c.unit_id JOIN users u ON u.id = v.recorded_by \
             WHERE ",
            in_scope!(),
            " AND c.id = $3 \
             ORDER BY v.visited_at, v.id"
        ))
        .bind(&self.path_pattern)
        .bind(self.user_id)
        .bind(case_id)
        .fetch_all(pool)
        .await?;
        Ok(rows.iter().map(visit_from_row).collect::<Result<_, _>>()?)
    }

    /// Inside a write transaction: the whole case if it is in scope, private
    /// fields included (for the audit's before/after).
    pub async fn case_for_write(&self, conn: &mut AnyConnection, id: i64) -> Result<Option<CaseView>, AppError> {
        let row = sqlx::query(scoped_cases!("AND c.id = $3"))
            .bind(&self.path_pattern)
            .bind(self.user_id)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        let unrestricted = Scope { role: Role::TownshipStaff, ..self.clone() };
        Ok(row.map(|r| unrestricted.view(&r, Contact::IfHandling)).transpose()?)
    }

    /// A unit inside this scope: its kind and path (for registering matters
    /// there, or administering it).
    pub async fn unit(&self, conn: &mut AnyConnection, unit_id: i64) -> Result<Option<(UnitKind, String)>, AppError> {
        let row = sqlx::query("SELECT kind, path FROM units WHERE id = $1 AND path LIKE $2")
            .bind(unit_id)
            .bind(&self.units_pattern)
            .fetch_optional(&mut *conn)
            .await?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((from_text("kind", &r.try_get::<String, _>("kind")?)?, r.try_get("path")?))),
        }
    }

    /// The competent units (事权单位) this user may transfer matters to:
    /// the departments of their banner and of their township (二级部门),
    /// i.e. departments whose parent is the user's unit or above it.
    pub async fn departments(&self, pool: &AnyPool) -> Result<Vec<UnitView>, AppError> {
        let own_path = self.units_pattern.trim_end_matches('%');
        let rows = sqlx::query(
            "SELECT d.* FROM units d JOIN units p ON p.id = d.parent_id \
             WHERE d.kind = 'department' AND $1 <> '' AND $1 LIKE p.path || '%' ORDER BY d.path",
        )
        .bind(own_path)
        .fetch_all(pool)
        .await?;
        Ok(rows.iter().map(unit_from_row).collect::<Result<_, _>>()?)
    }

    /// The units in scope, in tree order.
    pub async fn units(&self, pool: &AnyPool) -> Result<Vec<UnitView>, AppError> {
        let rows = sqlx::query("SELECT * FROM units WHERE path LIKE $1 ORDER BY path")
            .bind(&self.units_pattern)
            .fetch_all(pool)
            .await?;
        Ok(rows.iter().map(unit_from_row).collect::<Result<_, _>>()?)
    }

    /// The people of the units in scope (only agents that may sign in, if
    /// asked: the pickers of new assignments).
    pub async fn users(&self, pool: &AnyPool, agents_only: bool) -> Result<Vec<UserView>, AppError> {
        let rows = sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, u.unit_id, n.name AS unit_name, u.phone, \
             u.agent_kind, u.full_time, u.registered, u.public_employee, u.disabled_at FROM users u JOIN units n ON n.id = u.unit_id \
             WHERE n.path LIKE $1 AND ($2 = 0 OR (u.agent_kind IS NOT NULL AND u.disabled_at IS NULL)) ORDER BY n.path, u.id",
        )
        .bind(&self.units_pattern)
        .bind(i64::from(agents_only))
        .fetch_all(pool)
        .await?;
        Ok(rows.iter().map(user_from_row).collect::<Result<_, _>>()?)
    }

    /// One person of the units in scope.
    pub async fn user(&self, conn: &mut AnyConnection, id: i64) -> Result<Option<UserView>, AppError> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, u.unit_id, n.name AS unit_name, u.phone, \
             u.agent_kind, u.full_time, u.registered, u.public_employee, u.disabled_at FROM users u JOIN units n ON n.id = u.unit_id \
             WHERE u.id = $1 AND n.path LIKE $2",
        )
        .bind(id)
        .bind(&self.units_pattern)
        .fetch_optional(&mut *conn)
        .await?;
        Ok(row.map(|r| user_from_row(&r)).transpose()?)
    }
    /// 质检 sample: closed agency matters of the unit at `unit_path` (and
    /// below) received from `from` to `to`, not inspected yet, drawn at random.
    pub async fn quality_sample(
        &self,
        pool: &AnyPool,
        unit_path: &str,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        size: i64,
    ) -> Result<Vec<CaseView>, AppError> {
        let rows = sqlx::query(scoped_cases!(
            "AND c.unit_path LIKE $3 AND c.accepted_on >= $4 AND c.accepted_on <= $5 \
             AND c.stat_keys LIKE '%|closed|%' AND c.quality_passed IS NULL ORDER BY RANDOM() LIMIT $6"
        ))
        .bind(&self.path_pattern)
        .bind(self.user_id)
        .bind(format!("{unit_path}%"))
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(size)
        .fetch_all(pool)
        .await?;
        Ok(rows.iter().map(|r| self.view(r, Contact::Hide)).collect::<Result<_, _>>()?)
    }

    /// The quality inspections of matters in scope at the unit at
    /// `unit_path` (and below) received from `from` to `to`, newest first.
    pub async fn inspections(
        &self,
        pool: &AnyPool,
        unit_path: &str,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<shared::stats::InspectionView>, AppError> {
        let rows = sqlx::query(concat!(
            "SELECT q.id, q.case_id, c.number, q.passed, q.reasons, q.fix_asked, u.display_name, q.inspected_on \
             FROM quality_checks q JOIN cases c ON c.id = q.case_id JOIN users u ON u.id = q.inspected_by WHERE ",
            in_scope!(),
            " AND q.unit_path LIKE $3 AND c.accepted_on >= $4 AND c.accepted_on <= $5 ORDER BY q.id DESC LIMIT 500"
        ))
        .bind(&self.path_pattern)
        .bind(self.user_id)
        .bind(format!("{unit_path}%"))
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(pool)
        .await?;
        rows.iter()
            .map(|r| {
                let on: String = r.try_get("inspected_on")?;
                Ok(shared::stats::InspectionView {
                    id: r.try_get("id")?,
                    case_id: r.try_get("case_id")?,
                    case_number: r.try_get("number")?,
                    passed: r.try_get::<i64, _>("passed")? != 0,
                    reasons: r.try_get("reasons")?,
                    fix_asked: r.try_get("fix_asked")?,
                    inspected_by_name: r.try_get("display_name")?,
                    inspected_on: on.parse().map_err(|e: chrono::ParseError| sqlx::Error::Decode(e.into()))?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(AppError::from)
    }
}

fn unit_from_row(r: &AnyRow) -> Result<UnitView, sqlx::Error> {
    Ok(UnitView {
        id: r.try_get("id")?,
        parent_id: r.try_get("parent_id")?,
        kind: from_text("kind", &r.try_get::<String, _>("kind")?)?,
        name: r.try_get("name")?,
        path: r.try_get("path")?,
        number_prefix: r.try_get("number_prefix")?,
        task_group: opt_from_text("task_group", r.try_get("task_group")?)?,
    })
}

fn user_from_row(r: &AnyRow) -> Result<UserView, sqlx::Error> {
    Ok(UserView {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        role: from_text("role", &r.try_get::<String, _>("role")?)?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        phone: r.try_get("phone")?,
        agent_kind: opt_from_text("agent_kind", r.try_get("agent_kind")?)?,
        full_time: r.try_get::<i64, _>("full_time")? != 0,
        registered: r.try_get::<i64, _>("registered")? != 0,
        public_employee: r.try_get::<i64, _>("public_employee")? != 0,
        disabled: r.try_get::<Option<String>, _>("disabled_at")?.is_some(),
    })
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
        position: match (row.try_get::<Option<i64>, _>("lat_e6")?, row.try_get::<Option<i64>, _>("lng_e6")?) {
            (Some(lat_e6), Some(lng_e6)) => {
                Some(GeoPoint { lat_e6, lng_e6, accuracy_m: row.try_get::<Option<i64>, _>("accuracy_m")?.unwrap_or(0) })
            }
            _ => None,
        },
    })
}

/// A timeline row, read by column name: the columns of [`TIMELINE_COLUMNS`].
#[derive(sqlx::FromRow)]
struct TimelineRow {
    id: i64,
    case_id: i64,
    payload: String,
    label: String,
    actor_id: Option<i64>,
    actor_name: Option<String>,
    at: String,
}

/// What a timeline query selects (`case_events e LEFT JOIN users u`).
pub const TIMELINE_COLUMNS: &str =
    "e.id, e.case_id, e.payload, e.label, e.actor_id, u.display_name AS actor_name, e.at";

pub fn timeline_from_row(r: &AnyRow) -> Result<TimelineEntry, sqlx::Error> {
    let r = <TimelineRow as sqlx::FromRow<AnyRow>>::from_row(r)?;
    Ok(TimelineEntry {
        id: r.id,
        case_id: r.case_id,
        command: serde_json::from_str(&r.payload).map_err(|e| sqlx::Error::Decode(e.into()))?,
        label: r.label,
        actor_id: r.actor_id,
        actor_name: r.actor_name.unwrap_or_else(|| "系统".to_string()),
        at: r.at,
    })
}

impl CurrentUser {
    /// The jurisdiction every query of this user is limited to.
    pub fn scope(&self) -> Scope {
        Scope::for_user(self)
    }
}

mod desk;
mod ledger;
pub use desk::DeskDay;
pub use ledger::LedgerFilter;
