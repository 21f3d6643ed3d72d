//! Routing: the content-category taxonomy (内容分类) and the township task
//! group (专班组) that takes each category (seed 001, 附件1 "六个代办专班组").

crate::code_enum! {
    /// The six township task groups.
    pub enum TaskGroup {
        PartyAndOrder = "party_and_order" => "党群综合攻坚组",
        NaturalResources = "natural_resources" => "自然资源组",
        LawEnforcement = "law_enforcement" => "综合执法组",
        LabourAndSocialSecurity = "labour_and_social_security" => "劳动社会保障组",
        EnterprisesAndConstruction = "enterprises_and_construction" => "涉企问题组",
        FamilyWomenYouth = "family_women_youth" => "工青妇联合组",
    }
}

impl TaskGroup {
    /// The categories this group takes.
    pub fn categories(self) -> impl Iterator<Item = ContentCategory> {
        ContentCategory::ALL.iter().copied().filter(move |c| c.task_group() == self)
    }
}

macro_rules! categories {
    ($( $variant:ident = $code:literal, $label:literal => $group:ident; )+) => {
        crate::code_enum! {
            /// A content category of a petition matter.
            pub enum ContentCategory { $( $variant = $code => $label, )+ }
        }

        impl ContentCategory {
            /// The township task group that takes matters of this category.
            pub fn task_group(self) -> TaskGroup {
                match self { $( ContentCategory::$variant => TaskGroup::$group, )+ }
            }
        }
    };
}

