//! "At most once" under concurrent requests, and no handler waiting on the
//! pool for a second connection while it holds a write (issue 22, items 9
//! and 10), on SQLite and PostgreSQL.
//!
//! Each "once" action — a letter due, a quarter's batch, a batch step, a
//! complaint stopping a claim — is
//! sent 10 times at once with the same session: exactly one succeeds, the
//! others are refused as a conflict (409, in Chinese), none fails (500), and
//! the database holds one row. Then a server with a pool of ONE connection
//! (a wait for a second gives up after 2 s) runs the main handlers: a
//! handler that held its write and asked the pool for another connection
//! would fail at once.

use crate::common;
use crate::{assessment, reward};
use chrono::Datelike;
use common::{Kind, TestApp};
use serde_json::{json, Value};
use sqlx::Row;
use std::time::{Duration, Instant};

fn today() -> chrono::NaiveDate {
    shared::time::china_today(chrono::Utc::now())
}

/// `body` posted to `path` 10 times at once with `c`'s session: the
/// statuses and bodies.
async fn ten_at_once(app: &TestApp, c: &reqwest::Client, path: &str, body: &Value) -> Vec<(u16, Value)> {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (c, url, body) = (c.clone(), app.url(path), body.clone());
        set.spawn(async move {
            let r = c.post(url).json(&body).send().await.unwrap();
            let s = r.status().as_u16();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        });
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        out.push(r.unwrap());
    }
    out
}

/// One success (`ok`), nine conflicts with a Chinese message.
fn once(what: &str, got: &[(u16, Value)], ok: u16) {
    let statuses: Vec<u16> = got.iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses.iter().filter(|s| **s == ok).count(), 1, "{what}: one success: {got:?}");
    for (s, body) in got.iter().filter(|(s, _)| *s != ok) {
        assert_eq!(*s, 409, "{what}: the others conflict: {got:?}");
        assert_eq!(body["code"], "conflict", "{what}: {body}");
        let msg = body["message"].as_str().unwrap_or_default();
        assert!(msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{what}: Chinese message: {body}");
    }
}

async fn count(app: &TestApp, sql: &str, id: i64) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

/// A pending reward claim of 巴彦浩特镇 (zhen1's township) for this quarter.
async fn pending_claim(app: &TestApp) {
    let year = today().year();
    let station = app.login("zhen1").await;
    let w1 = app.login("wangge1").await;
    let a = reward::handled_case(app, "wangge1", "乌兰布和嘎查", "邻户草场边界纠纷，请求重新勘界", true, true).await;
    let (s, h) = reward::put_history(app, &station, a, &reward::history(year, year, false, 1, false)).await;
    assert_eq!(s, 200, "{h}");
    let ma = reward::materials(app, "wangge1", a, &reward::ALL).await;
    let (s, ca) = app
        .post_json(&w1, "/api/reward/claims", &reward::claim(a, json!({"kind": "resolved"}), "6228480012345678", &ma))
        .await;
    assert_eq!(s, 201, "{ca}");
}

