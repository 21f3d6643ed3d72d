//! The reward fund (奖补资金), Alxa League rules (seed 000): categories A–E,
//! the ≤ ¥500 partial subsidy, eligibility, one matter one reward, dossier
//! completeness, and the quarterly batch chain with its 5-working-day public
//! notice. Money is `Decimal` yuan with at most two decimals, never floats.

use crate::calendar::Calendar;
use crate::deadline::reward_notice_end;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Category by channel and difficulty (第八条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RewardCategory {
    /// 频繁进京走访或跨度 5 年及以上 — ¥5000
    A,
    /// 当年进京、频繁赴区或跨度 3–5 年 — ¥2000
    B,
    /// 当年赴区、频繁到盟或跨度 3 年及以下的重点事项 — ¥1000
    C,
    /// 多渠道频繁在盟内反映的申诉求决类 — ¥500
    D,
    /// 在盟内反映的初次信访事项 — ¥200
    E,
}

impl RewardCategory {
    pub const ALL: [RewardCategory; 5] =
        [RewardCategory::A, RewardCategory::B, RewardCategory::C, RewardCategory::D, RewardCategory::E];

    /// The reward for resolving one matter of this category (第九条).
    pub fn amount(self) -> Decimal {
        Decimal::from(match self {
            RewardCategory::A => 5000,
            RewardCategory::B => 2000,
            RewardCategory::C => 1000,
            RewardCategory::D => 500,
            RewardCategory::E => 200,
        })
    }

    pub fn description(self) -> &'static str {
        match self {
            RewardCategory::A => "频繁进京走访或跨度5年及5年以上的重点信访事项",
            RewardCategory::B => "当年进京走访、频繁赴区走访或跨度3年以上5年以内的重点信访事项",
            RewardCategory::C => "当年赴区走访、频繁到盟走访或跨度3年及3年以下的重点信访事项",
            RewardCategory::D => "通过多渠道频繁在盟内反映的申诉求决类信访事项",
            RewardCategory::E => "通过多渠道在盟内反映的初次信访事项",
        }
    }
}

/// The most a partial subsidy (未息诉罢访但做了大量工作) may be (第十条).
pub fn partial_subsidy_cap() -> Decimal {
    Decimal::from(500)
}

/// The five materials of a claim's dossier (第十一条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DossierMaterial {
    /// 信访事项化解报告
    ResolutionReport,
    /// 信访代办员的基本情况
    AgentDetails,
    /// 办理过程材料：会议记录、授权委托书、调解协议、息诉罢访协议等
    ProcessRecords,
    /// 奖补资金发放账号信息
    PaymentAccount,
    /// 其他可以证明事项办理情况的材料
    OtherEvidence,
}

impl DossierMaterial {
    pub const ALL: [DossierMaterial; 5] = [
        DossierMaterial::ResolutionReport,
        DossierMaterial::AgentDetails,
        DossierMaterial::ProcessRecords,
        DossierMaterial::PaymentAccount,
        DossierMaterial::OtherEvidence,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DossierMaterial::ResolutionReport => "信访事项化解报告",
            DossierMaterial::AgentDetails => "信访代办员基本情况",
            DossierMaterial::ProcessRecords => "办理过程材料（会议记录、授权委托书、调解或息诉罢访协议等）",
            DossierMaterial::PaymentAccount => "奖补资金发放账号信息",
            DossierMaterial::OtherEvidence => "其他证明材料",
        }
    }
}

/// What is claimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClaimKind {
    /// The full reward for a resolved matter (案结事了、息诉罢访).
    Resolved { category: RewardCategory },
    /// A discretionary subsidy for a matter not resolved but much work done,
    /// documented, and the citizen correctly guided to another lawful route.
    PartialSubsidy { amount: Decimal },
}

/// Everything the eligibility check needs about one claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimInput {
    pub kind: ClaimKind,
    /// The agent is registered (备案) with the league/banner bureau.
    pub agent_registered: bool,
    /// The agent is a public employee (机关事业单位工作人员).
    pub agent_public_employee: bool,
    /// The claimant is the agent who handled the matter (谁代办奖补谁).
    pub claimant_handled_matter: bool,
    /// The matter is resolved (息诉罢访 confirmed).
    pub matter_resolved: bool,
    /// For a partial subsidy: the citizen was guided to another lawful route.
    pub citizen_guided_to_lawful_route: bool,
    /// Rewards already granted or pending for this matter, from any fund.
    pub earlier_claims_on_matter: u32,
    pub materials: Vec<DossierMaterial>,
}

