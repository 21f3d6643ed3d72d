//! The assessment through the year (seed 001 附件7, DOMAIN.md
//! "Assessment"): what the township station and the banner centre record
//! of a village (checklists, write-ups, hard cases resolved, warnings,
//! over-level petitions, veto incidents), how those records and the kept
//! counters become the [`AssessmentInput`] of [`assess`], the letters a
//! result calls for (三函一约谈) and the ranking of villages.
//!
//! Over-level petitions come from two places. Those the workflow knows
//! are the village's matters now handled at the banner or the league
//! (they were reported up: 矛盾上交), one person-time each at the highest
//! level reached; a citizen who went to the region or to Beijing on their
//! own is entered by hand with the person-times the receiving office
//! reported.

use crate::assessment::{
    assess, below_half, rate_text, Assessment, AssessmentInput, Escalations, Letter, MatterCounts, Rates, VetoReason,
};
use crate::error::{ApiError, ErrorCode};
use crate::org::Role;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Who records a village's assessment, issues its letters and records
/// their receipts: the township station (镇信访代办服务站 考核各嘎查村), its
/// leader, and the banner centre; the league and everyone else only read.
/// The server refuses the others with this (403); the desk shows its forms
/// only to those it lets through.
pub fn may_record(role: Role) -> Result<(), ApiError> {
    match role {
        Role::TownshipStaff | Role::TownshipLeader | Role::CountyCentre => Ok(()),
        _ => Err(ApiError::new(ErrorCode::Forbidden, format!("{}不能登记考核或发函", role.label()))),
    }
}

crate::code_enum! {
    /// What an assessment record is.
    pub enum EntryKind {
        Organisation = "organisation" => "组织落实",
        Rules = "rules" => "制度建设",
        WriteupReported = "writeup_reported" => "上报典型经验",
        WriteupAdopted = "writeup_adopted" => "典型经验被采纳",
        MajorResolved = "major_resolved" => "化解重点疑难事项",
        TimelyWarning = "timely_warning" => "有效预警重大信访事项",
        OverLevel = "over_level" => "越级访",
        Veto = "veto" => "一票否决事件",
    }
}

crate::code_enum! {
    /// 组织落实: the five 2-point checks, in the seed's order.
    pub enum OrganisationItem {
        Team = "team" => "代办员队伍稳定、职责明确",
        Head = "head" => "明确主要负责人负总责",
        Leader = "leader" => "明确分管领导",
        Staff = "staff" => "明确专人负责日常工作",
        Office = "office" => "有代办场所、窗口、标识和必要设备",
    }
}

crate::code_enum! {
    /// 制度建设: the five 2-point checks, in the seed's order.
    pub enum RulesItem {
        Meeting = "meeting" => "每年召开专题会议",
        Training = "training" => "建立代办员培训机制",
        Publicity = "publicity" => "建立代办宣传机制",
        Funding = "funding" => "建立专项资金保障机制",
        Ledger = "ledger" => "规范建立代办事项台账",
    }
}

crate::code_enum! {
    /// The hard matters whose resolution earns 1 point each (加分项 2).
    pub enum MajorKind {
        CentralAssigned = "central_assigned" => "中联办交办事项",
        BeijingThreePlus = "beijing_3plus" => "进京 3 次以上信访事项",
        YearsUnresolved = "years_unresolved" => "多年未化解疑难案件",
    }
}

crate::code_enum! {
    /// Where a citizen went over the village's head (减分项 2–5).
    pub enum OverLevel {
        County = "county" => "到旗上访",
        City = "city" => "到盟（市）上访",
        Region = "region" => "赴区越级访",
        Beijing = "beijing" => "进京越级访",
    }
}

