//! Statistics (issue 12) over HTTP, on SQLite and PostgreSQL: a township of
//! its own (two villages, six matters driven through the real write path)
//! whose every figure is counted by hand below; the banner's and league's
//! figures move by exactly the township's; each figure's numerator drills
//! down to exactly its matters; quality inspection (质检) by the banner's
//! centre only; and the recount: the kept aggregates equal the counters
//! counted afresh from the cases (and a plain GROUP BY) after creations,
//! commands, escalation, the overdue job and inspections.

use crate::common;
use chrono::Duration;
use common::{Kind, TestApp};
use serde_json::{json, Value};
use shared::stats::month_of;

fn today() -> chrono::NaiveDate {
    shared::time::china_today(chrono::Utc::now())
}

async fn unit_id(app: &TestApp, name: &str) -> i64 {
    let admin = app.login("admin").await;
    let (_, units) = app.get_json(&admin, "/api/admin/units").await;
    units.as_array().unwrap().iter().find(|u| u["name"] == name).unwrap_or_else(|| panic!("unit {name}"))["id"]
        .as_i64()
        .unwrap()
}

async fn ok(app: &TestApp, c: &reqwest::Client, case_id: i64, cmd: Value) {
    let (s, body) = app.post_json(c, &format!("/api/cases/{case_id}/commands"), &cmd).await;
    assert_eq!(s, 200, "{cmd} → {body}");
}

/// The fixture: 统计测试镇 under the banner with two villages and a station
/// agent; returns (township, village 1, village 2, agent id).
async fn township(app: &TestApp) -> (i64, i64, i64, i64) {
    let admin = app.login("admin").await;
    let banner = unit_id(app, "阿拉善左旗").await;
    let unit = |parent: i64, kind: &'static str, name: &'static str| {
        let admin = admin.clone();
        async move {
            let (s, u) = app
                .post_json(&admin, "/api/admin/units", &json!({"parent_id": parent, "kind": kind, "name": name}))
                .await;
            assert_eq!(s, 201, "{u}");
            u["id"].as_i64().unwrap()
        }
    };
    let t = unit(banner, "township", "统计测试镇").await;
    let v1 = unit(t, "village", "统计一嘎查").await;
    let v2 = unit(t, "village", "统计二嘎查").await;
    let (s, u) = app
        .post_json(
            &admin,
            "/api/admin/users",
            &json!({"username": "tjzhen", "password": backend::workflow::demo::DEMO_PASSWORD, "display_name": "统计站员",
                    "role": "township_staff", "unit_id": t, "agent_kind": "station_agent", "full_time": true,
                    "registered": true}),
        )
        .await;
    assert_eq!(s, 201, "{u}");
    (t, v1, v2, u["id"].as_i64().unwrap())
}