/// Why a claim cannot be paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum ClaimProblem {
    NotRegistered,
    PublicEmployee,
    NotHandlingAgent,
    NotResolved,
    /// A partial subsidy is for matters NOT resolved; claim the category instead.
    ResolvedUsePartial,
    NotGuided,
    SubsidyOutOfRange,
    NotWholeFen,
    /// 一事一补: the matter was rewarded before. Flag for discipline inspection.
    AlreadyRewarded,
    DossierIncomplete {
        missing: Vec<DossierMaterial>,
    },
}

impl ClaimProblem {
    pub fn message(&self) -> String {
        match self {
            ClaimProblem::NotRegistered => "代办员未在盟、旗信访部门备案，不予奖补".into(),
            ClaimProblem::PublicEmployee => "机关事业单位工作人员担任代办员的，费用由所在单位报销，不予奖补".into(),
            ClaimProblem::NotHandlingAgent => "奖补只发给实际代办该事项的代办员（谁代办、奖补谁）".into(),
            ClaimProblem::NotResolved => "事项尚未案结事了、息诉罢访，不能按类别奖补".into(),
            ClaimProblem::ResolvedUsePartial => "已化解的事项应按类别申请奖补，不适用酌情补贴".into(),
            ClaimProblem::NotGuided => "酌情补贴要求已正确引导信访人依法通过其他途径解决".into(),
            ClaimProblem::SubsidyOutOfRange => "酌情补贴金额应大于 0 元且不超过 500 元".into(),
            ClaimProblem::NotWholeFen => "金额最多保留两位小数（元、角、分）".into(),
            ClaimProblem::AlreadyRewarded => "同一事项只能奖补一次（一事一补），已移交核查".into(),
            ClaimProblem::DossierIncomplete { missing } => format!(
                "卷宗要素不全，不予补助。缺少：{}",
                missing.iter().map(|m| m.label()).collect::<Vec<_>>().join("、")
            ),
        }
    }

    /// Double and false claims are referred to discipline inspection (第十七条).
    pub fn refer_to_discipline_inspection(&self) -> bool {
        matches!(self, ClaimProblem::AlreadyRewarded)
    }
}

/// Checks a claim; returns the amount payable, or every problem found.
pub fn check_claim(c: &ClaimInput) -> Result<Decimal, Vec<ClaimProblem>> {
    let mut problems = Vec::new();
    if !c.agent_registered {
        problems.push(ClaimProblem::NotRegistered);
    }
    if c.agent_public_employee {
        problems.push(ClaimProblem::PublicEmployee);
    }
    if !c.claimant_handled_matter {
        problems.push(ClaimProblem::NotHandlingAgent);
    }
    if c.earlier_claims_on_matter > 0 {
        problems.push(ClaimProblem::AlreadyRewarded);
    }
    let amount = match c.kind {
        ClaimKind::Resolved { category } => {
            if !c.matter_resolved {
                problems.push(ClaimProblem::NotResolved);
            }
            category.amount()
        }
        ClaimKind::PartialSubsidy { amount } => {
            if c.matter_resolved {
                problems.push(ClaimProblem::ResolvedUsePartial);
            }
            if !c.citizen_guided_to_lawful_route {
                problems.push(ClaimProblem::NotGuided);
            }
            if amount <= Decimal::ZERO || amount > partial_subsidy_cap() {
                problems.push(ClaimProblem::SubsidyOutOfRange);
            }
            if amount.normalize().scale() > 2 {
                problems.push(ClaimProblem::NotWholeFen);
            }
            amount
        }
    };
    let missing: Vec<DossierMaterial> = DossierMaterial::ALL.into_iter().filter(|m| !c.materials.contains(m)).collect();
    if !missing.is_empty() {
        problems.push(ClaimProblem::DossierIncomplete { missing });
    }
    if problems.is_empty() {
        Ok(amount.round_dp(2))
    } else {
        Err(problems)
    }
}

/// The quarter (1–4) a date falls in; batches are quarterly (第十二条).
pub fn quarter_of(date: NaiveDate) -> (i32, u32) {
    (date.year(), (date.month() - 1) / 3 + 1)
}

