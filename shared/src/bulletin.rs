//! The monthly bulletin (月通报) and the year summary (年汇总) a township or
//! the banner sends to the units below it (seed 001 附件7 五), and the
//! agents' appraisal. Wire types and the pure parts; the server fills them
//! from the kept counters.

use crate::assessment::ratio;
use crate::assessment_record::{AssessmentRow, LetterView};
use crate::stats::{Counts, Figure, MonthRange};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One unit below in the bulletin: its matters in the period and the rates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulletinRow {
    pub unit_id: i64,
    pub unit_name: String,
    pub total: i64,
    pub agency: i64,
    pub online: i64,
    pub closed: i64,
    pub resolved: i64,
    /// 代办率, 网访占比率, 办结率, 化解率.
    pub rates: [Option<Decimal>; 4],
    /// Open matters past their limit now.
    pub overdue_now: i64,
    /// By 办结率, then 化解率, then volume (as the dashboard ranks).
    pub rank: u32,
}

impl BulletinRow {
    pub fn of(unit_id: i64, unit_name: String, c: &Counts, overdue_now: i64) -> BulletinRow {
        let g = |k: &str| c.get(k).copied().unwrap_or(0).max(0);
        let (total, agency, online, closed, resolved) =
            (g("total"), g("agency"), g("channel:online"), g("closed"), g("resolved"));
        let r = |a: i64, b: i64| ratio(a as u64, b as u64);
        BulletinRow {
            unit_id,
            unit_name,
            total,
            agency,
            online,
            closed,
            resolved,
            rates: [r(agency, total), r(online, total), r(closed, agency), r(resolved, agency)],
            overdue_now,
            rank: 0,
        }
    }
}

/// Ranks the rows: best 办结率 first (a unit with no agency matter last),
/// then 化解率, then more matters, ties by name; equal rates share a rank.
pub fn rank_rows(rows: &mut [BulletinRow]) {
    let key = |r: &BulletinRow| (r.rates[2].is_some(), r.rates[2], r.rates[3]);
    rows.sort_by(|a, b| key(b).cmp(&key(a)).then(b.total.cmp(&a.total)).then(a.unit_name.cmp(&b.unit_name)));
    let mut prev = None;
    let mut rank = 0;
    for (i, r) in rows.iter_mut().enumerate() {
        let k = key(r);
        if prev != Some(k) {
            rank = i as u32 + 1;
            prev = Some(k);
        }
        r.rank = rank;
    }
}

/// An open matter past its limit, as the bulletin names it: no citizen
/// details, only the number, the unit, the content category and the dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverdueRow {
    pub case_id: i64,
    pub number: String,
    pub unit_name: String,
    pub handling: String,
    pub category: String,
    pub accepted_on: NaiveDate,
    pub due_on: NaiveDate,
    /// Working days past the limit, today included.
    pub days_over: i64,
}

crate::code_enum! {
    /// Which bulletin.
    pub enum BulletinKind {
        Month = "month" => "月通报",
        Year = "year" => "年汇总",
    }
}

/// The bulletin of a unit for a month (or the year summary).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bulletin {
    pub kind: BulletinKind,
    pub unit_id: i64,
    pub unit_name: String,
    /// "巴彦浩特镇 2026 年 10 月信访代办工作通报".
    pub title: String,
    /// The month (or the year's months so far) counted.
    pub period: MonthRange,
    /// The year so far, for the cumulative columns and the assessment.
    pub year_to_date: MonthRange,
    /// The unit's own figures in the period, with the county targets.
    pub figures: Vec<Figure>,
    /// The units right below, ranked, in the period and the year so far.
    pub rows: Vec<BulletinRow>,
    pub rows_year: Vec<BulletinRow>,
    /// Open matters past their limit (the oldest first, at most 200), and
    /// how many there are in all.
    pub overdue: Vec<OverdueRow>,
    pub overdue_total: i64,
    /// The villages' assessment over the year so far, ranked.
    pub assessment: Vec<AssessmentRow>,
    /// Letters issued in the period to the villages below.
    pub letters: Vec<LetterView>,
    pub made_on: NaiveDate,
}

/// The bulletin's title.
pub fn bulletin_title(kind: BulletinKind, unit_name: &str, period: &MonthRange) -> String {
    match kind {
        BulletinKind::Month => {
            let (y, m) = period.from.split_once('-').unwrap_or((&period.from, ""));
            format!("{unit_name} {y} 年 {} 月信访代办工作通报", m.trim_start_matches('0'))
        }
        BulletinKind::Year => {
            format!("{unit_name} {} 年信访代办工作年度汇总", period.from.split('-').next().unwrap_or(""))
        }
    }
}

