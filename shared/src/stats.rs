//! Statistics (issue 12): which counters a matter contributes to, the
//! figures (rate = numerator ÷ denominator, beside the county targets of
//! seed 003) and the wire types of `GET /api/stats`.
//!
//! The server keeps the counters as aggregates, updated in the same
//! transaction as the case row (subtract the old row's contributions, add
//! the new row's), and its recount test runs the very same
//! [`contributions`] over the cases: the rule of which matter counts where
//! is written once, here.
//!
//! Periods are months of receipt (`accepted_on`): a figure "for 2026 Q1"
//! counts the matters received from January to March, whatever happened to
//! them since. The due-date counters are the other kind: a snapshot of the
//! open matters by due date, with no month (`""`).

use crate::assessment::{county_targets, ratio};
use crate::lifecycle::{CaseStatus, HandlingLevel, Lifecycle};
use crate::routing::ContentCategory;
use crate::vocab::{Channel, Source, Stage};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What the statistics need to know of one matter (one `cases` row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    /// The registering unit's path (`/1/2/5/`): a matter never moves unit,
    /// so its counters stay with that unit and every unit above it.
    pub unit_path: String,
    pub accepted_on: NaiveDate,
    pub channel: Channel,
    pub source: Source,
    pub category: Option<ContentCategory>,
    pub lifecycle: Lifecycle,
    pub due_on: NaiveDate,
    /// Screened (any outcome) on or before the screening limit; `None`
    /// while under screening.
    pub screened_in_time: Option<bool>,
    /// Closed (办结) on or before the handling limit, at the last closure.
    pub closed_in_time: Option<bool>,
    /// The last quality inspection (质检): passed or not.
    pub quality: Option<bool>,
    /// The citizen evaluated the result themselves on the public page
    /// (可评价) — what 参评 counts.
    pub citizen_rated: bool,
    /// The paths of the competent departments (事权单位) the matter was
    /// transferred to with a 处置单: it counts in their figures too.
    pub departments: Vec<String>,
}

/// One counter: a unit (and, in the table, each unit above it), a month
/// (`YYYY-MM`, or `""` for the open-matter snapshot) and a key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Counter {
    pub month: String,
    pub key: String,
}

/// The counter keys (besides `channel:…`, `source:…`, `category:…`,
/// `stage:…` and the snapshot's `due:YYYY-MM-DD`).
pub mod key {
    /// Every matter received (属地信访事项).
    pub const TOTAL: &str = "total";
    /// Accepted for agency (代办).
    pub const AGENCY: &str = "agency";
    /// Agency matters closed (办结).
    pub const CLOSED: &str = "closed";
    /// Agency matters resolved (化解: 息诉罢访 confirmed).
    pub const RESOLVED: &str = "resolved";
    /// Closed matters with the citizen's opinion recorded at closing (the
    /// satisfaction rate's denominator).
    pub const OPINIONS: &str = "opinions";
    /// Of them, 满意 or 比较满意.
    pub const SATISFIED: &str = "satisfied";
    /// Closed matters the citizen evaluated on the public page (参评).
    pub const RATED: &str = "rated";
    /// Screened (the screening outcome recorded: 受理 or not).
    pub const SCREENED: &str = "screened";
    /// Screened within the screening limit (及时受理).
    pub const SCREENED_IN_TIME: &str = "screened_in_time";
    /// Closed within the handling limit (按期办结).
    pub const CLOSED_IN_TIME: &str = "closed_in_time";
    /// Closed matters the citizen took to 复查/复核.
    pub const REVIEWED: &str = "reviewed";
    /// Inspected (质检), and passed.
    pub const QUALITY_CHECKED: &str = "quality_checked";
    pub const QUALITY_PASSED: &str = "quality_passed";
    /// Prefix of the open-matter snapshot by due date.
    pub const DUE: &str = "due:";
    /// `channel:online`: the 网访 share's numerator.
    pub const ONLINE: &str = "channel:online";
}