async fn register(
    app: &TestApp,
    c: &reqwest::Client,
    unit: i64,
    channel: &str,
    category: Option<&str>,
    received_on: chrono::NaiveDate,
) -> i64 {
    let (s, body) = app
        .post_json(
            c,
            "/api/cases",
            &json!({
                "unit_id": unit, "citizen_name": "乌云其木格", "summary": "草场补助款未按时发放，请求核实",
                "channel": channel, "source": "citizen", "level": "village", "category": category,
                "received_on": received_on.to_string(),
            }),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    body["id"].as_i64().unwrap()
}

fn accept(agent: i64) -> Value {
    json!({"kind": "screen", "outcome": {"kind": "accept_agency", "agent_chosen_by_citizen": false}, "agent_id": agent, "note": "受理"})
}

fn close(opinion: &str) -> Value {
    json!({"kind": "close", "method": "in_person", "notice": "oral", "opinion": opinion, "result": "已协调解决"})
}

struct Fixture {
    t: i64,
    v1: i64,
    v2: i64,
    /// A, B, C, D, E, F as in [`fixture`].
    ids: [i64; 6],
    from: String,
    to: String,
}

/// Six matters, by hand:
/// - A (village 1, today, 网上, water): accepted, closed 满意, followed up
///   resolved, archived; inspected: passed.
/// - B (village 1, today, 走访, marriage): accepted, closed 不满意, 复查
///   requested, claim not reasonable → closed again.
/// - C (village 2, today, 来信, none): answered directly at screening.
/// - D (village 2, today, 来电, water): accepted, reported up to the township.
/// - E (village 2, 45 days ago, 网上, employment): screened late, closed
///   比较满意 late; inspected: failed.
/// - F (village 1, today, 网上, none): still under screening.
async fn fixture(app: &TestApp) -> Fixture {
    let (t, v1, v2, agent) = township(app).await;
    let station = app.login("tjzhen").await;
    let centre = app.login("qi1").await;
    let day = today();
    let early = day - Duration::days(45);
    let a = register(app, &station, v1, "online", Some("water"), day).await;
    let b = register(app, &station, v1, "visit", Some("marriage"), day).await;
    let c = register(app, &station, v2, "letter", None, day).await;
    let d = register(app, &station, v2, "phone", Some("water"), day).await;
    let e = register(app, &station, v2, "online", Some("employment"), early).await;
    let f = register(app, &station, v1, "online", None, day).await;
    ok(app, &station, a, accept(agent)).await;
    ok(app, &station, a, close("satisfied")).await;
    ok(
        app,
        &station,
        a,
        json!({"kind": "follow_up", "method": "phone", "resolved": true, "note": "信访人表示息诉罢访"}),
    )
    .await;
    ok(app, &station, a, json!({"kind": "archive"})).await;
    ok(app, &station, b, accept(agent)).await;
    ok(app, &station, b, close("dissatisfied")).await;
    ok(app, &station, b, json!({"kind": "request_review", "note": "信访人申请复查"})).await;
    ok(app, &station, b, json!({"kind": "review_decided", "claim_reasonable": false, "note": "维持原处理"})).await;
    ok(app, &station, c, json!({"kind": "screen", "outcome": {"kind": "direct_answer"}, "note": "当场答复"})).await;
    ok(app, &station, d, accept(agent)).await;
    ok(
        app,
        &station,
        d,
        json!({"kind": "escalate", "to": "township", "cross_region": false, "reason": "村级无法解决"}),
    )
    .await;
    ok(app, &station, e, accept(agent)).await;
    ok(app, &station, e, close("fairly_satisfied")).await;
    let (s, body) = app.post_json(&centre, "/api/stats/quality", &json!({"case_id": a, "passed": true})).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["case_id"], a);
    let (s, body) = app
        .post_json(
            &centre,
            "/api/stats/quality",
            &json!({"case_id": e, "passed": false, "reasons": "未附回访记录", "fix_asked": "补齐回访记录后报送"}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    Fixture { t, v1, v2, ids: [a, b, c, d, e, f], from: month_of(early), to: month_of(day) }
}

fn figure<'a>(stats: &'a Value, kind: &str) -> &'a Value {
    stats["figures"].as_array().unwrap().iter().find(|f| f["kind"] == kind).unwrap_or_else(|| panic!("{kind}"))
}

fn nd(stats: &Value, kind: &str) -> (i64, i64) {
    let f = figure(stats, kind);
    (f["numerator"].as_i64().unwrap(), f["denominator"].as_i64().unwrap())
}

/// A rate as sent (a decimal in a string: "0.8" or "0.80"), compared by
/// value (the values here are exact in binary too).
fn dec(v: &Value) -> f64 {
    v.as_str().unwrap_or_else(|| panic!("a rate: {v}")).parse().unwrap()
}

fn mix(stats: &Value, dim: &str, code: &str) -> i64 {
    stats["mix"][dim].as_array().unwrap().iter().find(|m| m["code"] == code).unwrap()["count"].as_i64().unwrap()
}

async fn stats(app: &TestApp, c: &reqwest::Client, unit: i64, from: &str, to: &str) -> Value {
    let (s, body) = app.get_json(c, &format!("/api/stats?unit_id={unit}&from={from}&to={to}")).await;
    assert_eq!(s, 200, "{body}");
    body
}

/// Ids of the desk list's matters behind a counter (the drill-down).
async fn drill(app: &TestApp, c: &reqwest::Client, unit: i64, key: &str, fx: &Fixture) -> Vec<i64> {
    let (first, last) = shared::stats::MonthRange::parse(&fx.from, &fx.to).unwrap().days();
    let (s, page) =
        app.get_json(c, &format!("/api/desk/cases?unit_id={unit}&stat={key}&from={first}&to={last}&limit=200")).await;
    assert_eq!(s, 200, "{page}");
    let mut ids: Vec<i64> = page["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(page["total"].as_i64().unwrap(), ids.len() as i64);
    // In the order of the list, as a plain query over the cases gives it.
    use sqlx::Row;
    let path: String = sqlx::query("SELECT path FROM units WHERE id = $1")
        .bind(unit)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    let plain: Vec<i64> = sqlx::query(
        "SELECT id FROM cases WHERE unit_path LIKE $1 AND accepted_on >= $2 AND accepted_on <= $3 \
         AND stat_keys LIKE $4 ORDER BY due_on, id",
    )
    .bind(format!("{path}%"))
    .bind(first.to_string())
    .bind(last.to_string())
    .bind(format!("%|{key}|%"))
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get(0).unwrap())
    .collect();
    assert_eq!(ids, plain, "{key}: the page's matters and their order");
    ids.sort();
    ids
}