impl EntryKind {
    /// Whether the record names an item (checklist item, kind of hard
    /// matter, level, veto reason), and the items it may name.
    pub fn items(self) -> &'static [(&'static str, &'static str)] {
        const ORG: [(&str, &str); 5] = [
            ("team", "代办员队伍稳定、职责明确"),
            ("head", "明确主要负责人负总责"),
            ("leader", "明确分管领导"),
            ("staff", "明确专人负责日常工作"),
            ("office", "有代办场所、窗口、标识和必要设备"),
        ];
        const RULES: [(&str, &str); 5] = [
            ("meeting", "每年召开专题会议"),
            ("training", "建立代办员培训机制"),
            ("publicity", "建立代办宣传机制"),
            ("funding", "建立专项资金保障机制"),
            ("ledger", "规范建立代办事项台账"),
        ];
        const MAJOR: [(&str, &str); 3] = [
            ("central_assigned", "中联办交办事项"),
            ("beijing_3plus", "进京 3 次以上信访事项"),
            ("years_unresolved", "多年未化解疑难案件"),
        ];
        const LEVELS: [(&str, &str); 4] =
            [("county", "到旗上访"), ("city", "到盟（市）上访"), ("region", "赴区越级访"), ("beijing", "进京越级访")];
        const VETO: [(&str, &str); 3] = [
            ("extreme_incident", "个人极端事件"),
            ("mass_gathering", "群体聚集事件"),
            ("negative_online_storm", "网络负面炒作"),
        ];
        match self {
            EntryKind::Organisation => &ORG,
            EntryKind::Rules => &RULES,
            EntryKind::MajorResolved => &MAJOR,
            EntryKind::OverLevel => &LEVELS,
            EntryKind::Veto => &VETO,
            _ => &[],
        }
    }

    /// The label of `item` for this kind, if it is one of its items.
    pub fn item_label(self, item: &str) -> Option<&'static str> {
        self.items().iter().find(|(c, _)| *c == item).map(|(_, l)| *l)
    }
}

/// A record of the assessment, as the desk sends it (`POST /api/assessment/entries`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewEntry {
    /// The village/community assessed.
    pub unit_id: i64,
    pub kind: EntryKind,
    /// The item, for the kinds that have items ([`EntryKind::items`]).
    #[serde(default)]
    pub item: Option<String>,
    /// Person-times (越级访 only; 1 for every other kind).
    #[serde(default = "one")]
    pub persons: u32,
    /// When it happened (or was checked); its year is the assessment year.
    pub occurred_on: NaiveDate,
    /// What happened, the write-up's title, the matter … (1–500 characters).
    pub note: String,
    /// The matter concerned, if any (its number).
    #[serde(default)]
    pub case_number: Option<String>,
}

fn one() -> u32 {
    1
}

fn invalid(m: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::ValidationFailed, m)
}

impl NewEntry {
    /// Checks the record against `today`: the item fits the kind, person-times
    /// only for 越级访 (1–99), a note, a date not in the future.
    pub fn validate(&self, today: NaiveDate) -> Result<(), ApiError> {
        let items = self.kind.items();
        match (&self.item, items.is_empty()) {
            (None, false) => return Err(invalid(format!("请选择{}的具体项目", self.kind.label()))),
            (Some(i), false) if self.kind.item_label(i).is_none() => {
                return Err(invalid(format!("“{i}”不是{}的项目", self.kind.label())))
            }
            (Some(_), true) => return Err(invalid(format!("{}不需要选择项目", self.kind.label()))),
            _ => {}
        }
        if self.kind == EntryKind::OverLevel {
            if !(1..=99).contains(&self.persons) {
                return Err(invalid("越级访人次应为 1–99"));
            }
        } else if self.persons != 1 {
            return Err(invalid(format!("{}每条记录计 1 次", self.kind.label())));
        }
        crate::validation::check_text("情况说明", &self.note, 500)?;
        if self.occurred_on > today {
            return Err(invalid("发生日期不能晚于今天"));
        }
        if self.occurred_on.year() < 2000 {
            return Err(invalid("发生日期无效"));
        }
        if let Some(n) = &self.case_number {
            if n.trim().is_empty() || n.chars().count() > 40 || crate::validation::has_control_chars(n) {
                return Err(invalid("事项编号无效"));
            }
        }
        Ok(())
    }
}

/// A file that proves a record (a scan, a photo, a PDF).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidenceView {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
}