/// The month a date belongs to, as the counters store it.
pub fn month_of(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// Whether the matter was accepted for agency (代办): it went on to be
/// handled. A matter answered or redirected at screening never was; an
/// archived one was if it was closed with an opinion (only agency matters
/// reach 办结反馈).
pub fn is_agency(l: &Lifecycle) -> bool {
    match l.status {
        CaseStatus::Screening | CaseStatus::Answered | CaseStatus::Redirected { .. } => false,
        CaseStatus::Archived => l.opinion.is_some(),
        _ => true,
    }
}

/// Whether the clock of the matter runs (open: screening or handling), as
/// for the desk's due-soon and overdue queues.
pub fn is_open(l: &Lifecycle) -> bool {
    matches!(l.status, CaseStatus::Screening | CaseStatus::Handling)
}

/// The counters one matter adds 1 to. Removing a matter (or its old state)
/// subtracts 1 from exactly these.
pub fn contributions(f: &CaseFacts) -> Vec<Counter> {
    let month = month_of(f.accepted_on);
    let l = &f.lifecycle;
    let mut keys: Vec<String> = vec![
        key::TOTAL.into(),
        format!("channel:{}", f.channel.as_str()),
        format!("source:{}", f.source.as_str()),
        format!("category:{}", f.category.map_or("none", |c| c.as_str())),
        format!("stage:{}", l.stage().as_str()),
    ];
    // Reported up to the banner or the league (上报): for a village's
    // matter, the over-level petitions the assessment deducts for.
    if l.level >= HandlingLevel::County {
        keys.push(format!("level:{}", l.level.as_str()));
    }
    if let Some(in_time) = f.screened_in_time {
        keys.push(key::SCREENED.into());
        if in_time {
            keys.push(key::SCREENED_IN_TIME.into());
        }
    }
    if is_agency(l) {
        keys.push(key::AGENCY.into());
        if l.is_closed() {
            keys.push(key::CLOSED.into());
            if f.closed_in_time == Some(true) {
                keys.push(key::CLOSED_IN_TIME.into());
            }
            if let Some(o) = l.opinion {
                keys.push(key::OPINIONS.into());
                if o.is_satisfied() {
                    keys.push(key::SATISFIED.into());
                }
            }
            if f.citizen_rated {
                keys.push(key::RATED.into());
            }
            if l.reviews > 0 {
                keys.push(key::REVIEWED.into());
            }
            if let Some(passed) = f.quality {
                keys.push(key::QUALITY_CHECKED.into());
                if passed {
                    keys.push(key::QUALITY_PASSED.into());
                }
            }
        }
        if l.is_resolved() {
            keys.push(key::RESOLVED.into());
        }
    }
    let mut out: Vec<Counter> = keys.into_iter().map(|key| Counter { month: month.clone(), key }).collect();
    if is_open(l) {
        out.push(Counter { month: String::new(), key: format!("{}{}", key::DUE, f.due_on) });
    }
    out
}

/// The period keys of a matter as one text (`|total|agency|…|`), stored on
/// the case so the drill-down selects exactly the matters behind a counter
/// (`LIKE '%|closed|%'`).
pub fn keys_text(f: &CaseFacts) -> String {
    let mut s = String::from("|");
    for c in contributions(f).into_iter().filter(|c| !c.month.is_empty()) {
        s.push_str(&c.key);
        s.push('|');
    }
    s
}

/// Where a matter's counters are kept: each of its [`contributions`] for
/// its registering unit and every unit above it ([`ancestor_paths`]), and
/// for each department it was transferred to (that department alone: the
/// banner above counts the matter once, by where it was registered).
pub fn counted_at(f: &CaseFacts) -> Vec<(String, Counter)> {
    let changes = contributions(f);
    let mut paths = ancestor_paths(&f.unit_path);
    for d in &f.departments {
        if !paths.contains(d) {
            paths.push(d.clone());
        }
    }
    let mut out = Vec::with_capacity(paths.len() * changes.len());
    for p in paths {
        for c in &changes {
            out.push((p.clone(), c.clone()));
        }
    }
    out
}

/// The change to the counters, unit by unit ([`counted_at`]), when a
/// matter goes from `old` to `new` (`None`: not there); zeros left out.
pub fn delta_at(old: Option<&CaseFacts>, new: Option<&CaseFacts>) -> Vec<((String, Counter), i64)> {
    let mut m = std::collections::BTreeMap::<(String, Counter), i64>::new();
    for c in old.map(counted_at).unwrap_or_default() {
        *m.entry(c).or_default() -= 1;
    }
    for c in new.map(counted_at).unwrap_or_default() {
        *m.entry(c).or_default() += 1;
    }
    m.into_iter().filter(|(_, n)| *n != 0).collect()
}

/// The change to the counters when a matter goes from `old` to `new`
/// (`None`: not there): +1 / −1 per counter, zero changes left out.
pub fn delta(old: Option<&CaseFacts>, new: Option<&CaseFacts>) -> Vec<(Counter, i64)> {
    let mut m = std::collections::BTreeMap::<Counter, i64>::new();
    for c in old.map(contributions).unwrap_or_default() {
        *m.entry(c).or_default() -= 1;
    }
    for c in new.map(contributions).unwrap_or_default() {
        *m.entry(c).or_default() += 1;
    }
    m.into_iter().filter(|(_, n)| *n != 0).collect()
}

/// The unit paths a counter of a matter at `path` is kept for: the unit
/// and each unit above it (`/1/2/5/` → `/1/`, `/1/2/`, `/1/2/5/`), so any
/// unit's figure is one key lookup, not a scan of its subtree.
pub fn ancestor_paths(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut acc = String::from("/");
    for part in path.split('/').filter(|p| !p.is_empty()) {
        acc.push_str(part);
        acc.push('/');
        out.push(acc.clone());
    }
    out
}

/// A period of months, both ends included (`YYYY-MM`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthRange {
    pub from: String,
    pub to: String,
}

