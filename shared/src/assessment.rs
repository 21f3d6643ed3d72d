//! Rates (四率 and the county targets) and the 100-point assessment of a
//! village/community (seed 001 附件7, DOMAIN.md "Assessment"). Inputs are
//! plain counts so the server can feed database aggregates. All points are
//! exact decimals (0.1 per write-up, 0.5 per escalation …).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

fn d(units: i64, scale: u32) -> Decimal {
    Decimal::new(units, scale)
}

/// Counts over one territory and period, as the server aggregates them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatterCounts {
    /// All petition matters of the territory (属地信访事项).
    pub total: u64,
    /// Of them, handled by agents (代办).
    pub by_agents: u64,
    /// Of all, received online (网上, incl. 12345 hand-offs).
    pub online: u64,
    /// Agency matters closed (办结).
    pub agency_closed: u64,
    /// Agency matters resolved (化解: 息诉罢访 confirmed).
    pub agency_resolved: u64,
    /// Opinions recorded, and how many were 满意 or 比较满意.
    pub opinions: u64,
    pub satisfied: u64,
    /// Matters accepted, and of them accepted within the limit.
    pub accepted: u64,
    pub accepted_in_time: u64,
    /// Quality checks made, and passed.
    pub quality_checked: u64,
    pub quality_passed: u64,
}

/// A ratio in [0, 1], or `None` when nothing was counted.
pub fn ratio(part: u64, whole: u64) -> Option<Decimal> {
    if whole == 0 {
        None
    } else {
        Some(Decimal::from(part.min(whole)) / Decimal::from(whole))
    }
}

/// The rates of a territory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rates {
    /// 代办率 = by agents ÷ all matters
    pub agency: Option<Decimal>,
    /// 网访占比率 = online ÷ all matters
    pub online_share: Option<Decimal>,
    /// 办结率 = agency closed ÷ agency matters
    pub closure: Option<Decimal>,
    /// 化解率 = agency resolved ÷ agency matters
    pub resolution: Option<Decimal>,
    /// 满意率 = 满意 + 比较满意 ÷ opinions recorded
    pub satisfaction: Option<Decimal>,
    /// 及时受理率
    pub timely_acceptance: Option<Decimal>,
    /// 质量检查合格率
    pub quality_pass: Option<Decimal>,
}

impl Rates {
    pub fn of(c: &MatterCounts) -> Rates {
        Rates {
            agency: ratio(c.by_agents, c.total),
            online_share: ratio(c.online, c.total),
            closure: ratio(c.agency_closed, c.by_agents),
            resolution: ratio(c.agency_resolved, c.by_agents),
            satisfaction: ratio(c.satisfied, c.opinions),
            timely_acceptance: ratio(c.accepted_in_time, c.accepted),
            quality_pass: ratio(c.quality_passed, c.quality_checked),
        }
    }

    /// The four rates of the assessment, in order 代办率, 网访占比率, 办结率, 化解率.
    pub fn four(&self) -> [Option<Decimal>; 4] {
        [self.agency, self.online_share, self.closure, self.resolution]
    }
}

/// A county budget target shown beside the rates (seed 003).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Target {
    pub label: &'static str,
    pub minimum: Decimal,
}

/// timely acceptance ≥ 95%, satisfaction ≥ 90%, closure ≥ 80%, quality-check pass ≥ 90%.
pub fn county_targets() -> [Target; 4] {
    [
        Target { label: "及时受理率", minimum: d(95, 2) },
        Target { label: "群众满意率", minimum: d(90, 2) },
        Target { label: "办结率", minimum: d(80, 2) },
        Target { label: "质量检查合格率", minimum: d(90, 2) },
    ]
}

/// Each target with its actual rate and whether it is met (`None`: no data).
pub fn targets_met(r: &Rates) -> [(Target, Option<Decimal>, Option<bool>); 4] {
    let actual = [r.timely_acceptance, r.satisfaction, r.closure, r.quality_pass];
    let t = county_targets();
    std::array::from_fn(|i| (t[i], actual[i], actual[i].map(|a| a >= t[i].minimum)))
}

/// Where a citizen went because the matter was not solved or warned about locally.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Escalations {
    /// person-times to the banner/county (−0.5 each)
    pub to_county: u32,
    /// to the league/city (−1 each, 督办函)
    pub to_city: u32,
    /// to the region (−2 each, 问责建议函)
    pub to_region: u32,
    /// to Beijing (−3 each, 约谈 of the convener)
    pub to_beijing: u32,
}

crate::code_enum! {
    /// What triggers the one-vote veto (一票否决).
    pub enum VetoReason {
        ExtremeIncident = "extreme_incident" => "个人极端事件",
        MassGathering = "mass_gathering" => "群体聚集事件",
        NegativeOnlineStorm = "negative_online_storm" => "网络负面炒作",
    }
}