/// A record as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntryView {
    pub id: i64,
    pub unit_id: i64,
    pub year: i32,
    pub kind: EntryKind,
    pub item: Option<String>,
    /// The kind, and the item's label if any ("越级访：进京越级访").
    pub label: String,
    pub persons: u32,
    pub occurred_on: NaiveDate,
    pub note: String,
    pub case_number: Option<String>,
    pub entered_by_name: String,
    pub entered_at: String,
    pub evidence: Vec<EvidenceView>,
    /// Withdrawn records stay, with who withdrew them and why; they no
    /// longer count.
    pub withdrawn: Option<Withdrawal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Withdrawal {
    pub by_name: String,
    pub at: String,
    pub reason: String,
}

/// `POST /api/assessment/entries/{id}/withdraw`: a wrong record is withdrawn
/// with a reason, never deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Withdraw {
    pub reason: String,
}

/// What of a record counts in the score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryFact {
    pub kind: EntryKind,
    pub item: Option<String>,
    pub persons: u32,
}

/// The over-level petitions the workflow knows: the village's matters now
/// handled at the banner (`at_county`) or the league (`at_city`).
pub fn counted_escalations(at_county: u64, at_city: u64) -> Escalations {
    Escalations { to_county: at_county as u32, to_city: at_city as u32, to_region: 0, to_beijing: 0 }
}

/// The over-level petitions entered by hand, by level.
pub fn entered_escalations(entries: &[EntryFact]) -> Escalations {
    let mut e = Escalations::default();
    for f in entries.iter().filter(|f| f.kind == EntryKind::OverLevel) {
        match f.item.as_deref().and_then(OverLevel::parse) {
            Some(OverLevel::County) => e.to_county += f.persons,
            Some(OverLevel::City) => e.to_city += f.persons,
            Some(OverLevel::Region) => e.to_region += f.persons,
            Some(OverLevel::Beijing) => e.to_beijing += f.persons,
            None => {}
        }
    }
    e
}

/// The sum of two sets of person-times.
pub fn add_escalations(a: Escalations, b: Escalations) -> Escalations {
    Escalations {
        to_county: a.to_county + b.to_county,
        to_city: a.to_city + b.to_city,
        to_region: a.to_region + b.to_region,
        to_beijing: a.to_beijing + b.to_beijing,
    }
}

/// The input of [`assess`] for one village and year: the counts from the
/// kept counters, the escalations the workflow counted, and the records
/// (withdrawn ones left out by the caller).
pub fn input_of(counts: MatterCounts, counted: Escalations, entries: &[EntryFact]) -> AssessmentInput {
    let has = |kind: EntryKind, code: &str| entries.iter().any(|f| f.kind == kind && f.item.as_deref() == Some(code));
    let count = |kind: EntryKind| entries.iter().filter(|f| f.kind == kind).map(|f| f.persons).sum::<u32>();
    AssessmentInput {
        organisation: OrganisationItem::ALL.map(|i| has(EntryKind::Organisation, i.as_str())),
        rules: RulesItem::ALL.map(|i| has(EntryKind::Rules, i.as_str())),
        counts,
        writeups_reported: count(EntryKind::WriteupReported),
        writeups_adopted: count(EntryKind::WriteupAdopted),
        major_resolved: count(EntryKind::MajorResolved),
        timely_warnings: count(EntryKind::TimelyWarning),
        escalations: add_escalations(counted, entered_escalations(entries)),
        veto: entries
            .iter()
            .filter(|f| f.kind == EntryKind::Veto)
            .find_map(|f| f.item.as_deref().and_then(VetoReason::parse)),
    }
}

/// A letter the result calls for: its kind, what it is about (`key`, so
/// the same reminder is not sent twice), the reason as the letter states
/// it, how many are due and how many were issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LetterDue {
    pub kind: Letter,
    pub key: String,
    pub reason: String,
    pub due: u32,
    pub issued: u32,
}

