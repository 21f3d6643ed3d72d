//! Organisation: the unit tree, roles and agents (DOMAIN.md "Organisation").

use crate::routing::TaskGroup;
use serde::{Deserialize, Serialize};

crate::code_enum! {
    /// A level of the three-level agency organisation (三级代办) and above.
    pub enum UnitKind {
        League = "league" => "盟市",
        Banner = "banner" => "旗县",
        Township = "township" => "苏木镇",
        Department = "department" => "旗县直部门",
        Village = "village" => "嘎查村",
        /// One of a township's six 代办专班组 (seed 001 附件1): township
        /// staff under a leader, working the township's matters of its
        /// categories (`routing::TaskGroup`).
        TaskGroup = "task_group" => "代办专班组",
    }
}

crate::code_enum! {
    /// What a user does in the system.
    pub enum Role {
        FieldAgent = "field_agent" => "代办员",
        TownshipStaff = "township_staff" => "镇代办站",
        TownshipLeader = "township_leader" => "镇分管领导",
        CountyCentre = "county_centre" => "旗县代办中心",
        LeagueBureau = "league_bureau" => "盟信访局",
        FinanceReviewer = "finance_reviewer" => "财政审核",
        Admin = "admin" => "系统管理员",
    }
}

crate::code_enum! {
    /// The kind of agent (代办员), for field agents.
    pub enum AgentKind {
        GridWorker = "grid_worker" => "网格员",
        VillageCadre = "village_cadre" => "嘎查村两委干部",
        FirstSecretary = "first_secretary" => "驻村第一书记",
        Mediator = "mediator" => "人民调解员",
        Deputy = "deputy" => "两代表一委员",
        Veteran = "veteran" => "五老人员",
        LocalWorthy = "local_worthy" => "乡贤",
        StationAgent = "station_agent" => "专职代办员",
    }
}

/// The signed-in user, as `GET /api/me` and `POST /api/login` return it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: i64,
    pub unit_name: String,
    pub agent_kind: Option<AgentKind>,
    /// The kind of the user's unit (sets the level of matters they register).
    #[serde(default = "default_unit_kind")]
    pub unit_kind: UnitKind,
}

fn default_unit_kind() -> UnitKind {
    UnitKind::Village
}

/// `POST /api/login` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// Whether a user may see a citizen's private contact details (phone,
/// address, ID number) on a case inside their jurisdiction (DOMAIN.md
/// "Openness and privacy": only those handling the matter). The assigned
/// agent and the township/county staff who run the workflow handle it; other
/// agents of the village, the league bureau and finance reviewers do not.
/// Nor does a competent department (事权单位) a matter is transferred to:
/// its 处置单 (seed 001 附件6) carries the matter, the instructions and its
/// 处理结果, not the citizen's contacts; the agent stays the citizen's
/// contact ("代办员应定期与信访人联系沟通").
pub fn may_see_contact(role: Role, unit_kind: UnitKind, is_assigned_agent: bool) -> bool {
    match role {
        Role::FieldAgent => is_assigned_agent,
        Role::TownshipStaff | Role::TownshipLeader => unit_kind != UnitKind::Department,
        Role::CountyCentre => true,
        Role::LeagueBureau | Role::FinanceReviewer | Role::Admin => false,
    }
}

impl UnitKind {
    /// Whether a unit of this kind may have a child of `child` kind:
    /// league → banner → township / department; township → village.
    pub fn may_contain(self, child: UnitKind) -> bool {
        matches!(
            (self, child),
            (UnitKind::League, UnitKind::Banner)
                | (UnitKind::Banner, UnitKind::Township)
                | (UnitKind::Banner, UnitKind::Department)
                | (UnitKind::Township, UnitKind::Village)
                | (UnitKind::Township, UnitKind::Department)
                | (UnitKind::Township, UnitKind::TaskGroup)
        )
    }
}

