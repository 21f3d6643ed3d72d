//! The reward fund (奖补资金), Alxa League rules (seed 000): categories A–E,
//! the ≤ ¥500 partial subsidy, eligibility, one matter one reward, dossier
//! completeness, and the quarterly batch chain with its 5-working-day public
//! notice. Money is `Decimal` yuan with at most two decimals, never floats.

use crate::calendar::Calendar;
use crate::deadline::reward_notice_end;
use crate::error::{ApiError, ErrorCode};
use crate::org::Role;
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
    /// For a partial subsidy above ¥500: the league bureau's recorded
    /// approval (第十条 caps it "原则上" — in principle — at 500 元, so a higher
    /// amount stands only on an approval on file with its reason).
    #[serde(default)]
    pub league_over_cap_approval: bool,
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
            ClaimProblem::SubsidyOutOfRange => {
                "酌情补贴金额应大于 0 元，原则上不超过 500 元（超过须有盟信访局批准及理由）".into()
            }
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
            if amount <= Decimal::ZERO || (amount > partial_subsidy_cap() && !c.league_over_cap_approval) {
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

/// The name of a step of a batch's record, by its code: the five steps of
/// the chain (`BatchStepRequest::step`), the batch's making (`create`) and a
/// complaint in the notice (`complaint`).
pub fn batch_step_label(step: &str) -> &'static str {
    match step {
        "create" => "汇总申报",
        "township_review" => "苏木镇初审",
        "publish_notice" => "公示",
        "complaint" => "公示期举报",
        "county_review" => "旗县复审",
        "league_approve" => "盟信访局终审",
        "pay" => "发放",
        _ => "其他",
    }
}

/// Who does each step of a batch (第十三条、第十四条): the batch's own
/// township station (staff or its leader) reviews first and publishes the
/// notice; for a batch of a township below them the banner centre reviews,
/// the league bureau approves, and the league bureau or finance pays.
/// `own_unit`: the user's unit is the batch's township; `below`: the batch's
/// township is inside the user's unit (its path starts with theirs). A
/// refusal names who does the step (403); a step that is none of the five is
/// a bad request. The server checks it; the desk asks before sending.
pub fn may_do_step(step: &str, role: Role, own_unit: bool, below: bool) -> Result<(), ApiError> {
    let township = matches!(role, Role::TownshipStaff | Role::TownshipLeader);
    let (ok, who) = match step {
        "township_review" | "publish_notice" => (township && own_unit, "本苏木镇（街道）代办站或分管领导"),
        "county_review" => (role == Role::CountyCentre && below, "旗县信访代办中心"),
        "league_approve" => (role == Role::LeagueBureau && below, "盟信访局"),
        "pay" => (matches!(role, Role::LeagueBureau | Role::FinanceReviewer) && below, "盟信访局或财政"),
        _ => {
            return Err(ApiError::new(
                ErrorCode::ValidationFailed,
                "环节无效（township_review、publish_notice、county_review、league_approve、pay）",
            ))
        }
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::Forbidden, format!("“{}”须由{who}办理", batch_step_label(step))))
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

/// Money as users see it: yuan with exactly two decimals (¥1000 → "1000.00").
pub fn money_text(amount: Decimal) -> String {
    format!("{:.2}", amount.round_dp(2))
}

/// How many times count as "频繁" (frequent). Seed 000 第八条 does not give a
/// number; three or more is the reading used here, the same threshold the
/// assessment rules (seed 003) use for "进京 3 次以上".
pub const FREQUENT_TIMES: u32 = 3;

/// What a matter's petition record says about its channel and difficulty —
/// the facts 第八条 sorts matters into categories A–E by. Recorded per matter
/// at the desk, so the category follows from the record, not from a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PetitionHistory {
    /// The year the record speaks of: "当年" (this year) below is this year.
    pub record_year: i32,
    /// The year the citizen first petitioned about the matter (the start of its 跨度).
    pub first_year: i32,
    /// 进京走访: visits to Beijing, all years.
    pub beijing_visits: u32,
    /// 当年进京走访: a visit to Beijing in `record_year`.
    pub beijing_this_year: bool,
    /// 赴区走访: visits to the region (Hohhot), all years.
    pub region_visits: u32,
    /// 当年赴区走访.
    pub region_this_year: bool,
    /// 到盟走访: visits to the league, all years.
    pub league_visits: u32,
    /// Times the matter was raised within the league by any channel (网络信访、
    /// 来信、走访 …), this petition included.
    pub league_petitions: u32,
    /// 重点信访事项: listed as a key matter.
    pub key_matter: bool,
    /// 申诉求决类: an appeal or a demand to have something decided (vs. a
    /// suggestion or a report).
    pub appeal: bool,
}

