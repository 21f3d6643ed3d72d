//! Jurisdiction: the one place where "which cases may this user touch" is
//! decided. Every handler reads and writes cases through the functions here,
//! which always carry the scope predicate; no handler writes its own.
//!
//! A user sees the cases of their unit and of every unit below it (a township
//! sees its villages, a banner its townships and departments …), the cases
//! transferred to their unit (or below) with a 处置单, plus the cases
//! assigned to them personally wherever those are. A matter reported up
//! (上报) stays registered at its unit, so the lower unit keeps reading it;
//! who may act is `shared::authority::may_act_from`'s.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::text::{from_text, opt_from_text};
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

    /// The people of the units in scope (only agents, if asked).
    pub async fn users(&self, pool: &AnyPool, agents_only: bool) -> Result<Vec<UserView>, AppError> {
        let rows = sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, u.unit_id, n.name AS unit_name, u.phone, \
             u.agent_kind, u.full_time, u.registered, u.public_employee FROM users u JOIN units n ON n.id = u.unit_id \
             WHERE n.path LIKE $1 AND ($2 = 0 OR u.agent_kind IS NOT NULL) ORDER BY n.path, u.id",
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
             u.agent_kind, u.full_time, u.registered, u.public_employee FROM users u JOIN units n ON n.id = u.unit_id \
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

/// The desk's case query: the scope's join plus the handling unit.
const DESK_FROM: &str = "FROM cases c JOIN units un ON un.id = c.unit_id LEFT JOIN users ag ON ag.id = c.agent_id \
     LEFT JOIN units hu ON hu.id = c.handling_unit_id";

/// What the desk's counts and conditions need: no names, no agents.
const DESK_FILTER_FROM: &str = "FROM cases c LEFT JOIN units hu ON hu.id = c.handling_unit_id";

/// A task group member's queues and lists hold the group's matters only
/// (`$4` is '' for everyone else).
const TASK_GROUP: &str = "($4 = '' OR c.task_group = $4)";

/// Open matters (the handling clock runs).
const OPEN: &str = "c.status IN ('screening', 'handling')";

/// Each inbox queue as a condition over [`DESK_FROM`]. Binds: `$1` the
/// scope's unit-path pattern, `$3` the user's unit, `$5` today, `$6` the
/// last day counted as due soon, `$7` the level the user decides reviews at.
fn queue_condition(queue: InboxQueue) -> String {
    // Handled by the user's unit or below (not reported up past it).
    let here = "COALESCE(hu.path, c.unit_path) LIKE $1";
    match queue {
        InboxQueue::ToScreen => format!("c.status = 'screening' AND {here}"),
        // The group's categories: `TASK_GROUP` narrows every query of a member.
        InboxQueue::Group => format!("{OPEN} AND {here}"),
        InboxQueue::ToAssign => format!("{OPEN} AND c.agent_id IS NULL AND {here}"),
        InboxQueue::Transferred => "c.status = 'handling' AND c.id IN (SELECT d.case_id FROM dispositions d \
             JOIN units du ON du.id = d.unit_id WHERE du.path LIKE $1 AND d.result IS NULL)"
            .to_string(),
        InboxQueue::Escalated => format!("c.handling_unit_id = $3 AND {OPEN}"),
        InboxQueue::Reviews => "c.status = 'under_review' AND c.review_by = $7".to_string(),
        InboxQueue::FollowUps => format!("c.status = 'awaiting_follow_up' AND {here}"),
        InboxQueue::ToArchive => format!("c.status IN ('answered', 'redirected', 'followed_up') AND {here}"),
        InboxQueue::DueSoon => format!("{OPEN} AND c.due_on >= $5 AND c.due_on <= $6"),
        InboxQueue::Overdue => format!("{OPEN} AND c.due_on < $5"),
    }
}

/// The dates and level the queue conditions bind.
#[derive(Debug, Clone)]
pub struct DeskDay {
    pub today: chrono::NaiveDate,
    pub soon: chrono::NaiveDate,
    /// The level whose reviews this user decides ('' none).
    pub review_level: &'static str,
}

impl Scope {
    fn bind_desk<'q>(
        &'q self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
        unit_id: i64,
        day: &DeskDay,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        q.bind(&self.path_pattern)
            .bind(self.user_id)
            .bind(unit_id)
            .bind(self.task_group)
            .bind(day.today.to_string())
            .bind(day.soon.to_string())
            .bind(day.review_level)
    }

    /// How many matters wait in each of `queues`: one pass over the scope.
    pub async fn queue_counts(
        &self,
        pool: &AnyPool,
        unit_id: i64,
        day: &DeskDay,
        queues: &[InboxQueue],
    ) -> Result<Vec<InboxCount>, AppError> {
        if queues.is_empty() {
            return Ok(vec![]);
        }
        let sums: Vec<String> =
            queues.iter().map(|q| format!("SUM(CASE WHEN {} THEN 1 ELSE 0 END)", queue_condition(*q))).collect();
        let sql = format!("SELECT {} {DESK_FILTER_FROM} WHERE {} AND {TASK_GROUP}", sums.join(", "), in_scope!());
        let row = self.bind_desk(sqlx::query(sqlx::AssertSqlSafe(sql.clone())), unit_id, day).fetch_one(pool).await?;
        queues
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let n: Option<i64> = row.try_get(i)?;
                Ok(InboxCount { queue: *q, count: n.unwrap_or(0) })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(AppError::from)
    }

    /// One page of the desk list: scoped, filtered, counted on the server,
    /// most urgent deadline first. `unit_path` narrows to a unit and below.
    pub async fn desk_page(
        &self,
        pool: &AnyPool,
        unit_id: i64,
        day: &DeskDay,
        filter: &DeskFilter,
        unit_path: Option<&str>,
        (offset, limit): (i64, i64),
    ) -> Result<CasePage, AppError> {
        if let Some(page) = self.stat_page(pool, filter, unit_path, (offset, limit)).await? {
            return Ok(page);
        }
        let queue = filter.queue.map_or_else(|| "1 = 1".to_string(), queue_condition);
        let conditions = format!(
            "{} AND {queue} AND {TASK_GROUP} \
             AND ($8 = '' OR c.stage = $8) AND ($9 = '' OR c.unit_path LIKE $9) AND ($10 = 0 OR c.agent_id = $10) \
             AND ($11 = '' OR c.category = $11) AND ($12 = '' OR c.channel = $12) \
             AND ($13 = '' OR c.accepted_on >= $13) AND ($14 = '' OR c.accepted_on <= $14) \
             AND ($15 = '' OR c.citizen_name LIKE $15 ESCAPE '\\' OR REPLACE(c.citizen_name, '·', '') LIKE $16 ESCAPE '\\' \
                  OR c.number LIKE $15 ESCAPE '\\' OR c.summary LIKE $15 ESCAPE '\\') \
             AND ($17 = '' OR c.stat_keys LIKE $17)",
            in_scope!()
        );
        let like = |q: &str| {
            let escaped = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            format!("%{escaped}%")
        };
        let q = filter.q.as_deref().map(str::trim).unwrap_or("");
        let (q_like, key_like) =
            if q.is_empty() { (String::new(), String::new()) } else { (like(q), like(&shared::desk::name_key(q))) };
        let unit_like = unit_path.map(|p| format!("{p}%")).unwrap_or_default();
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        // A statistics counter (shared::stats): the matters it counts carry
        // its key in `stat_keys`; keys are checked to hold no wildcard.
        let stat_like = filter.stat.as_deref().map(|k| format!("%|{k}|%")).unwrap_or_default();
        macro_rules! filtered {
            ($sql:expr) => {
                self.bind_desk(sqlx::query(sqlx::AssertSqlSafe($sql)), unit_id, day)
                    .bind(filter.stage.map_or("", |s| s.as_str()))
                    .bind(&unit_like)
                    .bind(filter.agent_id.unwrap_or(0))
                    .bind(filter.category.map_or("", |c| c.as_str()))
                    .bind(filter.channel.map_or("", |c| c.as_str()))
                    .bind(date(filter.from))
                    .bind(date(filter.to))
                    .bind(&q_like)
                    .bind(&key_like)
                    .bind(&stat_like)
            };
        }
        let count_sql = format!("SELECT COUNT(*) {DESK_FILTER_FROM} WHERE {conditions}");
        let total: i64 = filtered!(count_sql).fetch_one(pool).await?.try_get(0)?;
        let page_sql = format!(
            "SELECT c.*, un.name AS unit_name, ag.display_name AS agent_name, hu.name AS handling_unit_name \
             {DESK_FROM} WHERE {conditions} ORDER BY c.due_on, c.id LIMIT $18 OFFSET $19"
        );
        let rows = filtered!(page_sql).bind(limit).bind(offset).fetch_all(pool).await?;
        let items = rows.iter().map(|r| self.view(r, Contact::Hide)).collect::<Result<_, _>>()?;
        Ok(CasePage { total, offset, items })
    }

    /// A figure's drill-down (统计): the matters behind one counter of a
    /// unit over whole months, and nothing else asked. The general list
    /// query's optional conditions (`$9 = '' OR …`) and its count walk a
    /// league's cases; here the total is the kept counter (equal to a count
    /// of the cases: `tests/stats.rs`) and the page an index walk with plain
    /// conditions. The unit was checked to be in scope, and the scope's own
    /// unit pattern is kept as a condition too. `None`: not such a query.
    async fn stat_page(
        &self,
        pool: &AnyPool,
        filter: &DeskFilter,
        unit_path: Option<&str>,
        (offset, limit): (i64, i64),
    ) -> Result<Option<CasePage>, AppError> {
        use chrono::Datelike;
        let (Some(stat), Some(path), Some(from), Some(to)) = (&filter.stat, unit_path, filter.from, filter.to) else {
            return Ok(None);
        };
        let whole_months = from.day() == 1 && to.succ_opt().is_some_and(|d| d.day() == 1) && from <= to;
        let only = DeskFilter { stat: None, unit_id: None, from: None, to: None, ..filter.clone() };
        if !whole_months || only != DeskFilter::default() || !self.task_group.is_empty() || self.path_pattern.is_empty()
        {
            return Ok(None);
        }
        let total: i64 = sqlx::query(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM case_stats \
             WHERE unit_path = $1 AND month >= $2 AND month <= $3 AND stat_key = $4",
        )
        .bind(path)
        .bind(shared::stats::month_of(from))
        .bind(shared::stats::month_of(to))
        .bind(stat)
        .fetch_one(pool)
        .await?
        .try_get::<Option<i64>, _>(0)?
        .unwrap_or(0);
        // The scope, checked here rather than in SQL (a pattern bound as a
        // parameter makes PostgreSQL's generic plan start from the cases): a
        // member of the unit's figure is a matter in its subtree, so in scope
        // whenever the unit's path lies under the scope's prefix.
        let in_scope =
            self.path_pattern.strip_suffix('%').is_some_and(|p| !p.contains(['%', '_']) && path.starts_with(p));
        if !in_scope {
            return Ok(None);
        }
        // The page: for each month of the period, the first offset + limit
        // rows of one range of case_stat_members' primary key (unit, key,
        // month: in due-date order; kept by the write path with the same rule
        // as the counters, equal to a recount: `tests/stats.rs`), merged in
        // due-date order; only the page's cases joined. Months come from
        // dates (digits and '-'), the row count is a number: written inline.
        let mut months = Vec::new();
        let mut m = from;
        while m <= to {
            if months.len() == 120 {
                return Ok(None); // over 10 years: the general list query
            }
            months.push(shared::stats::month_of(m));
            let Some(next) = m.checked_add_months(chrono::Months::new(1)) else { break };
            m = next;
        }
        let first = offset.saturating_add(limit);
        let arms: Vec<String> = months
            .iter()
            .enumerate()
            .map(|(i, month)| {
                format!(
                    "SELECT due_on, case_id FROM (SELECT due_on, case_id FROM case_stat_members \
                     WHERE unit_path = $1 AND stat_key = $2 AND month = '{month}' \
                     ORDER BY due_on, case_id LIMIT {first}) AS s{i}"
                )
            })
            .collect();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT c.*, un.name AS unit_name, ag.display_name AS agent_name, hu.name AS handling_unit_name \
             FROM ({}) m JOIN cases c ON c.id = m.case_id JOIN units un ON un.id = c.unit_id \
             LEFT JOIN users ag ON ag.id = c.agent_id LEFT JOIN units hu ON hu.id = c.handling_unit_id \
             ORDER BY m.due_on, m.case_id LIMIT $3 OFFSET $4",
            arms.join(" UNION ALL ")
        )))
        .bind(path)
        .bind(stat)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await?;
        let items = rows.iter().map(|r| self.view(r, Contact::Hide)).collect::<Result<_, _>>()?;
        Ok(Some(CasePage { total, offset, items }))
    }

    /// Open matters by unit and by agent: how many, due soon, overdue.
    pub async fn due_boards(&self, pool: &AnyPool, unit_id: i64, day: &DeskDay) -> Result<DueBoards, AppError> {
        // Count per key over the cases alone, then name the (few) groups:
        // joining names onto every open case would cost more than counting.
        let board = |key: &str, names: &str, name: &str| {
            format!(
                "SELECT g.id, n.{name} AS name, g.open, g.due_soon, g.overdue FROM \
                 (SELECT c.{key} AS id, COUNT(*) AS open, \
                   SUM(CASE WHEN c.due_on >= $5 AND c.due_on <= $6 THEN 1 ELSE 0 END) AS due_soon, \
                   SUM(CASE WHEN c.due_on < $5 THEN 1 ELSE 0 END) AS overdue \
                  FROM cases c WHERE {} AND {OPEN} AND c.{key} IS NOT NULL AND {TASK_GROUP} AND $3 = $3 AND $7 = $7 \
                  GROUP BY c.{key}) g JOIN {names} n ON n.id = g.id \
                 ORDER BY g.overdue DESC, g.due_soon DESC, g.open DESC, n.{name} LIMIT 200",
                in_scope!()
            )
        };
        let mut out = Vec::new();
        for sql in [board("unit_id", "units", "name"), board("agent_id", "users", "display_name")] {
            let rows =
                self.bind_desk(sqlx::query(sqlx::AssertSqlSafe(sql.clone())), unit_id, day).fetch_all(pool).await?;
            out.push(
                rows.iter()
                    .map(|r| {
                        Ok(BoardRow {
                            id: r.try_get("id")?,
                            name: r.try_get("name")?,
                            open: r.try_get("open")?,
                            due_soon: r.try_get::<Option<i64>, _>("due_soon")?.unwrap_or(0),
                            overdue: r.try_get::<Option<i64>, _>("overdue")?.unwrap_or(0),
                        })
                    })
                    .collect::<Result<Vec<_>, sqlx::Error>>()?,
            );
        }
        let by_agent = out.pop().unwrap_or_default();
        let by_unit = out.pop().unwrap_or_default();
        Ok(DueBoards { by_unit, by_agent })
    }

    /// Open matters in scope of the same person (same ID number, or same
    /// name and phone) whose problem reads alike: possible duplicates.
    pub async fn duplicates(
        &self,
        pool: &AnyPool,
        citizen_name: &str,
        id_number: &str,
        phone: &str,
        summary: &str,
    ) -> Result<Vec<DuplicateCandidate>, AppError> {
        let rows = sqlx::query(concat!(
            "SELECT c.id, c.number, c.citizen_name, c.summary, c.stage, c.id_number, c.phone, un.name AS unit_name \
             FROM cases c JOIN units un ON un.id = c.unit_id WHERE ",
            in_scope!(),
            " AND c.status NOT IN ('answered', 'redirected', 'followed_up', 'archived') \
              AND (($3 <> '' AND c.id_number = $3) OR ($5 <> '' AND c.citizen_name = $4 AND c.phone = $5)) \
             ORDER BY c.id DESC LIMIT 50"
        ))
        .bind(&self.path_pattern)
        .bind(self.user_id)
        .bind(id_number)
        .bind(citizen_name)
        .bind(phone)
        .fetch_all(pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let same_id =
                !id_number.is_empty() && r.try_get::<Option<String>, _>("id_number")?.as_deref() == Some(id_number);
            let same_name_phone = !phone.is_empty()
                && r.try_get::<String, _>("citizen_name")? == citizen_name
                && r.try_get::<Option<String>, _>("phone")?.as_deref() == Some(phone);
            let their_summary: String = r.try_get("summary")?;
            if let Some(reason) = shared::desk::duplicate_reason(same_id, same_name_phone, summary, &their_summary) {
                out.push(DuplicateCandidate {
                    id: r.try_get("id")?,
                    number: r.try_get("number")?,
                    citizen_name: r.try_get("citizen_name")?,
                    summary: their_summary,
                    stage: from_text("stage", &r.try_get::<String, _>("stage")?)?,
                    unit_name: r.try_get("unit_name")?,
                    reason,
                });
            }
        }
        Ok(out)
    }
}

