//! The citizens' public pages (公开性, seed 001 附件2): what the agency
//! system is, the stages and their limits, the agents and office phones of
//! each village and township, and a citizen's own matter looked up by its
//! number and query code (查询码). Server-rendered HTML (askama templates in
//! `templates/public/`, escaped by default) that works with JavaScript off
//! on any phone; Chinese or Mongolian (`i18n.rs`), remembered in a cookie.
//!
//! Privacy: these pages never show an ID number, phone (other than a unit's
//! office line), address or any free text typed about the citizen — only
//! the matter's number, stage, dates, units, the agent's name and, once
//! closed, the result told to the citizen. "No such matter" and "wrong code"
//! answer byte for byte alike, and failed look-ups are throttled per address
//! and per matter number, so numbers cannot be walked.
//!
//! The HTTP handlers; the SQL is in [`crate::db::public`], the citizen's
//! requests are written by [`crate::workflow::citizen`], the templates are in
//! `pages.rs`.

pub mod i18n;
mod pages;

use crate::error::AppResult;
use crate::ApiContext;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use i18n::Lang;
use pages::{CasePage, HomePage, NotFoundPage, RewardNoticePage};
pub use pages::{ComplaintLine, PublicCase, Step, UnitLine};
use serde::Deserialize;
use shared::case::Stage;
use shared::deadline::DueStatus;
use shared::lifecycle::Opinion;
use shared::public::CitizenKey;

/// Failed look-ups allowed per address, and per matter number, in the window.
pub const MAX_FAILED_PER_SOURCE: u32 = 20;
pub const MAX_FAILED_PER_NUMBER: u32 = 10;
const WINDOW: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Counts failed look-ups (in memory; a restart forgives).
#[derive(Default)]
pub struct LookupThrottle(std::sync::Mutex<std::collections::HashMap<String, (u32, std::time::Instant)>>);

impl LookupThrottle {
    fn blocked(&self, keys: &[(String, u32)]) -> bool {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter().any(|(k, limit)| match map.get(k) {
            Some((_, since)) if since.elapsed() > WINDOW => {
                map.remove(k);
                false
            }
            Some((n, _)) => n >= limit,
            None => false,
        })
    }