categories! {
    PublicOrder = "public_order", "社会治安综合治理" => PartyAndOrder;
    Stability = "stability", "信访维稳" => PartyAndOrder;
    Disputes = "disputes", "矛盾纠纷调处" => PartyAndOrder;
    SafeCommunity = "safe_community", "平安创建" => PartyAndOrder;
    AntiGang = "anti_gang", "扫黑除恶" => PartyAndOrder;
    Drugs = "drugs", "禁毒" => PartyAndOrder;
    Cults = "cults", "反邪教" => PartyAndOrder;
    GridManagement = "grid_management", "网格化管理" => PartyAndOrder;
    LawfulAdministration = "lawful_administration", "依法行政" => PartyAndOrder;
    Mediation = "mediation", "人民调解" => PartyAndOrder;
    Rehabilitation = "rehabilitation", "帮教" => PartyAndOrder;
    CommunityCorrection = "community_correction", "社区矫正" => PartyAndOrder;
    Pornography = "pornography", "扫黄打非" => PartyAndOrder;
    LegalPublicity = "legal_publicity", "普法" => PartyAndOrder;
    FireSafety = "fire_safety", "消防" => PartyAndOrder;
    TrafficSafety = "traffic_safety", "交通安全" => PartyAndOrder;

    Farming = "farming", "农业" => NaturalResources;
    Forestry = "forestry", "林业" => NaturalResources;
    Herding = "herding", "牧业" => NaturalResources;
    Water = "water", "水利" => NaturalResources;
    AnimalEpidemic = "animal_epidemic", "动物疫情" => NaturalResources;
    FloodControl = "flood_control", "防汛" => NaturalResources;
    Drought = "drought", "抗旱" => NaturalResources;
    CollectiveEconomy = "collective_economy", "集体经济及清产核资" => NaturalResources;

    IllegalBuilding = "illegal_building", "违法建设" => LawEnforcement;
    LandClearing = "land_clearing", "毁林开荒" => LawEnforcement;
    GroundwaterOverExtraction = "groundwater", "地下水超采" => LawEnforcement;
    GrazingBan = "grazing_ban", "禁牧" => LawEnforcement;

    SocialSecurity = "social_security", "社会保障" => LabourAndSocialSecurity;
    CivilAffairs = "civil_affairs", "民政" => LabourAndSocialSecurity;
    Science = "science", "科技" => LabourAndSocialSecurity;
    Culture = "culture", "文化" => LabourAndSocialSecurity;
    Tourism = "tourism", "旅游" => LabourAndSocialSecurity;
    Health = "health", "卫生健康" => LabourAndSocialSecurity;
    Education = "education", "教育" => LabourAndSocialSecurity;
    Sports = "sports", "体育" => LabourAndSocialSecurity;
    Environment = "environment", "环保" => LabourAndSocialSecurity;
    Employment = "employment", "劳动就业（含欠薪）" => LabourAndSocialSecurity;
    Militia = "militia", "武装" => LabourAndSocialSecurity;
    Disability = "disability", "残疾人事务" => LabourAndSocialSecurity;
    RuralMedicalInsurance = "rural_medical_insurance", "农村牧区合作医疗" => LabourAndSocialSecurity;
    PensionInsurance = "pension_insurance", "养老及其他社会保险" => LabourAndSocialSecurity;
    HardshipSupport = "hardship_support", "困难人员生活保障" => LabourAndSocialSecurity;
    FiveGuarantees = "five_guarantees", "五保供养、孤残救助" => LabourAndSocialSecurity;

    LocalEnterprises = "local_enterprises", "驻地企业" => EnterprisesAndConstruction;
    Planning = "planning", "规划建设" => EnterprisesAndConstruction;
    UrbanRuralConstruction = "construction", "城乡建设" => EnterprisesAndConstruction;
    Housing = "housing", "住房保障" => EnterprisesAndConstruction;
    PropertyManagement = "property_management", "物业管理" => EnterprisesAndConstruction;
    CivilDefence = "civil_defence", "人防" => EnterprisesAndConstruction;
    Roads = "roads", "道路建设" => EnterprisesAndConstruction;
    LandExpropriation = "land_expropriation", "征地拆迁安置" => EnterprisesAndConstruction;
    PovertyAlleviation = "poverty_alleviation", "精准扶贫" => EnterprisesAndConstruction;
    FoodDrugSafety = "food_drug_safety", "食品药品安全" => EnterprisesAndConstruction;

    Marriage = "marriage", "婚恋、婚姻矛盾" => FamilyWomenYouth;
    WomenChildrenRights = "women_children_rights", "妇女儿童权益" => FamilyWomenYouth;
    NeighbourDisputes = "neighbour_disputes", "邻里纠纷" => FamilyWomenYouth;
    Youth = "youth", "青少年教育" => FamilyWomenYouth;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_has_categories_and_codes_round_trip() {
        for g in TaskGroup::ALL {
            assert!(g.categories().count() >= 4, "{g:?}");
        }
        let mut codes = std::collections::BTreeSet::new();
        for c in ContentCategory::ALL {
            assert_eq!(ContentCategory::parse(c.as_str()), Some(c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str(), "JSON form equals the stored form");
            assert!(codes.insert(c.as_str()), "duplicate code {}", c.as_str());
        }
        assert_eq!(ContentCategory::parse("nonsense"), None);
    }

    #[test]
    fn routing_follows_the_seed() {
        assert_eq!(ContentCategory::GrazingBan.task_group(), TaskGroup::LawEnforcement, "禁牧 → 综合执法组");
        assert_eq!(ContentCategory::Herding.task_group(), TaskGroup::NaturalResources, "牧 → 自然资源组");
        assert_eq!(ContentCategory::Employment.task_group(), TaskGroup::LabourAndSocialSecurity);
        assert_eq!(ContentCategory::LandExpropriation.task_group(), TaskGroup::EnterprisesAndConstruction);
        assert_eq!(
            ContentCategory::NeighbourDisputes.task_group(),
            TaskGroup::FamilyWomenYouth,
            "邻里小纠纷 → 工青妇联合组"
        );
        assert_eq!(ContentCategory::Drugs.task_group(), TaskGroup::PartyAndOrder);
        assert_eq!(TaskGroup::FamilyWomenYouth.label(), "工青妇联合组");
    }
}