impl PetitionHistory {
    /// The years the matter spans (跨度): record year − first year.
    pub fn span_years(&self) -> i32 {
        self.record_year - self.first_year
    }

    /// Whether the record is self-consistent; the reason if not.
    pub fn check(&self) -> Result<(), String> {
        if !(1949..=2100).contains(&self.record_year) || !(1949..=2100).contains(&self.first_year) {
            return Err("年份无效".into());
        }
        if self.first_year > self.record_year {
            return Err("首次信访年份不能晚于记录年份".into());
        }
        if self.beijing_this_year && self.beijing_visits == 0 {
            return Err("填写了当年进京走访，进京走访次数不能为 0".into());
        }
        if self.region_this_year && self.region_visits == 0 {
            return Err("填写了当年赴区走访，赴区走访次数不能为 0".into());
        }
        if self.league_petitions == 0 {
            return Err("在盟内反映次数至少为 1（本次信访）".into());
        }
        if [self.beijing_visits, self.region_visits, self.league_visits, self.league_petitions].iter().any(|&n| n > 999)
        {
            return Err("次数不能超过 999".into());
        }
        Ok(())
    }
}

/// The category 第八条 gives a matter with this record, and why — the
/// highest category whose description the record meets, quoting the seed:
///
/// - A类："频繁进京走访或跨度5年及5年以上的重点信访事项"
/// - B类："当年进京走访、频繁赴区走访或跨度3年以上5年以内的重点信访事项"
/// - C类："当年赴区走访、频繁到盟走访或跨度3年及3年以下的重点信访事项"
/// - D类："通过网络信访、来信、走访等多渠道频繁在盟内反映的申诉求决类信访事项"
/// - E类："通过网络信访、来信、走访等多渠道在盟内反映的初次信访事项"
///
/// Reading: "重点信访事项" qualifies the span criteria (a span alone makes
/// a key matter A/B/C; a non-key matter needs the travel criteria); "频繁"
/// is [`FREQUENT_TIMES`] or more. A repeated matter that is neither frequent
/// nor an appeal fits no category: `None`, with the reason.
pub fn category_from_history(h: &PetitionHistory) -> (Option<RewardCategory>, String) {
    use RewardCategory::*;
    let span = h.span_years();
    let f = FREQUENT_TIMES;
    if h.beijing_visits >= f {
        return (Some(A), format!("A类：频繁进京走访（{} 次）", h.beijing_visits));
    }
    if h.key_matter && span >= 5 {
        return (Some(A), format!("A类：跨度 {span} 年（5年及5年以上）的重点信访事项"));
    }
    if h.beijing_this_year {
        return (Some(B), format!("B类：当年（{}年）进京走访", h.record_year));
    }
    if h.region_visits >= f {
        return (Some(B), format!("B类：频繁赴区走访（{} 次）", h.region_visits));
    }
    if h.key_matter && span > 3 {
        return (Some(B), format!("B类：跨度 {span} 年（3年以上5年以内）的重点信访事项"));
    }
    if h.region_this_year {
        return (Some(C), format!("C类：当年（{}年）赴区走访", h.record_year));
    }
    if h.league_visits >= f {
        return (Some(C), format!("C类：频繁到盟走访（{} 次）", h.league_visits));
    }
    if h.key_matter {
        return (Some(C), format!("C类：跨度 {span} 年（3年及3年以下）的重点信访事项"));
    }
    if h.league_petitions >= f && h.appeal {
        return (Some(D), format!("D类：多渠道频繁在盟内反映（{} 次）的申诉求决类信访事项", h.league_petitions));
    }
    if h.league_petitions == 1 {
        return (Some(E), "E类：在盟内反映的初次信访事项".to_string());
    }
    let why = if h.league_petitions >= f {
        "频繁反映但不属申诉求决类"
    } else {
        "非初次反映、又未达到频繁"
    };
    (None, format!("不属于A–E任何一类：在盟内反映 {} 次，{why}，不是重点信访事项", h.league_petitions))
}

/// A matter's petition record and what it gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryView {
    pub case_id: i64,
    pub history: PetitionHistory,
    pub category: Option<RewardCategory>,
    pub amount_text: Option<String>,
    /// Why (第八条's wording, with the record's figures).
    pub reason: String,
    pub recorded_by_name: String,
    pub recorded_at: String,
}

/// A typed attachment offered as one of the dossier's materials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClaimMaterial {
    pub material: DossierMaterial,
    /// An attachment of the matter (`PUT /api/cases/{id}/attachments/{uuid}`).
    pub attachment_id: String,
}