impl MonthRange {
    /// Checks `YYYY-MM` bounds in order, at most 10 years apart.
    pub fn parse(from: &str, to: &str) -> Result<MonthRange, crate::error::ApiError> {
        use crate::error::{ApiError, ErrorCode};
        let first_day =
            |m: &str| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok().filter(|_| m.len() == 7);
        let (Some(a), Some(b)) = (first_day(from), first_day(to)) else {
            return Err(ApiError::new(ErrorCode::ValidationFailed, "统计期间应为年月（YYYY-MM）"));
        };
        if a > b {
            return Err(ApiError::new(ErrorCode::ValidationFailed, "统计期间的起始月份不能晚于结束月份"));
        }
        if b.year() - a.year() > 10 {
            return Err(ApiError::new(ErrorCode::ValidationFailed, "统计期间不能超过 10 年"));
        }
        Ok(MonthRange { from: from.to_string(), to: to.to_string() })
    }

    /// The first and last day of the period (the drill-down's accepted-on bounds).
    pub fn days(&self) -> (NaiveDate, NaiveDate) {
        let first = NaiveDate::parse_from_str(&format!("{}-01", self.from), "%Y-%m-%d").unwrap_or_default();
        let last_first = NaiveDate::parse_from_str(&format!("{}-01", self.to), "%Y-%m-%d").unwrap_or_default();
        let next = if last_first.month() == 12 {
            NaiveDate::from_ymd_opt(last_first.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(last_first.year(), last_first.month() + 1, 1)
        };
        (first, next.and_then(|d| d.pred_opt()).unwrap_or(last_first))
    }

    /// Every month of the period, in order.
    pub fn months(&self) -> Vec<String> {
        let (mut d, last) = self.days();
        let mut out = Vec::new();
        while d <= last {
            out.push(month_of(d));
            d = if d.month() == 12 {
                NaiveDate::from_ymd_opt(d.year() + 1, 1, 1).unwrap_or(last.succ_opt().unwrap_or(last))
            } else {
                NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1).unwrap_or(last.succ_opt().unwrap_or(last))
            };
        }
        out
    }

    /// A whole year, or one quarter (1–4) of it.
    pub fn year(y: i32) -> MonthRange {
        MonthRange { from: format!("{y:04}-01"), to: format!("{y:04}-12") }
    }

    pub fn quarter(y: i32, q: u32) -> MonthRange {
        let q = q.clamp(1, 4);
        MonthRange { from: format!("{y:04}-{:02}", q * 3 - 2), to: format!("{y:04}-{:02}", q * 3) }
    }
}

/// Summed counters: key → count.
pub type Counts = std::collections::BTreeMap<String, i64>;

fn get(c: &Counts, k: &str) -> u64 {
    c.get(k).copied().unwrap_or(0).max(0) as u64
}

crate::code_enum! {
    /// The figures of the statistics page, in display order.
    pub enum FigureKind {
        Agency = "agency" => "代办率",
        OnlineShare = "online_share" => "网访占比率",
        Closure = "closure" => "办结率",
        Resolution = "resolution" => "化解率",
        TimelyAcceptance = "timely_acceptance" => "及时受理率",
        OnTimeClosure = "on_time_closure" => "按期办结率",
        Satisfaction = "satisfaction" => "群众满意率",
        Participation = "participation" => "参评率",
        Review = "review" => "复查复核率",
        QualityPass = "quality_pass" => "质检合格率",
    }
}

impl FigureKind {
    /// The counters of the numerator and the denominator.
    pub fn keys(self) -> (&'static str, &'static str) {
        use key::*;
        match self {
            FigureKind::Agency => (AGENCY, TOTAL),
            FigureKind::OnlineShare => (ONLINE, TOTAL),
            FigureKind::Closure => (CLOSED, AGENCY),
            FigureKind::Resolution => (RESOLVED, AGENCY),
            FigureKind::TimelyAcceptance => (SCREENED_IN_TIME, SCREENED),
            FigureKind::OnTimeClosure => (CLOSED_IN_TIME, CLOSED),
            FigureKind::Satisfaction => (SATISFIED, OPINIONS),
            FigureKind::Participation => (RATED, CLOSED),
            FigureKind::Review => (REVIEWED, CLOSED),
            FigureKind::QualityPass => (QUALITY_PASSED, QUALITY_CHECKED),
        }
    }