async fn figures_counted_by_hand(app: &TestApp) {
    let centre = app.login("qi1").await;
    let bureau = app.login("meng1").await;
    let banner = unit_id(app, "阿拉善左旗").await;
    let league = unit_id(app, "阿拉善盟").await;
    let day = today();
    let (from, to) = (month_of(day - Duration::days(45)), month_of(day));
    let banner_before = stats(app, &centre, banner, &from, &to).await;
    let league_before = stats(app, &bureau, league, &from, &to).await;
    let fx = fixture(app).await;
    let [a, b, c, d, e, f] = fx.ids;
    let s = stats(app, &centre, fx.t, &fx.from, &fx.to).await;
    assert_eq!(s["unit_name"], "统计测试镇");
    // Every figure, counted by hand from the six matters above.
    assert_eq!(nd(&s, "agency"), (4, 6), "A B D E of six");
    assert_eq!(nd(&s, "online_share"), (3, 6), "A E F");
    assert_eq!(nd(&s, "closure"), (3, 4), "A B E of A B D E");
    assert_eq!(nd(&s, "resolution"), (1, 4), "A");
    assert_eq!(nd(&s, "timely_acceptance"), (4, 5), "A B C D of the five screened (E late)");
    assert_eq!(nd(&s, "on_time_closure"), (2, 3), "A B of A B E");
    assert_eq!(nd(&s, "satisfaction"), (2, 3), "A 满意, E 比较满意; B 不满意");
    assert_eq!(nd(&s, "participation"), (0, 3), "no citizen evaluated on the public page");
    assert_eq!(nd(&s, "review"), (1, 3), "B");
    assert_eq!(nd(&s, "quality_pass"), (1, 2), "A passed, E failed");
    // Rates, targets (seed 003) and whether they are met.
    let closure = figure(&s, "closure");
    assert_eq!(dec(&closure["rate"]), dec(&json!("0.75")));
    assert_eq!(dec(&closure["target"]), dec(&json!("0.8")));
    assert_eq!(closure["met"], false);
    let timely = figure(&s, "timely_acceptance");
    assert_eq!((dec(&timely["rate"]), timely["met"].as_bool()), (dec(&json!("0.8")), Some(false)));
    assert_eq!(figure(&s, "quality_pass")["met"], false);
    assert_eq!(figure(&s, "agency")["target"], Value::Null);
    // Mixes.
    assert_eq!(["online", "visit", "letter", "phone"].map(|c| mix(&s, "channel", c)), [3, 1, 1, 1], "channels");
    assert_eq!(mix(&s, "source", "citizen"), 6);
    assert_eq!(["water", "marriage", "employment", "none"].map(|c| mix(&s, "category", c)), [2, 1, 1, 2], "categories");
    assert_eq!(
        ["screening", "handling", "feedback", "follow_up", "archived"].map(|c| mix(&s, "stage", c)),
        [2, 1, 1, 1, 1],
        "C F answered/screening, D handling, B closed, E awaiting follow-up, A archived"
    );
    // Trend: E in its month, the five others in this one.
    let months = s["months"].as_array().unwrap();
    assert_eq!(months.first().unwrap()["month"], fx.from);
    assert_eq!(months.first().unwrap()["total"], 1);
    assert_eq!(months.last().unwrap()["month"], fx.to);
    assert_eq!(months.last().unwrap()["total"], 5);
    assert_eq!(months.last().unwrap()["closed"], 2, "A B");
    assert_eq!(months.iter().map(|m| m["total"].as_i64().unwrap()).sum::<i64>(), 6);
    // Ranking: village 1 closed 2 of its 2 agency matters (A B), village 2
    // 1 of 2 (E of D E).
    let ranking = s["ranking"].as_array().unwrap();
    assert_eq!(ranking.len(), 2);
    assert_eq!((ranking[0]["unit_id"].as_i64(), ranking[0]["closed"].as_i64()), (Some(fx.v1), Some(2)));
    assert_eq!(dec(&ranking[0]["closure"]), dec(&json!("1")));
    assert_eq!((ranking[1]["unit_id"].as_i64(), ranking[1]["total"].as_i64()), (Some(fx.v2), Some(3)));
    assert_eq!(dec(&ranking[1]["closure"]), dec(&json!("0.5")));
    // Open now: D and F, received today, due days ahead.
    assert_eq!(s["due"], json!({"open": 2, "due_soon": 0, "overdue": 0}));
    // Village 2 alone.
    let v2 = stats(app, &centre, fx.v2, &fx.from, &fx.to).await;
    assert_eq!(nd(&v2, "agency"), (2, 3));
    assert_eq!(nd(&v2, "closure"), (1, 2));
    assert!(v2["ranking"].as_array().unwrap().is_empty());

    // The banner and the league moved by exactly the township's counts.
    let banner_after = stats(app, &centre, banner, &from, &to).await;
    let league_after = stats(app, &bureau, league, &from, &to).await;
    for (before, after) in [(&banner_before, &banner_after), (&league_before, &league_after)] {
        for (kind, dn, dd) in [("agency", 4, 6), ("closure", 3, 4), ("quality_pass", 1, 2), ("timely_acceptance", 4, 5)]
        {
            let (n0, d0) = nd(before, kind);
            let (n1, d1) = nd(after, kind);
            assert_eq!((n1 - n0, d1 - d0), (dn, dd), "{kind}");
        }
    }
    let rank_row = banner_after["ranking"].as_array().unwrap().iter().find(|r| r["unit_id"] == fx.t).unwrap().clone();
    assert_eq!((rank_row["total"].as_i64(), rank_row["closed"].as_i64()), (Some(6), Some(3)));

    // Drill-down: each numerator and denominator lists exactly its matters.
    let sorted = |mut v: Vec<i64>| {
        v.sort();
        v
    };
    assert_eq!(drill(app, &centre, fx.t, "closed", &fx).await, sorted(vec![a, b, e]));
    assert_eq!(drill(app, &centre, fx.t, "agency", &fx).await, sorted(vec![a, b, d, e]));
    assert_eq!(drill(app, &centre, fx.t, "total", &fx).await, sorted(vec![a, b, c, d, e, f]));
    assert_eq!(drill(app, &centre, fx.t, "channel:online", &fx).await, sorted(vec![a, e, f]));
    assert_eq!(drill(app, &centre, fx.t, "screened_in_time", &fx).await, sorted(vec![a, b, c, d]));
    assert_eq!(drill(app, &centre, fx.t, "quality_passed", &fx).await, vec![a]);
    assert_eq!(drill(app, &centre, fx.t, "reviewed", &fx).await, vec![b]);
    assert_eq!(drill(app, &centre, fx.v2, "agency", &fx).await, sorted(vec![d, e]));
    let (s400, body) = app.get_json(&centre, &format!("/api/desk/cases?unit_id={}&stat=clo%25sed", fx.t)).await;
    assert_eq!(s400, 400, "{body}");

    // The inspections, listed for the centre.
    let (_, list) =
        app.get_json(&centre, &format!("/api/stats/quality?unit_id={}&from={}&to={}", fx.t, fx.from, fx.to)).await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().any(|i| i["case_id"] == e && i["passed"] == false && i["fix_asked"] == "补齐回访记录后报送"));

    // Who may read: another township's station sees nothing of this one;
    // field agents and administrators have no statistics.
    let other = app.login("zhen2").await;
    let (st, body) = app.get_json(&other, &format!("/api/stats?unit_id={}", fx.t)).await;
    assert_eq!(st, 403, "{body}");
    for who in ["wangge1", "admin"] {
        let c = app.login(who).await;
        assert_eq!(app.get_json(&c, "/api/stats").await.0, 403, "{who}");
    }
    let (st, body) = app.get_json(&centre, "/api/stats?from=2026-05&to=2026-04").await;
    assert_eq!(st, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("起始月份"), "{body}");
}
both!(figures_counted_by_hand);

