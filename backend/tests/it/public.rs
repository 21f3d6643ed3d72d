//! The citizens' public pages on SQLite and PostgreSQL: a matter looked up
//! by number and query code, nothing private on any page, unknown and wrong
//! answers alike, throttling, both languages, page weight.

use crate::common;
use common::{Kind, TestApp};
use sqlx::Row;

struct Demo {
    number: String,
    code: String,
    private: Vec<String>,
}

async fn demo_cases(app: &TestApp) -> Vec<Demo> {
    sqlx::query("SELECT number, query_code, id_number, phone, address FROM cases ORDER BY id")
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| Demo {
            number: r.try_get("number").unwrap(),
            code: r.try_get("query_code").unwrap(),
            private: ["id_number", "phone", "address"]
                .iter()
                .filter_map(|c| r.try_get::<Option<String>, _>(*c).unwrap())
                .collect(),
        })
        .collect()
}

fn from(ip: &str) -> reqwest::Client {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert("x-forwarded-for", ip.parse().unwrap());
    reqwest::Client::builder().default_headers(h).build().unwrap()
}

async fn get(app: &TestApp, c: &reqwest::Client, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn lookup(number: &str, code: &str) -> String {
    let enc = |s: &str| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
    format!("/public/case?n={}&c={}", enc(number), enc(code))
}

/// A wrong code with a valid check digit (so it reaches the look-up).
fn other_code(code: &str) -> String {
    (0..10_000_000u32)
        .map(|r| shared::public::QueryCode::from_random(r).as_str().to_string())
        .find(|c| c != code)
        .unwrap()
}

async fn every_matter_is_found_and_nothing_private_shows(app: &TestApp) {
    let cases = demo_cases(app).await;
    let private: Vec<&String> = cases.iter().flat_map(|c| c.private.iter()).collect();
    assert!(private.len() > 30, "the demo has private details to leak");
    let c = from("192.0.2.1");
    let (s, home) = get(app, &c, "/public").await;
    assert_eq!(s, 200);
    assert!(home.contains("0483-") && home.contains("巴特尔") && home.contains("查询我的事项"));
    assert!(home.contains("嘎查村事项 5 个工作日") && home.contains("办结后 15 日内回访"), "limits from shared");
    for placeholder in ["{village}", "{township}", "{multi}", "{major}", "{follow_up}"] {
        assert!(!home.contains(placeholder), "{placeholder} filled");
    }
    let mut pages = vec![home];
    for case in &cases {
        for lang in ["zh", "mn"] {
            let (s, html) = get(app, &c, &format!("{}&lang={lang}", lookup(&case.number, &case.code))).await;
            assert_eq!(s, 200, "{}", case.number);
            assert!(html.contains(&case.number));
            pages.push(html);
        }
    }
    for html in &pages {
        for p in &private {
            assert!(!html.contains(p.as_str()), "a public page shows {p}");
        }
    }
}
both!(every_matter_is_found_and_nothing_private_shows);

async fn unknown_and_wrong_answer_alike_and_are_throttled(app: &TestApp) {
    let cases = demo_cases(app).await;
    let first = &cases[0];
    let c = from("192.0.2.2");
    let wrong = get(app, &c, &lookup(&first.number, &other_code(&first.code))).await;
    let unknown = get(app, &c, &lookup("阿左代〔1999〕999号", &first.code)).await;
    assert_eq!(wrong.0, 404);
    assert_eq!(wrong, unknown, "no such matter and wrong code are byte-identical");
    // A typo is caught by the check digit, before any look-up.
    let mut typo = first.code.clone().into_bytes();
    typo[0] = b'0' + (typo[0] - b'0' + 1) % 10;
    let (s, html) = get(app, &c, &lookup(&first.number, std::str::from_utf8(&typo).unwrap())).await;
    assert_eq!(s, 400);
    assert!(html.contains("查询码有误"));

    // 20 failures from one address: that address waits, others do not.
    let attacker = from("192.0.2.66");
    for i in 0..20 {
        let (s, _) = get(app, &attacker, &lookup(&format!("阿左代〔2001〕{i:03}号"), &first.code)).await;
        assert_eq!(s, 404);
    }
    let (s, html) = get(app, &attacker, &lookup(&first.number, &first.code)).await;
    assert_eq!(s, 429);
    assert!(html.contains("查询次数过多"));
    assert_eq!(get(app, &from("192.0.2.3"), &lookup(&first.number, &first.code)).await.0, 200);
    // 10 wrong codes for one number, from anywhere: that number waits.
    let target = &cases[1];
    for i in 0..10 {
        let ip = format!("198.51.100.{i}");
        assert_eq!(get(app, &from(&ip), &lookup(&target.number, &other_code(&target.code))).await.0, 404);
    }
    assert_eq!(get(app, &from("198.51.100.99"), &lookup(&target.number, &target.code)).await.0, 429);
}
both!(unknown_and_wrong_answer_alike_and_are_throttled);

async fn mongolian_is_chosen_and_remembered(app: &TestApp) {
    let c = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let r = c.get(app.url("/public?lang=mn")).send().await.unwrap();
    assert!(r.headers()["set-cookie"].to_str().unwrap().starts_with("dbt_lang=mn"));
    let html = r.text().await.unwrap();
    assert!(html.contains("lang=\"mn-Mong\"") && html.contains("ᠡᠷᠢᠬᠦ"));
    let again = c.get(app.url("/public")).send().await.unwrap().text().await.unwrap();
    assert!(again.contains("lang=\"mn-Mong\""), "remembered");
    let back = c.get(app.url("/public?lang=zh")).send().await.unwrap().text().await.unwrap();
    assert!(back.contains("lang=\"zh-CN\""));
    let big = c.get(app.url("/public?big=1")).send().await.unwrap().text().await.unwrap();
    assert!(big.contains("22px"));
}
both!(mongolian_is_chosen_and_remembered);

/// Each page ≤ 30 KB as sent (compressed), CSS included (it is inline).
#[tokio::test]
async fn pages_are_light() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let cases = demo_cases(&app).await;
    let c = reqwest::Client::new();
    for (path, lang) in
        [("/public".to_string(), "zh"), ("/public".to_string(), "mn"), (lookup(&cases[3].number, &cases[3].code), "mn")]
    {
        let sep = if path.contains('?') { '&' } else { '?' };
        let r =
            c.get(app.url(&format!("{path}{sep}lang={lang}"))).header("accept-encoding", "gzip").send().await.unwrap();
        let len = r.bytes().await.unwrap().len();
        assert!(len <= 30 * 1024, "{path} {lang}: {len} bytes");
    }
    app.finish().await;
}