/// What the ledger (台账) and the documents of a case select: the cases in
/// scope, then these conditions. `$3`–`$10` as bound by [`LedgerFilter::bind`].
macro_rules! ledger_where {
    () => {
        concat!(
            in_scope!(),
            " AND ($3 = '' OR c.accepted_on >= $3) AND ($4 = '' OR c.accepted_on <= $4) \
             AND ($5 = 0 OR un.path LIKE ((SELECT f.path FROM units f WHERE f.id = $5) || '%')) \
             AND ($6 = '' OR c.stage = $6) AND ($7 = '' OR c.category = $7) AND ($8 = '' OR c.channel = $8) \
             AND ($9 = '' OR c.citizen_name LIKE $9 ESCAPE '\\' OR c.number LIKE $9 ESCAPE '\\' OR c.summary LIKE $9 ESCAPE '\\') \
             AND ($10 = 0 OR c.id = $10)"
        )
    };
}

/// The filters of the ledger (台账) download.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LedgerFilter {
    /// 受理日期起（含）
    #[serde(default)]
    pub from: Option<chrono::NaiveDate>,
    /// 受理日期止（含）
    #[serde(default)]
    pub to: Option<chrono::NaiveDate>,
    /// 该单位及其下级单位登记的事项
    #[serde(default)]
    pub unit_id: Option<i64>,
    #[serde(default)]
    pub stage: Option<Stage>,
    #[serde(default)]
    pub category: Option<shared::routing::ContentCategory>,
    #[serde(default)]
    pub channel: Option<shared::case::Channel>,
    /// A name, number or words of the problem.
    #[serde(default)]
    #[param(max_length = 100)]
    pub q: Option<String>,
}

