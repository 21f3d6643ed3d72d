//! The monthly bulletin (月通报) and the year summary (年汇总) a township or
//! the banner sends to the units below it — as JSON for the desk, a
//! printable page and an XLSX workbook — and the agents' appraisal.
//!
//! Every figure comes from the kept counters (`case_stats`), the list of
//! overdue matters from the cases' (unit path, status, due date) index, the
//! ranking of villages from `assessment::ranking`.

use crate::db::session::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::ApiContext;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use shared::assessment::rate_text;
use shared::bulletin::{
    bulletin_title, rank_rows, AgentAppraisal, Appraisal, Bulletin, BulletinKind, BulletinRow, OverdueRow,
};
use shared::error::ErrorCode;
use shared::stats::{figures, Counts, MonthRange};
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;

pub fn api_router() -> Router<ApiContext> {
    Router::new()
        .route("/api/bulletin", get(bulletin))
        .route("/api/bulletin.xlsx", get(bulletin_xlsx))
        .route("/api/appraisal", get(appraisal))
}

pub fn print_router() -> Router<ApiContext> {
    Router::new().route("/print/bulletin", get(bulletin_print))
}

/// `?month=YYYY-MM` (月通报) or `?year=YYYY` (年汇总), and the unit.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BulletinQuery {
    /// The month of a monthly bulletin (YYYY-MM).
    #[serde(default)]
    pub month: Option<String>,
    /// The year of a year summary.
    #[serde(default)]
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    #[serde(default)]
    #[param(minimum = 1)]
    pub unit_id: Option<i64>,
}

fn reader(user: &CurrentUser) -> AppResult<()> {
    crate::api::stats::desk_reader(user, "通报")
}

fn bad(m: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::ValidationFailed, m)
}

/// The bulletin a query asks for.
async fn build_for(
    ctx: &ApiContext,
    user: &CurrentUser,
    q: Result<Query<BulletinQuery>, QueryRejection>,
) -> AppResult<Bulletin> {
    reader(user)?;
    let Query(q) = q.map_err(|e| bad(format!("通报条件无效：{}", e.body_text())))?;
    let today = shared::time::china_today(chrono::Utc::now());
    let (kind, period) = match (&q.month, q.year) {
        (Some(m), None) => (BulletinKind::Month, MonthRange::parse(m, m)?),
        (None, Some(y)) if (2000..=2100).contains(&y) => {
            (BulletinKind::Year, crate::api::assessment::year_range(y, today))
        }
        (None, Some(_)) => return Err(bad("年度应为 2000–2100")),
        (None, None) => {
            // The last whole month: the bulletin a township sends early in the next.
            let last = today.with_day(1).and_then(|d| d.pred_opt()).unwrap_or(today);
            let m = shared::stats::month_of(last);
            (BulletinKind::Month, MonthRange::parse(&m, &m)?)
        }
        (Some(_), Some(_)) => return Err(bad("请只给出月份（month）或年度（year）之一")),
    };
    if period.from > shared::stats::month_of(today) {
        return Err(bad("通报月份不能晚于本月"));
    }
    let unit_id = q.unit_id.unwrap_or(user.unit_id);
    let (_, path, name) = crate::db::stats::unit_named(&ctx.db.pool, user, unit_id, "通报").await?;
    build(&ctx.db.pool, kind, unit_id, name, &path, period, today).await
}

