//! The 100-point village assessment, its letters, the bulletin and the
//! agents' appraisal over HTTP, on SQLite and PostgreSQL. A township of its
//! own with two villages: the matters go through the real write path, the
//! records through the API, and every part of the score is worked by hand
//! below (seed 001 附件7).

use crate::common;
use common::{Kind, TestApp};
use serde_json::{json, Value};
use sqlx::Row;

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

async fn user(app: &TestApp, username: &str, display: &str, role: &str, unit: i64, kind: Option<&str>) -> i64 {
    let admin = app.login("admin").await;
    let (s, u) = app
        .post_json(
            &admin,
            "/api/admin/users",
            &json!({"username": username, "password": backend::workflow::demo::DEMO_PASSWORD, "display_name": display,
                    "role": role, "unit_id": unit, "agent_kind": kind, "full_time": kind.is_some(),
                    "registered": kind.is_some()}),
        )
        .await;
    assert_eq!(s, 201, "{u}");
    u["id"].as_i64().unwrap()
}

async fn register(
    app: &TestApp,
    c: &reqwest::Client,
    unit: i64,
    channel: &str,
    level: &str,
    on: chrono::NaiveDate,
) -> i64 {
    let (s, body) = app
        .post_json(
            c,
            "/api/cases",
            &json!({
                "unit_id": unit, "citizen_name": "乌云其木格", "summary": "草场补助款未按时发放，请求核实",
                "channel": channel, "source": "citizen", "level": level, "category": "water",
                "received_on": on.to_string(),
            }),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    body["id"].as_i64().unwrap()
}

fn accept(agent: i64) -> Value {
    json!({"kind": "screen", "outcome": {"kind": "accept_agency", "agent_chosen_by_citizen": false}, "agent_id": agent, "note": "受理"})
}

fn dec(v: &Value) -> f64 {
    v.as_str().unwrap_or_else(|| panic!("a decimal: {v}")).parse().unwrap()
}

pub(crate) struct Fixture {
    pub(crate) t: i64,
    pub(crate) v1: i64,
    pub(crate) v2: i64,
    pub(crate) agent: i64,
    pub(crate) overdue_case: i64,
}

/// 考核测试镇 with villages 考核一嘎查 (v1) and 考核二嘎查 (v2), a station
/// clerk (khzhen) and a village agent (khcun, in v1). v1's matters, all
/// received today:
/// - A 网上: accepted, closed 满意, followed up resolved (化解);
/// - B 走访: accepted, reported up to the township, then to the banner;
/// - C 来电: answered directly at screening (not an agency matter);
/// - D 网上: accepted, being handled.
///
/// And one matter of the township itself, received 45 days ago and
/// accepted, now past its limit (the bulletin's overdue list).
pub(crate) async fn fixture(app: &TestApp) -> Fixture {
    let admin = app.login("admin").await;
    let banner = unit_id(app, "阿拉善左旗").await;
    let mut ids = vec![];
    for (parent, kind, name) in
        [(banner, "township", "考核测试镇"), (0, "village", "考核一嘎查"), (0, "village", "考核二嘎查")]
    {
        let parent = if parent == 0 { ids[0] } else { parent };
        let (s, u) =
            app.post_json(&admin, "/api/admin/units", &json!({"parent_id": parent, "kind": kind, "name": name})).await;
        assert_eq!(s, 201, "{u}");
        ids.push(u["id"].as_i64().unwrap());
    }
    let (t, v1, v2) = (ids[0], ids[1], ids[2]);
    let clerk = user(app, "khzhen", "考核站员", "township_staff", t, Some("station_agent")).await;
    let agent = user(app, "khcun", "考核代办员", "field_agent", v1, Some("grid_worker")).await;
    let station = app.login("khzhen").await;
    let day = today();
    let a = register(app, &station, v1, "online", "village", day).await;
    let b = register(app, &station, v1, "visit", "village", day).await;
    let c = register(app, &station, v1, "phone", "village", day).await;
    let d = register(app, &station, v1, "online", "village", day).await;
    ok(app, &station, a, accept(agent)).await;
    ok(
        app,
        &station,
        a,
        json!({"kind": "close", "method": "in_person", "notice": "oral", "opinion": "satisfied", "result": "已协调解决"}),
    )
    .await;
    ok(app, &station, a, json!({"kind": "follow_up", "method": "phone", "resolved": true, "note": "息诉罢访"})).await;
    ok(app, &station, b, accept(agent)).await;
    ok(
        app,
        &station,
        b,
        json!({"kind": "escalate", "to": "township", "cross_region": false, "reason": "村级无法解决"}),
    )
    .await;
    ok(app, &station, b, json!({"kind": "escalate", "to": "county", "cross_region": false, "reason": "涉及多部门"}))
        .await;
    ok(app, &station, c, json!({"kind": "screen", "outcome": {"kind": "direct_answer"}, "note": "当场答复"})).await;
    ok(app, &station, d, accept(agent)).await;
    let late = register(app, &station, t, "letter", "township", day - chrono::Duration::days(45)).await;
    ok(app, &station, late, accept(clerk)).await;
    Fixture { t, v1, v2, agent, overdue_case: late }
}

async fn entry(app: &TestApp, c: &reqwest::Client, unit: i64, kind: &str, item: Option<&str>, persons: u32) -> Value {
    let (s, e) = app
        .post_json(
            c,
            "/api/assessment/entries",
            &json!({"unit_id": unit, "kind": kind, "item": item, "persons": persons,
                    "occurred_on": today().to_string(), "note": format!("{kind} 的情况说明")}),
        )
        .await;
    assert_eq!(s, 201, "{kind} {item:?}: {e}");
    e
}

fn part(v: &Value, path: &[&str]) -> f64 {
    let mut x = v;
    for p in path {
        x = &x[*p];
    }
    dec(x)
}

async fn assessment_worked_by_hand(app: &TestApp) {
    let fx = fixture(app).await;
    let station = app.login("khzhen").await;
    let year = shared::stats::month_of(today())[..4].to_string();

    // The records of the year for v1.
    for item in ["team", "head", "leader"] {
        entry(app, &station, fx.v1, "organisation", Some(item), 1).await;
    }
    entry(app, &station, fx.v1, "organisation", Some("team"), 1).await; // the same check again counts once
    for item in ["meeting", "ledger"] {
        entry(app, &station, fx.v1, "rules", Some(item), 1).await;
    }
    entry(app, &station, fx.v1, "writeup_reported", None, 1).await;
    entry(app, &station, fx.v1, "writeup_reported", None, 1).await;
    entry(app, &station, fx.v1, "writeup_adopted", None, 1).await;
    entry(app, &station, fx.v1, "major_resolved", Some("years_unresolved"), 1).await;
    entry(app, &station, fx.v1, "timely_warning", None, 1).await;
    let beijing = entry(app, &station, fx.v1, "over_level", Some("beijing"), 1).await;
    entry(app, &station, fx.v1, "over_level", Some("region"), 1).await;
    let wrong = entry(app, &station, fx.v1, "over_level", Some("city"), 5).await;
    let (s, w) = app
        .post_json(
            &station,
            &format!("/api/assessment/entries/{}/withdraw", wrong["id"]),
            &json!({"reason": "录入有误"}),
        )
        .await;
    assert_eq!(s, 200, "{w}");
    assert_eq!(w["withdrawn"]["reason"], "录入有误");
    let (s, again) = app
        .post_json(&station, &format!("/api/assessment/entries/{}/withdraw", wrong["id"]), &json!({"reason": "再撤"}))
        .await;
    assert_eq!(s, 409, "{again}");

    let (s, v) = app.get_json(&station, &format!("/api/assessment/{}?year={year}", fx.v1)).await;
    assert_eq!(s, 200, "{v}");
    let r = &v["result"];
    // Counts from the kept counters: A B C D; agency A B D; online A D;
    // closed A; resolved A; B now at the banner.
    let c = &v["input"]["counts"];
    assert_eq!(
        [&c["total"], &c["by_agents"], &c["online"], &c["agency_closed"], &c["agency_resolved"]].map(|x| x.as_u64()),
        [Some(4), Some(3), Some(2), Some(1), Some(1)]
    );
    assert_eq!(v["escalations_counted"], json!({"to_county": 1, "to_city": 0, "to_region": 0, "to_beijing": 0}));
    assert_eq!(v["escalations_entered"], json!({"to_county": 0, "to_city": 0, "to_region": 1, "to_beijing": 1}));
    // 组织落实 3 × 2; 制度建设 2 × 2.
    assert_eq!((part(r, &["organisation"]), part(r, &["rules"])), (6.0, 4.0));
    // 代办率 3/4 → 7.5; 网访 2/4 = 50% → 0.5 / 0.7 × 10 = 7.14;
    // 办结率 1/3 → 3.33; 化解率 1/3 → 3.33.
    let perf: Vec<f64> = r["performance"].as_array().unwrap().iter().map(dec).collect();
    assert_eq!(perf, vec![7.5, 7.14, 3.33, 3.33]);
    // 加分: write-ups 2 × 0.1 + 1 = 1.2; one hard case 1; one warning 1.
    assert_eq!(
        (part(r, &["bonus_writeups"]), part(r, &["bonus_major"]), part(r, &["bonus_warnings"])),
        (1.2, 1.0, 1.0)
    );
    // 减分: 办结率 and 化解率 under 50% (−2); B to the banner −0.5; the
    // region −2; Beijing −3 (the withdrawn 5 to the league do not count).
    assert_eq!((part(r, &["deducted"]), part(r, &["deduction_part"])), (7.5, 12.5));
    // 6 + 4 + 21.30 + 1.2 + 1 + 1 + 12.5
    assert_eq!(part(r, &["total"]), 47.0);
    assert_eq!(r["grade"], "fail");
    assert_eq!((v["rank"].as_u64(), v["ranked"].as_u64()), (Some(1), Some(2)), "v2 has only the floor of 20");
    let due: Vec<(String, String, u64)> = v["letters_due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["kind"].as_str().unwrap().into(), d["key"].as_str().unwrap().into(), d["due"].as_u64().unwrap()))
        .collect();
    let want = [
        ("reminder", "rate:closure", 1),
        ("reminder", "rate:resolution", 1),
        ("accountability", "over_level:region", 1),
        ("interview", "over_level:beijing", 1),
    ];
    assert_eq!(due, want.map(|(a, b, n)| (a.to_string(), b.to_string(), n)).to_vec());
    assert_eq!(v["entries"].as_array().unwrap().len(), 14, "the withdrawn record stays listed");

    // The ranking of the township's villages.
    let (s, rows) = app.get_json(&station, &format!("/api/assessment?year={year}")).await;
    assert_eq!(s, 200, "{rows}");
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0]["unit_id"].as_i64(), rows[0]["rank"].as_u64()), (Some(fx.v1), Some(1)));
    assert_eq!(rows[0]["letters_outstanding"], 4);
    assert_eq!((rows[1]["unit_id"].as_i64(), part(&rows[1], &["result", "total"])), (Some(fx.v2), 20.0));

    // Evidence: a scan for the Beijing record, stored once, read back.
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let url =
        app.url(&format!("/api/assessment/entries/{}/evidence?name=%E7%99%BB%E8%AE%B0%E8%A1%A8.pdf", beijing["id"]));
    let up = station.post(&url).header("content-type", "application/pdf").body(pdf.clone()).send().await.unwrap();
    assert_eq!(up.status(), 201);
    let ev: Value = up.json().await.unwrap();
    assert_eq!(ev["file_name"], "登记表.pdf");
    let again = station.post(&url).header("content-type", "application/pdf").body(pdf.clone()).send().await.unwrap();
    assert_eq!(again.status(), 200, "the same file again is the same evidence");
    let lie = station.post(&url).header("content-type", "image/png").body(pdf.clone()).send().await.unwrap();
    assert_eq!(lie.status(), 415);
    let got =
        station.get(app.url(&format!("/api/assessment/evidence/{}", ev["id"].as_str().unwrap()))).send().await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().to_vec(), pdf);
    // A scan typed as a program with a right-to-left override (登记\u{202E}fdp.exe):
    // kept as the PDF it is, no override in its name.
    let mut scan = pdf.clone();
    scan.extend(b"% 2\n");
    let url =
        app.url(&format!("/api/assessment/entries/{}/evidence?name=%E7%99%BB%E8%AE%B0%E2%80%AEfdp.exe", beijing["id"]));
    let up = station.post(&url).header("content-type", "application/pdf").body(scan).send().await.unwrap();
    assert_eq!(up.status(), 201);
    let ev2: Value = up.json().await.unwrap();
    assert_eq!(ev2["file_name"], "登记fdp.pdf");
    let got = station
        .get(app.url(&format!("/api/assessment/evidence/{}", ev2["id"].as_str().unwrap())))
        .send()
        .await
        .unwrap();
    assert_eq!(got.headers()["content-disposition"], "inline; filename*=UTF-8''%E7%99%BB%E8%AE%B0fdp.pdf");
    // A name of nothing but such characters is refused.
    let url = app.url(&format!("/api/assessment/entries/{}/evidence?name=%E2%80%AE%E2%80%8B", beijing["id"]));
    let mut third = pdf.clone();
    third.extend(b"% 3\n");
    let bad = station.post(&url).header("content-type", "application/pdf").body(third).send().await.unwrap();
    assert_eq!(bad.status(), 400);

    // Letters: issue the reminder of 办结率 and the interview; the same
    // reminder again is refused; they are numbered per issuer and year.
    let (s, l1) = app
        .post_json(
            &station,
            "/api/assessment/letters",
            &json!({"unit_id": fx.v1, "year": year.parse::<i32>().unwrap(), "key": "rate:closure"}),
        )
        .await;
    assert_eq!(s, 201, "{l1}");
    assert_eq!(l1["number"], format!("考核测试镇信代函〔{year}〕1号"));
    assert_eq!(l1["kind"], "reminder");
    let (s, dup) = app
        .post_json(
            &station,
            "/api/assessment/letters",
            &json!({"unit_id": fx.v1, "year": year.parse::<i32>().unwrap(), "key": "rate:closure"}),
        )
        .await;
    assert_eq!(s, 409, "{dup}");
    let (s, none) = app
        .post_json(
            &station,
            "/api/assessment/letters",
            &json!({"unit_id": fx.v1, "year": year.parse::<i32>().unwrap(), "key": "over_level:city"}),
        )
        .await;
    assert_eq!(s, 409, "nothing due for the league: {none}");
    let (s, l2) = app
        .post_json(
            &station,
            "/api/assessment/letters",
            &json!({"unit_id": fx.v1, "year": year.parse::<i32>().unwrap(), "key": "over_level:beijing"}),
        )
        .await;
    assert_eq!(s, 201, "{l2}");
    assert_eq!(
        (l2["number"].as_str(), l2["kind"].as_str()),
        (Some(format!("考核测试镇信代函〔{year}〕2号").as_str()), Some("interview"))
    );
    // The printed letter.
    let page = station.get(app.url(&format!("/print/letters/{}", l2["id"]))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for want in
        ["约谈通知", "考核一嘎查属地信访工作联席会议召集人", "进京越级访 1 人次", "考核测试镇（盖章）", "回　执"]
    {
        assert!(html.contains(want), "{want} in the letter");
    }
    assert!(html.contains(&format!("考核测试镇信代函〔{year}〕2号")));
    // The signed receipt.
    let issued_on: chrono::NaiveDate = l2["issued_on"].as_str().unwrap().parse().unwrap();
    let (s, bad) = app
        .post_json(
            &station,
            &format!("/api/assessment/letters/{}/acknowledge", l2["id"]),
            &json!({"acknowledged_on": (issued_on - chrono::Duration::days(1)).to_string(), "signed_by": "嘎查书记 巴雅尔"}),
        )
        .await;
    assert_eq!(s, 400, "{bad}");
    let (s, acked) = app
        .post_json(
            &station,
            &format!("/api/assessment/letters/{}/acknowledge", l2["id"]),
            &json!({"acknowledged_on": issued_on.to_string(), "signed_by": "嘎查书记 巴雅尔"}),
        )
        .await;
    assert_eq!(s, 200, "{acked}");
    assert_eq!(acked["acknowledged_by"], "嘎查书记 巴雅尔");
    let (s, _) = app
        .post_json(
            &station,
            &format!("/api/assessment/letters/{}/acknowledge", l2["id"]),
            &json!({"acknowledged_on": issued_on.to_string(), "signed_by": "又一人"}),
        )
        .await;
    assert_eq!(s, 409);
    let printed =
        station.get(app.url(&format!("/print/letters/{}", l2["id"]))).send().await.unwrap().text().await.unwrap();
    assert!(printed.contains("嘎查书记 巴雅尔"), "the receipt shows who signed");
    let (_, v) = app.get_json(&station, &format!("/api/assessment/{}?year={year}", fx.v1)).await;
    assert_eq!(v["letters"].as_array().unwrap().len(), 2);
    let (_, rows) = app.get_json(&station, &format!("/api/assessment?year={year}")).await;
    assert_eq!(rows[0]["letters_outstanding"], 2);

    // A veto puts v1 last, graded 不合格 whatever its score.
    entry(app, &station, fx.v1, "veto", Some("mass_gathering"), 1).await;
    let (_, rows) = app.get_json(&station, &format!("/api/assessment?year={year}")).await;
    assert_eq!((rows[0]["unit_id"].as_i64(), rows[1]["unit_id"].as_i64()), (Some(fx.v2), Some(fx.v1)));
    assert_eq!(rows[1]["result"]["vetoed"], "mass_gathering");

    // Every change is audited.
    let audited: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'assessment.%'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    // 15 records + 1 withdrawal + 2 evidence + 2 letters + 1 receipt
    assert_eq!(audited, 21);

    bulletin_and_appraisal(app, &fx, &year).await;
}
both!(assessment_worked_by_hand);