fn form_client() -> reqwest::Client {
    // Like a browser: no redirects followed, so the 303 can be checked.
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn events_of(app: &TestApp, number: &str, kind: &str) -> i64 {
    sqlx::query(
        "SELECT COUNT(*) FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.number = $1 AND e.kind = $2",
    )
    .bind(number)
    .bind(kind)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
    .try_get(0)
    .unwrap()
}

/// 催办 from the public page: only when overdue, at most once a day; the
/// township sees it in the matter's timeline.
async fn citizens_urge_overdue_matters_once_a_day(app: &TestApp) {
    let cases = demo_cases(app).await;
    let late = &cases[1];
    sqlx::query("UPDATE cases SET stage = 'handling', status = 'handling', lifecycle = NULL, due_on = '2026-01-05' WHERE number = $1")
        .bind(&late.number)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let c = form_client();
    let before = events_of(app, &late.number, "urge").await;
    let post = |n: &str, code: &str| {
        c.post(app.url("/public/case/urge")).form(&[("n", n.to_string()), ("c", code.to_string())]).send()
    };
    let r = post(&late.number, &late.code).await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().ends_with("done=urge"));
    assert_eq!(events_of(app, &late.number, "urge").await, before + 1);
    let r = post(&late.number, &late.code).await.unwrap();
    assert!(r.headers()["location"].to_str().unwrap().ends_with("done=urge_again"), "once a day");
    assert_eq!(events_of(app, &late.number, "urge").await, before + 1);
    let (_, page) = get(app, &c, &format!("{}&done=urge", lookup(&late.number, &late.code))).await;
    assert!(page.contains("已催办"));
    // The station sees it on the matter.
    let station = app.login("zhen1").await;
    let id: i64 = sqlx::query("SELECT id FROM cases WHERE number = $1")
        .bind(&late.number)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    if let (200, d) = app.get_json(&station, &format!("/api/cases/{id}")).await {
        assert!(d["timeline"].as_array().unwrap().iter().any(|e| e["command"]["note"] == "信访人通过查询页面催办"));
    }
    // A wrong code urges nothing.
    assert_eq!(post(&late.number, &other_code(&late.code)).await.unwrap().status(), 404);
}
both!(citizens_urge_overdue_matters_once_a_day);