/// Builds the bulletin of the unit at `path` for `period` (a month, or a
/// year), as of `today`.
pub async fn build(
    pool: &AnyPool,
    kind: BulletinKind,
    unit_id: i64,
    unit_name: String,
    path: &str,
    period: MonthRange,
    today: NaiveDate,
) -> AppResult<Bulletin> {
    let year: i32 = period.from[..4].parse().map_err(|_| bad("月份无效"))?;
    let year_to_date = MonthRange { from: format!("{year:04}-01"), to: period.to.clone() };
    // The unit's own counters in the period.
    let own = sqlx::query(
        "SELECT stat_key, CAST(SUM(n) AS BIGINT) AS n FROM case_stats \
         WHERE unit_path = $1 AND month >= $2 AND month <= $3 GROUP BY stat_key",
    )
    .bind(path)
    .bind(&period.from)
    .bind(&period.to)
    .fetch_all(pool)
    .await?;
    let mut totals = Counts::new();
    for r in &own {
        totals.insert(r.try_get("stat_key")?, r.try_get::<Option<i64>, _>("n")?.unwrap_or(0));
    }
    let children = sqlx::query(
        "SELECT id, name, path FROM units WHERE parent_id = $1 AND kind NOT IN ('task_group', 'department') ORDER BY path",
    )
    .bind(unit_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| Ok((r.try_get::<i64, _>("id")?, r.try_get::<String, _>("name")?, r.try_get::<String, _>("path")?)))
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let overdue_now = overdue_by_child(pool, unit_id, today).await?;
    let rows = child_rows(pool, unit_id, &children, &period, &overdue_now).await?;
    let rows_year = child_rows(pool, unit_id, &children, &year_to_date, &overdue_now).await?;
    let overdue_total: i64 = sqlx::query(
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM case_stats \
         WHERE unit_path = $1 AND month = '' AND stat_key >= 'due:' AND stat_key < $2",
    )
    .bind(path)
    .bind(format!("due:{today}"))
    .fetch_one(pool)
    .await?
    .try_get(0)?;
    let overdue = overdue_matters(pool, path, today).await?;
    let assessment = crate::api::assessment::ranking(pool, path, year, today).await?;
    let (from, to) = period.days();
    let letters = crate::api::assessment::letters_issued(pool, path, from, to).await?;
    Ok(Bulletin {
        kind,
        unit_id,
        title: bulletin_title(kind, &unit_name, &period),
        unit_name,
        figures: figures(&totals),
        rows,
        rows_year,
        overdue,
        overdue_total,
        assessment,
        letters,
        period,
        year_to_date,
        made_on: today,
    })
}

/// Each child unit's open matters past their limit now, from the snapshot
/// counters (`due:YYYY-MM-DD` before today).
async fn overdue_by_child(pool: &AnyPool, unit_id: i64, today: NaiveDate) -> AppResult<BTreeMap<String, i64>> {
    let rows = sqlx::query(
        "SELECT unit_path, CAST(SUM(n) AS BIGINT) AS n FROM case_stats \
         WHERE unit_path IN (SELECT path FROM units WHERE parent_id = $1) AND month = '' \
         AND stat_key >= 'due:' AND stat_key < $2 GROUP BY unit_path",
    )
    .bind(unit_id)
    .bind(format!("due:{today}"))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("unit_path")?, r.try_get::<Option<i64>, _>("n")?.unwrap_or(0))))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

async fn child_rows(
    pool: &AnyPool,
    unit_id: i64,
    children: &[(i64, String, String)],
    range: &MonthRange,
    overdue: &BTreeMap<String, i64>,
) -> AppResult<Vec<BulletinRow>> {
    let sums = sqlx::query(
        "SELECT unit_path, stat_key, CAST(SUM(n) AS BIGINT) AS n FROM case_stats \
         WHERE unit_path IN (SELECT path FROM units WHERE parent_id = $1) AND month >= $2 AND month <= $3 \
         AND stat_key IN ('total', 'agency', 'channel:online', 'closed', 'resolved') GROUP BY unit_path, stat_key",
    )
    .bind(unit_id)
    .bind(&range.from)
    .bind(&range.to)
    .fetch_all(pool)
    .await?;
    let mut per: BTreeMap<String, Counts> = BTreeMap::new();
    for r in &sums {
        per.entry(r.try_get("unit_path")?)
            .or_default()
            .insert(r.try_get("stat_key")?, r.try_get::<Option<i64>, _>("n")?.unwrap_or(0));
    }
    let empty = Counts::new();
    let mut rows: Vec<BulletinRow> = children
        .iter()
        .map(|(id, name, path)| {
            BulletinRow::of(*id, name.clone(), per.get(path).unwrap_or(&empty), overdue.get(path).copied().unwrap_or(0))
        })
        .collect();
    rank_rows(&mut rows);
    Ok(rows)
}