async fn quality_inspection(app: &TestApp) {
    let fx = fixture(app).await;
    let [a, _b, _c, d, e, f] = fx.ids;
    let centre = app.login("qi1").await;
    let station = app.login("tjzhen").await;
    // Only the banner's centre inspects.
    let (s, body) = app.post_json(&station, "/api/stats/quality", &json!({"case_id": a, "passed": true})).await;
    assert_eq!(s, 403, "{body}");
    assert_eq!(app.get_json(&station, &format!("/api/stats/quality/sample?unit_id={}", fx.t)).await.0, 403);
    // Only closed agency matters; a failure needs its reasons and fix.
    for open in [d, f] {
        let (s, body) = app.post_json(&centre, "/api/stats/quality", &json!({"case_id": open, "passed": true})).await;
        assert_eq!(s, 409, "{body}");
    }
    let (s, body) = app.post_json(&centre, "/api/stats/quality", &json!({"case_id": e, "passed": false})).await;
    assert_eq!(s, 400, "{body}");
    // The sample: closed, not yet inspected (B only: A and E were inspected).
    let (s, sample) = app
        .get_json(&centre, &format!("/api/stats/quality/sample?unit_id={}&from={}&to={}&size=10", fx.t, fx.from, fx.to))
        .await;
    assert_eq!(s, 200, "{sample}");
    let ids: Vec<i64> = sample.as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![fx.ids[1]]);
    // Re-inspecting E after the fix: the last verdict counts.
    let (s, _) = app.post_json(&centre, "/api/stats/quality", &json!({"case_id": e, "passed": true})).await;
    assert_eq!(s, 200);
    let st = stats(app, &centre, fx.t, &fx.from, &fx.to).await;
    assert_eq!(nd(&st, "quality_pass"), (2, 2));
    let audited: i64 = sqlx::Row::try_get(
        &sqlx::query("SELECT COUNT(*) FROM audit_log WHERE action = 'case.quality_check'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap(),
        0,
    )
    .unwrap();
    assert_eq!(audited, 3);
}
both!(quality_inspection);

