//! Every text of the citizens' public pages, in Chinese and in Mongolian
//! (traditional script). TRANSLATORS: the Mongolian texts are all here, in
//! [`MN`]; they are a first draft by the developers and are waiting for a
//! review by a Mongolian-language editor — change them here, nothing else.

/// The languages of the public pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    Mn,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::Mn => "mn",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" => Some(Lang::Zh),
            "mn" => Some(Lang::Mn),
            _ => None,
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Zh => &ZH,
            Lang::Mn => &MN,
        }
    }
}

/// The texts of one language.
pub struct Texts {
    pub html_lang: &'static str,
    pub site: &'static str,
    pub tagline: &'static str,
    pub other_language: &'static str,
    pub large_text: &'static str,
    pub normal_text: &'static str,
    pub lookup_title: &'static str,
    pub lookup_hint: &'static str,
    pub case_number: &'static str,
    pub query_code: &'static str,
    pub search: &'static str,
    pub what_title: &'static str,
    pub what_body: &'static str,
    pub stages_title: &'static str,
    /// The five stages in plain words, with their limits as `{village}`,
    /// `{township}`, `{multi}`, `{major}`, `{follow_up}` (filled from
    /// `shared`'s rules by [`Texts::stages`]).
    pub stages: [&'static str; 5],
    pub hotline: &'static str,
    pub agents_title: &'static str,
    pub office_phone: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub throttled: &'static str,
    pub bad_code: &'static str,
    pub stage_now: &'static str,
    pub due: &'static str,
    pub late: &'static str,
    pub on_time: &'static str,
    pub no_limit: &'static str,
    pub handled_by: &'static str,
    pub agent: &'static str,
    pub timeline_title: &'static str,
    pub registered: &'static str,
    pub result_title: &'static str,
    pub opinion: &'static str,
    pub back: &'static str,
    pub privacy_note: &'static str,
    pub urge: &'static str,
    pub urge_hint: &'static str,
    pub urge_done: &'static str,
    pub urge_again: &'static str,
    pub complaint_title: &'static str,
    pub complaint_hint: &'static str,
    pub complaint_send: &'static str,
    pub complaint_done: &'static str,
    pub complaint_invalid: &'static str,
    pub opinion_ask: &'static str,
    pub opinion_send: &'static str,
    pub opinion_done: &'static str,
    pub opinion_missing: &'static str,
    pub opinion_not_yet: &'static str,
    pub review: &'static str,
    pub review_hint: &'static str,
    pub review_done: &'static str,
    pub review_not_allowed: &'static str,
    pub complaint_due: &'static str,
    pub complaint_reply: &'static str,
    pub complaint_waiting: &'static str,
    /// The stage a citizen sees, by `shared::case::Stage` code (and
    /// `under_review` for a matter in 复查/复核).
    pub stage_words: [(&'static str, &'static str); 6],
    /// The citizen's opinions by `shared::lifecycle::Opinion` code (`None`:
    /// `shared`'s own Chinese labels).
    pub opinions: Option<[(&'static str, &'static str); 4]>,
    /// Timeline entries by command kind (what the citizen sees of each step).
    pub steps: [(&'static str, &'static str); 13],
}

impl Texts {
    /// The complaint hint with its reply limit from `shared`.
    pub fn complaint_hint(&self) -> String {
        self.complaint_hint.replace("{complaint}", &shared::deadline::COMPLAINT_REPLY_WORKING_DAYS.to_string())
    }

    /// The stages with the limits filled in from `shared` (never restated here).
    pub fn stages(&self) -> Vec<String> {
        use shared::deadline::{MatterLevel, FOLLOW_UP_CALENDAR_DAYS};
        self.stages
            .iter()
            .map(|s| {
                s.replace("{village}", &MatterLevel::Village.limit_working_days().to_string())
                    .replace("{township}", &MatterLevel::Township.limit_working_days().to_string())
                    .replace("{multi}", &MatterLevel::MultiDepartment.limit_working_days().to_string())
                    .replace("{major}", &MatterLevel::MajorComplex.limit_working_days().to_string())
                    .replace("{follow_up}", &FOLLOW_UP_CALENDAR_DAYS.to_string())
            })
            .collect()
    }