/// The oldest 200 open matters past their limit below `path`: number,
/// units, category and dates only (a bulletin names no citizen).
async fn overdue_matters(pool: &AnyPool, path: &str, today: NaiveDate) -> AppResult<Vec<OverdueRow>> {
    let rows = sqlx::query(
        "SELECT c.id, c.number, c.category, c.accepted_on, c.due_on, c.handling_level, u.name AS unit_name, \
         h.name AS handling_name FROM cases c JOIN units u ON u.id = c.unit_id \
         LEFT JOIN units h ON h.id = c.handling_unit_id \
         WHERE c.unit_path LIKE $1 AND c.status IN ('screening', 'handling') AND c.due_on < $2 \
         ORDER BY c.due_on, c.id LIMIT 200",
    )
    .bind(format!("{path}%"))
    .bind(today.to_string())
    .fetch_all(pool)
    .await?;
    let cal = crate::db::calendar::current();
    rows.iter()
        .map(|r| {
            let due_on = crate::db::text::date(&r.try_get::<String, _>("due_on")?)?;
            let level: shared::lifecycle::HandlingLevel =
                crate::db::text::from_text("handling_level", &r.try_get::<String, _>("handling_level")?)?;
            let category: Option<shared::routing::ContentCategory> =
                crate::db::text::opt_from_text("category", r.try_get("category")?)?;
            Ok(OverdueRow {
                case_id: r.try_get("id")?,
                number: r.try_get("number")?,
                unit_name: r.try_get("unit_name")?,
                handling: r.try_get::<Option<String>, _>("handling_name")?.unwrap_or_else(|| level.label().to_string()),
                category: category.map_or("未分类".to_string(), |c| c.label().to_string()),
                accepted_on: crate::db::text::date(&r.try_get::<String, _>("accepted_on")?)?,
                due_on,
                days_over: cal.working_days_between(due_on, today).value.max(0),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

#[utoipa::path(get, path = "/api/bulletin", tag = "assessment", params(BulletinQuery), responses((status = 200, body = Bulletin), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn bulletin(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    q: Result<Query<BulletinQuery>, QueryRejection>,
) -> AppResult<Json<Bulletin>> {
    Ok(Json(build_for(&ctx, &user, q).await?))
}

fn pct(r: Option<Decimal>) -> String {
    rate_text(r)
}

/// One table of a bulletin: its title, column heads and rows of text.
pub type Table = (String, Vec<&'static str>, Vec<Vec<String>>);

/// The tables of a bulletin, in order, as printed and as sheets.
pub fn tables(b: &Bulletin) -> Vec<Table> {
    let unit_rows = |rows: &[BulletinRow]| -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| {
                vec![
                    r.rank.to_string(),
                    r.unit_name.clone(),
                    r.total.to_string(),
                    r.agency.to_string(),
                    pct(r.rates[0]),
                    pct(r.rates[1]),
                    pct(r.rates[2]),
                    pct(r.rates[3]),
                    r.overdue_now.to_string(),
                ]
            })
            .collect()
    };
    let unit_heads =
        vec!["名次", "单位", "受理事项", "代办事项", "代办率", "网访占比率", "办结率", "化解率", "当前超期"];
    let figures: Vec<Vec<String>> = b
        .figures
        .iter()
        .map(|f| {
            vec![
                f.kind.label().to_string(),
                f.numerator.to_string(),
                f.denominator.to_string(),
                pct(f.rate),
                f.target.map(|t| format!("≥ {}", pct(Some(t)))).unwrap_or_default(),
                match f.met {
                    Some(true) => "达标".to_string(),
                    Some(false) => "未达标".to_string(),
                    None => String::new(),
                },
            ]
        })
        .collect();
    let overdue: Vec<Vec<String>> = b
        .overdue
        .iter()
        .map(|o| {
            vec![
                o.number.clone(),
                o.unit_name.clone(),
                o.handling.clone(),
                o.category.clone(),
                o.accepted_on.to_string(),
                o.due_on.to_string(),
                o.days_over.to_string(),
            ]
        })
        .collect();
    let assessment: Vec<Vec<String>> = b
        .assessment
        .iter()
        .map(|a| {
            let r = &a.result;
            vec![
                a.rank.to_string(),
                a.unit_name.clone(),
                a.parent_name.clone(),
                (r.organisation + r.rules).to_string(),
                r.performance.iter().copied().sum::<Decimal>().round_dp(2).to_string(),
                (r.bonus_writeups + r.bonus_major + r.bonus_warnings).to_string(),
                r.deduction_part.to_string(),
                format!("{:.2}", r.total),
                match r.vetoed {
                    Some(v) => format!("{}（一票否决：{}）", r.grade.label(), v.label()),
                    None => r.grade.label().to_string(),
                },
            ]
        })
        .collect();
    let letters: Vec<Vec<String>> = b
        .letters
        .iter()
        .map(|l| {
            vec![
                l.number.clone(),
                l.kind.label().to_string(),
                l.unit_name.clone(),
                l.reason.clone(),
                l.issued_on.to_string(),
                l.acknowledged_on.map(|d| d.to_string()).unwrap_or_else(|| "未签收".to_string()),
            ]
        })
        .collect();
    let period_name = match b.kind {
        BulletinKind::Month => "本月",
        BulletinKind::Year => "全年",
    };
    vec![
        (format!("{}主要指标", period_name), vec!["指标", "分子", "分母", "比率", "目标", "是否达标"], figures),
        (format!("各单位{period_name}情况排名"), unit_heads.clone(), unit_rows(&b.rows)),
        ("各单位年度累计排名".to_string(), unit_heads, unit_rows(&b.rows_year)),
        (
            format!("超期未办结事项（共 {} 件，列出期限最早的 {} 件）", b.overdue_total, b.overdue.len()),
            vec!["事项编号", "登记单位", "办理单位", "内容分类", "受理日期", "办理期限", "超期工作日"],
            overdue,
        ),
        (
            "嘎查村（社区）信访代办工作考核排名（年度累计）".to_string(),
            vec!["名次", "嘎查村（社区）", "苏木镇", "组织与制度", "工作实绩", "加分", "减分项得分", "总分", "等级"],
            assessment,
        ),
        (format!("{period_name}发出的函件"), vec!["文号", "函件", "收函单位", "事由", "发函日期", "签收"], letters),
    ]
}

#[derive(Template)]
#[template(path = "print/bulletin.html")]
struct BulletinPage<'a> {
    b: &'a Bulletin,
    tables: Vec<Table>,
    made_on: String,
}

/// `GET /print/bulletin?month=…|year=…`: the bulletin on A4.
pub async fn bulletin_print(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    q: Result<Query<BulletinQuery>, QueryRejection>,
) -> AppResult<Response> {
    let b = build_for(&ctx, &user, q).await?;
    let html = BulletinPage { tables: tables(&b), made_on: crate::api::assessment::chinese_date(b.made_on), b: &b }
        .render()
        .map_err(|_| AppError::new(ErrorCode::Internal, "通报生成失败"))?;
    Ok(([(header::CACHE_CONTROL, "no-store")], axum::response::Html(html)).into_response())
}

/// `GET /api/bulletin.xlsx?month=…|year=…`: the bulletin as a workbook,
/// one sheet per table.
#[utoipa::path(get, path = "/api/bulletin.xlsx", tag = "assessment", params(BulletinQuery), responses((status = 200, description = "通报（Excel）", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn bulletin_xlsx(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    q: Result<Query<BulletinQuery>, QueryRejection>,
) -> AppResult<Response> {
    let b = build_for(&ctx, &user, q).await?;
    let bytes = tokio::task::spawn_blocking(move || workbook(&b))
        .await
        .map_err(|_| AppError::new(ErrorCode::Internal, "通报生成失败"))??;
    Ok(crate::reward_report::xlsx_response(bytes, "bulletin.xlsx", &crate::api::public::percent("通报.xlsx")))
}

/// The workbook of a bulletin.
pub fn workbook(b: &Bulletin) -> AppResult<Vec<u8>> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let names = ["主要指标", "本期排名", "年度累计", "超期事项", "考核排名", "函件"];
    for (i, (title, heads, rows)) in tables(b).into_iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(names[i])?;
        ws.write_string_with_format(0, 0, &b.title, &rust_xlsxwriter::Format::new().set_bold().set_font_size(14))?;
        ws.write_string(1, 0, &title)?;
        let widths: Vec<(&str, f64)> =
            heads.iter().map(|h| (*h, if h.chars().count() > 4 || *h == "事由" { 22.0 } else { 12.0 })).collect();
        crate::reward_report::table(ws, 2, &widths, &rows, None)?;
    }
    Ok(wb.save_to_buffer()?)
}