    /// The county target (seed 003) this figure is held against, if any.
    pub fn target(self) -> Option<Decimal> {
        let t = county_targets();
        match self {
            FigureKind::TimelyAcceptance => Some(t[0].minimum),
            FigureKind::Satisfaction => Some(t[1].minimum),
            FigureKind::Closure => Some(t[2].minimum),
            FigureKind::QualityPass => Some(t[3].minimum),
            _ => None,
        }
    }
}

/// One figure: numerator, denominator, the rate and, where the county set
/// one, the target and whether it is met (`None`: nothing counted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figure {
    pub kind: FigureKind,
    /// The counter keys: the drill-down lists the matters behind each.
    pub numerator_key: String,
    pub denominator_key: String,
    pub numerator: i64,
    pub denominator: i64,
    pub rate: Option<Decimal>,
    pub target: Option<Decimal>,
    pub met: Option<bool>,
}

/// Every figure of summed counters.
pub fn figures(c: &Counts) -> Vec<Figure> {
    FigureKind::ALL
        .iter()
        .map(|&kind| {
            let (n, d) = kind.keys();
            let rate = ratio(get(c, n), get(c, d));
            let target = kind.target();
            Figure {
                kind,
                numerator_key: n.to_string(),
                denominator_key: d.to_string(),
                numerator: get(c, n) as i64,
                denominator: get(c, d) as i64,
                rate,
                target,
                met: match (rate, target) {
                    (Some(r), Some(t)) => Some(r >= t),
                    _ => None,
                },
            }
        })
        .collect()
}

/// A rate as a percentage with two decimals (`95.24%`), or `—`.
pub fn percent(rate: Option<Decimal>) -> String {
    match rate {
        Some(r) => format!("{:.2}%", (r * Decimal::from(100)).round_dp(2)),
        None => "—".to_string(),
    }
}

/// One month of the trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthRow {
    pub month: String,
    pub total: i64,
    pub agency: i64,
    pub closed: i64,
    pub resolved: i64,
    pub online: i64,
}

/// One child unit in the ranking (by 办结率, then 化解率, then volume).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RankRow {
    pub unit_id: i64,
    pub unit_name: String,
    pub total: i64,
    pub agency: i64,
    pub closed: i64,
    pub resolved: i64,
    pub closure: Option<Decimal>,
    pub resolution: Option<Decimal>,
}

impl RankRow {
    pub fn of(unit_id: i64, unit_name: String, c: &Counts) -> RankRow {
        RankRow {
            unit_id,
            unit_name,
            total: get(c, key::TOTAL) as i64,
            agency: get(c, key::AGENCY) as i64,
            closed: get(c, key::CLOSED) as i64,
            resolved: get(c, key::RESOLVED) as i64,
            closure: ratio(get(c, key::CLOSED), get(c, key::AGENCY)),
            resolution: ratio(get(c, key::RESOLVED), get(c, key::AGENCY)),
        }
    }
}

/// Ranks units: best closure rate first, then resolution, then more
/// matters; a unit with no agency matter last; ties by name.
pub fn rank(rows: &mut [RankRow]) {
    rows.sort_by(|a, b| {
        b.closure
            .is_some()
            .cmp(&a.closure.is_some())
            .then(b.closure.cmp(&a.closure))
            .then(b.resolution.cmp(&a.resolution))
            .then(b.total.cmp(&a.total))
            .then(a.unit_name.cmp(&b.unit_name))
    });
}

/// One slice of a mix (channel, source, category, stage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MixRow {
    /// The counter key (`channel:online` …), for the drill-down.
    pub key: String,
    /// The code (`online`) and its Chinese label (`网上`).
    pub code: String,
    pub label: String,
    pub count: i64,
}

fn mix(c: &Counts, dim: &str, codes: impl Iterator<Item = (&'static str, &'static str)>) -> Vec<MixRow> {
    codes
        .map(|(code, label)| {
            let key = format!("{dim}:{code}");
            MixRow { count: c.get(&key).copied().unwrap_or(0), key, code: code.to_string(), label: label.to_string() }
        })
        .collect()
}