/// A competent department (事权单位) counts the matters transferred to it
/// with a 处置单, in its own figures only: the banner above counts each
/// matter once, where it was registered. Its figures drill down to them.
async fn a_department_counts_what_was_transferred_to_it(app: &TestApp) {
    let station = app.login("zhen1").await;
    let dept = app.login("bm1").await;
    let centre = app.login("qi1").await;
    let byht = unit_id(app, "巴彦浩特镇").await;
    let zrzy = unit_id(app, "阿拉善左旗自然资源局").await;
    let banner = unit_id(app, "阿拉善左旗").await;
    let (_, page) = app.get_json(&station, &format!("/api/desk/cases?unit_id={byht}&stage=handling&limit=50")).await;
    let case = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["handling_unit_name"].is_null())
        .expect("a demo matter handled in the township")
        .clone();
    let id = case["id"].as_i64().unwrap();
    let accepted: chrono::NaiveDate = case["accepted_on"].as_str().unwrap().parse().unwrap();
    let (from, to) = (month_of(accepted), month_of(today()));
    let dept_before = stats(app, &dept, zrzy, &from, &to).await;
    let banner_before = stats(app, &centre, banner, &from, &to).await;
    ok(
        app,
        &station,
        id,
        json!({"kind": "transfer", "unit": "", "unit_id": zrzy, "proposed_handling": "请核实草场禁牧面积"}),
    )
    .await;
    let dept_after = stats(app, &dept, zrzy, &from, &to).await;
    let banner_after = stats(app, &centre, banner, &from, &to).await;
    for kind in ["agency", "online_share", "closure"] {
        let (n0, d0) = nd(&dept_before, kind);
        let (n1, d1) = nd(&dept_after, kind);
        assert_eq!(d1 - d0, 1, "{kind}: the department's denominator grows by the matter");
        assert!(n1 - n0 <= 1);
        assert_eq!(nd(&banner_after, kind), nd(&banner_before, kind), "{kind}: the banner counts it once");
    }
    assert_eq!(nd(&dept_after, "agency").0 - nd(&dept_before, "agency").0, 1, "a matter being handled is 代办");
    // The department's drill-down lists it.
    let (first, last) = shared::stats::MonthRange::parse(&from, &to).unwrap().days();
    let (s, list) = app
        .get_json(&dept, &format!("/api/desk/cases?unit_id={zrzy}&stat=agency&from={first}&to={last}&limit=200"))
        .await;
    assert_eq!(s, 200, "{list}");
    assert!(list["items"].as_array().unwrap().iter().any(|c| c["id"] == id), "{list}");
    // Kept equal to a recount, members too.
    let mut conn = app.db.pool.acquire().await.unwrap();
    let (mut recounted, _) = backend::db::stats::recount(&mut conn).await.unwrap();
    recounted.retain(|_, n| *n != 0);
    assert_eq!(backend::db::stats::stored(&mut conn).await.unwrap(), recounted);
    assert_eq!(
        backend::db::stats::stored_members(&mut conn).await.unwrap(),
        backend::db::stats::recount_members(&mut conn).await.unwrap()
    );
}
both!(a_department_counts_what_was_transferred_to_it);