/// `?from=YYYY-MM&to=YYYY-MM&unit_id=N`
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AppraisalQuery {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    #[param(minimum = 1)]
    pub unit_id: Option<i64>,
}

#[utoipa::path(get, path = "/api/appraisal", tag = "assessment", params(AppraisalQuery), responses((status = 200, body = Appraisal), (status = "4XX", description = "错误：{code, message}", body = shared::error::ApiError)))]
pub async fn appraisal(
    State(ctx): State<ApiContext>,
    user: CurrentUser,
    q: Result<Query<AppraisalQuery>, QueryRejection>,
) -> AppResult<Json<Appraisal>> {
    reader(&user)?;
    let Query(q) = q.map_err(|e| bad(format!("考评条件无效：{}", e.body_text())))?;
    let today = shared::time::china_today(chrono::Utc::now());
    let period = MonthRange::parse(
        q.from.as_deref().unwrap_or(&format!("{:04}-01", today.year())),
        q.to.as_deref().unwrap_or(&shared::stats::month_of(today)),
    )?;
    let unit_id = q.unit_id.unwrap_or(user.unit_id);
    let (_, path, unit_name) = crate::db::stats::unit_named(&ctx.db.pool, &user, unit_id, "代办员考评").await?;
    let agents = appraise(&ctx.db.pool, &path, &period).await?;
    Ok(Json(Appraisal { unit_id, unit_name, period, agents }))
}