/// What is claimed, as the desk sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClaimRequestKind {
    /// The category reward; the category is the engine's from the recorded
    /// history. The claimant may propose one: a different proposal is kept
    /// beside the engine's decision for the reviewer.
    Resolved {
        #[serde(default)]
        proposed_category: Option<RewardCategory>,
    },
    /// 酌情补贴 (第十条).
    PartialSubsidy {
        amount: Decimal,
        guided_to_lawful_route: bool,
        /// Above ¥500 only: the league bureau's approval on file and its reason.
        #[serde(default)]
        league_approval: Option<String>,
    },
}

/// `POST /api/reward/claims`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    pub case_id: i64,
    pub claim: ClaimRequestKind,
    /// The agent rewarded (谁代办奖补谁): when a station claims for an agent;
    /// an agent claiming leaves it out (themselves).
    #[serde(default)]
    pub agent_id: Option<i64>,
    /// The justification written by the claimant (申报理由).
    pub justification: String,
    /// 发放账号: holder and account number (private: never on public pages).
    pub account_name: String,
    pub account_number: String,
    pub materials: Vec<ClaimMaterial>,
}

crate::code_enum! {
    /// Where a claim stands.
    pub enum ClaimStatus {
        Pending = "pending" => "待汇总",
        InBatch = "in_batch" => "审核中",
        Stopped = "stopped" => "公示期被举报，已中止",
        Paid = "paid" => "已发放",
    }
}

/// One material of a claim as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimMaterialView {
    pub material: DossierMaterial,
    pub label: String,
    pub attachment_id: String,
    pub file_name: String,
}

/// A claim at the desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimView {
    pub id: i64,
    pub case_id: i64,
    pub case_number: String,
    pub unit_name: String,
    pub agent_id: i64,
    pub agent_name: String,
    pub claimed_by_name: String,
    /// "resolved" or "partial_subsidy".
    pub kind: String,
    pub category: Option<RewardCategory>,
    pub proposed_category: Option<RewardCategory>,
    /// Why the engine chose the category (or the subsidy's justification).
    pub category_reason: String,
    pub justification: String,
    pub amount: Decimal,
    /// Two decimals.
    pub amount_text: String,
    pub league_approval: Option<String>,
    pub account_name: String,
    /// The account number's last four digits only.
    pub account_masked: String,
    pub status: ClaimStatus,
    pub status_label: String,
    pub batch_id: Option<i64>,
    pub stopped_reason: Option<String>,
    pub materials: Vec<ClaimMaterialView>,
    pub created_at: String,
}

/// The account number as shown: its last four digits.
pub fn mask_account(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(|c| !c.is_whitespace()).collect();
    let tail: String = digits.iter().skip(digits.len().saturating_sub(4)).collect();
    format!("****{tail}")
}

/// One step of a batch, done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchStepView {
    /// township_review, publish_notice, complaint, county_review, league_approve, pay
    pub step: String,
    pub label: String,
    pub opinion: String,
    pub actor_name: String,
    pub actor_role: String,
    pub on: NaiveDate,
    pub at: String,
}

/// A quarterly batch of one township.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchView {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub year: i32,
    pub quarter: u32,
    pub stage: BatchStage,
    pub stage_label: String,
    /// The claims still in it (not stopped).
    pub total: Decimal,
    pub total_text: String,
    pub treasury_ref: Option<String>,
    pub claims: Vec<ClaimView>,
    pub steps: Vec<BatchStepView>,
    /// Set when the year's fund is missing or this batch would exceed it.
    pub budget_warning: Option<String>,
}

/// `POST /api/reward/batches/{id}/steps`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BatchStepRequest {
    /// township_review, publish_notice, county_review, league_approve, pay
    pub step: String,
    /// The reviewer's opinion (审核意见).
    pub opinion: String,
    /// For `pay`: the treasury payment reference (国库集中支付凭证号).
    #[serde(default)]
    pub treasury_ref: Option<String>,
}

/// The year's fund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FundView {
    pub year: i32,
    pub budget: Decimal,
    /// Claims in batches (not stopped), paid or not.
    pub committed: Decimal,
    pub paid: Decimal,
    /// budget − committed.
    pub remaining: Decimal,
    pub budget_text: String,
    pub committed_text: String,
    pub paid_text: String,
    pub remaining_text: String,
    /// paid ÷ budget.
    pub execution_rate: Option<Decimal>,
    pub warning: Option<String>,
}