impl UnitKind {
    /// The level that handles a matter registered by a unit of this kind
    /// (三级代办): a village's point, a township's station, the county centre
    /// (for the banner and its departments), the league above.
    pub fn handling_level(self) -> crate::lifecycle::HandlingLevel {
        use crate::lifecycle::HandlingLevel;
        match self {
            UnitKind::Village => HandlingLevel::Village,
            UnitKind::Township | UnitKind::TaskGroup => HandlingLevel::Township,
            UnitKind::Department | UnitKind::Banner => HandlingLevel::County,
            UnitKind::League => HandlingLevel::City,
        }
    }
}

impl Role {
    /// Whether this role registers matters (登记): the agents and the
    /// stations and centres that run the workflow; not the league bureau,
    /// finance or administrators.
    pub fn may_register_cases(self) -> bool {
        !matches!(self, Role::FinanceReviewer | Role::Admin | Role::LeagueBureau)
    }

    /// Whether this role may check the audit log's chain.
    pub fn may_verify_audit(self) -> bool {
        matches!(self, Role::Admin | Role::CountyCentre | Role::LeagueBureau)
    }

    /// Whether a user of this role may belong to a unit of `kind`.
    pub fn fits_unit(self, kind: UnitKind) -> bool {
        match self {
            Role::FieldAgent => matches!(kind, UnitKind::Village | UnitKind::Township | UnitKind::Department),
            Role::TownshipStaff | Role::TownshipLeader => {
                matches!(kind, UnitKind::Township | UnitKind::Department | UnitKind::TaskGroup)
            }
            Role::CountyCentre => kind == UnitKind::Banner,
            Role::LeagueBureau => kind == UnitKind::League,
            Role::FinanceReviewer => matches!(kind, UnitKind::Banner | UnitKind::League),
            Role::Admin => true,
        }
    }
}

/// A unit as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitView {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: UnitKind,
    pub name: String,
    pub path: String,
    /// The 编号 prefix of matters registered here and below (unless a unit
    /// further down has its own); `None`: the one above applies.
    #[serde(default)]
    pub number_prefix: Option<String>,
    /// Which of the six groups a `UnitKind::TaskGroup` unit is.
    #[serde(default)]
    pub task_group: Option<TaskGroup>,
}

/// `POST /api/admin/units` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    pub parent_id: i64,
    pub kind: UnitKind,
    pub name: String,
    /// Its own 编号 prefix (1–10 汉字 or letters), if it has one.
    #[serde(default)]
    pub number_prefix: Option<String>,
    /// Required for a `UnitKind::TaskGroup`, refused for any other kind.
    #[serde(default)]
    pub task_group: Option<TaskGroup>,
}

impl NewUnit {
    /// A task-group unit names its group, and no other unit does; a
    /// township has each group once (checked by the server's index).
    pub fn check_task_group(&self) -> Result<(), crate::error::ApiError> {
        use crate::error::{ApiError, ErrorCode};
        match (self.kind, self.task_group) {
            (UnitKind::TaskGroup, None) => Err(ApiError::new(ErrorCode::ValidationFailed, "请选择专班组")),
            (UnitKind::TaskGroup, Some(_)) | (_, None) => Ok(()),
            (_, Some(_)) => Err(ApiError::new(ErrorCode::ValidationFailed, "只有代办专班组才选择专班组")),
        }
    }
}

/// `PATCH /api/admin/units/{id}` body: what changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UnitUpdate {
    #[serde(default)]
    pub name: Option<String>,
    /// A new 编号 prefix; an empty text removes the unit's own prefix.
    #[serde(default)]
    pub number_prefix: Option<String>,
}

/// The deployment's settings (`GET/PUT /api/admin/settings`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The 编号 prefix of the deployment (units may have their own); `None`
    /// or empty: the built-in 阿左代.
    #[serde(default)]
    pub number_prefix: Option<String>,
}

/// A user (and agent) as the administration API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: i64,
    pub unit_name: String,
    pub phone: Option<String>,
    pub agent_kind: Option<AgentKind>,
    pub full_time: bool,
    pub registered: bool,
    pub public_employee: bool,
    /// Switched off by an administrator (停用): cannot sign in.
    #[serde(default)]
    pub disabled: bool,
}