/// Where a quarterly batch stands in its review chain (第十三条):
/// township first review → 5-working-day public notice → county review →
/// league final review → payment by the treasury.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum BatchStage {
    /// Claims being collected.
    Draft,
    /// 苏木镇初审 done.
    TownshipReviewed,
    /// 公示: names and amounts published; the notice ends on `ends`.
    InNotice { published: NaiveDate, ends: NaiveDate },
    /// 旗（区）复审 done.
    CountyReviewed,
    /// 盟信访局终审 done.
    LeagueApproved,
    /// 发放.
    Paid { on: NaiveDate },
}

/// A step of the batch chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BatchStep {
    TownshipReview,
    PublishNotice { on: NaiveDate },
    CountyReview { on: NaiveDate },
    LeagueApprove,
    Pay { on: NaiveDate },
}

impl BatchStage {
    /// The next stage, or why the step is not allowed now.
    pub fn advance(self, cal: &Calendar, step: BatchStep) -> Result<BatchStage, String> {
        match (self, step) {
            (BatchStage::Draft, BatchStep::TownshipReview) => Ok(BatchStage::TownshipReviewed),
            (BatchStage::TownshipReviewed, BatchStep::PublishNotice { on }) => {
                Ok(BatchStage::InNotice { published: on, ends: reward_notice_end(cal, on).value })
            }
            (BatchStage::InNotice { ends, .. }, BatchStep::CountyReview { on }) => {
                if on <= ends {
                    Err(format!("公示期至 {ends} 结束，公示期满后才能复审"))
                } else {
                    Ok(BatchStage::CountyReviewed)
                }
            }
            (BatchStage::CountyReviewed, BatchStep::LeagueApprove) => Ok(BatchStage::LeagueApproved),
            (BatchStage::LeagueApproved, BatchStep::Pay { on }) => Ok(BatchStage::Paid { on }),
            (stage, step) => Err(format!("当前环节（{}）不能执行{}", stage.label(), step_label(step))),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            BatchStage::Draft => "汇总申报",
            BatchStage::TownshipReviewed => "苏木镇初审",
            BatchStage::InNotice { .. } => "公示",
            BatchStage::CountyReviewed => "旗县复审",
            BatchStage::LeagueApproved => "盟终审",
            BatchStage::Paid { .. } => "已发放",
        }
    }
}

fn step_label(step: BatchStep) -> &'static str {
    match step {
        BatchStep::TownshipReview => "初审",
        BatchStep::PublishNotice { .. } => "公示",
        BatchStep::CountyReview { .. } => "复审",
        BatchStep::LeagueApprove => "终审",
        BatchStep::Pay { .. } => "发放",
    }
}

/// A complaint received during the public notice stops that claim.
pub fn complaint_stops_claim(stage: BatchStage, complaint_on: NaiveDate) -> bool {
    matches!(stage, BatchStage::InNotice { published, ends } if complaint_on >= published && complaint_on <= ends)
}

/// Budget, paid and remaining of a fund, with the execution rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FundTotals {
    pub budget: Decimal,
    pub paid: Decimal,
    pub remaining: Decimal,
    /// paid ÷ budget (预算执行率), `None` for a zero budget.
    pub execution_rate: Option<Decimal>,
}