async fn once_under_concurrency(app: &TestApp) {
    // A letter due once, asked for 10 times at once.
    let fx = assessment::fixture(app).await;
    let station = app.login("khzhen").await;
    let year = today().year();
    let (s, v) = app.get_json(&station, &format!("/api/assessment/{}?year={year}", fx.v1)).await;
    assert_eq!(s, 200, "{v}");
    let due = v["letters_due"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["due"] == 1 && d["issued"] == 0)
        .unwrap_or_else(|| panic!("a letter due once: {v}"))
        .clone();
    let key = due["key"].as_str().unwrap();
    let got =
        ten_at_once(app, &station, "/api/assessment/letters", &json!({"unit_id": fx.v1, "year": year, "key": key}))
            .await;
    once("letter", &got, 201);
    let letters = "SELECT COUNT(*) FROM assessment_letters WHERE unit_id = $1";
    assert_eq!(count(app, letters, fx.v1).await, 1);
    let (_, v) = app.get_json(&station, &format!("/api/assessment/{}?year={year}", fx.v1)).await;
    let d = v["letters_due"].as_array().unwrap().iter().find(|d| d["key"] == key).unwrap().clone();
    assert_eq!((d["due"].as_u64(), d["issued"].as_u64()), (Some(1), Some(1)), "{d}");

    // The quarter's batch, created 10 times at once.
    pending_claim(app).await;
    let zhen1 = app.login("zhen1").await;
    let quarter = (today().month() - 1) / 3 + 1;
    let nb = json!({"year": year, "quarter": quarter, "opinion": "本季度申报汇总"});
    let got = ten_at_once(app, &zhen1, "/api/reward/batches", &nb).await;
    once("batch", &got, 201);
    let bid = got.iter().find(|(s, _)| *s == 201).unwrap().1["id"].as_i64().unwrap();
    let t = count(app, "SELECT unit_id FROM reward_batches WHERE id = $1", bid).await;
    assert_eq!(count(app, "SELECT COUNT(*) FROM reward_batches WHERE unit_id = $1", t).await, 1);
    let steps = "SELECT COUNT(*) FROM reward_batch_steps WHERE batch_id = $1";
    assert_eq!(count(app, steps, bid).await, 1, "one 'create' step");

    // Each step of the chain, pressed 10 times at once.
    let path = format!("/api/reward/batches/{bid}/steps");
    for (n, step) in ["township_review", "publish_notice"].iter().enumerate() {
        let got = ten_at_once(app, &zhen1, &path, &json!({"step": step, "opinion": format!("{step}：同意")})).await;
        once(step, &got, 200);
        assert_eq!(count(app, steps, bid).await, 2 + n as i64, "{step} recorded once");
    }
    let (_, b) = app.get_json(&zhen1, &format!("/api/reward/batches/{bid}")).await;
    assert_eq!(b["stage"]["stage"], "in_notice", "{b}");

    // A complaint during the notice stops its claim once.
    let claim = b["claims"][0]["id"].as_i64().unwrap_or_else(|| panic!("a claim: {b}"));
    let got =
        ten_at_once(app, &zhen1, &format!("/api/reward/claims/{claim}/complaint"), &json!({"text": "申报材料不实"}))
            .await;
    once("complaint", &got, 200);
    let complaints = "SELECT COUNT(*) FROM reward_batch_steps WHERE step = 'complaint' AND claim_id = $1";
    assert_eq!(count(app, complaints, claim).await, 1);
}
both!(once_under_concurrency);

/// A request on the pool-of-one server: within the 2 s wait (plus time to
/// do the work), and never a server error.
async fn timed(app: &TestApp, c: &reqwest::Client, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let start = Instant::now();
    let req = match method {
        "GET" => c.get(app.url(path)),
        _ => c.post(app.url(path)),
    };
    let req = if let Some(b) = body { req.json(b) } else { req };
    let r = req.send().await.unwrap();
    let s = r.status().as_u16();
    let v = r.json::<Value>().await.unwrap_or(Value::Null);
    assert!(s < 500, "{method} {path}: {s} {v}");
    assert!(start.elapsed() < Duration::from_secs(2), "{method} {path} took {:?}", start.elapsed());
    (s, v)
}