impl LedgerFilter {
    fn bind<'q>(
        &'q self,
        scope: &'q Scope,
        case_id: Option<i64>,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        let pattern = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(|q| {
            let escaped = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            format!("%{escaped}%")
        });
        query
            .bind(&scope.path_pattern)
            .bind(scope.user_id)
            .bind(self.from.map(|d| d.to_string()).unwrap_or_default())
            .bind(self.to.map(|d| d.to_string()).unwrap_or_default())
            .bind(self.unit_id.unwrap_or(0))
            .bind(self.stage.map_or("", |s| s.as_str()))
            .bind(self.category.map_or("", |s| s.as_str()))
            .bind(self.channel.map_or("", |s| s.as_str()))
            .bind(pattern.unwrap_or_default())
            .bind(case_id.unwrap_or(0))
    }
}

/// The ledger and the printed documents (台账, 处置单, 一案一档): cases in
/// scope with their private fields for those who handle them, their
/// 处置单 and chosen timeline entries.
impl Scope {
    /// Whether this user may be shown private fields at all (on the cases
    /// they handle): decides whether the ledger has those columns.
    pub fn may_see_any_contact(&self) -> bool {
        may_see_contact(self.role, self.unit_kind, true)
    }

    /// Cases in scope matching the ledger filter (or the one case
    /// `case_id`), in order of acceptance; private fields where
    /// [`Scope::handles`] allows.
    pub async fn ledger_cases(
        &self,
        pool: &AnyPool,
        f: &LedgerFilter,
        case_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<CaseView>, AppError> {
        let sql = concat!(
            "SELECT c.*, un.name AS unit_name, ag.display_name AS agent_name, hu.name AS handling_unit_name \
             FROM cases c JOIN units un ON un.id = c.unit_id LEFT JOIN users ag ON ag.id = c.agent_id \
             LEFT JOIN units hu ON hu.id = c.handling_unit_id WHERE ",
            ledger_where!(),
            " ORDER BY c.accepted_on, c.id LIMIT $11"
        );
        let rows = f.bind(self, case_id, sqlx::query(sql)).bind(limit).fetch_all(pool).await?;
        Ok(rows.iter().map(|r| self.view(r, Contact::IfHandling)).collect::<Result<_, _>>()?)
    }

    /// The 处置单 of the cases [`Scope::ledger_cases`] selects, by case and order written.
    pub async fn ledger_dispositions(
        &self,
        pool: &AnyPool,
        f: &LedgerFilter,
        case_id: Option<i64>,
    ) -> Result<Vec<shared::desk::DispositionView>, AppError> {
        let sql = concat!(
            "SELECT d.id, d.case_id, d.unit_id, du.name AS unit_name, d.proposed_handling, d.created_at, \
             cu.display_name AS created_by_name, d.result, d.replied_at, ru.display_name AS replied_by_name \
             FROM dispositions d JOIN cases c ON c.id = d.case_id JOIN units un ON un.id = c.unit_id \
             JOIN units du ON du.id = d.unit_id LEFT JOIN users cu ON cu.id = d.created_by \
             LEFT JOIN users ru ON ru.id = d.replied_by WHERE ",
            ledger_where!(),
            " ORDER BY d.case_id, d.id"
        );
        let rows = f.bind(self, case_id, sqlx::query(sql)).fetch_all(pool).await?;
        let view = |r: &AnyRow| -> Result<shared::desk::DispositionView, sqlx::Error> {
            Ok(shared::desk::DispositionView {
                id: r.try_get("id")?,
                case_id: r.try_get("case_id")?,
                unit_id: r.try_get("unit_id")?,
                unit_name: r.try_get("unit_name")?,
                proposed_handling: r.try_get("proposed_handling")?,
                created_at: r.try_get("created_at")?,
                created_by_name: r.try_get::<Option<String>, _>("created_by_name")?.unwrap_or_default(),
                result: r.try_get("result")?,
                replied_at: r.try_get("replied_at")?,
                replied_by_name: r.try_get("replied_by_name")?,
            })
        };
        Ok(rows.iter().map(view).collect::<Result<_, _>>()?)
    }

    /// Timeline entries of one kind (`urge`, `follow_up`, `archive` …) of
    /// the cases [`Scope::ledger_cases`] selects, oldest first.
    pub async fn ledger_events(
        &self,
        pool: &AnyPool,
        f: &LedgerFilter,
        case_id: Option<i64>,
        kind: &str,
    ) -> Result<Vec<TimelineEntry>, AppError> {
        let sql = concat!(
            "SELECT e.id, e.case_id, e.payload, e.label, e.actor_id, u.display_name AS actor_name, e.at \
             FROM case_events e JOIN cases c ON c.id = e.case_id JOIN units un ON un.id = c.unit_id \
             LEFT JOIN users u ON u.id = e.actor_id WHERE ",
            ledger_where!(),
            " AND e.kind = $11 ORDER BY e.case_id, e.id"
        );
        let rows = f.bind(self, case_id, sqlx::query(sql)).bind(kind).fetch_all(pool).await?;
        Ok(rows.iter().map(timeline_from_row).collect::<Result<_, _>>()?)
    }
}