/// Everything the assessment of one village/community for one year needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentInput {
    /// 组织落实: stable team with duties, head responsible, leader in charge,
    /// staff named, a proper office (2 points each).
    pub organisation: [bool; 5],
    /// 制度建设: yearly meeting, training, publicity, funding, ledger (2 each).
    pub rules: [bool; 5],
    pub counts: MatterCounts,
    pub writeups_reported: u32,
    pub writeups_adopted: u32,
    /// Resolved matters assigned by the central joint office, petitioned to
    /// Beijing 3+ times, or unresolved for years.
    pub major_resolved: u32,
    /// Timely warnings of major petitions.
    pub timely_warnings: u32,
    pub escalations: Escalations,
    pub veto: Option<VetoReason>,
}

crate::code_enum! {
    /// A letter or interview the result triggers (三函一约谈).
    pub enum Letter {
        /// a rate under 50%
        Reminder = "reminder" => "提醒函",
        /// an escalation to the city (league)
        Supervision = "supervision" => "督办函",
        /// an escalation to the region
        Accountability = "accountability" => "问责建议函",
        /// an escalation to Beijing: the convener is interviewed
        Interview = "interview" => "约谈通知",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// 不合格 < 60 (or vetoed)
    Fail,
    /// 合格 60–79
    Pass,
    /// 良好 80–89
    Good,
    /// 优秀 ≥ 90
    Excellent,
}

impl Grade {
    pub fn of(score: Decimal, vetoed: bool) -> Grade {
        if vetoed || score < Decimal::from(60) {
            Grade::Fail
        } else if score < Decimal::from(80) {
            Grade::Pass
        } else if score < Decimal::from(90) {
            Grade::Good
        } else {
            Grade::Excellent
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Grade::Excellent => "优秀",
            Grade::Good => "良好",
            Grade::Pass => "合格",
            Grade::Fail => "不合格",
        }
    }
}

/// The scored assessment, part by part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assessment {
    pub organisation: Decimal,
    pub rules: Decimal,
    /// 代办率, 网访占比率, 办结率, 化解率 points (10 each).
    pub performance: [Decimal; 4],
    pub bonus_writeups: Decimal,
    pub bonus_major: Decimal,
    pub bonus_warnings: Decimal,
    /// What was deducted from the base of 20 (before the floor).
    pub deducted: Decimal,
    /// 20 − deducted, never below 0.
    pub deduction_part: Decimal,
    pub total: Decimal,
    pub letters: Vec<(Letter, u32)>,
    pub vetoed: Option<VetoReason>,
    pub grade: Grade,
}

/// Points for one of the four rates: rate × 10, the online share reaching
/// full marks at 70% (seed 001 附件7 "得分=代办率×10分" …).
///
/// A rate with nothing to count (no matters: "无事项") scores 0. The seed's
/// formula has no value when the denominator is 0, and full marks would pay
/// a village for work it never did; the rate is shown as "无事项" and draws
/// no reminder letter (see [`rate_text`]).
pub fn rate_points(rate: Option<Decimal>, full_at: Decimal) -> Decimal {
    match rate {
        None => Decimal::ZERO,
        Some(r) => ((r / full_at).min(Decimal::ONE) * Decimal::from(10)).round_dp(2),
    }
}

/// A rate as people read it: "87.50%", or "无事项" when there was nothing to count.
pub fn rate_text(rate: Option<Decimal>) -> String {
    match rate {
        None => "无事项".to_string(),
        Some(r) => format!("{:.2}%", (r * Decimal::from(100)).round_dp(2)),
    }
}

/// Whether a rate draws the −1 and a 提醒函: under 50% (a rate with nothing
/// to count draws neither).
pub fn below_half(rate: Option<Decimal>) -> bool {
    rate.is_some_and(|r| r < d(5, 1))
}

/// Points deducted per person-time, by level: the banner 0.5, the city 1,
/// the region 2, Beijing 3 (in the order of [`Escalations::by_level`]).
pub fn escalation_weights() -> [Decimal; 4] {
    [d(5, 1), Decimal::ONE, Decimal::from(2), Decimal::from(3)]
}

impl Escalations {
    /// Person-times to the banner, the city, the region, Beijing.
    pub fn by_level(&self) -> [u32; 4] {
        [self.to_county, self.to_city, self.to_region, self.to_beijing]
    }
}