    pub fn stage(&self, code: &str) -> &'static str {
        self.stage_words.iter().find(|(c, _)| *c == code).map_or("", |(_, w)| w)
    }

    /// An opinion's label in this language (Chinese: `shared`'s label).
    pub fn opinion(&self, o: shared::lifecycle::Opinion) -> &'static str {
        self.opinions.iter().flatten().find(|(c, _)| *c == o.as_str()).map_or(o.label(), |(_, l)| l)
    }

    pub fn step(&self, kind: &str) -> Option<&'static str> {
        self.steps.iter().find(|(k, _)| *k == kind).map(|(_, w)| *w)
    }
}

pub static ZH: Texts = Texts {
    html_lang: "zh-CN",
    site: "代办通 · 信访事项查询",
    tagline: "阿拉善左旗信访代办服务：群众少跑腿，干部代办理",
    other_language: "ᠮᠣᠩᠭᠣᠯ",
    large_text: "大字",
    normal_text: "常规字号",
    lookup_title: "查询我的事项",
    lookup_hint: "请输入代办单上的事项编号和 8 位查询码；登记时留了电话的，也可以输入电话号码的后 4 位。",
    case_number: "事项编号",
    query_code: "查询码（或电话后 4 位）",
    search: "查询",
    what_title: "什么是信访代办",
    what_body: "您有困难或诉求，可以找嘎查村（社区）的代办员。代办员免费替您把事项交给有关部门、跟踪办理、把结果告诉您，您不用自己跑。",
    stages_title: "办理流程和时限",
    stages: [
        "甄别受理：代办员了解情况，决定是否代办，并填写代办单。",
        "事项办理：交有关部门办理。嘎查村事项 {village} 个工作日，苏木镇事项 {township} 个工作日；需多部门协调的，方案确定后 {multi} 个工作日；重大复杂的 {major} 个工作日。",
        "办结反馈：代办员把结果告诉您，请您评价。不满意可以申请复查、复核。",
        "终结回访：办结后 {follow_up} 日内回访，看问题是否真正解决。",
        "整理归档：一案一档，留存备查。",
    ],
    hotline: "也可以拨打 12345 政务服务便民热线反映问题。",
    agents_title: "代办服务点和办公电话",
    office_phone: "办公电话",
    not_found_title: "没有查到",
    not_found_body: "事项编号或查询码不对。请对照代办单核对后再查；如有疑问，请打代办服务点的办公电话。",
    throttled: "查询次数过多，请 10 分钟后再试。",
    bad_code: "查询码有误：应为 8 位数字（或电话的后 4 位），请核对代办单。",
    stage_now: "现在办到",
    due: "办理期限",
    late: "已超期",
    on_time: "在期限内",
    no_limit: "本阶段不计办理时限",
    handled_by: "承办单位",
    agent: "代办员",
    timeline_title: "办理经过",
    registered: "登记受理",
    result_title: "办理结果",
    opinion: "您的评价",
    back: "返回查询",
    privacy_note: "本页不显示身份证号、电话、住址等个人信息。",
    urge: "催办",
    urge_hint: "已超过办理期限，您可以催办（每天一次）。",
    urge_done: "已催办，镇代办站会看到并督促办理。",
    urge_again: "今天已催办过，或事项未超期，明天可再催办。",
    complaint_title: "对代办服务的意见和投诉",
    complaint_hint: "请写明情况。我们在 {complaint} 个工作日内答复，答复会显示在本页。",
    complaint_send: "提交投诉",
    complaint_done: "投诉已收到。",
    complaint_invalid: "请填写投诉内容（不超过 1000 字，不能含控制字符）。",
    opinion_ask: "请评价办理结果",
    opinion_send: "提交评价",
    opinion_done: "谢谢您的评价。",
    opinion_missing: "请先选择一项评价。",
    opinion_not_yet: "事项办结后才能评价。",
    review: "申请复查",
    review_hint: "您对结果不满意，可以申请上一级复查（复查后仍不满意可申请复核）。",
    review_done: "复查申请已提交，上一级将在期限内答复。",
    review_not_allowed: "现在不能申请复查：已在复查中，或代办员记录的意见与您的评价不一致，镇代办站会联系您核实。",
    complaint_due: "答复期限",
    complaint_reply: "答复",
    complaint_waiting: "等待答复",
    stage_words: [
        ("screening", "正在了解情况（甄别受理）"),
        ("handling", "正在办理"),
        ("feedback", "已办结，等待您的评价"),
        ("under_review", "正在复查/复核"),
        ("follow_up", "已办结，等待回访"),
        ("archived", "已办结归档"),
    ],
    opinions: None,
    steps: [
        ("screen", "甄别受理"),
        ("assign", "确定代办员"),
        ("categorise", "分类交办"),
        ("transfer", "交有关部门办理"),
        ("urge", "催办"),
        ("escalate", "上报上级"),
        ("contact", "代办员与您沟通进展"),
        ("close", "办结并告知结果"),
        ("request_review", "申请复查/复核"),
        ("review_decided", "复查/复核有结论"),
        ("accept_outcome", "事项终结"),
        ("follow_up", "回访"),
        ("archive", "归档"),
    ],
};

