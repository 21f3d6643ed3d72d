//! The public pages' askama templates (`templates/public/`) and the data
//! they show. They stay beside the handlers rather than in `render/`: they
//! take the page texts of [`super::i18n`] and the reward notice's batches
//! from [`crate::reward`].

use super::i18n::Texts;
use askama::Template;

pub struct UnitLine {
    pub name: String,
    pub office_phone: Option<String>,
    /// The unit's agents' names, joined.
    pub agents: String,
}

#[derive(Template)]
#[template(path = "public/home.html")]
pub(super) struct HomePage<'a> {
    /// This page's address up to its own parameters, for the language and size links.
    pub(super) here: String,
    pub(super) t: &'a Texts,
    pub(super) lang_code: &'a str,
    pub(super) other_lang_code: &'a str,
    pub(super) big: bool,
    pub(super) units: Vec<UnitLine>,
    pub(super) message: Option<&'a str>,
    pub(super) number: &'a str,
    pub(super) code: &'a str,
}

#[derive(Template)]
#[template(path = "public/reward_notice.html")]
pub(super) struct RewardNoticePage {
    pub(super) batches: Vec<crate::db::reward_batch::NoticeBatch>,
}

pub struct Step {
    pub date: String,
    pub text: &'static str,
}

pub struct ComplaintLine {
    pub date: String,
    pub text: String,
    pub due: String,
    pub reply: Option<String>,
}

pub struct PublicCase {
    /// Overdue: the citizen may urge (催办).
    pub may_urge: bool,
    pub complaints: Vec<ComplaintLine>,
    /// What the citizen just did, confirmed.
    pub done: Option<&'static str>,
    pub number: String,
    pub stage: &'static str,
    pub due: Option<String>,
    pub late: bool,
    pub unit: String,
    pub office_phone: Option<String>,
    pub agent: Option<String>,
    pub timeline: Vec<Step>,
    pub result: Option<String>,
    /// The citizen's own evaluation, once given.
    pub opinion: Option<&'static str>,
    /// Closed and not yet evaluated by the citizen.
    pub may_give_opinion: bool,
    /// The citizen was dissatisfied and the matter is open to 复查/复核 now.
    pub may_ask_review: bool,
    /// The opinions to choose from (code, label), from `shared`.
    pub opinions: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "public/case.html")]
pub(super) struct CasePage<'a> {
    /// This page's address up to its own parameters, for the language and size links.
    pub(super) here: String,
    pub(super) t: &'a Texts,
    pub(super) lang_code: &'a str,
    pub(super) other_lang_code: &'a str,
    pub(super) big: bool,
    pub(super) c: PublicCase,
    /// For the request forms (the citizen's own number and code).
    pub(super) number: &'a str,
    pub(super) code: &'a str,
}

#[derive(Template)]
#[template(path = "public/not_found.html")]
pub(super) struct NotFoundPage<'a> {
    /// This page's address up to its own parameters, for the language and size links.
    pub(super) here: String,
    pub(super) t: &'a Texts,
    pub(super) lang_code: &'a str,
    pub(super) other_lang_code: &'a str,
    pub(super) big: bool,
    pub(super) heading: &'a str,
    pub(super) body: &'a str,
    pub(super) message: Option<&'a str>,
    pub(super) number: &'a str,
    pub(super) code: &'a str,
}
