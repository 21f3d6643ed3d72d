//! Intake (登记): a new matter with every field of the 信访事项代办单 and the
//! 处置单 that is known at registration, checked and normalised.

use crate::deadline::MatterLevel;
use crate::error::{ApiError, ErrorCode};
use crate::routing::ContentCategory;
use crate::validation::{check_text, check_uuid, IdNumber, PersonName, PhoneNumber};
use crate::vocab::{Channel, Source};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Longest 反映的问题及诉求, in characters.
pub const MAX_PROBLEM_CHARS: usize = 4000;
/// The longest address (住址), in characters.
pub const MAX_ADDRESS_CHARS: usize = 200;
/// The longest content summary (内容摘要), in characters.
pub const MAX_BRIEF_CHARS: usize = 500;

/// `POST /api/cases` body, and the offline "new matter from screening".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    /// A device-made UUID for matters created offline, so a re-sent one is
    /// the same case.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
    )]
    pub client_ref: Option<String>,
    /// The unit whose matter it is (a village, a township …).
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub unit_id: i64,
    /// 信访人姓名
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 30))]
    pub citizen_name: String,
    /// 身份证号
    #[serde(default)]
    pub id_number: Option<String>,
    /// 电话
    #[serde(default)]
    pub phone: Option<String>,
    /// 地址
    #[serde(default)]
    pub address: Option<String>,
    /// 反映的问题及诉求
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub summary: String,
    /// 内容摘要 (处置单)
    #[serde(default)]
    pub brief: Option<String>,
    pub channel: Channel,
    pub source: Source,
    pub level: MatterLevel,
    /// 内容分类 (routes the matter to a task group)
    #[serde(default)]
    pub category: Option<ContentCategory>,
    /// The day the matter was received (the clock starts the next day).
    pub received_on: NaiveDate,
}

/// A checked new matter: names, numbers and texts normalised, and the
/// checked ones kept as their types (the workflow accepts only this).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCase {
    /// A UUID (checked).
    pub client_ref: Option<String>,
    pub unit_id: i64,
    pub citizen_name: PersonName,
    pub id_number: Option<IdNumber>,
    pub phone: Option<PhoneNumber>,
    pub address: Option<String>,
    pub summary: String,
    pub brief: Option<String>,
    pub channel: Channel,
    pub source: Source,
    pub level: MatterLevel,
    pub category: Option<ContentCategory>,
    pub received_on: NaiveDate,
}

impl CheckedCase {
    /// Back to the wire form (what a phone queues, what the audit records).
    pub fn to_new_case(&self) -> NewCase {
        NewCase {
            client_ref: self.client_ref.clone(),
            unit_id: self.unit_id,
            citizen_name: self.citizen_name.as_str().to_string(),
            id_number: self.id_number.as_ref().map(|i| i.as_str().to_string()),
            phone: self.phone.as_ref().map(|p| p.as_str().to_string()),
            address: self.address.clone(),
            summary: self.summary.clone(),
            brief: self.brief.clone(),
            channel: self.channel,
            source: self.source,
            level: self.level,
            category: self.category,
            received_on: self.received_on,
        }
    }
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::ValidationFailed, message)
}

