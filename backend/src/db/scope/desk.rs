//! The desk's reads: inbox queue counts and pages, the due boards and
//! possible duplicates, each a condition over the scope's cases.

use super::*;

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
    /// of the cases: `tests/it/stats.rs`) and the page an index walk with plain
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
        // as the counters, equal to a recount: `tests/it/stats.rs`), merged in
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