/// The four mixes of summed counters, every code listed (zeros included).
pub fn mixes(c: &Counts) -> Mixes {
    Mixes {
        channel: mix(c, "channel", Channel::ALL.iter().map(|x| (x.as_str(), x.label()))),
        source: mix(c, "source", Source::ALL.iter().map(|x| (x.as_str(), x.label()))),
        category: mix(
            c,
            "category",
            ContentCategory::ALL.iter().map(|x| (x.as_str(), x.label())).chain([("none", "未分类")]),
        ),
        stage: mix(c, "stage", Stage::ALL.iter().map(|x| (x.as_str(), x.label()))),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mixes {
    pub channel: Vec<MixRow>,
    pub source: Vec<MixRow>,
    pub category: Vec<MixRow>,
    pub stage: Vec<MixRow>,
}

/// The open matters now: due within 2 working days, and overdue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DueNow {
    pub open: i64,
    pub due_soon: i64,
    pub overdue: i64,
}

/// From the snapshot counters (`due:YYYY-MM-DD` → n): open, due on or
/// before `soon` (from `today`), and due before `today`.
pub fn due_now(snapshot: &Counts, today: NaiveDate, soon: NaiveDate) -> DueNow {
    let mut d = DueNow::default();
    for (k, n) in snapshot {
        let Some(day) = k.strip_prefix(key::DUE).and_then(|s| s.parse::<NaiveDate>().ok()) else { continue };
        d.open += n;
        if day < today {
            d.overdue += n;
        } else if day <= soon {
            d.due_soon += n;
        }
    }
    d
}

/// `GET /api/stats`: a unit's statistics for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitStats {
    pub unit_id: i64,
    pub unit_name: String,
    pub period: MonthRange,
    pub figures: Vec<Figure>,
    pub months: Vec<MonthRow>,
    /// The units right below (townships of a banner …), ranked.
    pub ranking: Vec<RankRow>,
    pub mix: Mixes,
    pub due: DueNow,
}

/// The trend rows of counters by month (every month of the period listed).
pub fn month_rows(range: &MonthRange, by_month: &std::collections::BTreeMap<String, Counts>) -> Vec<MonthRow> {
    let empty = Counts::new();
    range
        .months()
        .into_iter()
        .map(|m| {
            let c = by_month.get(&m).unwrap_or(&empty);
            MonthRow {
                total: get(c, key::TOTAL) as i64,
                agency: get(c, key::AGENCY) as i64,
                closed: get(c, key::CLOSED) as i64,
                resolved: get(c, key::RESOLVED) as i64,
                online: get(c, key::ONLINE) as i64,
                month: m,
            }
        })
        .collect()
}

/// A counter key the drill-down accepts: letters, digits, `_`, `:` (no
/// LIKE wildcards), at most 60 characters.
pub fn valid_key(k: &str) -> bool {
    !k.is_empty() && k.len() <= 60 && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// What a counter counts, in Chinese (the drill-down's heading).
pub fn key_label(k: &str) -> String {
    use key::*;
    let fixed = match k {
        TOTAL => "全部事项",
        AGENCY => "代办事项",
        CLOSED => "已办结的代办事项",
        RESOLVED => "已化解的代办事项",
        OPINIONS => "已记录信访人意见的办结事项",
        RATED => "群众已自行评价的办结事项",
        SATISFIED => "满意、比较满意的办结事项",
        SCREENED => "已甄别受理的事项",
        SCREENED_IN_TIME => "按时甄别受理的事项",
        CLOSED_IN_TIME => "按期办结的事项",
        REVIEWED => "申请复查、复核的办结事项",
        QUALITY_CHECKED => "已质检的办结事项",
        QUALITY_PASSED => "质检合格的办结事项",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_string();
    }
    let Some((dim, code)) = k.split_once(':') else { return k.to_string() };
    let label = match dim {
        "channel" => Channel::parse(code).map(|c| format!("渠道：{}", c.label())),
        "source" => Source::parse(code).map(|c| format!("来源：{}", c.label())),
        "stage" => Stage::parse(code).map(|c| format!("环节：{}", c.label())),
        "category" if code == "none" => Some("内容分类：未分类".to_string()),
        "category" => ContentCategory::parse(code).map(|c| format!("内容分类：{}", c.label())),
        "level" => HandlingLevel::parse(code).map(|c| format!("上报至{}办理", c.label())),
        _ => None,
    };
    label.unwrap_or_else(|| k.to_string())
}

/// A quality inspection (质检) of a closed matter by the banner's
/// supervision centre: passed, or failed with reasons and the fix asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inspection {
    pub case_id: i64,
    pub passed: bool,
    #[serde(default)]
    pub reasons: String,
    #[serde(default)]
    pub fix_asked: String,
}