/// The warning a fund shows: committed beyond budget, or the year over with
/// money unspent (第七条 "原则上应在当年执行完毕").
pub fn fund_warning(year: i32, budget: Decimal, committed: Decimal, today: NaiveDate) -> Option<String> {
    if committed > budget {
        return Some(format!(
            "已承诺 {} 元，超出 {year} 年预算 {} 元 {} 元",
            money_text(committed),
            money_text(budget),
            money_text(committed - budget)
        ));
    }
    if today.year() > year && committed < budget {
        return Some(format!(
            "{year} 年奖补资金原则上应在当年执行完毕（第七条），尚余 {} 元",
            money_text(budget - committed)
        ));
    }
    None
}

/// The warning before a batch is committed: `committed_before` plus this
/// batch over the year's budget (or no budget set). `None`: within budget.
pub fn batch_budget_warning(
    year: i32,
    budget: Option<Decimal>,
    committed_before: Decimal,
    batch_total: Decimal,
) -> Option<String> {
    match budget {
        None => Some(format!("{year} 年奖补资金预算尚未下达，本批次无法核对预算")),
        Some(b) if committed_before + batch_total > b => Some(format!(
            "本批次 {} 元加已承诺 {} 元，超出 {year} 年预算 {} 元（剩余 {} 元）",
            money_text(batch_total),
            money_text(committed_before),
            money_text(b),
            money_text(b - committed_before)
        )),
        Some(_) => None,
    }
}

crate::code_enum! {
    /// What the league's integrity check looks for (第十七条: 一事多补、虚报冒领、串联作假骗补).
    pub enum FlagKind {
        SameMatterTwice = "same_matter_twice" => "同一事项重复申报",
        SharedAccount = "shared_account" => "同一账号为不同代办员收款",
        NoVisitRecord = "no_visit_record" => "申报事项无走访记录",
        AmountMismatch = "amount_mismatch" => "金额与类别不符",
        AgentNotHandling = "agent_not_handling" => "申报人不是该事项的代办员",
    }
}

/// The facts about one claim the integrity rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimFacts {
    pub claim_id: i64,
    pub case_id: i64,
    pub case_number: String,
    pub agent_id: i64,
    pub agent_name: String,
    /// As entered; compared without spaces.
    pub account_number: String,
    pub amount: Decimal,
    /// The category the claim was made under (`None`: a partial subsidy).
    pub category: Option<RewardCategory>,
    /// What the matter's petition record gives today.
    pub history_category: Option<RewardCategory>,
    pub visits: u32,
    /// The agent was ever assigned to the matter.
    pub agent_assigned: bool,
}

/// A refused second claim on a matter that already has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateAttempt {
    pub case_id: i64,
    pub existing_claim_id: i64,
    pub claimant_name: String,
    pub at: String,
}

/// One finding, with its evidence, for referral to discipline inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntegrityFlag {
    pub kind: FlagKind,
    pub label: String,
    /// Stable identity of the finding (kind + claims), for its referral.
    pub key: String,
    pub claim_ids: Vec<i64>,
    pub evidence: String,
    /// The referral to discipline inspection, once recorded.
    pub referral: Option<String>,
}

fn flag(kind: FlagKind, mut claim_ids: Vec<i64>, evidence: String) -> IntegrityFlag {
    claim_ids.sort_unstable();
    claim_ids.dedup();
    let key = format!("{}:{}", kind.as_str(), claim_ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(","));
    IntegrityFlag { kind, label: kind.label().to_string(), key, claim_ids, evidence, referral: None }
}