/// The letters due for a result (三函一约谈), with no issued count yet: one
/// 提醒函 per rate under 50% (keys `rate:agency` …), one 督办函 per
/// person-time to the league, one 问责建议函 per person-time to the region,
/// one 约谈 per person-time to Beijing. Their numbers per kind are exactly
/// [`Assessment::letters`].
pub fn letters_due(input: &AssessmentInput) -> Vec<LetterDue> {
    let rates = Rates::of(&input.counts).four();
    let names = ["代办率", "网访占比率", "办结率", "化解率"];
    let keys = ["rate:agency", "rate:online_share", "rate:closure", "rate:resolution"];
    let mut out = Vec::new();
    for i in 0..4 {
        if let Some(r) = rates[i].filter(|r| below_half(Some(*r))) {
            out.push(LetterDue {
                kind: Letter::Reminder,
                key: keys[i].to_string(),
                reason: format!("代办工作“四率”中{}为 {}，达不到 50%", names[i], rate_text(Some(r))),
                due: 1,
                issued: 0,
            });
        }
    }
    let e = input.escalations;
    for (kind, key, n, what) in [
        (Letter::Supervision, "over_level:city", e.to_city, "到盟（市）上访"),
        (Letter::Accountability, "over_level:region", e.to_region, "赴区越级访"),
        (Letter::Interview, "over_level:beijing", e.to_beijing, "进京越级访"),
    ] {
        if n > 0 {
            out.push(LetterDue {
                kind,
                key: key.to_string(),
                reason: format!("信访问题应在本级解决但将矛盾上交或预警不及时，造成信访人{what} {n} 人次"),
                due: n,
                issued: 0,
            });
        }
    }
    out
}

/// A letter as issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LetterView {
    pub id: i64,
    /// 文号, e.g. "巴彦浩特镇信代函〔2026〕3号".
    pub number: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub year: i32,
    pub kind: Letter,
    pub key: String,
    pub reason: String,
    pub issuer_unit_name: String,
    pub issued_by_name: String,
    pub issued_on: NaiveDate,
    /// 签收: the day the village signed for it, and who signed.
    pub acknowledged_on: Option<NaiveDate>,
    pub acknowledged_by: Option<String>,
}

/// `POST /api/assessment/letters`: issue one of the letters due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewLetter {
    pub unit_id: i64,
    pub year: i32,
    /// The [`LetterDue::key`] it answers.
    pub key: String,
}

/// `POST /api/assessment/letters/{id}/acknowledge`: the signed receipt (回执).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Acknowledge {
    pub acknowledged_on: NaiveDate,
    /// Who signed for the village (name and post).
    pub signed_by: String,
}

impl Acknowledge {
    pub fn validate(&self, issued_on: NaiveDate, today: NaiveDate) -> Result<(), ApiError> {
        crate::validation::check_text("签收人", &self.signed_by, 60)?;
        if self.acknowledged_on < issued_on {
            return Err(invalid(format!("签收日期不能早于发函日期（{issued_on}）")));
        }
        if self.acknowledged_on > today {
            return Err(invalid("签收日期不能晚于今天"));
        }
        Ok(())
    }
}

/// The letter's body, paragraph by paragraph, as printed.
pub fn letter_paragraphs(l: &LetterView) -> Vec<String> {
    let ask = match l.kind {
        Letter::Reminder => {
            "请你单位认真分析原因，查找工作短板，切实提高信访代办工作质效，并将整改情况书面报送我单位。"
        }
        Letter::Supervision => {
            "现予督办。请你单位对相关信访事项逐件落实包案化解责任，限期就地化解，并将办理情况书面报送我单位。"
        }
        Letter::Accountability => {
            "现向你单位发出问责建议。请按照信访部门三项建议权的规定，查明责任，提出处理意见，并将处理结果反馈我单位。"
        }
        Letter::Interview => {
            "定于另行通知的时间，对属地信访工作联席会议召集人进行约谈。请做好汇报准备，说明原因及整改措施。"
        }
    };
    vec![
        format!(
            "根据《信访工作条例》、自治区“三函一约谈”办法和信访代办工作考核办法，经考核，你单位{} 年度信访代办工作中，{}。",
            l.year, l.reason
        ),
        ask.to_string(),
    ]
}