impl Inspection {
    /// A failed inspection must say why and what is to be fixed.
    pub fn validate(&self) -> Result<(), crate::error::ApiError> {
        use crate::error::{ApiError, ErrorCode};
        crate::validation::check_text("不合格原因", &self.reasons, 1000).or_else(|e| {
            if self.reasons.trim().is_empty() {
                Ok(())
            } else {
                Err(e)
            }
        })?;
        crate::validation::check_text("整改要求", &self.fix_asked, 1000).or_else(|e| {
            if self.fix_asked.trim().is_empty() {
                Ok(())
            } else {
                Err(e)
            }
        })?;
        if !self.passed && (self.reasons.trim().is_empty() || self.fix_asked.trim().is_empty()) {
            return Err(ApiError::new(ErrorCode::ValidationFailed, "质检不合格须填写不合格原因和整改要求"));
        }
        Ok(())
    }
}

/// An inspection as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InspectionView {
    pub id: i64,
    pub case_id: i64,
    pub case_number: String,
    pub passed: bool,
    pub reasons: String,
    pub fix_asked: String,
    pub inspected_by_name: String,
    pub inspected_on: NaiveDate,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::{CaseEvent, HandlingLevel, NoticeForm, Opinion, ScreeningOutcome};
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts(events: &[CaseEvent]) -> CaseFacts {
        let lifecycle = events.iter().fold(Lifecycle::new(HandlingLevel::Village), |l, e| l.apply(e).unwrap());
        CaseFacts {
            unit_path: "/1/2/3/".into(),
            accepted_on: d("2026-03-05"),
            channel: Channel::Online,
            source: Source::Citizen,
            category: None,
            screened_in_time: (lifecycle.status != CaseStatus::Screening).then_some(true),
            closed_in_time: lifecycle.is_closed().then_some(false),
            lifecycle,
            due_on: d("2026-03-12"),
            quality: None,
            citizen_rated: false,
            departments: vec![],
        }
    }

    fn keys(f: &CaseFacts) -> Vec<String> {
        contributions(f).into_iter().map(|c| c.key).collect()
    }

    const ACCEPT: CaseEvent =
        CaseEvent::Screen { outcome: ScreeningOutcome::AcceptAgency { agent_chosen_by_citizen: false } };

    #[test]
    fn a_transferred_matter_counts_for_its_departments_alone() {
        let mut f = facts(&[ACCEPT]);
        let here = counted_at(&f).len();
        assert_eq!(here, 3 * contributions(&f).len(), "three units: /1/, /1/2/, /1/2/3/");
        f.departments = vec!["/1/2/9/".into()];
        let at = counted_at(&f);
        assert_eq!(at.len(), 4 * contributions(&f).len());
        assert!(at.iter().any(|(p, c)| p == "/1/2/9/" && c.key == "total"));
        // the banner (/1/2/) counts it once
        assert_eq!(at.iter().filter(|(p, c)| p == "/1/2/" && c.key == "total").count(), 1);
        // a transfer moves only the department's counters
        let before = facts(&[ACCEPT]);
        let d = delta_at(Some(&before), Some(&f));
        assert!(d.iter().all(|((p, _), n)| p == "/1/2/9/" && *n == 1), "{d:?}");
        // a department above the registering unit is not counted twice
        f.departments = vec!["/1/2/".into()];
        assert_eq!(counted_at(&f).len(), here);
    }

    #[test]
    fn participation_counts_the_citizens_own_evaluation() {
        let close = CaseEvent::Close { notice: NoticeForm::Oral, opinion: Opinion::Satisfied };
        let mut f = facts(&[ACCEPT, close]);
        assert!(keys(&f).contains(&"opinions".to_string()));
        assert!(!keys(&f).contains(&"rated".to_string()), "an opinion recorded at closing is not 参评");
        f.citizen_rated = true;
        assert!(keys(&f).contains(&"rated".to_string()));
        assert_eq!(FigureKind::Participation.keys(), ("rated", "closed"));
        // a rating of a matter not closed (reopened for review) does not count
        let open = facts(&[ACCEPT]);
        assert!(!keys(&CaseFacts { citizen_rated: true, ..open }).contains(&"rated".to_string()));
    }

    #[test]
    fn a_new_matter_counts_once_and_is_open() {
        let f = facts(&[]);
        assert_eq!(
            keys(&f),
            ["total", "channel:online", "source:citizen", "category:none", "stage:screening", "due:2026-03-12"]
        );
        assert!(contributions(&f).iter().all(|c| c.month == "2026-03" || c.key.starts_with("due:")));
        assert_eq!(keys_text(&f), "|total|channel:online|source:citizen|category:none|stage:screening|");
    }

    #[test]
    fn answered_at_screening_is_screened_but_not_agency() {
        let f = facts(&[CaseEvent::Screen { outcome: ScreeningOutcome::DirectAnswer }]);
        let k = keys(&f);
        assert!(k.contains(&"screened_in_time".to_string()));
        assert!(!k.contains(&"agency".to_string()));
        assert!(!k.contains(&"closed".to_string()), "办结率 counts agency matters only");
        assert!(!k.iter().any(|k| k.starts_with("due:")));
    }

    #[test]
    fn a_resolved_matter_counts_through_to_resolution() {
        let mut f = facts(&[
            ACCEPT,
            CaseEvent::Close { notice: NoticeForm::Oral, opinion: Opinion::FairlySatisfied },
            CaseEvent::FollowUp { resolved: true },
            CaseEvent::Archive,
        ]);
        f.quality = Some(false);
        let k = keys(&f);
        for want in ["agency", "closed", "opinions", "satisfied", "resolved", "quality_checked", "stage:archived"] {
            assert!(k.contains(&want.to_string()), "{want} in {k:?}");
        }
        assert!(!k.contains(&"quality_passed".to_string()));
        assert!(!k.contains(&"closed_in_time".to_string()));
        assert!(!k.contains(&"reviewed".to_string()));
    }

    #[test]
    fn a_review_sends_the_matter_back_out_of_closed() {
        let closed = [ACCEPT, CaseEvent::Close { notice: NoticeForm::Written, opinion: Opinion::Dissatisfied }];
        let f = facts(&closed);
        assert!(keys(&f).contains(&"closed".to_string()));
        let mut more = closed.to_vec();
        more.push(CaseEvent::RequestReview);
        let g = facts(&more);
        assert!(!keys(&g).contains(&"closed".to_string()), "under review is not closed");
        more.push(CaseEvent::ReviewDecided { claim_reasonable: false });
        let h = facts(&more);
        assert!(keys(&h).contains(&"reviewed".to_string()));
        assert!(keys(&h).contains(&"closed".to_string()));
        let dl = delta(Some(&f), Some(&h));
        assert_eq!(dl, vec![(Counter { month: "2026-03".into(), key: "reviewed".into() }, 1)]);
    }

    #[test]
    fn figures_carry_numerator_denominator_and_target() {
        let mut c = Counts::new();
        c.insert("screened".into(), 20);
        c.insert("screened_in_time".into(), 19);
        c.insert("agency".into(), 10);
        c.insert("closed".into(), 7);
        let f = figures(&c);
        let timely = f.iter().find(|f| f.kind == FigureKind::TimelyAcceptance).unwrap();
        assert_eq!((timely.numerator, timely.denominator), (19, 20));
        assert_eq!(timely.rate, Some(Decimal::new(95, 2)));
        assert_eq!(timely.met, Some(true), "95% meets ≥ 95%");
        let closure = f.iter().find(|f| f.kind == FigureKind::Closure).unwrap();
        assert_eq!(closure.met, Some(false), "70% misses ≥ 80%");
        assert_eq!(percent(closure.rate), "70.00%");
        let quality = f.iter().find(|f| f.kind == FigureKind::QualityPass).unwrap();
        assert_eq!((quality.rate, quality.met), (None, None));
        assert_eq!(percent(quality.rate), "—");
        assert_eq!(f.iter().find(|f| f.kind == FigureKind::Agency).unwrap().target, None);
    }

    #[test]
    fn ancestors_and_periods() {
        assert_eq!(ancestor_paths("/1/2/5/"), ["/1/", "/1/2/", "/1/2/5/"]);
        let q = MonthRange::quarter(2026, 4);
        assert_eq!(q.months(), ["2026-10", "2026-11", "2026-12"]);
        assert_eq!(q.days(), (d("2026-10-01"), d("2026-12-31")));
        assert_eq!(
            MonthRange::parse("2025-11", "2026-02").unwrap().months(),
            ["2025-11", "2025-12", "2026-01", "2026-02"]
        );
        assert_eq!(MonthRange::parse("2026-02", "2026-02").unwrap().days(), (d("2026-02-01"), d("2026-02-28")));
        assert!(MonthRange::parse("2026-03", "2026-02").is_err());
        assert!(MonthRange::parse("2026-3", "2026-04").is_err());
        assert!(MonthRange::parse("2026-13", "2026-12").is_err());
        assert_eq!(MonthRange::year(2025).months().len(), 12);
    }

    #[test]
    fn every_key_reads_in_chinese() {
        assert_eq!(key_label("closed"), "已办结的代办事项");
        assert_eq!(key_label("channel:online"), "渠道：网上");
        assert_eq!(key_label("category:none"), "内容分类：未分类");
        assert_eq!(key_label("stage:follow_up"), "环节：终结回访");
        assert_eq!(key_label("level:city"), "上报至盟市办理");
        for f in FigureKind::ALL {
            let (n, d) = f.keys();
            assert!(!key_label(n).is_ascii() && !key_label(d).is_ascii(), "{n} {d}");
        }
        assert_eq!(key_label("nonsense"), "nonsense");
    }

    #[test]
    fn due_now_splits_the_snapshot() {
        let mut s = Counts::new();
        s.insert("due:2026-11-20".into(), 2);
        s.insert("due:2026-11-24".into(), 3);
        s.insert("due:2026-11-26".into(), 4);
        s.insert("due:2026-12-20".into(), 5);
        let n = due_now(&s, d("2026-11-24"), d("2026-11-26"));
        assert_eq!(n, DueNow { open: 14, due_soon: 7, overdue: 2 });
    }

    #[test]
    fn ranking_puts_the_best_closure_first_and_empty_units_last() {
        let row = |name: &str, agency: i64, closed: i64| {
            let mut c = Counts::new();
            c.insert("total".into(), agency);
            c.insert("agency".into(), agency);
            c.insert("closed".into(), closed);
            RankRow::of(1, name.into(), &c)
        };
        let mut rows = vec![row("甲", 0, 0), row("乙", 10, 5), row("丙", 4, 4)];
        rank(&mut rows);
        let names: Vec<_> = rows.iter().map(|r| r.unit_name.as_str()).collect();
        assert_eq!(names, ["丙", "乙", "甲"]);
    }

    #[test]
    fn failed_inspections_need_reasons_and_a_fix() {
        let ok = Inspection { case_id: 1, passed: true, reasons: String::new(), fix_asked: String::new() };
        assert!(ok.validate().is_ok());
        let bad = Inspection { passed: false, ..ok.clone() };
        assert!(bad.validate().is_err());
        let bad = Inspection {
            passed: false, reasons: "未附回访记录".into(), fix_asked: "补齐回访记录".into(), ..ok
        };
        assert!(bad.validate().is_ok());
        assert!(valid_key("channel:online"));
        assert!(!valid_key("a%"));
        assert!(!valid_key(""));
    }

    fn event() -> impl Strategy<Value = CaseEvent> {
        prop_oneof![
            Just(ACCEPT),
            Just(CaseEvent::Screen { outcome: ScreeningOutcome::DirectAnswer }),
            Just(CaseEvent::Close { notice: NoticeForm::Oral, opinion: Opinion::Satisfied }),
            Just(CaseEvent::Close { notice: NoticeForm::Oral, opinion: Opinion::Dissatisfied }),
            Just(CaseEvent::RequestReview),
            any::<bool>().prop_map(|c| CaseEvent::ReviewDecided { claim_reasonable: c }),
            Just(CaseEvent::AcceptOutcome),
            any::<bool>().prop_map(|r| CaseEvent::FollowUp { resolved: r }),
            Just(CaseEvent::Archive),
        ]
    }

    proptest! {
        /// Applying the deltas of any run of changes gives the contributions
        /// of the last state, and going back undoes them exactly.
        #[test]
        fn deltas_add_up_and_undo(events in proptest::collection::vec(event(), 0..12), q in proptest::option::of(any::<bool>())) {
            let mut states = vec![facts(&[])];
            let mut l = states[0].lifecycle.clone();
            for e in &events {
                if let Ok(next) = l.apply(e) {
                    l = next;
                    let mut f = states[0].clone();
                    f.screened_in_time = (l.status != CaseStatus::Screening).then_some(true);
                    f.quality = q;
                    f.lifecycle = l.clone();
                    states.push(f);
                }
            }
            let mut sum = std::collections::BTreeMap::<Counter, i64>::new();
            let mut prev: Option<&CaseFacts> = None;
            for s in &states {
                for (c, n) in delta(prev, Some(s)) {
                    *sum.entry(c).or_default() += n;
                }
                prev = Some(s);
            }
            let last = states.last().unwrap();
            let mut want = std::collections::BTreeMap::<Counter, i64>::new();
            for c in contributions(last) {
                *want.entry(c).or_default() += 1;
            }
            sum.retain(|_, n| *n != 0);
            prop_assert_eq!(&sum, &want);
            for (c, n) in delta(Some(last), None) {
                *sum.entry(c).or_default() += n;
            }
            sum.retain(|_, n| *n != 0);
            prop_assert!(sum.is_empty());
            prop_assert_eq!(delta(Some(last), Some(last)), vec![]);
        }
    }
}