/// A complaint about the service: recorded with its 15-working-day reply
/// date, answered by the station, the answer shown to the citizen. A
/// right-to-left override or zero-width space typed in either is not kept.
async fn complaints_are_answered_and_shown(app: &TestApp) {
    let cases = demo_cases(app).await;
    let case = &cases[2];
    let c = form_client();
    let r = c
        .post(app.url("/public/case/complaint"))
        .form(&[
            ("n", case.number.clone()),
            ("c", case.code.clone()),
            ("text", "代办员三天\u{202E}没有回电话\u{200B}".to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, page) = get(app, &c, &lookup(&case.number, &case.code)).await;
    assert!(page.contains("代办员三天没有回电话") && page.contains("等待答复"));
    let today = shared::time::china_today(chrono::Utc::now());
    let due = shared::deadline::complaint_reply_due(shared::calendar::Calendar::official(), today).value;
    assert!(page.contains(&due.to_string()), "reply due in 15 working days");
    let row = sqlx::query(
        "SELECT c.id AS complaint, c.case_id FROM complaints c JOIN cases k ON k.id = c.case_id WHERE k.number = $1",
    )
    .bind(&case.number)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let (complaint, case_id): (i64, i64) = (row.try_get("complaint").unwrap(), row.try_get("case_id").unwrap());
    // Whoever handles the matter at the station sees it and answers.
    let agent = app.login("cun3").await;
    let (s, _) =
        app.post_json(&agent, &format!("/api/complaints/{complaint}/reply"), &serde_json::json!({"text": "x"})).await;
    assert!(s == 403 || s == 404, "an agent does not answer complaints: {s}");
    let unit_path: String = sqlx::query("SELECT n.path FROM cases c JOIN units n ON n.id = c.unit_id WHERE c.id = $1")
        .bind(case_id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    let centre = app.login("qi1").await; // the banner centre sees every township's matters
    let (s, d) = app.get_json(&centre, &format!("/api/cases/{case_id}")).await;
    assert_eq!(s, 200, "{unit_path}");
    assert_eq!(d["complaints"][0]["text"], "代办员三天没有回电话");
    let reply = serde_json::json!({"text": "已约谈代办员，\u{202E}今后当天回电。"});
    let (s, b) = app.post_json(&centre, &format!("/api/complaints/{complaint}/reply"), &reply).await;
    assert_eq!(s, 200, "{b}");
    let (s, _) = app.post_json(&centre, &format!("/api/complaints/{complaint}/reply"), &reply).await;
    assert_eq!(s, 409, "answered once");
    let (_, page) = get(app, &c, &lookup(&case.number, &case.code)).await;
    assert!(page.contains("已约谈代办员，今后当天回电。") && !page.contains('\u{202E}'));
    // Blank complaints are not recorded.
    let r = c
        .post(app.url("/public/case/complaint"))
        .form(&[("n", case.number.clone()), ("c", case.code.clone()), ("text", "   ".to_string())])
        .send()
        .await
        .unwrap();
    assert!(r.headers()["location"].to_str().unwrap().ends_with("done=complaint_invalid"));
    let (_, d) = app.get_json(&centre, &format!("/api/cases/{case_id}")).await;
    assert_eq!(d["complaints"].as_array().unwrap().len(), 1);
}
both!(complaints_are_answered_and_shown);

/// 可评价: once closed, the citizen evaluates (once); dissatisfied, they ask
/// for 复查 — it enters the workflow and the station sees it.
async fn citizens_evaluate_and_ask_for_review(app: &TestApp) {
    // A matter the agent closed with the citizen dissatisfied.
    let station = app.login("zhen1").await;
    let agent = app.login("wangge1").await;
    let (_, list) = app.get_json(&agent, "/api/cases").await;
    let case = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["stage"] == "handling" && c["agent_name"] == "巴特尔")
        .unwrap()
        .clone();
    let id = case["id"].as_i64().unwrap();
    let close = serde_json::json!({"kind": "close", "method": "in_person", "notice": "written", "opinion": "dissatisfied", "result": "已协调，维持原处理"});
    assert_eq!(app.post_json(&agent, &format!("/api/cases/{id}/commands"), &close).await.0, 200);
    let (_, d) = app.get_json(&station, &format!("/api/cases/{id}")).await;
    let (number, code) =
        (d["case"]["number"].as_str().unwrap().to_string(), d["case"]["query_code"].as_str().unwrap().to_string());
    let c = form_client();
    let (_, page) = get(app, &c, &lookup(&number, &code)).await;
    assert!(page.contains("请评价办理结果") && page.contains("已协调，维持原处理"));
    let post = |path: &'static str, opinion: &'static str| {
        c.post(app.url(path))
            .form(&[("n", number.clone()), ("c", code.clone()), ("opinion", opinion.to_string())])
            .send()
    };
    // Review before an evaluation is refused.
    let r = post("/public/case/review", "").await.unwrap();
    assert!(r.headers()["location"].to_str().unwrap().ends_with("done=review_not_allowed"));
    // A double tap records once; a second opinion changes nothing.
    for o in ["dissatisfied", "dissatisfied", "satisfied"] {
        assert_eq!(post("/public/case/opinion", o).await.unwrap().status(), 303);
    }
    let (_, d) = app.get_json(&station, &format!("/api/cases/{id}")).await;
    assert_eq!(d["citizen_opinion"], "dissatisfied");
    // The statistics count it as 参评 (the citizen's own evaluation).
    let keys: String = sqlx::Row::try_get(
        &sqlx::query("SELECT stat_keys FROM cases WHERE id = $1").bind(id).fetch_one(&app.db.pool).await.unwrap(),
        0,
    )
    .unwrap();
    assert!(keys.contains("|rated|") && keys.contains("|closed|"), "{keys}");
    let (_, page) = get(app, &c, &lookup(&number, &code)).await;
    assert!(page.contains("申请复查") && !page.contains("请评价办理结果"));
    let r = post("/public/case/review", "").await.unwrap();
    assert!(r.headers()["location"].to_str().unwrap().ends_with("done=review"), "{:?}", r.headers()["location"]);
    let (_, d) = app.get_json(&station, &format!("/api/cases/{id}")).await;
    assert_eq!(d["case"]["lifecycle"]["status"]["status"], "under_review", "{}", d["case"]["lifecycle"]);
    assert!(d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["command"]["note"] == "信访人通过查询页面申请复查/复核"));
    // A second request records nothing more.
    let r = post("/public/case/review", "").await.unwrap();
    assert!(r.headers()["location"].to_str().unwrap().ends_with("done=review_not_allowed"));
    // An open matter cannot be evaluated yet.
    let open = list.as_array().unwrap().iter().find(|c| c["stage"] == "screening").unwrap();
    let (_, d) = app.get_json(&station, &format!("/api/cases/{}", open["id"])).await;
    let r = c
        .post(app.url("/public/case/opinion"))
        .form(&[
            ("n", d["case"]["number"].as_str().unwrap()),
            ("c", d["case"]["query_code"].as_str().unwrap()),
            ("opinion", "satisfied"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.headers()["location"].to_str().unwrap().ends_with("done=opinion_not_yet"));
}
both!(citizens_evaluate_and_ask_for_review);

/// Where a phone was left, its last 4 digits open the matter too; a wrong
/// tail answers like a wrong code.
async fn a_phone_tail_opens_the_matter(app: &TestApp) {
    let row = sqlx::query("SELECT number, phone, query_code FROM cases WHERE phone IS NOT NULL ORDER BY id")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let (number, phone, code): (String, String, String) =
        (row.try_get("number").unwrap(), row.try_get("phone").unwrap(), row.try_get("query_code").unwrap());
    let c = from("192.0.2.40");
    let tail = &phone[phone.len() - 4..];
    let (s, html) = get(app, &c, &lookup(&number, tail)).await;
    assert_eq!(s, 200);
    assert!(html.contains(&number) && !html.contains(&phone), "the page never shows the phone");
    let wrong_tail = format!("{:04}", (tail.parse::<u32>().unwrap() + 1) % 10_000);
    let wrong = get(app, &c, &lookup(&number, &wrong_tail)).await;
    let wrong_code = get(app, &c, &lookup(&number, &other_code(&code))).await;
    assert_eq!(wrong.0, 404);
    assert_eq!(wrong, wrong_code);
}
both!(a_phone_tail_opens_the_matter);

/// The printable 代办单 carries every field, the query code and a QR code of
/// the public page; only handlers print it, and printing is audited.
async fn the_agency_form_prints_with_its_code(app: &TestApp) {
    let station = app.login("zhen1").await;
    let row =
        sqlx::query("SELECT id, id_number, query_code, number FROM cases WHERE id_number IS NOT NULL ORDER BY id")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    let (id, id_number, code): (i64, String, String) =
        (row.try_get("id").unwrap(), row.try_get("id_number").unwrap(), row.try_get("query_code").unwrap());
    let before = app.count("contact_reads").await;
    let r = station.get(app.url(&format!("/print/cases/{id}/agency-form"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    for must in ["信访事项代办单", "反映的问题及诉求", "信访人意见", "口头告知", "比较满意", "签字", "<svg", &id_number]
    {
        assert!(html.contains(must), "{must}");
    }
    assert!(html.contains(&format!("{} {}", &code[..4], &code[4..])));
    assert!(html.contains("/public/case?n="));
    let audited: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log WHERE action = 'case.print_agency_form'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(audited, 1);
    assert_eq!(app.count("contact_reads").await, before, "counted under its own action");
    // Not for those who do not handle it.
    let league = app.login("meng1").await;
    assert_eq!(league.get(app.url(&format!("/print/cases/{id}/agency-form"))).send().await.unwrap().status(), 403);
    let other = app.login("zhen2").await;
    assert_eq!(other.get(app.url(&format!("/print/cases/{id}/agency-form"))).send().await.unwrap().status(), 404);
}
both!(the_agency_form_prints_with_its_code);