pub static MN: Texts = Texts {
    html_lang: "mn-Mong",
    site: "ᠣᠷᠤᠯᠠᠨ ᠦᠢᠯᠡᠳᠬᠦ ᠬᠡᠷᠡᠭ ᠢ ᠡᠷᠢᠬᠦ",
    tagline: "ᠠᠯᠠᠱᠠ ᠵᠡᠭᠦᠨ ᠬᠣᠰᠢᠭᠤ ᠶᠢᠨ ᠥᠷᠭᠡᠳᠬᠡᠯ ᠢ ᠣᠷᠤᠯᠠᠨ ᠦᠢᠯᠡᠳᠬᠦ ᠦᠢᠯᠡᠴᠢᠯᠡᠭᠡ",
    other_language: "中文",
    large_text: "ᠲᠣᠮᠣ ᠦᠰᠦᠭ",
    normal_text: "ᠡᠩ ᠦᠨ ᠦᠰᠦᠭ",
    lookup_title: "ᠮᠢᠨᠤ ᠬᠡᠷᠡᠭ ᠢ ᠡᠷᠢᠬᠦ",
    lookup_hint: "ᠣᠷᠤᠯᠠᠨ ᠦᠢᠯᠡᠳᠬᠦ ᠬᠡᠬᠦᠳᠡᠰᠦ ᠡᠷ ᠡᠬᠢ ᠬᠡᠷᠡᠭ ᠦᠨ ᠳ᠋ᠤᠭᠠᠷ ᠪᠣᠯᠣᠨ 8 ᠣᠷᠣᠨ ᠲᠣᠭ᠎ᠠ ᠪᠦᠬᠦᠢ ᠡᠷᠢᠬᠦ ᠺᠣᠳ᠋ ᠢ ᠣᠷᠣᠭᠤᠯᠤᠭᠠᠷᠠᠢ᠃",
    case_number: "ᠬᠡᠷᠡᠭ ᠦᠨ ᠳ᠋ᠤᠭᠠᠷ",
    query_code: "ᠡᠷᠢᠬᠦ ᠺᠣᠳ᠋",
    search: "ᠡᠷᠢᠬᠦ",
    what_title: "ᠥᠷᠭᠡᠳᠬᠡᠯ ᠢ ᠣᠷᠤᠯᠠᠨ ᠦᠢᠯᠡᠳᠬᠦ ᠭᠡᠳᠡᠭ ᠨᠢ",
    what_body: "ᠲᠠ ᠪᠡᠷᠬᠡᠰᠢᠶᠡᠯ ᠪᠤᠶᠤ ᠱᠠᠭᠠᠷᠳᠠᠯᠭ᠎ᠠ ᠲᠠᠢ ᠪᠣᠯ ᠭᠠᠴᠠᠭ᠎ᠠ ᠶᠢᠨ ᠣᠷᠤᠯᠠᠨ ᠦᠢᠯᠡᠳᠬᠡᠭᠴᠢ ᠲᠦ ᠬᠠᠨᠳᠤᠭᠠᠷᠠᠢ᠃ ᠣᠷᠤᠯᠠᠨ ᠦᠢᠯᠡᠳᠬᠡᠭᠴᠢ ᠲᠠᠨ ᠤ ᠬᠡᠷᠡᠭ ᠢ ᠬᠣᠯᠪᠣᠭᠳᠠᠬᠤ ᠬᠡᠯᠲᠡᠰ ᠲᠦ ᠲᠤᠰᠢᠶᠠᠵᠤ᠂ ᠰᠢᠢᠳᠪᠦᠷᠢᠯᠡᠬᠦ ᠶᠢ ᠬᠢᠨᠠᠵᠤ᠂ ᠦᠷ᠎ᠡ ᠳ᠋ᠦᠩ ᠢ ᠲᠠᠨ ᠳ᠋ᠤ ᠮᠡᠳᠡᠭᠳᠡᠨ᠎ᠡ᠃ ᠲᠥᠯᠦᠪᠦᠷᠢ ᠦᠭᠡᠢ᠃",
    stages_title: "ᠰᠢᠢᠳᠪᠦᠷᠢᠯᠡᠬᠦ ᠳᠠᠷᠠᠭᠠᠯᠠᠯ ᠪᠣᠯᠣᠨ ᠬᠤᠭᠤᠴᠠᠭ᠎ᠠ",
    stages: [
        "ᠢᠯᠭᠠᠨ ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠬᠤ᠄ ᠪᠠᠢᠳᠠᠯ ᠢ ᠣᠢᠯᠠᠭᠠᠵᠤ᠂ ᠣᠷᠤᠯᠠᠨ ᠦᠢᠯᠡᠳᠬᠦ ᠡᠰᠡᠬᠦ ᠶᠢ ᠱᠢᠢᠳᠬᠡᠨ᠎ᠡ᠃",
        "ᠬᠡᠷᠡᠭ ᠢ ᠰᠢᠢᠳᠪᠦᠷᠢᠯᠡᠬᠦ᠄ ᠭᠠᠴᠠᠭ᠎ᠠ ᠶᠢᠨ ᠬᠡᠷᠡᠭ {village} ᠠᠵᠢᠯ ᠤᠨ ᠡᠳᠦᠷ᠂ ᠰᠤᠮᠤ ᠶᠢᠨ ᠬᠡᠷᠡᠭ {township} ᠠᠵᠢᠯ ᠤᠨ ᠡᠳᠦᠷ᠂ ᠣᠯᠠᠨ ᠬᠡᠯᠲᠡᠰ ᠦᠨ {multi}᠂ ᠶᠡᠬᠡ ᠪᠠᠷᠳᠠᠮ ᠬᠡᠷᠡᠭ {major} ᠠᠵᠢᠯ ᠤᠨ ᠡᠳᠦᠷ᠃",
        "ᠦᠷ᠎ᠡ ᠳ᠋ᠦᠩ ᠢ ᠮᠡᠳᠡᠭᠳᠡᠬᠦ᠄ ᠲᠠ ᠦᠨᠡᠯᠡᠯᠲᠡ ᠥᠭᠭᠦᠨ᠎ᠡ᠃ ᠰᠡᠳᠬᠢᠯ ᠬᠠᠩᠤᠭᠰᠠᠨ ᠦᠭᠡᠢ ᠪᠣᠯ ᠳᠠᠬᠢᠨ ᠬᠢᠨᠠᠯᠲᠠ ᠭᠤᠶᠤᠵᠤ ᠪᠣᠯᠣᠨ᠎ᠠ᠃",
        "ᠡᠭᠡᠭᠦᠯᠦᠨ ᠰᠤᠷᠠᠭᠯᠠᠬᠤ᠄ ᠳᠠᠭᠤᠰᠤᠭᠰᠠᠨ ᠠᠴᠠ {follow_up} ᠡᠳᠦᠷ ᠲᠦ ᠲᠠᠨ ᠠᠴᠠ ᠡᠭᠡᠭᠦᠯᠦᠨ ᠠᠰᠠᠭᠤᠨ᠎ᠠ᠃",
        "ᠪᠠᠷᠢᠮᠲᠠ ᠶᠢ ᠠᠷᠬᠢᠪᠯᠠᠬᠤ᠃",
    ],
    hotline: "12345 ᠤᠲᠠᠰᠤ ᠪᠠᠷ ᠴᠤ ᠮᠡᠳᠡᠭᠳᠡᠵᠤ ᠪᠣᠯᠣᠨ᠎ᠠ᠃",
    agents_title: "ᠣᠷᠤᠯᠠᠨ ᠦᠢᠯᠡᠳᠬᠦ ᠴᠡᠭ ᠪᠣᠯᠣᠨ ᠠᠯᠪᠠᠨ ᠤ ᠤᠲᠠᠰᠤ",
    office_phone: "ᠠᠯᠪᠠᠨ ᠤ ᠤᠲᠠᠰᠤ",
    not_found_title: "ᠣᠯᠳᠠᠭᠰᠠᠨ ᠦᠭᠡᠢ",
    not_found_body: "ᠬᠡᠷᠡᠭ ᠦᠨ ᠳ᠋ᠤᠭᠠᠷ ᠪᠤᠶᠤ ᠡᠷᠢᠬᠦ ᠺᠣᠳ᠋ ᠪᠤᠷᠤᠭᠤ ᠪᠠᠶᠢᠨ᠎ᠠ᠃ ᠬᠡᠬᠦᠳᠡᠰᠦ ᠲᠡᠢ ᠪᠠᠨ ᠲᠤᠯᠭᠠᠵᠤ ᠳᠠᠬᠢᠨ ᠡᠷᠢᠭᠡᠷᠡᠢ᠃",
    throttled: "ᠡᠷᠢᠯᠲᠡ ᠬᠡᠲᠦ ᠣᠯᠠᠨ ᠪᠣᠯᠪᠠ᠂ 10 ᠮᠢᠨᠦ᠋ᠲ ᠦᠨ ᠳᠠᠷᠠᠭ᠎ᠠ ᠳᠠᠬᠢᠨ ᠣᠷᠣᠯᠳᠠᠭᠠᠷᠠᠢ᠃",
    bad_code: "ᠡᠷᠢᠬᠦ ᠺᠣᠳ᠋ ᠪᠤᠷᠤᠭᠤ᠄ 8 ᠣᠷᠣᠨ ᠲᠣᠭ᠎ᠠ ᠪᠠᠢᠬᠤ ᠬᠡᠷᠡᠭᠲᠡᠢ᠃",
    stage_now: "ᠣᠳᠣ ᠶᠢᠨ ᠱᠠᠲᠤ",
    due: "ᠪᠣᠯᠵᠢᠶ᠎ᠠ",
    late: "ᠬᠤᠭᠤᠴᠠᠭ᠎ᠠ ᠬᠡᠲᠦᠷᠡᠭᠰᠡᠨ",
    on_time: "ᠬᠤᠭᠤᠴᠠᠭ᠎ᠠ ᠳᠣᠲᠣᠷ᠎ᠠ",
    no_limit: "ᠡᠨᠡ ᠱᠠᠲᠤ ᠳᠤ ᠬᠤᠭᠤᠴᠠᠭ᠎ᠠ ᠲᠣᠭᠠᠴᠠᠬᠤ ᠦᠭᠡᠢ",
    handled_by: "ᠬᠠᠷᠢᠭᠤᠴᠠᠬᠤ ᠪᠠᠢᠭᠤᠯᠤᠯᠭ᠎ᠠ",
    agent: "ᠣᠷᠤᠯᠠᠨ ᠦᠢᠯᠡᠳᠬᠡᠭᠴᠢ",
    timeline_title: "ᠰᠢᠢᠳᠪᠦᠷᠢᠯᠡᠭᠰᠡᠨ ᠶᠠᠪᠤᠴᠠ",
    registered: "ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠤᠭᠰᠠᠨ",
    result_title: "ᠦᠷ᠎ᠡ ᠳ᠋ᠦᠩ",
    opinion: "ᠲᠠᠨ ᠤ ᠦᠨᠡᠯᠡᠯᠲᠡ",
    back: "ᠪᠤᠴᠠᠬᠤ",
    privacy_note: "ᠡᠨᠡ ᠨᠢᠭᠤᠷ ᠲᠤ ᠪᠡᠶ᠎ᠡ ᠶᠢᠨ ᠦᠨᠡᠮᠯᠡᠯ ᠦᠨ ᠳ᠋ᠤᠭᠠᠷ᠂ ᠤᠲᠠᠰᠤ᠂ ᠬᠠᠶ᠋ᠢᠭ ᠢ ᠬᠠᠷᠠᠭᠤᠯᠬᠤ ᠦᠭᠡᠢ᠃",
    urge: "ᠱᠠᠬᠠᠨ ᠰᠢᠭᠠᠷᠳᠠᠬᠤ",
    urge_hint: "ᠪᠣᠯᠵᠢᠶ᠎ᠠ ᠬᠡᠲᠦᠷᠡᠭᠰᠡᠨ᠂ ᠡᠳᠦᠷ ᠲᠦ ᠨᠢᠭᠡ ᠤᠳᠠᠭ᠎ᠠ ᠱᠠᠬᠠᠨ ᠰᠢᠭᠠᠷᠳᠠᠵᠤ ᠪᠣᠯᠣᠨ᠎ᠠ᠃",
    urge_done: "ᠱᠠᠬᠠᠨ ᠰᠢᠭᠠᠷᠳᠠᠪᠠ᠃",
    urge_again: "ᠥᠨᠥᠳᠥᠷ ᠱᠠᠬᠠᠨ ᠰᠢᠭᠠᠷᠳᠠᠭᠰᠠᠨ ᠪᠤᠶᠤ ᠪᠣᠯᠵᠢᠶ᠎ᠠ ᠬᠡᠲᠦᠷᠡᠭᠡ ᠦᠭᠡᠢ᠃",
    complaint_title: "ᠦᠢᠯᠡᠴᠢᠯᠡᠭᠡ ᠳᠦ ᠥᠭᠬᠦ ᠰᠠᠨᠠᠯ ᠭᠣᠮᠳᠠᠯ",
    complaint_hint: "{complaint} ᠠᠵᠢᠯ ᠤᠨ ᠡᠳᠦᠷ ᠲᠦ ᠬᠠᠷᠢᠭᠤᠯᠲᠠ ᠥᠭᠭᠦᠨ᠎ᠡ᠂ ᠡᠨᠡ ᠨᠢᠭᠤᠷ ᠲᠤ ᠬᠠᠷᠠᠭᠤᠯᠤᠨ᠎ᠠ᠃",
    complaint_send: "ᠭᠣᠮᠳᠠᠯ ᠢᠯᠡᠭᠡᠬᠦ",
    complaint_done: "ᠭᠣᠮᠳᠠᠯ ᠢ ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠤᠪᠠ᠃",
    complaint_invalid: "ᠭᠣᠮᠳᠠᠯ ᠤᠨ ᠠᠭᠤᠯᠭ᠎ᠠ ᠶᠢ ᠪᠢᠴᠢᠭᠡᠷᠡᠢ (1000 ᠦᠰᠦᠭ ᠡᠴᠡ ᠬᠡᠲᠦᠷᠡᠬᠦ ᠦᠭᠡᠢ)᠃",
    opinion_ask: "ᠦᠷ᠎ᠡ ᠳ᠋ᠦᠩ ᠳᠦ ᠦᠨᠡᠯᠡᠯᠲᠡ ᠥᠭᠭᠦᠭᠡᠷᠡᠢ",
    opinion_send: "ᠦᠨᠡᠯᠡᠯᠲᠡ ᠢᠯᠡᠭᠡᠬᠦ",
    opinion_done: "ᠲᠠᠨ ᠤ ᠦᠨᠡᠯᠡᠯᠲᠡ ᠳᠦ ᠪᠠᠶᠠᠷᠯᠠᠯ᠎ᠠ᠃",
    opinion_missing: "ᠨᠢᠭᠡ ᠦᠨᠡᠯᠡᠯᠲᠡ ᠰᠣᠩᠭᠣᠭᠠᠷᠠᠢ᠃",
    opinion_not_yet: "ᠬᠡᠷᠡᠭ ᠳᠠᠭᠤᠰᠤᠭᠰᠠᠨ ᠤ ᠳᠠᠷᠠᠭ᠎ᠠ ᠦᠨᠡᠯᠡᠨ᠎ᠡ᠃",
    review: "ᠳᠠᠬᠢᠨ ᠬᠢᠨᠠᠯᠲᠠ ᠭᠤᠶᠤᠬᠤ",
    review_hint: "ᠦᠷ᠎ᠡ ᠳ᠋ᠦᠩ ᠳᠦ ᠰᠡᠳᠬᠢᠯ ᠬᠠᠩᠤᠭᠰᠠᠨ ᠦᠭᠡᠢ ᠪᠣᠯ ᠳᠡᠭᠡᠳᠦ ᠱᠠᠲᠤ ᠪᠠᠷ ᠳᠠᠬᠢᠨ ᠬᠢᠨᠠᠯᠭᠠᠵᠤ ᠪᠣᠯᠣᠨ᠎ᠠ᠃",
    review_done: "ᠳᠠᠬᠢᠨ ᠬᠢᠨᠠᠯᠲᠠ ᠶᠢᠨ ᠭᠤᠶᠤᠯᠲᠠ ᠢᠯᠡᠭᠡᠭᠳᠡᠪᠡ᠃",
    review_not_allowed: "ᠣᠳᠣ ᠳᠠᠬᠢᠨ ᠬᠢᠨᠠᠯᠲᠠ ᠭᠤᠶᠤᠵᠤ ᠪᠣᠯᠬᠤ ᠦᠭᠡᠢ᠂ ᠰᠤᠮᠤ ᠶᠢᠨ ᠲᠥᠪ ᠲᠠᠨ ᠲᠠᠢ ᠬᠣᠯᠪᠣᠭᠳᠠᠨ᠎ᠠ᠃",
    complaint_due: "ᠬᠠᠷᠢᠭᠤᠯᠬᠤ ᠪᠣᠯᠵᠢᠶ᠎ᠠ",
    complaint_reply: "ᠬᠠᠷᠢᠭᠤᠯᠲᠠ",
    complaint_waiting: "ᠬᠠᠷᠢᠭᠤᠯᠲᠠ ᠶᠢ ᠬᠦᠯᠢᠶᠡᠵᠤ ᠪᠠᠢᠨ᠎ᠠ",
    stage_words: [
        ("screening", "ᠪᠠᠢᠳᠠᠯ ᠢ ᠣᠢᠯᠠᠭᠠᠵᠤ ᠪᠠᠢᠨ᠎ᠠ"),
        ("handling", "ᠰᠢᠢᠳᠪᠦᠷᠢᠯᠡᠵᠤ ᠪᠠᠢᠨ᠎ᠠ"),
        ("feedback", "ᠳᠠᠭᠤᠰᠤᠪᠠ᠂ ᠲᠠᠨ ᠤ ᠦᠨᠡᠯᠡᠯᠲᠡ ᠶᠢ ᠬᠦᠯᠢᠶᠡᠵᠤ ᠪᠠᠢᠨ᠎ᠠ"),
        ("under_review", "ᠳᠠᠬᠢᠨ ᠬᠢᠨᠠᠵᠤ ᠪᠠᠢᠨ᠎ᠠ"),
        ("follow_up", "ᠳᠠᠭᠤᠰᠤᠪᠠ᠂ ᠡᠭᠡᠭᠦᠯᠦᠨ ᠰᠤᠷᠠᠭᠯᠠᠬᠤ ᠶᠢ ᠬᠦᠯᠢᠶᠡᠵᠤ ᠪᠠᠢᠨ᠎ᠠ"),
        ("archived", "ᠳᠠᠭᠤᠰᠴᠤ ᠠᠷᠬᠢᠪᠯᠠᠭᠳᠠᠪᠠ"),
    ],
    opinions: Some([
        ("satisfied", "ᠰᠡᠳᠬᠢᠯ ᠬᠠᠩᠤᠭᠰᠠᠨ"),
        ("fairly_satisfied", "ᠨᠡᠯᠢᠶᠡᠳ ᠰᠡᠳᠬᠢᠯ ᠬᠠᠩᠤᠭᠰᠠᠨ"),
        ("understanding", "ᠣᠢᠯᠠᠭᠠᠵᠤ ᠪᠠᠢᠨ᠎ᠠ"),
        ("dissatisfied", "ᠰᠡᠳᠬᠢᠯ ᠬᠠᠩᠤᠭᠰᠠᠨ ᠦᠭᠡᠢ"),
    ]),
    steps: [
        ("screen", "ᠢᠯᠭᠠᠨ ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠤᠭᠰᠠᠨ"),
        ("assign", "ᠣᠷᠤᠯᠠᠨ ᠦᠢᠯᠡᠳᠬᠡᠭᠴᠢ ᠲᠣᠭᠲᠠᠭᠠᠭᠰᠠᠨ"),
        ("categorise", "ᠠᠩᠭᠢᠯᠠᠨ ᠲᠤᠰᠢᠶᠠᠭᠰᠠᠨ"),
        ("transfer", "ᠬᠣᠯᠪᠣᠭᠳᠠᠬᠤ ᠬᠡᠯᠲᠡᠰ ᠲᠦ ᠲᠤᠰᠢᠶᠠᠭᠰᠠᠨ"),
        ("urge", "ᠱᠠᠬᠠᠨ ᠰᠢᠭᠠᠷᠳᠠᠭᠰᠠᠨ"),
        ("escalate", "ᠳᠡᠭᠡᠳᠦ ᠱᠠᠲᠤ ᠳᠤ ᠮᠡᠳᠡᠭᠦᠯᠦᠭᠰᠡᠨ"),
        ("contact", "ᠣᠷᠤᠯᠠᠨ ᠦᠢᠯᠡᠳᠬᠡᠭᠴᠢ ᠲᠠᠨ ᠲᠠᠢ ᠬᠠᠷᠢᠯᠴᠠᠭᠰᠠᠨ"),
        ("close", "ᠳᠠᠭᠤᠰᠬᠠᠵᠤ ᠦᠷ᠎ᠡ ᠳ᠋ᠦᠩ ᠢ ᠮᠡᠳᠡᠭᠳᠡᠭᠰᠡᠨ"),
        ("request_review", "ᠳᠠᠬᠢᠨ ᠬᠢᠨᠠᠯᠲᠠ ᠭᠤᠶᠤᠭᠰᠠᠨ"),
        ("review_decided", "ᠳᠠᠬᠢᠨ ᠬᠢᠨᠠᠯᠲᠠ ᠶᠢᠨ ᠳᠦᠭᠦᠮ"),
        ("accept_outcome", "ᠬᠡᠷᠡᠭ ᠳᠠᠭᠤᠰᠤᠭᠰᠠᠨ"),
        ("follow_up", "ᠡᠭᠡᠭᠦᠯᠦᠨ ᠰᠤᠷᠠᠭᠯᠠᠭᠰᠠᠨ"),
        ("archive", "ᠠᠷᠬᠢᠪᠯᠠᠭᠰᠠᠨ"),
    ],
};