/// One village in the ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentRow {
    pub unit_id: i64,
    pub unit_name: String,
    /// The township it belongs to.
    pub parent_name: String,
    pub result: Assessment,
    /// 1 = best; equal totals share a rank; a vetoed village ranks last.
    pub rank: u32,
    /// Letters due and not yet issued.
    pub letters_outstanding: u32,
}

/// Ranks villages: vetoed ones last, then by total (highest first), ties
/// by name; equal totals (and veto state) share a rank (1, 2, 2, 4).
pub fn rank_assessments(rows: &mut [AssessmentRow]) {
    rows.sort_by(|a, b| {
        a.result
            .vetoed
            .is_some()
            .cmp(&b.result.vetoed.is_some())
            .then(b.result.total.cmp(&a.result.total))
            .then(a.unit_name.cmp(&b.unit_name))
    });
    let mut prev: Option<(bool, Decimal)> = None;
    let mut rank = 0;
    for (i, r) in rows.iter_mut().enumerate() {
        let key = (r.result.vetoed.is_some(), r.result.total);
        if prev != Some(key) {
            rank = i as u32 + 1;
            prev = Some(key);
        }
        r.rank = rank;
    }
}

/// The whole assessment of one village and year, as the desk shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentView {
    pub unit_id: i64,
    pub unit_name: String,
    pub parent_name: String,
    pub year: i32,
    /// The last month counted (`YYYY-MM`): the year so far, or December.
    pub through: String,
    pub input: AssessmentInput,
    /// Escalations the workflow counted, and those entered by hand.
    pub escalations_counted: Escalations,
    pub escalations_entered: Escalations,
    pub result: Assessment,
    pub rank: u32,
    pub ranked: u32,
    pub entries: Vec<EntryView>,
    pub letters_due: Vec<LetterDue>,
    pub letters: Vec<LetterView>,
}

/// The letters due with the issued counts filled in from `issued`.
pub fn with_issued(due: Vec<LetterDue>, issued: &[LetterView]) -> Vec<LetterDue> {
    with_issued_keys(due, issued.iter().map(|l| l.key.as_str()))
}

/// The letters due with the issued counts filled in from the keys of the
/// letters issued (one key per letter).
pub fn with_issued_keys<'a>(mut due: Vec<LetterDue>, issued: impl Iterator<Item = &'a str> + Clone) -> Vec<LetterDue> {
    for d in &mut due {
        d.issued = issued.clone().filter(|k| *k == d.key).count() as u32;
    }
    due
}

/// How many letters are due and not yet issued.
pub fn outstanding(due: &[LetterDue]) -> u32 {
    due.iter().map(|d| d.due.saturating_sub(d.issued)).sum()
}