/// The kept aggregates equal a recount from the cases after creations,
/// commands, escalation, the overdue job's urging and inspections.
async fn aggregates_equal_a_recount(app: &TestApp) {
    let fx = fixture(app).await;
    let station = app.login("zhen1").await;
    // More changes on the demo's matters: escalate one up to the banner.
    let byht = unit_id(app, "巴彦浩特镇").await;
    let (_, page) = app.get_json(&station, &format!("/api/desk/cases?unit_id={byht}&stage=handling&limit=5")).await;
    let handling: Vec<i64> = page["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert!(!handling.is_empty());
    let (s, body) = app
        .post_json(
            &station,
            &format!("/api/cases/{}/commands", handling[0]),
            &json!({"kind": "escalate", "to": "county", "cross_region": false, "reason": "涉及多部门，镇级难以协调"}),
        )
        .await;
    assert!(s == 200 || s == 409, "{body}");
    // The overdue job a month from now urges every open matter.
    let report = backend::workflow::overdue::run_once(&app.db, today() + Duration::days(40)).await.unwrap();
    assert!(report.urged >= 2, "{report:?}");
    let _ = fx;

    let mut conn = app.db.pool.acquire().await.unwrap();
    let (recounted, keys) = backend::db::stats::recount(&mut conn).await.unwrap();
    let stored = backend::db::stats::stored(&mut conn).await.unwrap();
    let mut recounted = recounted;
    recounted.retain(|_, n| *n != 0);
    assert!(!stored.is_empty());
    assert_eq!(stored, recounted, "case_stats equals the recount from the cases");
    // The drill-down's members likewise, row for row.
    let members = backend::db::stats::stored_members(&mut conn).await.unwrap();
    assert!(!members.is_empty());
    assert_eq!(
        members,
        backend::db::stats::recount_members(&mut conn).await.unwrap(),
        "case_stat_members equals the recount from the cases"
    );
    // Each case carries its own keys (what the drill-down selects on).
    use sqlx::Row;
    for r in sqlx::query("SELECT id, stat_keys FROM cases").fetch_all(&mut *conn).await.unwrap() {
        let id: i64 = r.try_get("id").unwrap();
        assert_eq!(r.try_get::<String, _>("stat_keys").unwrap(), keys[&id], "case {id}");
    }
    // And, without the shared rule: a plain GROUP BY over the cases gives
    // the league's totals and channels per month.
    let league_path: String = sqlx::query("SELECT path FROM units WHERE parent_id IS NULL")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    let rows = sqlx::query(
        "SELECT SUBSTR(accepted_on, 1, 7) AS month, channel, COUNT(*) AS n FROM cases GROUP BY SUBSTR(accepted_on, 1, 7), channel",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let mut totals = std::collections::BTreeMap::<String, i64>::new();
    for r in &rows {
        let (month, channel, n): (String, String, i64) =
            (r.try_get("month").unwrap(), r.try_get("channel").unwrap(), r.try_get("n").unwrap());
        *totals.entry(month.clone()).or_default() += n;
        assert_eq!(stored.get(&(league_path.clone(), month, format!("channel:{channel}"))), Some(&n));
    }
    for (month, n) in totals {
        assert_eq!(stored.get(&(league_path.clone(), month, "total".to_string())), Some(&n));
    }
    // Open matters by due date, likewise.
    let open: i64 = sqlx::query("SELECT COUNT(*) FROM cases WHERE status IN ('screening', 'handling')")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    let kept: i64 = stored
        .iter()
        .filter(|((p, m, k), _)| p == &league_path && m.is_empty() && k.starts_with("due:"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(kept, open);
    // A rebuild from scratch gives the same table.
    drop(conn);
    backend::workflow::counters::rebuild(&app.db).await.unwrap();
    let mut conn = app.db.pool.acquire().await.unwrap();
    assert_eq!(backend::db::stats::stored(&mut conn).await.unwrap(), stored);
    assert_eq!(backend::db::stats::stored_members(&mut conn).await.unwrap(), members);
}
both!(aggregates_equal_a_recount);