/// Scores the assessment.
pub fn assess(input: &AssessmentInput) -> Assessment {
    let two = Decimal::from(2);
    let checks = |c: &[bool; 5]| Decimal::from(c.iter().filter(|x| **x).count() as u64) * two;
    let rates = Rates::of(&input.counts);
    let four = rates.four();
    let performance = [
        rate_points(four[0], Decimal::ONE),
        rate_points(four[1], d(70, 2)),
        rate_points(four[2], Decimal::ONE),
        rate_points(four[3], Decimal::ONE),
    ];
    let bonus_writeups = (Decimal::from(input.writeups_reported) * d(1, 1) + Decimal::from(input.writeups_adopted))
        .min(Decimal::from(5));
    let bonus_major = Decimal::from(input.major_resolved).min(Decimal::from(10));
    let bonus_warnings = Decimal::from(input.timely_warnings).min(Decimal::from(5));

    let below_half = four.iter().filter(|r| below_half(**r)).count() as u32;
    let e = input.escalations;
    let deducted = Decimal::from(below_half)
        + e.by_level().iter().zip(escalation_weights()).map(|(n, w)| Decimal::from(*n) * w).sum::<Decimal>();
    let deduction_part = (Decimal::from(20) - deducted).max(Decimal::ZERO);

    let mut letters = Vec::new();
    for (letter, n) in [
        (Letter::Reminder, below_half),
        (Letter::Supervision, e.to_city),
        (Letter::Accountability, e.to_region),
        (Letter::Interview, e.to_beijing),
    ] {
        if n > 0 {
            letters.push((letter, n));
        }
    }
    let organisation = checks(&input.organisation);
    let rules = checks(&input.rules);
    let total = organisation
        + rules
        + performance.iter().copied().sum::<Decimal>()
        + bonus_writeups
        + bonus_major
        + bonus_warnings
        + deduction_part;
    Assessment {
        organisation,
        rules,
        performance,
        bonus_writeups,
        bonus_major,
        bonus_warnings,
        deducted,
        deduction_part,
        total,
        letters,
        vetoed: input.veto,
        grade: Grade::of(total, input.veto.is_some()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn perfect() -> AssessmentInput {
        AssessmentInput {
            organisation: [true; 5],
            rules: [true; 5],
            counts: MatterCounts {
                total: 40,
                by_agents: 40,
                online: 28,
                agency_closed: 40,
                agency_resolved: 40,
                opinions: 40,
                satisfied: 38,
                accepted: 40,
                accepted_in_time: 39,
                quality_checked: 10,
                quality_passed: 10,
            },
            writeups_reported: 0,
            writeups_adopted: 0,
            major_resolved: 0,
            timely_warnings: 0,
            escalations: Escalations::default(),
            veto: None,
        }
    }

    #[test]
    fn a_perfect_village_without_bonus_scores_80() {
        let a = assess(&perfect());
        assert_eq!(a.performance, [Decimal::from(10); 4], "70% online share is full marks");
        assert_eq!(a.deduction_part, Decimal::from(20));
        assert_eq!(a.total, Decimal::from(80));
        assert_eq!(a.grade, Grade::Good);
        assert!(a.letters.is_empty());
    }

    #[test]
    fn rates_bonus_deductions_and_letters() {
        let mut i = perfect();
        i.organisation = [true, true, false, true, true];
        i.counts.by_agents = 30; // agency 75% → 7.5
        i.counts.online = 14; // 35% of 40 → half of full marks → 5
        i.counts.agency_closed = 12; // 40% → 4, under 50%
        i.counts.agency_resolved = 9; // 30% → 3, under 50%
        i.writeups_reported = 7; // 0.7
        i.writeups_adopted = 2; // 2 → 2.7
        i.major_resolved = 12; // capped 10
        i.timely_warnings = 1;
        i.escalations = Escalations { to_county: 3, to_city: 1, to_region: 0, to_beijing: 0 };
        let a = assess(&i);
        assert_eq!(a.organisation, Decimal::from(8));
        assert_eq!(a.performance, [d(75, 1), Decimal::from(5), Decimal::from(4), Decimal::from(3)]);
        assert_eq!(a.bonus_writeups, d(27, 1));
        assert_eq!(a.bonus_major, Decimal::from(10));
        // 3 rates under 50% (online 35%, closure 40%, resolution 30%: −3)
        // + 3 × −0.5 to the county + 1 × −1 to the city = −5.5
        assert_eq!(a.deducted, d(55, 1));
        assert_eq!(a.deduction_part, d(145, 1));
        assert_eq!(a.letters, vec![(Letter::Reminder, 3), (Letter::Supervision, 1)]);
        // 8 + 10 + 19.5 + 2.7 + 10 + 1 + 14.5
        assert_eq!(a.total, d(657, 1));
        assert_eq!(a.grade, Grade::Pass);
    }

    #[test]
    fn deductions_floor_at_zero_and_veto_fails() {
        let mut i = perfect();
        i.escalations = Escalations { to_county: 0, to_city: 2, to_region: 3, to_beijing: 4 };
        let a = assess(&i);
        assert_eq!(a.deducted, Decimal::from(20));
        assert_eq!(a.deduction_part, Decimal::ZERO);
        assert_eq!(a.letters, vec![(Letter::Supervision, 2), (Letter::Accountability, 3), (Letter::Interview, 4)]);
        i.escalations.to_beijing = 10;
        assert_eq!(assess(&i).deduction_part, Decimal::ZERO, "never below 0");

        let mut v = perfect();
        v.writeups_adopted = 5;
        v.major_resolved = 10;
        v.timely_warnings = 5;
        assert_eq!(assess(&v).total, Decimal::from(100));
        assert_eq!(assess(&v).grade, Grade::Excellent);
        v.veto = Some(VetoReason::MassGathering);
        assert_eq!(assess(&v).grade, Grade::Fail, "一票否决 whatever the score");
    }

    #[test]
    fn an_empty_rate_earns_nothing_and_reads_no_matters() {
        // No matters at all: every rate's denominator is 0. The seed's
        // "得分 = 率 × 10" is undefined there; we score 0, not full marks.
        let mut input = perfect();
        input.counts = MatterCounts::default();
        let a = assess(&input);
        assert_eq!(a.performance, [Decimal::ZERO; 4]);
        assert!(a.letters.is_empty(), "no reminder letter for nothing to count");
        assert_eq!(a.deduction_part, Decimal::from(20));
        assert_eq!(rate_text(None), "无事项");
        assert_eq!(rate_text(Some(d(875, 3))), "87.50%");
        assert_eq!(rate_points(None, Decimal::ONE), Decimal::ZERO);
    }

    #[test]
    fn grades_at_their_edges() {
        assert_eq!(Grade::of(Decimal::from(90), false), Grade::Excellent);
        assert_eq!(Grade::of(d(899, 1), false), Grade::Good);
        assert_eq!(Grade::of(Decimal::from(80), false), Grade::Good);
        assert_eq!(Grade::of(d(7999, 2), false), Grade::Pass);
        assert_eq!(Grade::of(Decimal::from(60), false), Grade::Pass);
        assert_eq!(Grade::of(d(599, 1), false), Grade::Fail);
    }

    #[test]
    fn county_targets_against_rates() {
        let r = Rates::of(&perfect().counts);
        let met = targets_met(&r);
        assert_eq!(met[0].1, Some(d(975, 3)));
        assert_eq!(met.map(|m| m.2), [Some(true), Some(true), Some(true), Some(true)]);
        let mut c = perfect().counts;
        c.satisfied = 30;
        c.quality_checked = 0;
        let met = targets_met(&Rates::of(&c));
        assert_eq!(met[1].2, Some(false), "75% satisfaction is under 90%");
        assert_eq!(met[3].2, None, "no quality checks: no verdict");
    }

    fn any_input() -> impl Strategy<Value = AssessmentInput> {
        (
            any::<[bool; 5]>(),
            any::<[bool; 5]>(),
            (0u64..200, 0u64..200, 0u64..200, 0u64..200, 0u64..200),
            (0u32..100, 0u32..30, 0u32..30, 0u32..30),
            (0u32..20, 0u32..20, 0u32..10, 0u32..10),
        )
            .prop_map(
                |(
                    organisation,
                    rules,
                    (total, by_agents, online, closed, resolved),
                    (wr, wa, mj, tw),
                    (c, y, r, b),
                )| {
                    AssessmentInput {
                        organisation,
                        rules,
                        counts: MatterCounts {
                            total,
                            by_agents: by_agents.min(total),
                            online: online.min(total),
                            agency_closed: closed.min(by_agents),
                            agency_resolved: resolved.min(closed),
                            ..MatterCounts::default()
                        },
                        writeups_reported: wr,
                        writeups_adopted: wa,
                        major_resolved: mj,
                        timely_warnings: tw,
                        escalations: Escalations { to_county: c, to_city: y, to_region: r, to_beijing: b },
                        veto: None,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn every_part_stays_within_its_bounds(i in any_input()) {
            let a = assess(&i);
            let z = Decimal::ZERO;
            prop_assert!(a.organisation >= z && a.organisation <= Decimal::from(10));
            prop_assert!(a.rules >= z && a.rules <= Decimal::from(10));
            for p in a.performance { prop_assert!(p >= z && p <= Decimal::from(10)); }
            prop_assert!(a.bonus_writeups >= z && a.bonus_writeups <= Decimal::from(5));
            prop_assert!(a.bonus_major >= z && a.bonus_major <= Decimal::from(10));
            prop_assert!(a.bonus_warnings >= z && a.bonus_warnings <= Decimal::from(5));
            prop_assert!(a.deduction_part >= z && a.deduction_part <= Decimal::from(20));
            prop_assert!(a.total >= z && a.total <= Decimal::from(100));
            prop_assert_eq!(a.grade, Grade::of(a.total, false));
        }
    }
}