async fn bulletin_and_appraisal(app: &TestApp, fx: &Fixture, year: &str) {
    let station = app.login("khzhen").await;
    let month = shared::stats::month_of(today());
    let (s, b) = app.get_json(&station, &format!("/api/bulletin?month={month}")).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["kind"], "month");
    assert_eq!(b["unit_id"], fx.t);
    let m: u32 = month[5..].parse().unwrap();
    assert_eq!(b["title"], format!("考核测试镇 {year} 年 {m} 月信访代办工作通报"));
    let rows = b["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0]["unit_id"].as_i64(), rows[0]["total"].as_i64(), rows[0]["closed"].as_i64()),
        (Some(fx.v1), Some(4), Some(1))
    );
    assert_eq!(rows[0]["rank"], 1);
    assert_eq!(rows[1]["total"], 0);
    // The township's own late matter is past its limit now.
    assert_eq!(b["overdue_total"], 1);
    let overdue = b["overdue"].as_array().unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["case_id"], fx.overdue_case);
    assert!(overdue[0]["days_over"].as_i64().unwrap() >= 1);
    assert!(overdue[0].get("citizen_name").is_none(), "a bulletin names no citizen");
    assert_eq!(b["assessment"].as_array().unwrap().len(), 2);
    assert_eq!(b["letters"].as_array().unwrap().len(), 2, "issued this month");
    // The year summary.
    let (s, y) = app.get_json(&station, &format!("/api/bulletin?year={year}")).await;
    assert_eq!(s, 200, "{y}");
    assert_eq!(y["kind"], "year");
    assert_eq!(y["title"], format!("考核测试镇 {year} 年信访代办工作年度汇总"));
    // Bad asks change nothing and say why.
    let (s, e) = app.get_json(&station, &format!("/api/bulletin?month={month}&year={year}")).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("validation_failed")));
    let (s, _) = app.get_json(&station, "/api/bulletin?month=2999-01").await;
    assert_eq!(s, 400);
    // Printable and as a workbook.
    let page = station.get(app.url(&format!("/print/bulletin?month={month}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("信访代办工作通报") && html.contains("考核一嘎查") && html.contains("考核测试镇信代函"));
    let x = station.get(app.url(&format!("/api/bulletin.xlsx?year={year}"))).send().await.unwrap();
    assert_eq!(x.status(), 200);
    assert!(x.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let bytes = x.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK");
    // Another township's clerk sees none of this township.
    let other = app.login("zhen2").await;
    let (s, _) = app.get_json(&other, &format!("/api/bulletin?month={month}&unit_id={}", fx.t)).await;
    assert_eq!(s, 403);

    // The appraisal: khcun handles A B D (received today): A closed on time
    // with 满意 and resolved.
    let (s, a) = app.get_json(&station, &format!("/api/appraisal?from={month}&to={month}")).await;
    assert_eq!(s, 200, "{a}");
    let agents = a["agents"].as_array().unwrap();
    assert_eq!(agents.len(), 1, "the township's field agents: {a}");
    let k = &agents[0];
    assert_eq!(k["user_id"], fx.agent);
    assert_eq!(
        ["taken", "closed", "resolved", "on_time", "opinions", "satisfied", "visits"].map(|f| k[f].as_i64().unwrap()),
        [3, 1, 1, 1, 1, 1, 0]
    );
    assert_eq!(dec(&k["on_time_rate"]), 1.0);
}

/// Who may do what: field agents see nothing; the league reads but does
/// not record; another township's clerk can neither read nor record a
/// village not theirs; a bad record is refused with the reason and
/// nothing is written.
async fn authority_and_bad_input(app: &TestApp) {
    let station = app.login("zhen1").await;
    let v = unit_id(app, "乌兰布和嘎查").await;
    let year = shared::stats::month_of(today())[..4].to_string();
    let field = app.login("wangge1").await;
    let (s, _) = app.get_json(&field, "/api/assessment").await;
    assert_eq!(s, 403);
    let league = app.login("meng1").await;
    let (s, rows) = app.get_json(&league, &format!("/api/assessment?year={year}")).await;
    assert_eq!(s, 200);
    assert!(rows.as_array().unwrap().iter().any(|r| r["unit_id"] == v), "the league sees every village");
    let body = json!({"unit_id": v, "kind": "timely_warning", "occurred_on": today().to_string(), "note": "预警"});
    let (s, _) = app.post_json(&league, "/api/assessment/entries", &body).await;
    assert_eq!(s, 403);
    let other = app.login("zhen2").await;
    let (s, _) = app.get_json(&other, &format!("/api/assessment/{v}")).await;
    assert_eq!(s, 403);
    let (s, _) = app.post_json(&other, "/api/assessment/entries", &body).await;
    assert_eq!(s, 403);
    let before = app.count("assessment_entries").await;
    for (bad, message) in [
        (
            json!({"unit_id": v, "kind": "organisation", "item": "meeting", "occurred_on": today().to_string(), "note": "x"}),
            "“meeting”不是组织落实的项目",
        ),
        (
            json!({"unit_id": v, "kind": "over_level", "item": "beijing", "persons": 0, "occurred_on": today().to_string(), "note": "x"}),
            "越级访人次应为 1–99",
        ),
        (
            json!({"unit_id": v, "kind": "timely_warning", "occurred_on": (today() + chrono::Duration::days(1)).to_string(), "note": "x"}),
            "发生日期不能晚于今天",
        ),
        (
            json!({"unit_id": v, "kind": "timely_warning", "occurred_on": today().to_string(), "note": "x", "case_number": "不存在-1"}),
            "乌兰布和嘎查没有编号为 不存在-1 的事项",
        ),
    ] {
        let (s, e) = app.post_json(&station, "/api/assessment/entries", &bad).await;
        assert_eq!((s, e["message"].as_str()), (400, Some(message)), "{bad}");
    }
    let township = unit_id(app, "巴彦浩特镇").await;
    let (s, e) = app
        .post_json(
            &station,
            "/api/assessment/entries",
            &json!({"unit_id": township, "kind": "timely_warning", "occurred_on": today().to_string(), "note": "x"}),
        )
        .await;
    assert_eq!((s, e["message"].as_str()), (400, Some("考核对象应为嘎查村（社区）")));
    assert_eq!(app.count("assessment_entries").await, before, "nothing written");

    // The demo's appraisal: each agent's visits equal a plain count.
    let this_year: i32 = year.parse().unwrap();
    let (s, a) = app.get_json(&station, &format!("/api/appraisal?from={}-01&to={year}-12", this_year - 5)).await;
    assert_eq!(s, 200, "{a}");
    for k in a["agents"].as_array().unwrap() {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM visits WHERE recorded_by = $1")
            .bind(k["user_id"].as_i64().unwrap())
            .fetch_one(&app.db.pool)
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        assert_eq!(k["visits"].as_i64().unwrap(), n, "{k}");
    }
    assert!(a["agents"].as_array().unwrap().iter().any(|k| k["visits"].as_i64().unwrap() > 0), "the demo logs visits");
}
both!(authority_and_bad_input);