    fn failed(&self, keys: &[(String, u32)]) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (_, since)| since.elapsed() <= WINDOW);
        }
        for (k, _) in keys {
            map.entry(k.clone()).or_insert((0, std::time::Instant::now())).0 += 1;
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Prefs {
    lang: Option<String>,
    big: Option<String>,
}

/// Language and text size: from the query (and then remembered), else the
/// cookies, else Chinese, normal size.
struct View {
    lang: Lang,
    big: bool,
    set_cookies: Vec<String>,
}

fn view(headers: &HeaderMap, prefs: &Prefs) -> View {
    let mut set_cookies = Vec::new();
    let lang = match prefs.lang.as_deref().and_then(Lang::parse) {
        Some(l) => {
            set_cookies.push(format!("dbt_lang={}; Path=/public; Max-Age=31536000; SameSite=Lax", l.code()));
            l
        }
        None => crate::api::auth::cookie(headers, "dbt_lang").as_deref().and_then(Lang::parse).unwrap_or(Lang::Zh),
    };
    let big = match prefs.big.as_deref() {
        Some(b) => {
            let big = b == "1";
            set_cookies.push(format!("dbt_big={}; Path=/public; Max-Age=31536000; SameSite=Lax", u8::from(big)));
            big
        }
        None => crate::api::auth::cookie(headers, "dbt_big").is_some_and(|v| v == "1"),
    };
    View { lang, big, set_cookies }
}

fn page(status: StatusCode, v: &View, html: Result<String, askama::Error>) -> AppResult<Response> {
    let html = html.map_err(|e| {
        tracing::error!(error = %e, "public page template");
        crate::error::AppError::new(shared::error::ErrorCode::Internal, "页面生成失败")
    })?;
    let mut resp = (status, Html(html)).into_response();
    for c in &v.set_cookies {
        if let Ok(value) = c.parse() {
            resp.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    // The page depends on the language cookie; never a shared cache's copy.
    resp.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("private, no-store"));
    Ok(resp)
}

/// `GET /public/reward-notice`: the reward batches in their public notice
/// (公示, seed 000 第十三条): agents' names, units, categories and amounts.
pub async fn reward_notice(State(ctx): State<ApiContext>) -> AppResult<Response> {
    let today = shared::time::china_today(chrono::Utc::now());
    let batches = crate::db::reward_batch::notices(&ctx.db.pool, today).await?;
    let v = View { lang: Lang::Zh, big: false, set_cookies: Vec::new() };
    page(StatusCode::OK, &v, RewardNoticePage { batches }.render())
}

fn other(lang: Lang) -> Lang {
    match lang {
        Lang::Zh => Lang::Mn,
        Lang::Mn => Lang::Zh,
    }
}

/// `GET /public`: what the system is, how it works, who the agents are.
pub async fn home(
    State(ctx): State<ApiContext>,
    headers: HeaderMap,
    Query(prefs): Query<Prefs>,
) -> AppResult<Response> {
    let v = view(&headers, &prefs);
    let units = unit_lines(&ctx).await?;
    let html = HomePage {
        t: v.lang.texts(),
        lang_code: v.lang.code(),
        other_lang_code: other(v.lang).code(),
        big: v.big,
        units,
        message: None,
        number: "",
        code: "",
        here: "/public?".to_string(),
    }
    .render();
    page(StatusCode::OK, &v, html)
}

/// Townships and villages with their office phones and agents (names are
/// public; agents' own phones are not).
pub async fn unit_lines(ctx: &ApiContext) -> AppResult<Vec<UnitLine>> {
    Ok(crate::db::public::units(&ctx.db.pool)
        .await?
        .into_iter()
        .map(|u| UnitLine { name: u.name, office_phone: u.office_phone, agents: u.agents.join("、") })
        .collect())
}

#[derive(Debug, Default, Deserialize)]
pub struct LookupParams {
    #[serde(default)]
    n: String,
    #[serde(default)]
    c: String,
    /// What was just done (after a request form).
    #[serde(default)]
    done: Option<String>,
    #[serde(flatten)]
    prefs: Prefs,
}

/// Why a look-up found nothing to show.
enum Miss {
    /// The code's check digit is wrong: a typo, caught before any look-up.
    BadCode,
    Throttled,
    /// No such number, or the wrong code (never told apart).
    NotFound,
}

/// The matter a citizen names by number and code: its id, or why not. Every
/// miss counts against the address and the number.
async fn locate(
    ctx: &ApiContext,
    source: &str,
    number: &str,
    code: &str,
) -> AppResult<Result<(i64, String, CitizenKey), Miss>> {
    let Ok(code) = CitizenKey::parse(code) else { return Ok(Err(Miss::BadCode)) };
    let number = number.trim().to_string();
    let keys = [
        (format!("ip|{source}"), MAX_FAILED_PER_SOURCE),
        (format!("n|{}", number.chars().take(40).collect::<String>()), MAX_FAILED_PER_NUMBER),
    ];
    if ctx.lookup_throttle.blocked(&keys) {
        return Ok(Err(Miss::Throttled));
    }
    let id = if number.chars().count() > 40 || shared::validation::has_control_chars(&number) {
        None
    } else {
        // The number alone selects the row; the key is compared here, so a
        // code and a phone tail take the same path and the same time.
        match crate::db::public::by_number(&ctx.db.pool, &number).await? {
            Some(r) if code.opens(r.query_code.as_deref(), r.phone.as_deref()) => Some(r.id),
            _ => None,
        }
    };
    match id {
        Some(id) => Ok(Ok((id, number, code))),
        None => {
            ctx.lookup_throttle.failed(&keys);
            Ok(Err(Miss::NotFound))
        }
    }
}

/// The page for a miss: the same bytes for "no such matter" and "wrong code".
fn miss_page(v: &View, miss: Miss) -> AppResult<Response> {
    let t = v.lang.texts();
    let (status, body) = match miss {
        Miss::BadCode => (StatusCode::BAD_REQUEST, t.bad_code),
        Miss::Throttled => (StatusCode::TOO_MANY_REQUESTS, t.throttled),
        Miss::NotFound => (StatusCode::NOT_FOUND, t.not_found_body),
    };
    let html = NotFoundPage {
        t,
        lang_code: v.lang.code(),
        other_lang_code: other(v.lang).code(),
        big: v.big,
        heading: t.not_found_title,
        body,
        message: None,
        number: "",
        code: "",
        here: "/public?".to_string(),
    }
    .render();
    page(status, v, html)
}

/// `GET /public/case?n=<number>&c=<query code>`: one matter, for its citizen.
pub async fn case_page(
    State(ctx): State<ApiContext>,
    crate::api::auth::ConnectInfoExt(source): crate::api::auth::ConnectInfoExt,
    headers: HeaderMap,
    Query(p): Query<LookupParams>,
) -> AppResult<Response> {
    let v = view(&headers, &p.prefs);
    let (id, number, code) = match locate(&ctx, &source, &p.n, &p.c).await? {
        Ok(found) => found,
        Err(miss) => return miss_page(&v, miss),
    };
    let t = v.lang.texts();
    let mut c = public_case(&ctx, id, v.lang).await?;
    c.done = match p.done.as_deref() {
        Some("urge") => Some(t.urge_done),
        Some("urge_again") => Some(t.urge_again),
        Some("complaint") => Some(t.complaint_done),
        Some("complaint_invalid") => Some(t.complaint_invalid),
        Some("opinion") => Some(t.opinion_done),
        Some("opinion_missing") => Some(t.opinion_missing),
        Some("opinion_not_yet") => Some(t.opinion_not_yet),
        Some("review") => Some(t.review_done),
        Some("review_not_allowed") => Some(t.review_not_allowed),
        _ => None,
    };
    let n = percent(&number);
    let here = format!("/public/case?n={n}&c={}&", code.as_str());
    let html = CasePage {
        t,
        lang_code: v.lang.code(),
        other_lang_code: other(v.lang).code(),
        big: v.big,
        c,
        here,
        number: &number,
        code: code.as_str(),
    }
    .render();
    page(StatusCode::OK, &v, html)
}

/// A citizen's request from their matter's page (a form POST, no script).
#[derive(Debug, Deserialize)]
pub struct ActForm {
    #[serde(default)]
    n: String,
    #[serde(default)]
    c: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    opinion: String,
}

/// A citizen's request form with the matter it names already found — or,
/// as the rejection, the page that answers a miss (unknown number, wrong
/// key, throttled), exactly as a look-up would.
pub struct Named {
    id: i64,
    number: String,
    key: CitizenKey,
    form: ActForm,
}

impl axum::extract::FromRequest<ApiContext> for Named {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, ctx: &ApiContext) -> Result<Self, Response> {
        use axum::extract::FromRequestParts;
        let (mut parts, body) = req.into_parts();
        let Ok(crate::api::auth::ConnectInfoExt(source)) =
            crate::api::auth::ConnectInfoExt::from_request_parts(&mut parts, ctx).await;
        let v = view(&parts.headers, &Prefs::default());
        let req = axum::extract::Request::from_parts(parts, body);
        let axum::Form(mut form) =
            axum::Form::<ActForm>::from_request(req, ctx).await.map_err(IntoResponse::into_response)?;
        // Free text loses the invisible format controls (bidi overrides, zero-width).
        for field in [&mut form.n, &mut form.c, &mut form.text, &mut form.opinion] {
            *field = shared::validation::strip_format_controls(field);
        }
        match locate(ctx, &source, &form.n, &form.c).await {
            Ok(Ok((id, number, key))) => Ok(Named { id, number, key, form }),
            Ok(Err(miss)) => Err(miss_page(&v, miss).into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// `POST /public/case/opinion`: the citizen's evaluation of a closed matter
/// (once: a double tap records once).
pub async fn give_opinion(
    State(ctx): State<ApiContext>,
    Named { id, number, key: code, form: f }: Named,
) -> AppResult<Response> {
    let Some(opinion) = Opinion::parse(&f.opinion) else {
        return Ok(see_case(&number, &code, "opinion_missing"));
    };
    if !crate::workflow::citizen::give_opinion(&ctx.db, id, opinion).await? {
        return Ok(see_case(&number, &code, "opinion_not_yet"));
    }
    Ok(see_case(&number, &code, "opinion"))
}

/// `POST /public/case/review`: a dissatisfied citizen asks for 复查/复核.
pub async fn ask_review(
    State(ctx): State<ApiContext>,
    Named { id, number, key: code, .. }: Named,
) -> AppResult<Response> {
    // Not dissatisfied, already under review, or the matter is not (or no
    // longer) open to one: nothing is recorded twice.
    let done = if crate::workflow::citizen::ask_review(&ctx.db, id).await? { "review" } else { "review_not_allowed" };
    Ok(see_case(&number, &code, done))
}

/// `POST /public/case/urge`: 催办 an overdue matter (once a day at most).
pub async fn urge(State(ctx): State<ApiContext>, Named { id, number, key: code, .. }: Named) -> AppResult<Response> {
    let done = if crate::workflow::citizen::urge(&ctx.db, id).await? { "urge" } else { "urge_again" };
    Ok(see_case(&number, &code, done))
}

/// `POST /public/case/complaint`: a complaint about the service.
pub async fn complain(
    State(ctx): State<ApiContext>,
    Named { id, number, key: code, form: f }: Named,
) -> AppResult<Response> {
    if shared::validation::check_text("投诉内容", &f.text, 1000).is_err() {
        return Ok(see_case(&number, &code, "complaint_invalid"));
    }
    crate::workflow::citizen::complain(&ctx.db, id, &f.text).await?;
    Ok(see_case(&number, &code, "complaint"))
}

/// After a request: back to the matter's page (303, so a reload does not
/// send the form again).
fn see_case(number: &str, code: &CitizenKey, done: &str) -> Response {
    let to = format!("/public/case?n={}&c={}&done={done}", percent(number), code.as_str());
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

/// The public view of a matter, or `None` (unknown number or wrong code).
pub async fn public_case(ctx: &ApiContext, id: i64, lang: Lang) -> AppResult<PublicCase> {
    let t = lang.texts();
    let row = crate::db::public::case_row(&ctx.db.pool, id).await?;
    let stage = row.stage.unwrap_or(Stage::Screening);
    let today = shared::time::china_today(chrono::Utc::now());
    let (due, late) = match (stage.deadline_applies(), row.due_on) {
        (true, Some(d)) => (
            Some(d.to_string()),
            matches!(DueStatus::at(&crate::db::calendar::current(), d, today), DueStatus::Overdue(_)),
        ),
        _ => (None, false),
    };
    let mut timeline = vec![Step { date: row.accepted_on, text: t.registered }];
    // Only which step was taken and when: never the texts typed with it
    // (notes may name people or places).
    for (kind, at) in crate::db::public::steps(&ctx.db.pool, id).await? {
        if let Some(text) = t.step(&kind) {
            let date = chrono::DateTime::parse_from_rfc3339(&at)
                .map(|d| shared::time::china_today(d.with_timezone(&chrono::Utc)).to_string())
                .unwrap_or(at);
            timeline.push(Step { date, text });
        }
    }
    let closed = stage.is_closed();
    let citizen_opinion = crate::db::records::citizen_opinion_of(&ctx.db.pool, id).await?;
    let level = row.handling_level.unwrap_or(shared::lifecycle::HandlingLevel::Village);
    let lifecycle = match row.lifecycle {
        Some(lifecycle) => lifecycle,
        None => shared::lifecycle::Lifecycle::from_stage(stage, level),
    };
    let review_open = lifecycle.apply(&shared::lifecycle::CaseEvent::RequestReview).is_ok();
    let complaints = crate::db::records::complaints(&ctx.db.pool, id)
        .await?
        .into_iter()
        .map(|c| ComplaintLine {
            date: c.created_at.get(..10).unwrap_or("").to_string(),
            text: c.text,
            due: c.due_on.to_string(),
            reply: c.reply,
        })
        .collect();
    Ok(PublicCase {
        may_urge: late,
        complaints,
        done: None,
        number: row.number,
        stage: if matches!(lifecycle.status, shared::lifecycle::CaseStatus::UnderReview { .. }) {
            t.stage("under_review")
        } else {
            t.stage(stage.as_str())
        },
        due,
        late,
        unit: row.unit_name,
        office_phone: row.office_phone,
        agent: row.agent_name,
        timeline,
        result: if closed { row.result } else { None },
        may_give_opinion: closed && citizen_opinion.is_none(),
        may_ask_review: citizen_opinion == Some(Opinion::Dissatisfied) && review_open,
        opinion: citizen_opinion.map(|o| t.opinion(o)),
        opinions: Opinion::ALL.iter().map(|o| (o.as_str(), t.opinion(*o))).collect(),
    })
}

/// Percent-encodes a query value (UTF-8 bytes outside the unreserved set).
pub(crate) fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