fn blank_to_none(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl NewCase {
    /// Checks every field against the rules, as of `today` (China time).
    pub fn check(&self, today: NaiveDate) -> Result<CheckedCase, ApiError> {
        if let Some(r) = &self.client_ref {
            check_uuid(r)?;
        }
        if self.unit_id <= 0 {
            return Err(invalid("所属单位无效"));
        }
        let citizen_name =
            PersonName::parse(&self.citizen_name).map_err(|e| invalid(format!("信访人{}", e.message)))?;
        let id_number = blank_to_none(&self.id_number).map(|s| IdNumber::parse(s, today)).transpose()?;
        let phone = blank_to_none(&self.phone).map(PhoneNumber::parse).transpose()?;
        let address = blank_to_none(&self.address).map(str::to_string);
        if let Some(a) = &address {
            check_text("地址", a, MAX_ADDRESS_CHARS)?;
        }
        let summary = self.summary.trim().to_string();
        check_text("反映的问题及诉求", &summary, MAX_PROBLEM_CHARS)?;
        let brief = blank_to_none(&self.brief).map(str::to_string);
        if let Some(b) = &brief {
            check_text("内容摘要", b, MAX_BRIEF_CHARS)?;
        }
        if self.received_on > today {
            return Err(invalid("受理日期不能晚于今天"));
        }
        if (today - self.received_on).num_days() > 366 {
            return Err(invalid("受理日期不能早于一年前，请核对"));
        }
        Ok(CheckedCase {
            client_ref: self.client_ref.clone(),
            unit_id: self.unit_id,
            citizen_name,
            id_number,
            phone,
            address,
            summary,
            brief,
            channel: self.channel,
            source: self.source,
            level: self.level,
            category: self.category,
            received_on: self.received_on,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn new_case() -> NewCase {
        NewCase {
            client_ref: Some("0f8fad5b-d9cb-469f-a165-70867728950e".into()),
            unit_id: 6,
            citizen_name: "额尔敦•巴雅尔".into(),
            id_number: Some("11010519491231002x".into()),
            phone: Some("139 4830 2101".into()),
            address: Some("  ".into()),
            summary: " 草场边界纠纷 ".into(),
            brief: None,
            channel: Channel::Visit,
            source: Source::Screening,
            level: MatterLevel::Village,
            category: Some(ContentCategory::Herding),
            received_on: today(),
        }
    }

    #[test]
    fn normalises_a_good_case() {
        let c = new_case().check(today()).unwrap();
        assert_eq!(c.citizen_name.as_str(), "额尔敦·巴雅尔");
        assert_eq!(c.id_number.as_ref().map(IdNumber::as_str), Some("11010519491231002X"));
        assert_eq!(c.phone.as_ref().map(PhoneNumber::as_str), Some("13948302101"));
        assert_eq!(c.to_new_case().check(today()).unwrap(), c, "checking is idempotent");
        assert_eq!(c.address, None, "blank becomes none");
        assert_eq!(c.summary, "草场边界纠纷");
    }

    #[test]
    fn refuses_bad_fields_with_chinese_messages() {
        let err = |c: NewCase| c.check(today()).unwrap_err().message;
        assert_eq!(
            err(NewCase { citizen_name: "B".into(), ..new_case() }),
            "信访人姓名中不能含有“B”，请用汉字填写，蒙古族姓名可用“·”分隔"
        );
        assert_eq!(
            err(NewCase { id_number: Some("110105194912310021".into()), ..new_case() }),
            "身份证号校验位不正确，请核对"
        );
        assert_eq!(err(NewCase { phone: Some("123".into()), ..new_case() }), "手机号码应为以 13–19 开头的 11 位数字");
        assert_eq!(err(NewCase { summary: "".into(), ..new_case() }), "反映的问题及诉求不能为空");
        // The field app's maxlengths are these limits: the longest allowed passes.
        let long = |n: usize| Some("草".repeat(n));
        assert!(NewCase { address: long(MAX_ADDRESS_CHARS), brief: long(MAX_BRIEF_CHARS), ..new_case() }
            .check(today())
            .is_ok());
        assert!(err(NewCase { address: long(MAX_ADDRESS_CHARS + 1), ..new_case() }).contains("地址"));
        assert!(err(NewCase { brief: long(MAX_BRIEF_CHARS + 1), ..new_case() }).contains("内容摘要"));
        assert_eq!(
            err(NewCase { received_on: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), ..new_case() }),
            "受理日期不能晚于今天"
        );
        assert_eq!(err(NewCase { client_ref: Some("x".into()), ..new_case() }), "记录编号格式无效");
    }
}
