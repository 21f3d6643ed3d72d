//! The ledger (台账) and the printed documents' reads: cases in scope with
//! their 处置单 and chosen timeline entries.

use super::*;

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
    pub async fn ledger_cases<'e>(
        &self,
        pool: impl sqlx::Executor<'e, Database = sqlx::Any>,
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
    pub async fn ledger_events<'e>(
        &self,
        pool: impl sqlx::Executor<'e, Database = sqlx::Any>,
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