/// Scores one village: [`input_of`] then [`assess`].
pub fn score(counts: MatterCounts, counted: Escalations, entries: &[EntryFact]) -> (AssessmentInput, Assessment) {
    let input = input_of(counts, counted, entries);
    let result = assess(&input);
    (input, result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::Grade;

    #[test]
    fn the_township_station_and_the_banner_centre_record() {
        for role in Role::ALL {
            let may = matches!(role, Role::TownshipStaff | Role::TownshipLeader | Role::CountyCentre);
            assert_eq!(may_record(role).is_ok(), may, "{role:?}");
        }
        let refused = may_record(Role::LeagueBureau).unwrap_err();
        assert_eq!(refused.code, ErrorCode::Forbidden);
        assert_eq!(refused.message, format!("{}不能登记考核或发函", Role::LeagueBureau.label()));
    }

    fn fact(kind: EntryKind, item: Option<&str>, persons: u32) -> EntryFact {
        EntryFact { kind, item: item.map(str::to_string), persons }
    }

    fn entry(kind: EntryKind, item: Option<&str>) -> NewEntry {
        NewEntry {
            unit_id: 1,
            kind,
            item: item.map(str::to_string),
            persons: 1,
            occurred_on: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            note: "见附件".into(),
            case_number: None,
        }
    }

    #[test]
    fn a_record_names_an_item_of_its_kind() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert!(entry(EntryKind::Organisation, Some("office")).validate(today).is_ok());
        assert!(entry(EntryKind::Organisation, None).validate(today).is_err());
        assert!(entry(EntryKind::Organisation, Some("meeting")).validate(today).is_err(), "a rules item");
        assert!(entry(EntryKind::TimelyWarning, Some("x")).validate(today).is_err());
        assert!(entry(EntryKind::TimelyWarning, None).validate(today).is_ok());
        let mut e = entry(EntryKind::OverLevel, Some("beijing"));
        e.persons = 3;
        assert!(e.validate(today).is_ok());
        e.persons = 0;
        assert!(e.validate(today).is_err());
        let mut w = entry(EntryKind::WriteupReported, None);
        w.persons = 2;
        assert_eq!(w.validate(today).unwrap_err().message, "上报典型经验每条记录计 1 次");
        let mut f = entry(EntryKind::Veto, Some("mass_gathering"));
        f.occurred_on = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert!(f.validate(today).is_err(), "not in the future");
        f.occurred_on = today;
        f.note = "  ".into();
        assert_eq!(f.validate(today).unwrap_err().message, "情况说明不能为空");
        for k in EntryKind::ALL {
            for (code, _) in k.items() {
                assert!(entry(k, Some(code)).validate(today).is_ok() || k == EntryKind::OverLevel);
            }
        }
        // the item lists and the enums agree
        assert_eq!(EntryKind::Organisation.items().len(), OrganisationItem::ALL.len());
        for i in OrganisationItem::ALL {
            assert_eq!(EntryKind::Organisation.item_label(i.as_str()), Some(i.label()));
        }
        for i in RulesItem::ALL {
            assert_eq!(EntryKind::Rules.item_label(i.as_str()), Some(i.label()));
        }
        for i in MajorKind::ALL {
            assert_eq!(EntryKind::MajorResolved.item_label(i.as_str()), Some(i.label()));
        }
        for i in OverLevel::ALL {
            assert_eq!(EntryKind::OverLevel.item_label(i.as_str()), Some(i.label()));
        }
        for i in VetoReason::ALL {
            assert_eq!(EntryKind::Veto.item_label(i.as_str()), Some(i.label()));
        }
    }

    /// The worked example of a village: every part by hand.
    #[test]
    fn records_and_counters_make_the_input() {
        let counts = MatterCounts {
            total: 20,
            by_agents: 16,
            online: 7,
            agency_closed: 12,
            agency_resolved: 7,
            ..Default::default()
        };
        let entries = vec![
            fact(EntryKind::Organisation, Some("team"), 1),
            fact(EntryKind::Organisation, Some("team"), 1), // the same check twice counts once
            fact(EntryKind::Organisation, Some("office"), 1),
            fact(EntryKind::Rules, Some("ledger"), 1),
            fact(EntryKind::WriteupReported, None, 1),
            fact(EntryKind::WriteupReported, None, 1),
            fact(EntryKind::WriteupAdopted, None, 1),
            fact(EntryKind::MajorResolved, Some("years_unresolved"), 1),
            fact(EntryKind::TimelyWarning, None, 1),
            fact(EntryKind::OverLevel, Some("beijing"), 1),
            fact(EntryKind::OverLevel, Some("county"), 2),
        ];
        let (input, a) = score(counts, counted_escalations(1, 1), &entries);
        assert_eq!(input.organisation, [true, false, false, false, true]);
        assert_eq!(input.rules, [false, false, false, false, true]);
        assert_eq!(input.escalations, Escalations { to_county: 3, to_city: 1, to_region: 0, to_beijing: 1 });
        assert_eq!(a.organisation, Decimal::from(4));
        assert_eq!(a.rules, Decimal::from(2));
        // 代办率 16/20 = 80% → 8; 网访 7/20 = 35% → 35/70 × 10 = 5;
        // 办结率 12/16 = 75% → 7.5; 化解率 7/16 = 43.75% → 4.38 (rounded)
        assert_eq!(a.performance, [Decimal::from(8), Decimal::from(5), Decimal::new(75, 1), Decimal::new(438, 2)]);
        assert_eq!(a.bonus_writeups, Decimal::new(12, 1));
        assert_eq!(a.bonus_major, Decimal::ONE);
        assert_eq!(a.bonus_warnings, Decimal::ONE);
        // two rates under 50% (网访 35%, 化解 43.75%): −2; county 3 × 0.5 = −1.5;
        // city −1; Beijing −3 → −7.5
        assert_eq!(a.deducted, Decimal::new(75, 1));
        assert_eq!(a.deduction_part, Decimal::new(125, 1));
        // 4 + 2 + 24.88 + 1.2 + 1 + 1 + 12.5
        assert_eq!(a.total, Decimal::new(4658, 2));
        assert_eq!(a.grade, Grade::Fail);
        let due = letters_due(&input);
        assert_eq!(
            due.iter().map(|d| (d.kind, d.key.as_str(), d.due)).collect::<Vec<_>>(),
            vec![
                (Letter::Reminder, "rate:online_share", 1),
                (Letter::Reminder, "rate:resolution", 1),
                (Letter::Supervision, "over_level:city", 1),
                (Letter::Interview, "over_level:beijing", 1),
            ]
        );
        assert_eq!(due[1].reason, "代办工作“四率”中化解率为 43.75%，达不到 50%");
        // the due letters are exactly the assessment's letters, kind by kind
        for (kind, n) in &a.letters {
            assert_eq!(due.iter().filter(|d| d.kind == *kind).map(|d| d.due).sum::<u32>(), *n);
        }
    }

    #[test]
    fn a_veto_record_fails_the_village() {
        let counts = MatterCounts {
            total: 10,
            by_agents: 10,
            online: 7,
            agency_closed: 10,
            agency_resolved: 10,
            ..Default::default()
        };
        let (_, a) = score(counts, Escalations::default(), &[fact(EntryKind::Veto, Some("negative_online_storm"), 1)]);
        assert_eq!(a.vetoed, Some(VetoReason::NegativeOnlineStorm));
        assert_eq!(a.grade, Grade::Fail);
    }

    #[test]
    fn issued_letters_reduce_what_is_outstanding() {
        let input =
            input_of(MatterCounts::default(), Escalations::default(), &[fact(EntryKind::OverLevel, Some("city"), 2)]);
        let due = letters_due(&input);
        assert_eq!(outstanding(&due), 2);
        let l = LetterView {
            id: 1,
            number: "x".into(),
            unit_id: 1,
            unit_name: "v".into(),
            year: 2026,
            kind: Letter::Supervision,
            key: "over_level:city".into(),
            reason: due[0].reason.clone(),
            issuer_unit_name: "t".into(),
            issued_by_name: "u".into(),
            issued_on: NaiveDate::from_ymd_opt(2026, 5, 6).unwrap(),
            acknowledged_on: None,
            acknowledged_by: None,
        };
        let due = with_issued(due, std::slice::from_ref(&l));
        assert_eq!((due[0].due, due[0].issued), (2, 1));
        assert_eq!(outstanding(&due), 1);
        assert!(letter_paragraphs(&l)[0].contains("到盟（市）上访 2 人次"));
    }

    #[test]
    fn ranking_puts_the_vetoed_last_and_shares_ties() {
        let row = |name: &str, total: i64, veto: bool| {
            let (_, mut result) = score(MatterCounts::default(), Escalations::default(), &[]);
            result.total = Decimal::from(total);
            result.vetoed = veto.then_some(VetoReason::MassGathering);
            AssessmentRow {
                unit_id: 0,
                unit_name: name.into(),
                parent_name: String::new(),
                result,
                rank: 0,
                letters_outstanding: 0,
            }
        };
        let mut rows = vec![row("甲", 70, false), row("乙", 95, true), row("丙", 80, false), row("丁", 70, false)];
        rank_assessments(&mut rows);
        let got: Vec<(&str, u32)> = rows.iter().map(|r| (r.unit_name.as_str(), r.rank)).collect();
        assert_eq!(got, vec![("丙", 1), ("丁", 2), ("甲", 2), ("乙", 4)]);
    }
}