/// Sums paid amounts against the budget. Refuses to overspend.
pub fn fund_totals(budget: Decimal, paid_amounts: &[Decimal]) -> Result<FundTotals, String> {
    let paid: Decimal = paid_amounts.iter().copied().sum();
    if paid > budget {
        return Err(format!("发放合计 {paid} 元超出预算 {budget} 元"));
    }
    Ok(FundTotals {
        budget,
        paid,
        remaining: budget - paid,
        execution_rate: (budget > Decimal::ZERO).then(|| (paid / budget).round_dp(4)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn good(kind: ClaimKind) -> ClaimInput {
        ClaimInput {
            kind,
            agent_registered: true,
            agent_public_employee: false,
            claimant_handled_matter: true,
            matter_resolved: true,
            citizen_guided_to_lawful_route: false,
            earlier_claims_on_matter: 0,
            materials: DossierMaterial::ALL.to_vec(),
        }
    }

    #[test]
    fn category_amounts() {
        let amounts: Vec<Decimal> = RewardCategory::ALL.iter().map(|c| c.amount()).collect();
        assert_eq!(amounts, [5000, 2000, 1000, 500, 200].map(Decimal::from));
        assert_eq!(check_claim(&good(ClaimKind::Resolved { category: RewardCategory::C })), Ok(Decimal::from(1000)));
    }

    #[test]
    fn eligibility_problems_are_all_reported() {
        let mut c = good(ClaimKind::Resolved { category: RewardCategory::A });
        c.agent_registered = false;
        c.agent_public_employee = true;
        c.claimant_handled_matter = false;
        c.matter_resolved = false;
        c.earlier_claims_on_matter = 1;
        c.materials =
            vec![DossierMaterial::ResolutionReport, DossierMaterial::AgentDetails, DossierMaterial::ProcessRecords];
        let problems = check_claim(&c).unwrap_err();
        assert_eq!(
            problems,
            vec![
                ClaimProblem::NotRegistered,
                ClaimProblem::PublicEmployee,
                ClaimProblem::NotHandlingAgent,
                ClaimProblem::AlreadyRewarded,
                ClaimProblem::NotResolved,
                ClaimProblem::DossierIncomplete {
                    missing: vec![DossierMaterial::PaymentAccount, DossierMaterial::OtherEvidence]
                },
            ]
        );
        assert!(problems[3].refer_to_discipline_inspection());
        assert_eq!(problems[5].message(), "卷宗要素不全，不予补助。缺少：奖补资金发放账号信息、其他证明材料");
    }

    #[test]
    fn partial_subsidy_rules() {
        let mut c = good(ClaimKind::PartialSubsidy { amount: Decimal::new(35050, 2) });
        c.matter_resolved = false;
        c.citizen_guided_to_lawful_route = true;
        assert_eq!(check_claim(&c), Ok(Decimal::new(35050, 2)));
        c.kind = ClaimKind::PartialSubsidy { amount: Decimal::new(50001, 2) };
        assert_eq!(check_claim(&c), Err(vec![ClaimProblem::SubsidyOutOfRange]));
        c.kind = ClaimKind::PartialSubsidy { amount: Decimal::from(500) };
        assert!(check_claim(&c).is_ok(), "exactly ¥500 is allowed");
        c.kind = ClaimKind::PartialSubsidy { amount: Decimal::new(1001, 3) };
        assert_eq!(check_claim(&c), Err(vec![ClaimProblem::NotWholeFen]));
        c.kind = ClaimKind::PartialSubsidy { amount: Decimal::from(300) };
        c.citizen_guided_to_lawful_route = false;
        c.matter_resolved = true;
        assert_eq!(check_claim(&c), Err(vec![ClaimProblem::ResolvedUsePartial, ClaimProblem::NotGuided]));
    }

    #[test]
    fn batch_chain_with_public_notice() {
        let cal = Calendar::official();
        let s = BatchStage::Draft.advance(cal, BatchStep::TownshipReview).unwrap();
        let s = s.advance(cal, BatchStep::PublishNotice { on: d("2026-09-28") }).unwrap();
        assert_eq!(s, BatchStage::InNotice { published: d("2026-09-28"), ends: d("2026-10-10") });
        assert!(s.advance(cal, BatchStep::CountyReview { on: d("2026-10-10") }).is_err(), "notice not over");
        assert!(complaint_stops_claim(s, d("2026-10-09")));
        assert!(!complaint_stops_claim(s, d("2026-10-11")));
        let s = s.advance(cal, BatchStep::CountyReview { on: d("2026-10-12") }).unwrap();
        assert!(s.advance(cal, BatchStep::Pay { on: d("2026-10-20") }).is_err(), "league review first");
        let s = s.advance(cal, BatchStep::LeagueApprove).unwrap();
        assert_eq!(
            s.advance(cal, BatchStep::Pay { on: d("2026-10-20") }).unwrap(),
            BatchStage::Paid { on: d("2026-10-20") }
        );
        assert_eq!(quarter_of(d("2026-10-20")), (2026, 4));
        assert_eq!(quarter_of(d("2026-03-31")), (2026, 1));
    }

    #[test]
    fn fund_totals_are_exact() {
        let t = fund_totals(Decimal::from(100_000), &[Decimal::from(5000), Decimal::new(35050, 2), Decimal::from(200)])
            .unwrap();
        assert_eq!(t.paid, Decimal::new(555050, 2));
        assert_eq!(t.remaining, Decimal::new(9444950, 2));
        assert_eq!(t.execution_rate, Some(Decimal::new(555, 4)));
        assert!(fund_totals(Decimal::from(1000), &[Decimal::from(2000)]).is_err());
    }
}