/// `POST /api/admin/users` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: i64,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub agent_kind: Option<AgentKind>,
    #[serde(default)]
    pub full_time: bool,
    #[serde(default)]
    pub registered: bool,
    #[serde(default)]
    pub public_employee: bool,
}

/// `PATCH /api/admin/users/{id}` body: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub unit_id: Option<i64>,
    #[serde(default)]
    pub phone: Option<String>,
    /// `Some(None)` is not expressible in JSON merge; use `clear_agent_kind`.
    #[serde(default)]
    pub agent_kind: Option<AgentKind>,
    #[serde(default)]
    pub clear_agent_kind: bool,
    #[serde(default)]
    pub full_time: Option<bool>,
    #[serde(default)]
    pub registered: Option<bool>,
    #[serde(default)]
    pub public_employee: Option<bool>,
    #[serde(default)]
    pub password: Option<String>,
    /// `true` 停用 (ends every session at once), `false` 启用.
    #[serde(default)]
    pub disabled: Option<bool>,
}

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Checks a username: 3–32 characters of lower-case letters, digits, `_`, `.`.
pub fn check_username(u: &str) -> Result<(), crate::error::ApiError> {
    let ok = (3..=32).contains(&u.len())
        && u.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(crate::error::ApiError::new(
            crate::error::ErrorCode::ValidationFailed,
            "用户名应为 3–32 位小写字母、数字、下划线或点",
        ))
    }
}

/// Checks a new password.
pub fn check_password(p: &str) -> Result<(), crate::error::ApiError> {
    if p.chars().count() < MIN_PASSWORD_CHARS || p.chars().count() > 128 {
        return Err(crate::error::ApiError::new(
            crate::error::ErrorCode::ValidationFailed,
            format!("密码至少 {MIN_PASSWORD_CHARS} 位"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod admin_rules_tests {
    use super::*;

    #[test]
    fn unit_tree_and_role_fit() {
        assert!(UnitKind::Banner.may_contain(UnitKind::Department));
        assert!(UnitKind::Township.may_contain(UnitKind::Village));
        assert!(!UnitKind::Village.may_contain(UnitKind::Village));
        assert!(!UnitKind::League.may_contain(UnitKind::Village));
        assert!(Role::FieldAgent.fits_unit(UnitKind::Village));
        assert!(!Role::CountyCentre.fits_unit(UnitKind::Village));
        assert!(Role::Admin.fits_unit(UnitKind::League));
        assert_eq!(UnitKind::Department.handling_level(), crate::lifecycle::HandlingLevel::County);
        assert_eq!(UnitKind::Village.handling_level(), crate::lifecycle::HandlingLevel::Village);
        assert!(Role::FieldAgent.may_register_cases() && !Role::FinanceReviewer.may_register_cases());
        assert!(Role::CountyCentre.may_verify_audit() && !Role::FieldAgent.may_verify_audit());
        assert!(check_username("wangge1").is_ok());

        assert!(check_username("王").is_err());
        assert_eq!(check_password("short").unwrap_err().message, "密码至少 8 位");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
        for k in AgentKind::ALL {
            assert_eq!(AgentKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }
}

#[cfg(test)]
mod privacy_tests {
    use super::*;

    #[test]
    fn only_handlers_see_contacts() {
        use UnitKind::*;
        assert!(may_see_contact(Role::FieldAgent, Village, true));
        assert!(!may_see_contact(Role::FieldAgent, Village, false));
        assert!(may_see_contact(Role::TownshipStaff, Township, false));
        assert!(may_see_contact(Role::TownshipLeader, Township, false));
        assert!(!may_see_contact(Role::TownshipStaff, Department, false), "a department's 处置单 has no contacts");
        assert!(may_see_contact(Role::CountyCentre, Banner, false));
        assert!(!may_see_contact(Role::LeagueBureau, League, false));
        assert!(!may_see_contact(Role::FinanceReviewer, Banner, false));
        assert!(!may_see_contact(Role::Admin, League, false));
    }
}