async fn pool_of_one(app: &TestApp) {
    let year = today().year();
    // Sign in, lists, a case and its commands (through the fixture's
    // helpers, which require their statuses), the assessment and a letter.
    let fx = assessment::fixture(app).await;
    let station = app.login("khzhen").await;
    timed(app, &station, "GET", "/api/me", None).await;
    let (s, _) = timed(app, &station, "GET", "/api/cases", None).await;
    assert_eq!(s, 200);
    timed(app, &station, "GET", &format!("/api/cases/{}", fx.overdue_case), None).await;
    timed(app, &station, "GET", "/api/desk/inbox", None).await;
    timed(app, &station, "GET", "/api/sync/pull", None).await;
    let (s, v) = timed(app, &station, "GET", &format!("/api/assessment/{}?year={year}", fx.v1), None).await;
    assert_eq!(s, 200, "{v}");
    timed(app, &station, "GET", &format!("/api/assessment?year={year}"), None).await;
    let key = v["letters_due"][0]["key"].as_str().unwrap().to_string();
    let (s, l) = timed(
        app,
        &station,
        "POST",
        "/api/assessment/letters",
        Some(&json!({"unit_id": fx.v1, "year": year, "key": key})),
    )
    .await;
    assert_eq!(s, 201, "{l}");
    let (s, e) = timed(
        app,
        &station,
        "POST",
        "/api/assessment/entries",
        Some(&json!({"unit_id": fx.v1, "kind": "writeup_reported", "persons": 1,
                     "occurred_on": today().to_string(), "note": "经验材料上报的情况说明"})),
    )
    .await;
    assert_eq!(s, 201, "{e}");
    let (s, a) = timed(
        app,
        &station,
        "POST",
        &format!("/api/assessment/letters/{}/acknowledge", l["id"]),
        Some(&json!({"acknowledged_on": today().to_string(), "signed_by": "巴图"})),
    )
    .await;
    assert_eq!(s, 200, "{a}");
    let month = format!("{year}-{:02}", today().month());
    timed(app, &station, "GET", &format!("/api/bulletin?month={month}"), None).await;
    timed(app, &station, "GET", &format!("/api/appraisal?year={year}"), None).await;
    timed(app, &station, "GET", "/api/stats", None).await;
    // The reward chain: a claim, the batch, a step, the lists.
    pending_claim(app).await;
    let zhen1 = app.login("zhen1").await;
    let quarter = (today().month() - 1) / 3 + 1;
    let nb = json!({"year": year, "quarter": quarter, "opinion": "本季度申报汇总"});
    let (s, b) = timed(app, &zhen1, "POST", "/api/reward/batches", Some(&nb)).await;
    assert_eq!(s, 201, "{b}");
    let bid = b["id"].as_i64().unwrap();
    let step = json!({"step": "township_review", "opinion": "初审：同意"});
    let (s, v) = timed(app, &zhen1, "POST", &format!("/api/reward/batches/{bid}/steps"), Some(&step)).await;
    assert_eq!(s, 200, "{v}");
    timed(app, &zhen1, "GET", "/api/reward/batches", None).await;
    timed(app, &zhen1, "GET", "/api/reward/claims", None).await;
    timed(app, &zhen1, "GET", &format!("/api/reward/funds/{year}"), None).await;
    // The working-day calendar entered again as it is (the recount of
    // deadlines reads cases inside the write). The calendar is one per
    // process: these tests run alone, and leave it as it was.
    let admin = app.login("admin").await;
    let (s, cal) = timed(app, &admin, "GET", &format!("/api/admin/calendar/{year}"), None).await;
    assert_eq!(s, 200, "{cal}");
    let start = Instant::now();
    let r = admin.put(app.url(&format!("/api/admin/calendar/{year}"))).json(&cal["days"]).send().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert!(start.elapsed() < Duration::from_secs(2), "calendar took {:?}", start.elapsed());
    timed(app, &zhen1, "POST", "/api/logout", None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_of_one_sqlite() {
    common::alone(async {
        let app = TestApp::spawn_with_pool(Kind::Sqlite, 1, Duration::from_secs(2)).await.expect("sqlite");
        pool_of_one(&app).await;
        app.finish().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_of_one_postgres() {
    common::alone(async {
        if let Some(app) = TestApp::spawn_with_pool(Kind::Postgres, 1, Duration::from_secs(2)).await {
            pool_of_one(&app).await;
            app.finish().await;
        }
    })
    .await;
}