/// The integrity findings over all claims of a territory (pure: the server
/// gathers the facts).
pub fn integrity_flags(claims: &[ClaimFacts], attempts: &[DuplicateAttempt]) -> Vec<IntegrityFlag> {
    let mut out = Vec::new();
    // 一事多补: a refused second claim, and two claims on one matter (the
    // database forbids it; kept so imported data is checked too).
    let mut by_case: std::collections::BTreeMap<i64, Vec<&ClaimFacts>> = Default::default();
    for c in claims {
        by_case.entry(c.case_id).or_default().push(c);
    }
    for (case, cs) in &by_case {
        if cs.len() > 1 {
            out.push(flag(
                FlagKind::SameMatterTwice,
                cs.iter().map(|c| c.claim_id).collect(),
                format!("事项 {} 有 {} 条申报（编号 {}）", cs[0].case_number, cs.len(), case),
            ));
        }
    }
    let mut attempts_by_claim: std::collections::BTreeMap<i64, Vec<&DuplicateAttempt>> = Default::default();
    for a in attempts {
        attempts_by_claim.entry(a.existing_claim_id).or_default().push(a);
    }
    for (claim, atts) in attempts_by_claim {
        let number = claims.iter().find(|c| c.claim_id == claim).map_or(String::new(), |c| c.case_number.clone());
        let tried: Vec<String> = atts.iter().map(|a| format!("{}（{}）", a.claimant_name, a.at)).collect();
        out.push(flag(
            FlagKind::SameMatterTwice,
            vec![claim],
            format!("事项 {number} 已有申报 #{claim}，又被再次申报 {} 次：{}", atts.len(), tried.join("、")),
        ));
    }
    // One account receiving for different agents.
    let mut by_account: std::collections::BTreeMap<String, Vec<&ClaimFacts>> = Default::default();
    for c in claims {
        let acct: String = c.account_number.chars().filter(|ch| !ch.is_whitespace()).collect();
        by_account.entry(acct).or_default().push(c);
    }
    for (acct, cs) in &by_account {
        let mut agents: Vec<(i64, &str)> = cs.iter().map(|c| (c.agent_id, c.agent_name.as_str())).collect();
        agents.sort_unstable();
        agents.dedup();
        if agents.len() > 1 {
            out.push(flag(
                FlagKind::SharedAccount,
                cs.iter().map(|c| c.claim_id).collect(),
                format!(
                    "账号 {} 为 {} 位代办员收款：{}",
                    mask_account(acct),
                    agents.len(),
                    agents.iter().map(|(_, n)| *n).collect::<Vec<_>>().join("、")
                ),
            ));
        }
    }
    for c in claims {
        if c.visits == 0 {
            out.push(flag(
                FlagKind::NoVisitRecord,
                vec![c.claim_id],
                format!("事项 {} 没有任何走访记录，申报 {} 元", c.case_number, money_text(c.amount)),
            ));
        }
        if let Some(cat) = c.category {
            if c.history_category != Some(cat) || c.amount != cat.amount() {
                let now = c.history_category.map_or("不属任何类别".to_string(), |h| {
                    format!("{}类（{} 元）", h_str(h), money_text(h.amount()))
                });
                out.push(flag(
                    FlagKind::AmountMismatch,
                    vec![c.claim_id],
                    format!(
                        "事项 {} 按{}类申报 {} 元，按信访记录应为{now}",
                        c.case_number,
                        h_str(cat),
                        money_text(c.amount)
                    ),
                ));
            }
        }
        if !c.agent_assigned {
            out.push(flag(
                FlagKind::AgentNotHandling,
                vec![c.claim_id],
                format!("代办员 {} 从未被指派办理事项 {}，却为其申报奖补", c.agent_name, c.case_number),
            ));
        }
    }
    out
}

fn h_str(c: RewardCategory) -> &'static str {
    match c {
        RewardCategory::A => "A",
        RewardCategory::B => "B",
        RewardCategory::C => "C",
        RewardCategory::D => "D",
        RewardCategory::E => "E",
    }
}

impl RewardCategory {
    /// The letter.
    pub fn letter(self) -> &'static str {
        h_str(self)
    }
}

/// The facts of a year's fund the performance self-evaluation (绩效自评,
/// 第十四条; the table's shape is seed 004's 项目支出绩效自评表) is scored on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfEvalInput {
    pub year: i32,
    pub budget: Decimal,
    pub paid: Decimal,
    /// Claims paid in the year's batches.
    pub claims_paid: u32,
    /// Of those, category rewards for resolved matters (息诉罢访).
    pub resolved_paid: u32,
    /// Of those, paid within the year (第七条).
    pub paid_in_year: u32,
    /// The planned number of matters (预期指标值 of the quantity indicator).
    pub target_matters: u32,
    /// Citizens' opinions recorded on the paid matters, and how many were
    /// 满意 or 比较满意.
    pub opinions: u32,
    pub satisfied: u32,
}

/// One row of the indicator table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorRow {
    pub level1: String,
    pub level2: String,
    pub level3: String,
    pub weight: Decimal,
    pub target: String,
    pub actual: String,
    /// `None`: a qualitative indicator the bureau scores itself.
    pub score: Option<Decimal>,
}

/// The self-evaluation: execution (A, B, rate, score of 10), the indicator
/// rows (90 points) and the total of the scored parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SelfEvaluation {
    pub year: i32,
    pub budget: Decimal,
    pub executed: Decimal,
    pub execution_rate: Decimal,
    pub execution_score: Decimal,
    pub rows: Vec<IndicatorRow>,
    /// Execution plus every scored indicator; qualitative rows not included.
    pub total: Decimal,
}

fn ratio(n: u32, d: u32) -> Decimal {
    if d == 0 {
        Decimal::ZERO
    } else {
        Decimal::from(n) / Decimal::from(d)
    }
}