/// Every agent of the units below `path`: the matters they handle received
/// in the period (counted by the matters' own counter keys, the shared
/// rule), and their visits logged in the period.
pub async fn appraise(pool: &AnyPool, path: &str, period: &MonthRange) -> AppResult<Vec<AgentAppraisal>> {
    let pattern = format!("{path}%");
    let (from, to) = period.days();
    let agents = sqlx::query(
        "SELECT u.id, u.display_name, n.name AS unit_name FROM users u JOIN units n ON n.id = u.unit_id \
         WHERE u.role = 'field_agent' AND n.path LIKE $1 ORDER BY n.path, u.display_name",
    )
    .bind(&pattern)
    .fetch_all(pool)
    .await?;
    let has = |k: &str| format!("SUM(CASE WHEN c.stat_keys LIKE '%|{k}|%' THEN 1 ELSE 0 END)");
    let sums = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT c.agent_id, CAST({} AS BIGINT) AS taken, CAST({} AS BIGINT) AS closed, CAST({} AS BIGINT) AS resolved, \
         CAST({} AS BIGINT) AS on_time, CAST({} AS BIGINT) AS opinions, CAST({} AS BIGINT) AS satisfied \
         FROM cases c WHERE c.unit_path LIKE $1 AND c.accepted_on >= $2 AND c.accepted_on <= $3 \
         AND c.agent_id IS NOT NULL GROUP BY c.agent_id",
        has("agency"),
        has("closed"),
        has("resolved"),
        has("closed_in_time"),
        has("opinions"),
        has("satisfied"),
    )))
    .bind(&pattern)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(pool)
    .await?;
    let mut per: BTreeMap<i64, [i64; 6]> = BTreeMap::new();
    for r in &sums {
        let g = |c: &str| r.try_get::<Option<i64>, _>(c).map(|v| v.unwrap_or(0));
        per.insert(
            r.try_get("agent_id")?,
            [g("taken")?, g("closed")?, g("resolved")?, g("on_time")?, g("opinions")?, g("satisfied")?],
        );
    }
    // Visits are dated by the device (local time text): the period's days.
    let visits = sqlx::query(
        "SELECT v.recorded_by, COUNT(*) AS n FROM visits v JOIN users u ON u.id = v.recorded_by \
         JOIN units n ON n.id = u.unit_id WHERE n.path LIKE $1 AND v.visited_at >= $2 AND v.visited_at < $3 \
         GROUP BY v.recorded_by",
    )
    .bind(&pattern)
    .bind(from.to_string())
    .bind(to.succ_opt().unwrap_or(to).to_string())
    .fetch_all(pool)
    .await?;
    let mut visit_n: BTreeMap<i64, i64> = BTreeMap::new();
    for r in &visits {
        visit_n.insert(r.try_get("recorded_by")?, r.try_get("n")?);
    }
    let mut out: Vec<AgentAppraisal> = agents
        .iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            let [taken, closed, resolved, on_time, opinions, satisfied] = per.get(&id).copied().unwrap_or_default();
            Ok(AgentAppraisal::of(
                id,
                r.try_get("display_name")?,
                r.try_get("unit_name")?,
                taken,
                closed,
                resolved,
                on_time,
                opinions,
                satisfied,
                visit_n.get(&id).copied().unwrap_or(0),
            ))
        })
        .collect::<Result<_, sqlx::Error>>()?;
    out.sort_by(|a, b| b.taken.cmp(&a.taken).then(b.closed.cmp(&a.closed)).then(a.name.cmp(&b.name)));
    Ok(out)
}
