//! The doors an outside test found open (issue "security doors"), each tried
//! again on SQLite and PostgreSQL: authority on a case, administrators,
//! reassignment, private data on devices and session lengths, hostile text,
//! JSON errors from every layer, spreadsheet formulas, forged requests,
//! sign-in throttling, security headers, id enumeration, sync replays and
//! the API description.

use crate::common;
use common::{uuid, Kind, TestApp};
use serde_json::{json, Value};

async fn cases_of(app: &TestApp, c: &reqwest::Client) -> Vec<Value> {
    let (status, body) = app.get_json(c, "/api/cases").await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

async fn user_id(app: &TestApp, username: &str) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

async fn unit_id(app: &TestApp, name: &str) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT id FROM units WHERE name = $1")
        .bind(name)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

/// A handling case of 乌兰布和嘎查 assigned to wangge1 (巴特尔).
async fn case_of_wangge1(app: &TestApp) -> i64 {
    let station = app.login("zhen1").await;
    cases_of(app, &station)
        .await
        .into_iter()
        .find(|c| c["stage"] == "handling" && c["agent_name"] == "巴特尔")
        .expect("demo: a handling case of 巴特尔")["id"]
        .as_i64()
        .unwrap()
}

fn local_now_plus(minutes: i64) -> String {
    let t = shared::time::china_local(chrono::Utc::now()) + chrono::Duration::minutes(minutes);
    t.format("%Y-%m-%dT%H:%M").to_string()
}

fn visit(id: &str, case_id: i64, at: &str, note: &str) -> Value {
    json!({"kind": "add_visit", "visit": {"id": id, "case_id": case_id, "visited_at": at, "method": "in_person", "note": note}})
}

fn push(client: &str, changes: Vec<(u64, Value)>) -> Value {
    json!({"client_id": client, "mutations": changes.into_iter().map(|(id, change)| json!({"id": id, "change": change})).collect::<Vec<_>>()})
}

fn close_cmd() -> Value {
    json!({"kind": "close", "method": "in_person", "notice": "oral", "opinion": "satisfied", "result": "已解决"})
}

fn new_case_body(unit: i64) -> Value {
    json!({
        "unit_id": unit, "citizen_name": "格日勒·图雅", "id_number": "11010519491231002X", "phone": "13948302101",
        "address": "乌兰布和嘎查三组", "summary": "反映草场边界纠纷，请求重新勘界。", "channel": "visit",
        "source": "screening", "level": "village",
        "received_on": shared::time::china_today(chrono::Utc::now()).to_string(),
    })
}

/// 1. Only the assigned agent acts on a case; an agent takes on only what
///    they registered themselves; REST and sync alike.
async fn agents_act_only_on_their_own_matters(app: &TestApp) {
    let bater = case_of_wangge1(app).await;
    let other_agent = app.login("wangge2").await; // 李秀兰, same village
    let station = app.login("zhen1").await;
    let events = app.count("case_events").await;

    let (s, b) = app.post_json(&other_agent, &format!("/api/cases/{bater}/commands"), &close_cmd()).await;
    assert_eq!((s, b["code"].as_str()), (403, Some("forbidden")), "{b}");
    assert_eq!(b["message"], "该事项由巴特尔代办，您不能办理");
    let (s, b) = app
        .post_json(
            &other_agent,
            "/api/sync/push",
            &push(&uuid(1), vec![(1, json!({"kind": "command", "case_id": bater, "command": close_cmd()}))]),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        (b["results"][0]["status"].as_str(), b["results"][0]["code"].as_str()),
        (Some("rejected"), Some("forbidden"))
    );
    let (s, _) = app
        .post_json(
            &other_agent,
            &format!("/api/cases/{bater}/visits"),
            &visit(&uuid(2), bater, &local_now_plus(0), "顺路看看")["visit"],
        )
        .await;
    assert_eq!(s, 403, "no visits on another agent's matter either");
    assert_eq!(app.count("case_events").await, events, "nothing changed");

    // A matter the station registered: an agent cannot take it on themself
    // and so cannot reach the citizen's private details.
    let village = unit_id(app, "乌兰布和嘎查").await;
    let (s, created) = app.post_json(&station, "/api/cases", &new_case_body(village)).await;
    assert_eq!(s, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let me = user_id(app, "wangge2").await;
    let take = json!({"kind": "screen", "outcome": {"kind": "accept_agency", "agent_chosen_by_citizen": true}, "agent_id": me, "note": "我来代办"});
    let (s, b) = app.post_json(&other_agent, &format!("/api/cases/{id}/commands"), &take).await;
    assert_eq!((s, b["code"].as_str()), (403, Some("forbidden")), "{b}");
    let (_, d) = app.get_json(&other_agent, &format!("/api/cases/{id}")).await;
    assert_eq!((d["case"]["id_number"].clone(), d["case"]["phone"].clone()), (Value::Null, Value::Null));

    // A matter the agent registered at the doorstep: they screen it and take it on.
    let (s, own) = app.post_json(&other_agent, "/api/cases", &new_case_body(village)).await;
    assert_eq!(s, 201, "{own}");
    let own = own["id"].as_i64().unwrap();
    let (s, b) = app.post_json(&other_agent, &format!("/api/cases/{own}/commands"), &take).await;
    assert_eq!(s, 200, "{b}");
    let (_, d) = app.get_json(&other_agent, &format!("/api/cases/{own}")).await;
    assert_eq!(d["case"]["id_number"], "11010519491231002X");
    // … but cannot hand one to somebody else: assigning is the station's.
    let (_, second) = app.post_json(&other_agent, "/api/cases", &new_case_body(village)).await;
    let second = second["id"].as_i64().unwrap();
    let mut give = take.clone();
    give["agent_id"] = json!(user_id(app, "wangge1").await);
    let (s, b) = app.post_json(&other_agent, &format!("/api/cases/{second}/commands"), &give).await;
    assert_eq!((s, b["code"].as_str()), (403, Some("forbidden")), "{b}");
}
both!(agents_act_only_on_their_own_matters);

/// 2. Administrators manage accounts, not cases; no self-elevation; role and
///    unit changes audited with who did them.
async fn administrators_manage_accounts_not_cases(app: &TestApp) {
    let admin = app.login("admin").await;
    let admin_id = user_id(app, "admin").await;
    assert!(cases_of(app, &admin).await.is_empty(), "no case list for administrators");
    let some_case = case_of_wangge1(app).await;
    let (s, _) = app.get_json(&admin, &format!("/api/cases/{some_case}")).await;
    assert_eq!(s, 404);
    let (s, _) = app.get_json(&admin, "/api/sync/pull?cursor=0").await;
    assert_eq!(s, 200);
    let (_, pull) = app.get_json(&admin, "/api/sync/pull?cursor=0").await;
    assert!(pull["cases"].as_array().unwrap().is_empty());

    let r = admin
        .patch(app.url(&format!("/api/admin/users/{admin_id}")))
        .json(&json!({"role": "county_centre", "unit_id": unit_id(app, "阿拉善左旗").await}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "no self-elevation");
    let r = admin
        .patch(app.url(&format!("/api/admin/users/{admin_id}")))
        .json(&json!({"password": "another-password-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "own password only with the old one");

    let target = user_id(app, "cun3").await;
    let r = admin
        .patch(app.url(&format!("/api/admin/users/{target}")))
        .json(&json!({"role": "township_staff", "unit_id": unit_id(app, "巴彦浩特镇").await}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    use sqlx::Row;
    let row = sqlx::query(
        "SELECT actor_id, before, after FROM audit_log WHERE action = 'user.role_or_unit_change' AND entity_id = $1",
    )
    .bind(target.to_string())
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(row.try_get::<Option<i64>, _>(0).unwrap(), Some(admin_id));
    assert!(row.try_get::<String, _>(1).unwrap().contains("field_agent"));
    assert!(row.try_get::<String, _>(2).unwrap().contains("township_staff"));

    // Everyone changes their own password with the old one.
    let (s, _) = app
        .post_json(
            &admin,
            "/api/me/password",
            &json!({"old_password": "wrong-password", "new_password": "n3w-password"}),
        )
        .await;
    assert_eq!(s, 401);
    let (s, _) = app
        .post_json(
            &admin,
            "/api/me/password",
            &json!({"old_password": backend::workflow::demo::DEMO_PASSWORD, "new_password": "n3w-password"}),
        )
        .await;
    assert_eq!(s, 200);
}
both!(administrators_manage_accounts_not_cases);

/// 3. After a reassignment the former agent's queued changes are refused
///    naming the new agent; visits dated before it are kept. No photo on an
///    archived matter or for a refused visit.
async fn reassignment_refuses_the_former_agent(app: &TestApp) {
    let case = case_of_wangge1(app).await;
    let former = app.login("wangge1").await;
    let station = app.login("zhen1").await;
    let new_agent = user_id(app, "wangge2").await;
    let (s, b) = app
        .post_json(
            &station,
            &format!("/api/cases/{case}/commands"),
            &json!({"kind": "assign", "agent_id": new_agent, "chosen_by_citizen": false}),
        )
        .await;
    assert_eq!(s, 200, "{b}");

    let before = uuid(11);
    let after = uuid(12);
    let contact = json!({"kind": "command", "case_id": case, "command": {"kind": "contact", "method": "phone", "note": "电话告知进展"}});
    let close = json!({"kind": "command", "case_id": case, "command": close_cmd()});
    let body = push(
        &uuid(10),
        vec![
            (1, visit(&before, case, &local_now_plus(-60), "改派前的走访")),
            (2, contact),
            (3, close),
            (4, visit(&after, case, &local_now_plus(30), "改派后的走访")),
        ],
    );
    let (s, b) = app.post_json(&former, "/api/sync/push", &body).await;
    assert_eq!(s, 200);
    let r = b["results"].as_array().unwrap();
    assert_eq!(r[0]["status"], "applied", "a visit from before the reassignment is kept: {b}");
    for refused in &r[1..4] {
        assert_eq!(refused["status"], "rejected", "{b}");
        assert_eq!(refused["message"], "该事项由李秀兰代办，您不能办理");
    }

    // Photos: the refused visit's photo is refused; the kept visit's arrives.
    let jpeg = {
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F'];
        j.extend(std::iter::repeat_n(3u8, 500));
        j
    };
    let put = |c: &reqwest::Client, case: i64, att: String, visit: &str| {
        c.put(app.url(&format!("/api/cases/{case}/attachments/{att}?name=photo.jpg&visit_id={visit}")))
            .header("content-type", "image/jpeg")
            .body(jpeg.clone())
            .send()
    };
    let r = put(&former, case, uuid(13), &after).await.unwrap();
    assert_eq!(r.status(), 409);
    let e: Value = r.json().await.unwrap();
    assert!(e["message"].as_str().unwrap().contains("未被接受"), "{e}");
    assert_eq!(put(&former, case, uuid(14), &before).await.unwrap().status(), 201);

    // An archived matter takes no photo.
    let archived = cases_of(app, &station).await.into_iter().find(|c| c["stage"] == "archived");
    if let Some(a) = archived {
        let id = a["id"].as_i64().unwrap();
        let r = station
            .put(app.url(&format!("/api/cases/{id}/attachments/{}?name=scan.jpg", uuid(15))))
            .header("content-type", "image/jpeg")
            .body(jpeg.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 409);
    }
}
both!(reassignment_refuses_the_former_agent);

/// 4. A phone holds private data only for its user's own matters; desk
///    sessions are short and end when idle.
async fn devices_hold_private_data_only_for_their_own_matters(app: &TestApp) {
    for desk in ["qi1", "zhen1"] {
        let c = app.login(desk).await;
        let (_, pull) = app.get_json(&c, "/api/sync/pull?cursor=0").await;
        let cases = pull["cases"].as_array().unwrap();
        // A banner account's phone gets only its own unit's matters (none in
        // the demo data; tests/it/volume.rs), a station's its villages'.
        assert!(!cases.is_empty() || desk == "qi1");
        assert!(
            cases.iter().all(|c| c["phone"].is_null()
                && c["id_number"].is_null()
                && c["address"].is_null()
                && c["query_code"].is_null()),
            "{desk} pulled private data"
        );
    }
    let agent = app.login("wangge1").await;
    let me = user_id(app, "wangge1").await;
    let (_, pull) = app.get_json(&agent, "/api/sync/pull?cursor=0").await;
    for c in pull["cases"].as_array().unwrap() {
        if c["agent_id"].as_i64() != Some(me) {
            assert!(c["phone"].is_null() && c["id_number"].is_null(), "{c}");
        }
    }
    assert!(pull["cases"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["agent_id"].as_i64() == Some(me) && !c["phone"].is_null()));

    // Cookie lifetimes by role.
    let login = |u: &'static str| {
        app.client()
            .post(app.url("/api/login"))
            .json(&json!({"username": u, "password": backend::workflow::demo::DEMO_PASSWORD}))
            .send()
    };
    let max_age = |r: &reqwest::Response| {
        let c = r.headers()["set-cookie"].to_str().unwrap().to_string();
        c.split("Max-Age=").nth(1).unwrap().split(';').next().unwrap().parse::<i64>().unwrap()
    };
    assert_eq!(max_age(&login("qi1").await.unwrap()), 12 * 3600);
    assert_eq!(max_age(&login("wangge1").await.unwrap()), 30 * 24 * 3600);

    // Idle: a desk session unused for 3 hours is over.
    let desk = app.login("qi1").await;
    assert_eq!(app.get_json(&desk, "/api/me").await.0, 200);
    let three_hours_ago = (chrono::Utc::now() - chrono::Duration::hours(3)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    sqlx::query("UPDATE sessions SET last_seen = $1 WHERE user_id = $2")
        .bind(&three_hours_ago)
        .bind(user_id(app, "qi1").await)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let (s, b) = app.get_json(&desk, "/api/me").await;
    assert_eq!((s, b["code"].as_str()), (401, Some("unauthenticated")));
    // … while a field agent's is not (7 days).
    sqlx::query("UPDATE sessions SET last_seen = $1 WHERE user_id = $2")
        .bind(&three_hours_ago)
        .bind(me)
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(app.get_json(&agent, "/api/me").await.0, 200);
}
both!(devices_hold_private_data_only_for_their_own_matters);

/// 5. NUL and other control characters are refused with a clear message on
///    both databases, and one bad record never blocks those behind it.
async fn hostile_text_never_blocks_the_queue(app: &TestApp) {
    let agent = app.login("wangge1").await;
    let case = case_of_wangge1(app).await;
    let at = local_now_plus(-5);
    let body = push(
        &uuid(20),
        vec![
            (1, visit(&uuid(21), case, &at, "第一条")),
            (2, visit(&uuid(22), case, &at, "坏\u{0}记录")),
            (3, visit(&uuid(23), case, &at, "第三条")),
            (4, json!({"kind": "command_on_new", "client_ref": "\u{0}", "command": {"kind": "urge", "note": "催"}})),
            (5, json!({"kind": "delete_everything"})),
            (6, visit(&uuid(24), case, &at, "第六条")),
        ],
    );
    for attempt in 0..2 {
        let (s, b) = app.post_json(&agent, "/api/sync/push", &body).await;
        assert_eq!(s, 200, "attempt {attempt}: {b}");
        let st: Vec<&str> = b["results"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
        assert_eq!(st, ["applied", "rejected", "applied", "rejected", "rejected", "applied"], "{b}");
        assert_eq!(b["results"][1]["message"], "走访情况含有不允许的控制字符");
        assert_eq!(b["results"][1]["code"], "validation_failed");
    }
    let (s, b) = app
        .post_json(
            &agent,
            &format!("/api/cases/{case}/commands"),
            &json!({"kind": "contact", "method": "phone", "note": "a\u{0}b"}),
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (400, Some("validation_failed")));
    let (s, b) =
        app.post_json(&app.client(), "/api/login", &json!({"username": "wang\u{0}ge1", "password": "x"})).await;
    assert_eq!((s, b["code"].as_str()), (401, Some("bad_credentials")));
    let (s, b) = app.get_json(&agent, "/api/cases?q=%00").await;
    assert_eq!((s, b["code"].as_str()), (400, Some("validation_failed")));
    let (s, _) = app.get_json(&agent, "/api/cases/export.csv?q=%00").await;
    assert_eq!(s, 400);
}
both!(hostile_text_never_blocks_the_queue);

/// 6. Every error from every layer is JSON `{code, message}` in Chinese.
async fn every_error_is_json(app: &TestApp) {
    let agent = app.login("wangge1").await;
    for path in ["/api/cases/abc", "/api/cases/99999999999999999999999", "/api/cases/1.5"] {
        let (s, b) = app.get_json(&agent, path).await;
        assert_eq!((s, b["code"].as_str()), (400, Some("validation_failed")), "{path}: {b}");
        assert!(b["message"].as_str().unwrap().contains("编号"));
    }
    let r = agent.delete(app.url("/api/cases")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["code"], "method_not_allowed");
    assert_eq!(b["message"], "该接口不支持此请求方法");
    let r = agent.put(app.url("/api/login")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    let (s, b) = app.get_json(&agent, "/api/attachments/not-a-uuid").await;
    assert_eq!((s, b["code"].as_str()), (404, Some("not_found")));
}
both!(every_error_is_json);

/// 7. A cell a spreadsheet would run as a formula leaves neutralised.
async fn exports_neutralise_formulas(app: &TestApp) {
    let station = app.login("zhen1").await;
    let village = unit_id(app, "乌兰布和嘎查").await;
    let mut body = new_case_body(village);
    body["summary"] = json!("=HYPERLINK(\"http://evil.example\",\"点击\")");
    let (s, _) = app.post_json(&station, "/api/cases", &body).await;
    assert_eq!(s, 201);
    let mut body = new_case_body(village);
    body["summary"] = json!("@SUM(1+1)*cmd");
    app.post_json(&station, "/api/cases", &body).await;
    let csv = station.get(app.url("/api/cases/export.csv")).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"点击\"\")\""), "{csv}");
    assert!(csv.contains("\"'@SUM(1+1)*cmd\""));
    assert!(!csv.contains(",\"=") && !csv.contains(",\"@"));
}
both!(exports_neutralise_formulas);

/// 8. A state-changing request from another site is refused.
async fn cross_site_requests_are_refused(app: &TestApp) {
    let agent = app.login("wangge1").await;
    let case = case_of_wangge1(app).await;
    let events = app.count("case_events").await;
    let cmd = json!({"kind": "contact", "method": "phone", "note": "跨站伪造"});
    let send = |origin: Option<&str>, site: Option<&str>| {
        let mut r = agent.post(app.url(&format!("/api/cases/{case}/commands"))).json(&cmd);
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        if let Some(s) = site {
            r = r.header("sec-fetch-site", s);
        }
        r.send()
    };
    for (origin, site) in [(Some("http://evil.example"), None), (Some("null"), None), (None, Some("cross-site"))] {
        let r = send(origin, site).await.unwrap();
        assert_eq!(r.status(), 403, "{origin:?} {site:?}");
        let b: Value = r.json().await.unwrap();
        assert_eq!(b["code"], "forbidden");
    }
    assert_eq!(app.count("case_events").await, events, "nothing changed");
    let own = app.base.clone();
    assert_eq!(send(Some(&own), Some("same-origin")).await.unwrap().status(), 200);
    let r = app
        .client()
        .post(app.url("/api/login"))
        .header("origin", "http://evil.example")
        .json(&json!({"username": "wangge1", "password": backend::workflow::demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "no login CSRF");
}
both!(cross_site_requests_are_refused);

/// 9. Throttling per source and name: an attacker cannot lock out a real user.
async fn throttling_cannot_lock_out_a_real_user(app: &TestApp) {
    let try_login = |from: &'static str, user: String, password: &'static str| {
        app.client()
            .post(app.url("/api/login"))
            .header("x-forwarded-for", from)
            .json(&json!({"username": user, "password": password}))
            .send()
    };
    for _ in 0..5 {
        assert_eq!(try_login("192.0.2.66", "wangge1".into(), "guess").await.unwrap().status(), 401);
    }
    assert_eq!(try_login("192.0.2.66", "wangge1".into(), "guess").await.unwrap().status(), 429);
    assert_eq!(
        try_login("192.0.2.66", "wangge1".into(), backend::workflow::demo::DEMO_PASSWORD).await.unwrap().status(),
        429,
        "the guessing source stays blocked"
    );
    assert_eq!(
        try_login("192.0.2.10", "wangge1".into(), backend::workflow::demo::DEMO_PASSWORD).await.unwrap().status(),
        200,
        "the real user from elsewhere signs in"
    );
    // One source spraying many names is stopped too.
    let mut last = 0;
    for i in 0..31 {
        last = try_login("192.0.2.77", format!("nobody{i}"), "guess").await.unwrap().status().as_u16();
    }
    assert_eq!(last, 429);
}
both!(throttling_cannot_lock_out_a_real_user);

/// 10. Security headers on every answer; Secure cookie over HTTPS.
async fn security_headers_on_every_answer(app: &TestApp) {
    let c = app.client();
    for path in ["/healthz", "/api/me", "/api/openapi.json", "/robots.txt"] {
        let r = c.get(app.url(path)).send().await.unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "same-origin");
    }
    let robots = c.get(app.url("/robots.txt")).send().await.unwrap().text().await.unwrap();
    assert!(robots.contains("Disallow: /"));
    let r = c
        .post(app.url("/api/login"))
        .header("x-forwarded-proto", "https")
        .json(&json!({"username": "wangge1", "password": backend::workflow::demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(r.headers()["set-cookie"].to_str().unwrap().contains("; Secure"));
    let r = c
        .post(app.url("/api/login"))
        .json(&json!({"username": "wangge1", "password": backend::workflow::demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(!r.headers()["set-cookie"].to_str().unwrap().contains("Secure"), "plain HTTP on loopback");
}
both!(security_headers_on_every_answer);

/// 11. Writing to a case outside one's jurisdiction answers exactly like a
///     case that does not exist.
async fn ids_cannot_be_enumerated(app: &TestApp) {
    let other_township = app.login("zhen2").await;
    let case = case_of_wangge1(app).await;
    let cmd = json!({"kind": "urge", "note": "催办"});
    let (s1, b1) = app.post_json(&other_township, &format!("/api/cases/{case}/commands"), &cmd).await;
    let (s2, b2) = app.post_json(&other_township, "/api/cases/987654321/commands", &cmd).await;
    assert_eq!((s1, &b1), (s2, &b2));
    assert_eq!(s1, 404);
    let (_, p) = app
        .post_json(
            &other_township,
            "/api/sync/push",
            &push(
                &uuid(30),
                vec![
                    (1, json!({"kind": "command", "case_id": case, "command": cmd})),
                    (2, json!({"kind": "command", "case_id": 987654321, "command": cmd})),
                ],
            ),
        )
        .await;
    assert_eq!(p["results"][0]["code"], p["results"][1]["code"]);
    assert_eq!(p["results"][0]["message"], p["results"][1]["message"]);
}
both!(ids_cannot_be_enumerated);

/// 12. A reused mutation id with other content, or from another user, is
///     refused with a reason — never a silent drop, never another's answer.
async fn replays_are_checked_by_digest_and_user(app: &TestApp) {
    let agent = app.login("wangge1").await;
    let case = case_of_wangge1(app).await;
    let client = uuid(40);
    let at = local_now_plus(-5);
    let first = push(&client, vec![(1, visit(&uuid(41), case, &at, "原始内容"))]);
    let (_, b) = app.post_json(&agent, "/api/sync/push", &first).await;
    assert_eq!(b["results"][0]["status"], "applied");
    let (_, b) = app.post_json(&agent, "/api/sync/push", &first).await;
    assert_eq!(b["results"][0]["status"], "applied", "the same content replays");

    let visits = app.count("visits").await;
    let changed = push(&client, vec![(1, visit(&uuid(42), case, &at, "另一条内容"))]);
    let (_, b) = app.post_json(&agent, "/api/sync/push", &changed).await;
    assert_eq!(
        (b["results"][0]["status"].as_str(), b["results"][0]["code"].as_str()),
        (Some("rejected"), Some("conflict"))
    );
    assert!(b["results"][0]["message"].as_str().unwrap().contains("内容不同"));

    let intruder = app.login("wangge2").await;
    let (_, b) = app.post_json(&intruder, "/api/sync/push", &first).await;
    assert_eq!(
        (b["results"][0]["status"].as_str(), b["results"][0]["code"].as_str()),
        (Some("rejected"), Some("conflict"))
    );
    assert!(b["results"][0]["message"].as_str().unwrap().contains("其他用户"));
    assert_eq!(app.count("visits").await, visits, "neither was written");
}
both!(replays_are_checked_by_digest_and_user);

/// 13. The API description says what the wire does.
#[tokio::test]
async fn openapi_matches_the_wire() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let doc: Value = reqwest::get(app.url("/api/openapi.json")).await.unwrap().json().await.unwrap();
    let cat = &doc["components"]["schemas"]["ContentCategory"]["enum"];
    assert!(cat.as_array().unwrap().iter().any(|v| v == "collective_economy"), "{cat}");
    assert!(!cat.as_array().unwrap().iter().any(|v| v == "CollectiveEconomy"));
    assert_eq!(doc["components"]["securitySchemes"]["session_cookie"]["in"], "cookie");
    assert!(doc["paths"]["/api/admin/units"]["get"].is_object());
    assert_eq!(doc["paths"]["/api/login"]["post"]["security"], json!([{}]));
    assert_eq!(doc["security"], json!([{"session_cookie": []}]));
    app.finish().await;
}

/// The authorisation matrix over HTTP: who × what × relation to a case of
/// 巴特尔 (乌兰布和嘎查, 巴彦浩特镇). Every cell is an actual request; a
/// refused one changes nothing.
async fn authorisation_matrix(app: &TestApp) {
    let case = case_of_wangge1(app).await;
    let contact = json!({"kind": "contact", "method": "phone", "note": "矩阵测试"});
    let urge = json!({"kind": "urge", "note": "矩阵测试"});
    let instruct = json!({"kind": "leader_instruction", "text": "矩阵测试"});
    // (user, relation, contact, urge, leader instruction, visit, sees the ID number)
    let rows: &[(&str, &str, u16, u16, u16, u16, bool)] = &[
        ("wangge1", "assigned agent", 200, 200, 403, 201, true),
        ("wangge2", "same village", 403, 403, 403, 403, false),
        ("cun1", "other village, same township", 404, 404, 404, 404, false),
        ("cun2", "other township", 404, 404, 404, 404, false),
        ("zhen1", "township station", 200, 200, 403, 201, true),
        ("zhenld1", "township leader", 200, 200, 200, 201, true),
        ("zhen2", "other township's station", 404, 404, 404, 404, false),
        ("qi1", "banner centre", 200, 200, 200, 201, true),
        ("meng1", "league bureau", 403, 200, 200, 403, false),
        ("admin", "administrator", 404, 404, 404, 404, false),
    ];
    for (i, (user, relation, c, u, l, v, sees)) in rows.iter().enumerate() {
        let client = app.login(user).await;
        let path = format!("/api/cases/{case}/commands");
        let got = [
            app.post_json(&client, &path, &contact).await.0,
            app.post_json(&client, &path, &urge).await.0,
            app.post_json(&client, &path, &instruct).await.0,
            app.post_json(
                &client,
                &format!("/api/cases/{case}/visits"),
                &visit(&uuid(500 + i as u64), case, &local_now_plus(-1), "矩阵走访")["visit"],
            )
            .await
            .0,
        ];
        assert_eq!(got, [*c, *u, *l, *v], "{user} ({relation}): contact, urge, instruction, visit");
        let (s, d) = app.get_json(&client, &format!("/api/cases/{case}")).await;
        assert_eq!(s == 200 && d["case"]["id_number"].is_string(), *sees, "{user} ({relation}) sees the ID number");
    }
}
both!(authorisation_matrix);

/// The front end's files: content-hashed ones cached for good, the page and
/// the service worker revalidated every time; the CSP allows exactly the
/// page's inline scripts (by hash) and WebAssembly.
#[tokio::test]
async fn front_end_cache_lifetimes_and_csp() {
    // Its own server and database, not `TestApp::spawn`'s: it takes its turn.
    common::beside_others(front_end_files()).await;
}

async fn front_end_files() {
    let dist = std::env::temp_dir().join(format!("dbt-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<html><body><script type=\"module\">alert(1)</script></body></html>")
        .unwrap();
    std::fs::write(dist.join("frontend-0123456789abcdef_bg.wasm"), b"\0asm").unwrap();
    std::fs::write(dist.join("sw.js"), "self.addEventListener('fetch', () => {});").unwrap();
    let db =
        backend::startup::connect(&format!("sqlite://{}?mode=rwc", dist.join("db.sqlite").display())).await.unwrap();
    let router = backend::app(backend::ApiContext::new(db, std::env::temp_dir()), dist.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let get = |p: &str| reqwest::get(format!("{base}{p}"));
    let cc = |r: &reqwest::Response| r.headers()["cache-control"].to_str().unwrap().to_string();
    let wasm = get("/frontend-0123456789abcdef_bg.wasm").await.unwrap();
    assert_eq!(cc(&wasm), "public, max-age=31536000, immutable");
    let sw = get("/sw.js").await.unwrap();
    assert_eq!(cc(&sw), "no-cache");
    let page = get("/case/5").await.unwrap();
    assert_eq!(cc(&page), "no-cache");
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"), "{csp}");
    assert!(!csp.contains("'unsafe-inline' 'wasm") && csp.contains("script-src 'self' 'wasm-unsafe-eval'"));
    let _ = std::fs::remove_dir_all(&dist);
}