fn pct(r: Decimal) -> String {
    format!("{}%", (r * Decimal::from(100)).round_dp(1).normalize())
}

/// Scores a year (weights as seed 004: execution 10; output 50 = quantity 20,
/// quality 10, timeliness 10, cost 10; benefit 30; satisfaction 10).
pub fn self_evaluation(i: &SelfEvalInput) -> SelfEvaluation {
    let w = |n: i64| Decimal::from(n);
    let capped = |r: Decimal| r.min(Decimal::ONE);
    let rate = if i.budget > Decimal::ZERO { i.paid / i.budget } else { Decimal::ZERO };
    let execution_score = (w(10) * capped(rate)).round_dp(2);
    let quantity = capped(ratio(i.claims_paid, i.target_matters.max(1)));
    let quality = ratio(i.resolved_paid, i.claims_paid);
    let timely = ratio(i.paid_in_year, i.claims_paid);
    let satisfaction = ratio(i.satisfied, i.opinions);
    let row = |l1: &str, l2: &str, l3: &str, weight: i64, target: String, actual: String, score: Option<Decimal>| {
        IndicatorRow {
            level1: l1.into(),
            level2: l2.into(),
            level3: l3.into(),
            weight: w(weight),
            target,
            actual,
            score: score.map(|s| s.round_dp(2)),
        }
    };
    let rows = vec![
        row(
            "产出指标",
            "数量指标",
            "代办化解信访事项并奖补",
            20,
            format!("≥{}件", i.target_matters),
            format!("{}件", i.claims_paid),
            Some(w(20) * quantity),
        ),
        row("产出指标", "质量指标", "奖补事项息诉罢访", 10, "100%".into(), pct(quality), Some(w(10) * quality)),
        row("产出指标", "时效指标", "奖补资金当年执行完毕", 10, "当年".into(), pct(timely), Some(w(10) * timely)),
        row(
            "产出指标",
            "成本指标",
            "严格控制总成本（元）",
            10,
            money_text(i.budget),
            money_text(i.paid),
            Some(if i.paid <= i.budget { w(10) } else { Decimal::ZERO }),
        ),
        row(
            "效益指标",
            "社会效益指标",
            "维护社会和谐稳定，提高政府公信力",
            15,
            "效果显著".into(),
            "由盟信访局评定".into(),
            None,
        ),
        row("效益指标", "可持续影响指标", "提高信访事项化解力度", 15, "长效".into(), "由盟信访局评定".into(), None),
        row(
            "满意度指标",
            "服务对象满意度指标",
            "信访群众对代办服务的满意度",
            10,
            "≥95%".into(),
            pct(satisfaction),
            Some(w(10) * capped(satisfaction / Decimal::new(95, 2))),
        ),
    ];
    let total = execution_score + rows.iter().filter_map(|r| r.score).sum::<Decimal>();
    SelfEvaluation {
        year: i.year,
        budget: i.budget,
        executed: i.paid,
        execution_rate: rate.round_dp(4),
        execution_score,
        rows,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_does_each_batch_step() {
        let steps = ["township_review", "publish_notice", "county_review", "league_approve", "pay"];
        // (role, own unit, below) → the steps they may do.
        let cases: [(Role, bool, bool, &[&str]); 8] = [
            (Role::TownshipStaff, true, true, &["township_review", "publish_notice"]),
            (Role::TownshipLeader, true, true, &["township_review", "publish_notice"]),
            (Role::TownshipStaff, false, true, &[]),
            (Role::CountyCentre, false, true, &["county_review"]),
            (Role::CountyCentre, false, false, &[]),
            (Role::LeagueBureau, false, true, &["league_approve", "pay"]),
            (Role::FinanceReviewer, false, true, &["pay"]),
            (Role::FieldAgent, true, true, &[]),
        ];
        for (role, own, below, may) in cases {
            for step in steps {
                assert_eq!(may_do_step(step, role, own, below).is_ok(), may.contains(&step), "{role:?} {step}");
            }
        }
        let refused = may_do_step("township_review", Role::CountyCentre, false, true).unwrap_err();
        assert_eq!(refused.code, ErrorCode::Forbidden);
        assert_eq!(refused.message, "“苏木镇初审”须由本苏木镇（街道）代办站或分管领导办理");
        assert_eq!(
            may_do_step("pay", Role::CountyCentre, false, true).unwrap_err().message,
            "“发放”须由盟信访局或财政办理"
        );
        assert_eq!(
            may_do_step("approve", Role::LeagueBureau, true, true).unwrap_err().code,
            ErrorCode::ValidationFailed
        );
        assert_eq!(batch_step_label("complaint"), "公示期举报");
        assert_eq!(batch_step_label("x"), "其他");
    }

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
            league_over_cap_approval: false,
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
        c.league_over_cap_approval = true;
        assert_eq!(check_claim(&c), Ok(Decimal::new(50001, 2)), "above ¥500 with the league's approval");
        c.league_over_cap_approval = false;
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

    fn hist() -> PetitionHistory {
        PetitionHistory {
            record_year: 2026,
            first_year: 2026,
            beijing_visits: 0,
            beijing_this_year: false,
            region_visits: 0,
            region_this_year: false,
            league_visits: 0,
            league_petitions: 1,
            key_matter: false,
            appeal: false,
        }
    }

    #[test]
    fn categories_follow_the_seed() {
        use RewardCategory::*;
        let cat = |f: &dyn Fn(&mut PetitionHistory)| {
            let mut h = hist();
            f(&mut h);
            assert_eq!(h.check(), Ok(()), "{h:?}");
            category_from_history(&h).0
        };
        assert_eq!(cat(&|_| {}), Some(E), "first petition within the league");
        assert_eq!(cat(&|h| h.beijing_visits = 3), Some(A), "frequent Beijing visits");
        assert_eq!(cat(&|h| (h.key_matter, h.first_year) = (true, 2021)), Some(A), "key, spanning 5 years");
        assert_eq!(cat(&|h| h.first_year = 2021), Some(E), "a long span alone does not make a non-key matter A");
        assert_eq!(cat(&|h| (h.beijing_visits, h.beijing_this_year) = (1, true)), Some(B));
        assert_eq!(cat(&|h| h.region_visits = 3), Some(B), "frequent region visits");
        assert_eq!(cat(&|h| (h.key_matter, h.first_year) = (true, 2022)), Some(B), "key, 4 years");
        assert_eq!(cat(&|h| (h.key_matter, h.first_year) = (true, 2023)), Some(C), "key, 3 years");
        assert_eq!(cat(&|h| (h.region_visits, h.region_this_year) = (1, true)), Some(C));
        assert_eq!(cat(&|h| h.league_visits = 3), Some(C), "frequent league visits");
        assert_eq!(cat(&|h| (h.league_petitions, h.appeal) = (4, true)), Some(D));
        assert_eq!(cat(&|h| h.league_petitions = 4), None, "frequent but not an appeal");
        assert_eq!(cat(&|h| h.league_petitions = 2), None, "neither first nor frequent");
        let (_, why) = category_from_history(&PetitionHistory { beijing_visits: 5, ..hist() });
        assert_eq!(why, "A类：频繁进京走访（5 次）");
    }

    #[test]
    fn inconsistent_history_is_refused() {
        assert!(PetitionHistory { first_year: 2027, ..hist() }.check().is_err());
        assert!(PetitionHistory { beijing_this_year: true, ..hist() }.check().is_err());
        assert!(PetitionHistory { region_this_year: true, ..hist() }.check().is_err());
        assert!(PetitionHistory { league_petitions: 0, ..hist() }.check().is_err());
    }

    proptest::proptest! {
        /// More travel, a longer span or a key listing never lowers the category.
        #[test]
        fn category_is_monotone(
            bj in 0u32..6, rg in 0u32..6, lg in 0u32..6, pet in 1u32..6, span in 0i32..8,
            key: bool, appeal: bool, bj_now: bool, rg_now: bool, extra in 0usize..5,
        ) {
            let h = PetitionHistory {
                record_year: 2026, first_year: 2026 - span,
                beijing_visits: bj + u32::from(bj_now), beijing_this_year: bj_now,
                region_visits: rg + u32::from(rg_now), region_this_year: rg_now,
                league_visits: lg, league_petitions: pet, key_matter: key, appeal,
            };
            let mut more = h.clone();
            match extra {
                0 => more.beijing_visits += 1,
                1 => more.region_visits += 1,
                2 => more.league_visits += 1,
                3 => more.first_year -= 1,
                _ => more.key_matter = true,
            }
            let (a, _) = category_from_history(&h);
            let (b, _) = category_from_history(&more);
            // A < B < … in the enum's order: higher category = smaller.
            if let Some(a) = a {
                proptest::prop_assert!(b.is_some_and(|b| b <= a), "{h:?} → {a:?}, {more:?} → {b:?}");
            }
            let (cat, why) = category_from_history(&h);
            if let Some(c) = cat {
                proptest::prop_assert!(why.starts_with(c.letter()));
            }
        }

        /// Money text always has exactly two decimals and reads back equal (to the fen).
        #[test]
        fn money_text_two_decimals(cents in 0i64..100_000_000) {
            let d = Decimal::new(cents, 2);
            let t = money_text(d);
            proptest::prop_assert_eq!(t.split('.').nth(1).map(str::len), Some(2));
            proptest::prop_assert_eq!(t.parse::<Decimal>().unwrap(), d);
        }
    }

    fn facts(id: i64, case: i64, agent: i64, account: &str) -> ClaimFacts {
        ClaimFacts {
            claim_id: id,
            case_id: case,
            case_number: format!("N{case}"),
            agent_id: agent,
            agent_name: format!("代办员{agent}"),
            account_number: account.into(),
            amount: Decimal::from(200),
            category: Some(RewardCategory::E),
            history_category: Some(RewardCategory::E),
            visits: 1,
            agent_assigned: true,
        }
    }

    #[test]
    fn integrity_flags_with_evidence() {
        let clean = vec![facts(1, 10, 7, "6228 0000 1111"), facts(2, 11, 7, "622800001111")];
        assert_eq!(integrity_flags(&clean, &[]), vec![], "one agent, one account, two matters: clean");

        let mut claims = clean.clone();
        claims.push(facts(3, 12, 8, "6228000011 11"));
        claims[0].visits = 0;
        claims[1].history_category = Some(RewardCategory::D);
        claims[2].agent_assigned = false;
        let attempt = DuplicateAttempt {
            case_id: 10,
            existing_claim_id: 1,
            claimant_name: "刘红".into(),
            at: "2026-10-01".into(),
        };
        let flags = integrity_flags(&claims, &[attempt]);
        let kinds: Vec<FlagKind> = flags.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [
                FlagKind::SameMatterTwice,
                FlagKind::SharedAccount,
                FlagKind::NoVisitRecord,
                FlagKind::AmountMismatch,
                FlagKind::AgentNotHandling
            ]
        );
        assert_eq!(flags[0].evidence, "事项 N10 已有申报 #1，又被再次申报 1 次：刘红（2026-10-01）");
        assert_eq!(flags[1].claim_ids, [1, 2, 3]);
        assert_eq!(flags[1].evidence, "账号 ****1111 为 2 位代办员收款：代办员7、代办员8");
        assert_eq!(flags[3].evidence, "事项 N11 按E类申报 200.00 元，按信访记录应为D类（500.00 元）");
        assert_eq!(flags[1].key, "shared_account:1,2,3");
    }

    #[test]
    fn budget_warnings() {
        let y = 2026;
        assert_eq!(batch_budget_warning(y, Some(Decimal::from(1000)), Decimal::from(500), Decimal::from(500)), None);
        assert_eq!(
            batch_budget_warning(y, Some(Decimal::from(1000)), Decimal::from(500), Decimal::new(50001, 2)).unwrap(),
            "本批次 500.01 元加已承诺 500.00 元，超出 2026 年预算 1000.00 元（剩余 500.00 元）"
        );
        assert!(batch_budget_warning(y, None, Decimal::ZERO, Decimal::ONE).is_some());
        assert_eq!(fund_warning(y, Decimal::from(10), Decimal::from(5), d("2026-12-31")), None);
        assert!(fund_warning(y, Decimal::from(10), Decimal::from(5), d("2027-01-01")).unwrap().contains("第七条"));
        assert!(fund_warning(y, Decimal::from(10), Decimal::from(11), d("2026-06-01")).unwrap().contains("超出"));
        assert_eq!(mask_account("6228 4800 1234 5678"), "****5678");
    }

    #[test]
    fn self_evaluation_scores_as_seed_004() {
        let e = self_evaluation(&SelfEvalInput {
            year: 2026,
            budget: Decimal::from(60_000),
            paid: Decimal::from(54_000),
            claims_paid: 18,
            resolved_paid: 16,
            paid_in_year: 18,
            target_matters: 20,
            opinions: 16,
            satisfied: 15,
        });
        assert_eq!(e.execution_rate, Decimal::new(9, 1));
        assert_eq!(e.execution_score, Decimal::from(9));
        let scores: Vec<Option<Decimal>> = e.rows.iter().map(|r| r.score).collect();
        assert_eq!(
            scores,
            vec![
                Some(Decimal::from(18)),
                Some(Decimal::new(889, 2)),
                Some(Decimal::from(10)),
                Some(Decimal::from(10)),
                None,
                None,
                Some(Decimal::new(987, 2)),
            ]
        );
        assert_eq!(e.rows.iter().map(|r| r.weight).sum::<Decimal>(), Decimal::from(90), "90 + execution 10 = 100");
        assert_eq!(e.total, Decimal::new(6576, 2));
        assert_eq!(e.rows[1].actual, "88.9%");
    }
}