/// One agent's work in a period (agents' appraisal): the matters they
/// handle that were received in the period, and their visits in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentAppraisal {
    pub user_id: i64,
    pub name: String,
    pub unit_name: String,
    /// 代办 matters taken.
    pub taken: i64,
    pub closed: i64,
    pub resolved: i64,
    /// Closed within the limit.
    pub on_time: i64,
    pub opinions: i64,
    pub satisfied: i64,
    pub visits: i64,
    /// closed ÷ taken, resolved ÷ taken, on time ÷ closed, satisfied ÷ opinions.
    pub closure: Option<Decimal>,
    pub resolution: Option<Decimal>,
    pub on_time_rate: Option<Decimal>,
    pub satisfaction: Option<Decimal>,
}

impl AgentAppraisal {
    #[allow(clippy::too_many_arguments)]
    pub fn of(
        user_id: i64,
        name: String,
        unit_name: String,
        taken: i64,
        closed: i64,
        resolved: i64,
        on_time: i64,
        opinions: i64,
        satisfied: i64,
        visits: i64,
    ) -> AgentAppraisal {
        let r = |a: i64, b: i64| ratio(a.max(0) as u64, b.max(0) as u64);
        AgentAppraisal {
            user_id,
            name,
            unit_name,
            taken,
            closed,
            resolved,
            on_time,
            opinions,
            satisfied,
            visits,
            closure: r(closed, taken),
            resolution: r(resolved, taken),
            on_time_rate: r(on_time, closed),
            satisfaction: r(satisfied, opinions),
        }
    }
}

/// The appraisal of the agents of a unit for a period, most matters first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Appraisal {
    pub unit_id: i64,
    pub unit_name: String,
    pub period: MonthRange,
    pub agents: Vec<AgentAppraisal>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&str, i64)]) -> Counts {
        pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect()
    }

    #[test]
    fn rows_rank_by_closure_then_resolution_and_share_ties() {
        let mut rows = vec![
            BulletinRow::of(
                1,
                "甲".into(),
                &counts(&[("total", 10), ("agency", 8), ("closed", 4), ("resolved", 2)]),
                1,
            ),
            BulletinRow::of(2, "乙".into(), &counts(&[("total", 5), ("agency", 4), ("closed", 4), ("resolved", 1)]), 0),
            BulletinRow::of(3, "丙".into(), &counts(&[("total", 3)]), 0),
            BulletinRow::of(4, "丁".into(), &counts(&[("total", 6), ("agency", 2), ("closed", 1), ("resolved", 1)]), 0),
        ];
        rank_rows(&mut rows);
        let got: Vec<(&str, u32)> = rows.iter().map(|r| (r.unit_name.as_str(), r.rank)).collect();
        // 乙 100%; 丁 50% / 50%; 甲 50% / 25%; 丙 has no agency matter
        assert_eq!(got, vec![("乙", 1), ("丁", 2), ("甲", 3), ("丙", 4)]);
        assert_eq!(
            rows[2].rates,
            [Some(Decimal::new(8, 1)), Some(Decimal::ZERO), Some(Decimal::new(5, 1)), Some(Decimal::new(25, 2))]
        );
    }

    #[test]
    fn titles() {
        let m = MonthRange::parse("2026-03", "2026-03").unwrap();
        assert_eq!(bulletin_title(BulletinKind::Month, "巴彦浩特镇", &m), "巴彦浩特镇 2026 年 3 月信访代办工作通报");
        assert_eq!(
            bulletin_title(BulletinKind::Year, "阿拉善左旗", &MonthRange::year(2026)),
            "阿拉善左旗 2026 年信访代办工作年度汇总"
        );
    }

    #[test]
    fn an_agent_with_nothing_has_no_rates() {
        let a = AgentAppraisal::of(1, "a".into(), "u".into(), 0, 0, 0, 0, 0, 0, 3);
        assert_eq!((a.closure, a.on_time_rate, a.satisfaction), (None, None, None));
        let b = AgentAppraisal::of(1, "a".into(), "u".into(), 4, 3, 2, 2, 3, 2, 9);
        assert_eq!(b.on_time_rate, Some(Decimal::from(2) / Decimal::from(3)));
    }
}
