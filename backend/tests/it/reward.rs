//! The reward fund over HTTP on SQLite and PostgreSQL: the petition record
//! decides the category, claims with their dossier, one matter one reward
//! across batches, the quarterly chain with each step's role and opinion,
//! the public notice, a complaint stopping only its claim, the budget, the
//! partial subsidy's ¥500 line, and the league's integrity flags.

use crate::common;
use chrono::Datelike;
use common::{uuid, Kind, TestApp};
use serde_json::{json, Value};
use sqlx::Row;

fn today() -> chrono::NaiveDate {
    shared::time::china_today(chrono::Utc::now())
}

fn now_local() -> String {
    shared::time::china_local(chrono::Utc::now()).format("%Y-%m-%dT%H:%M").to_string()
}

async fn user_id(app: &TestApp, username: &str) -> i64 {
    let admin = app.login("admin").await;
    let (_, users) = app.get_json(&admin, "/api/admin/users").await;
    users.as_array().unwrap().iter().find(|u| u["username"] == username).unwrap()["id"].as_i64().unwrap()
}

async fn unit_id(app: &TestApp, name: &str) -> i64 {
    let admin = app.login("admin").await;
    let (_, units) = app.get_json(&admin, "/api/admin/units").await;
    units.as_array().unwrap().iter().find(|u| u["name"] == name).unwrap()["id"].as_i64().unwrap()
}

async fn ok_cmd(app: &TestApp, c: &reqwest::Client, id: i64, cmd: Value) {
    let (s, body) = app.post_json(c, &format!("/api/cases/{id}/commands"), &cmd).await;
    assert_eq!(s, 200, "{cmd} → {body}");
}

/// A village matter registered by `agent` at `village`, handled by them,
/// with a visit (unless `visit` is false), closed, and followed up:
/// resolved (息诉罢访) or not.
pub(crate) async fn handled_case(
    app: &TestApp,
    agent: &str,
    village: &str,
    summary: &str,
    visit: bool,
    resolved: bool,
) -> i64 {
    let c = app.login(agent).await;
    let me = user_id(app, agent).await;
    let unit = unit_id(app, village).await;
    let (s, body) = app
        .post_json(
            &c,
            "/api/cases",
            &json!({"unit_id": unit, "citizen_name": "孟和", "id_number": "11010519491231002X", "summary": summary,
                    "channel": "visit", "source": "screening", "level": "village", "received_on": today().to_string()}),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    ok_cmd(app, &c, id, json!({"kind": "screen", "outcome": {"kind": "accept_agency", "agent_chosen_by_citizen": true}, "agent_id": me, "note": "受理"})).await;
    if visit {
        let v = json!({"id": uuid(id as u64 * 7 + 1), "case_id": id, "visited_at": now_local(), "method": "in_person", "note": "入户了解情况"});
        let (s, body) = app.post_json(&c, &format!("/api/cases/{id}/visits"), &v).await;
        assert_eq!(s, 201, "{body}");
    }
    ok_cmd(
        app,
        &c,
        id,
        json!({"kind": "close", "method": "phone", "notice": "oral", "opinion": "satisfied", "result": "已调解"}),
    )
    .await;
    ok_cmd(app, &c, id, json!({"kind": "follow_up", "method": "phone", "resolved": resolved, "note": "回访"})).await;
    id
}

/// Uploads one PDF per material to the matter (as its agent); the typed list.
pub(crate) async fn materials(app: &TestApp, agent: &str, case_id: i64, which: &[&str]) -> Value {
    let c = app.login(agent).await;
    let mut out = Vec::new();
    for m in which {
        let i = ALL.iter().position(|x| x == m).unwrap();
        let att = uuid(case_id as u64 * 100 + i as u64 + 50);
        let r = c
            .put(app.url(&format!("/api/cases/{case_id}/attachments/{att}?name={m}.pdf")))
            .header("content-type", "application/pdf")
            .body(format!("%PDF-1.4 {m} {case_id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        out.push(json!({"material": m, "attachment_id": att}));
    }
    Value::Array(out)
}

pub(crate) const ALL: [&str; 5] =
    ["resolution_report", "agent_details", "process_records", "payment_account", "other_evidence"];

pub(crate) fn history(year: i32, first_year: i32, key: bool, petitions: u32, appeal: bool) -> Value {
    json!({"record_year": year, "first_year": first_year, "beijing_visits": 0, "beijing_this_year": false,
           "region_visits": 0, "region_this_year": false, "league_visits": 0, "league_petitions": petitions,
           "key_matter": key, "appeal": appeal})
}

pub(crate) async fn put_history(app: &TestApp, c: &reqwest::Client, case_id: i64, h: &Value) -> (u16, Value) {
    let r = c.put(app.url(&format!("/api/reward/history/{case_id}"))).json(h).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn put_fund(app: &TestApp, c: &reqwest::Client, year: i32, budget: &str) -> (u16, Value) {
    let r = c.put(app.url(&format!("/api/reward/funds/{year}"))).json(&json!({"budget": budget})).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

pub(crate) fn claim(case_id: i64, kind: Value, account: &str, materials: &Value) -> Value {
    json!({"case_id": case_id, "claim": kind, "justification": "案结事了，信访人息诉罢访",
           "account_name": "巴特尔", "account_number": account, "materials": materials})
}

pub(crate) async fn step(
    app: &TestApp,
    c: &reqwest::Client,
    batch: i64,
    step: &str,
    treasury: Option<&str>,
) -> (u16, Value) {
    let mut body = json!({"step": step, "opinion": format!("{step}：同意")});
    if let Some(t) = treasury {
        body["treasury_ref"] = json!(t);
    }
    app.post_json(c, &format!("/api/reward/batches/{batch}/steps"), &body).await
}

/// The whole cycle through HTTP.
async fn reward_cycle(app: &TestApp) {
    let year = today().year();
    let quarter = (today().month() - 1) / 3 + 1;
    let station = app.login("zhen1").await;
    let banner = app.login("qi1").await;
    let league = app.login("meng1").await;
    let w1 = app.login("wangge1").await;

    // The fund: only the league sets it.
    assert_eq!(put_fund(app, &station, year, "5000").await.0, 403);
    let (s, fund) = put_fund(app, &league, year, "5000").await;
    assert_eq!(s, 200, "{fund}");
    assert_eq!(fund["budget_text"], "5000.00");

    // Three resolved matters of 巴彦浩特镇's villages.
    let a = handled_case(app, "wangge1", "乌兰布和嘎查", "邻户草场边界纠纷，请求重新勘界", true, true).await;
    let b = handled_case(app, "wangge2", "乌兰布和嘎查", "多年未解决的草场承包纠纷", true, true).await;
    let c = handled_case(app, "cun1", "巴彦霍德嘎查", "低保认定有异议，多次反映", true, true).await;

    // The category follows from the record.
    let (s, h) = put_history(app, &station, a, &history(year, year, false, 1, false)).await;
    assert_eq!((s, h["category"].as_str(), h["amount_text"].as_str()), (200, Some("E"), Some("200.00")), "{h}");
    let (s, h) = put_history(app, &station, b, &history(year, year - 5, true, 6, true)).await;
    assert_eq!((s, h["category"].as_str()), (200, Some("A")), "{h}");
    assert_eq!(h["reason"], "A类：跨度 5 年（5年及5年以上）的重点信访事项");
    let (s, h) = put_history(app, &station, c, &history(year, year - 1, false, 4, true)).await;
    assert_eq!((s, h["category"].as_str()), (200, Some("D")), "{h}");
    let (s, body) = put_history(app, &station, c, &json!({"record_year": year})).await;
    assert_eq!(s, 400, "incomplete record refused: {body}");
    let (s, body) = put_history(app, &banner, c, &history(year, year + 1, false, 1, false)).await;
    assert_eq!((s, body["message"].as_str()), (400, Some("首次信访年份不能晚于记录年份")));

    // Claims: the agent for their own matter, proposing D; the engine says E.
    let ma = materials(app, "wangge1", a, &ALL).await;
    let (s, ca) = app
        .post_json(
            &w1,
            "/api/reward/claims",
            &claim(a, json!({"kind": "resolved", "proposed_category": "D"}), "6228480012345678", &ma),
        )
        .await;
    assert_eq!(s, 201, "{ca}");
    assert_eq!((ca["category"].as_str(), ca["proposed_category"].as_str()), (Some("E"), Some("D")));
    assert_eq!((ca["amount_text"].as_str(), ca["account_masked"].as_str()), (Some("200.00"), Some("****5678")));
    assert_eq!(ca["materials"].as_array().unwrap().len(), 5);
    // Another agent may not claim for a matter they did not handle.
    let w2 = app.login("wangge2").await;
    let mb = materials(app, "wangge2", b, &ALL).await;
    let (s, body) =
        app.post_json(&w2, "/api/reward/claims", &claim(a, json!({"kind": "resolved"}), "6228480099990000", &ma)).await;
    assert_eq!(s, 409, "one matter, one reward: {body}");
    // The station claims for wangge2.
    let (s, cb) = app
        .post_json(&station, "/api/reward/claims", &claim(b, json!({"kind": "resolved"}), "6228480011112222", &mb))
        .await;
    assert_eq!(s, 201, "{cb}");
    assert_eq!((cb["agent_name"].as_str(), cb["amount_text"].as_str()), (Some("李秀兰"), Some("5000.00")));
    // An incomplete dossier is refused, naming what is missing; nothing is written.
    let c1 = app.login("cun1").await;
    let mc = materials(app, "cun1", c, &ALL[..3]).await;
    let (s, body) =
        app.post_json(&c1, "/api/reward/claims", &claim(c, json!({"kind": "resolved"}), "6228480033334444", &mc)).await;
    assert_eq!(s, 400, "{body}");
    assert_eq!(body["message"], "卷宗要素不全，不予补助。缺少：奖补资金发放账号信息、其他证明材料");
    let mut mc_all = mc.as_array().unwrap().clone();
    mc_all.extend(materials(app, "cun1", c, &ALL[3..]).await.as_array().unwrap().iter().cloned());
    let (s, cc) = app
        .post_json(
            &c1,
            "/api/reward/claims",
            &claim(c, json!({"kind": "resolved"}), "6228480033334444", &Value::Array(mc_all)),
        )
        .await;
    assert_eq!(s, 201, "{cc}");
    // A public employee gets no reward.
    let d = handled_case(app, "cun2", "吉兰泰嘎查", "饮水井出水不足", true, true).await;
    let zhen2 = app.login("zhen2").await;
    assert_eq!(put_history(app, &zhen2, d, &history(year, year, false, 1, false)).await.0, 200);
    let md = materials(app, "cun2", d, &ALL).await;
    let cun2 = app.login("cun2").await;
    let (s, body) = app
        .post_json(&cun2, "/api/reward/claims", &claim(d, json!({"kind": "resolved"}), "6228480055556666", &md))
        .await;
    assert_eq!(
        (s, body["message"].as_str()),
        (400, Some("机关事业单位工作人员担任代办员的，费用由所在单位报销，不予奖补"))
    );

    // The quarterly batch: only the township gathers it.
    let nb = json!({"year": year, "quarter": quarter, "opinion": "本季度申报汇总"});
    assert_eq!(app.post_json(&w1, "/api/reward/batches", &nb).await.0, 403);
    assert_eq!(app.post_json(&banner, "/api/reward/batches", &nb).await.0, 403);
    let (s, batch) = app.post_json(&station, "/api/reward/batches", &nb).await;
    assert_eq!(s, 201, "{batch}");
    let bid = batch["id"].as_i64().unwrap();
    assert_eq!(batch["claims"].as_array().unwrap().len(), 3);
    assert_eq!(batch["total_text"], "5700.00");
    // 5700 over a 5000 budget: warned before anything is committed further.
    assert_eq!(
        batch["budget_warning"],
        format!("本批次 5700.00 元加已承诺 0.00 元，超出 {year} 年预算 5000.00 元（剩余 5000.00 元）")
    );
    let (_, fund) = app.get_json(&league, &format!("/api/reward/funds/{year}")).await;
    assert_eq!((fund["committed_text"].as_str(), fund["remaining_text"].as_str()), (Some("5700.00"), Some("-700.00")));
    assert!(fund["warning"].as_str().unwrap().contains("超出"), "{fund}");
    assert_eq!(app.post_json(&station, "/api/reward/batches", &nb).await.0, 409, "one batch per quarter");

    // Township first review: not the banner, not the league.
    assert_eq!(step(app, &banner, bid, "township_review", None).await.0, 403);
    assert_eq!(step(app, &league, bid, "township_review", None).await.0, 403);
    assert_eq!(step(app, &zhen2, bid, "township_review", None).await.0, 404, "another township does not see it");
    assert_eq!(step(app, &station, bid, "publish_notice", None).await.0, 409, "review before notice");
    let (s, v) = step(app, &station, bid, "township_review", None).await;
    assert_eq!((s, v["stage"]["stage"].as_str()), (200, Some("township_reviewed")), "{v}");
    // Public notice for 5 working days.
    assert_eq!(step(app, &banner, bid, "publish_notice", None).await.0, 403);
    let (s, v) = step(app, &station, bid, "publish_notice", None).await;
    assert_eq!(s, 200, "{v}");
    let cal = backend::db::calendar::current();
    let ends = shared::deadline::reward_notice_end(&cal, today()).value;
    assert_eq!(v["stage"], json!({"stage": "in_notice", "published": today().to_string(), "ends": ends.to_string()}));
    let page = app.client().get(app.url("/public/reward-notice")).send().await.unwrap().text().await.unwrap();
    for shown in ["巴彦浩特镇", "巴特尔", "李秀兰", "其其格", "5000.00", "200.00", "A类"] {
        assert!(page.contains(shown), "notice shows {shown}");
    }
    for hidden in ["6228480012345678", "****", "11010519491231002X", "孟和"] {
        assert!(!page.contains(hidden), "notice must not show {hidden}");
    }
    assert!(page.len() < 30 * 1024);
    // The banner cannot review while the notice runs.
    let (s, body) = step(app, &banner, bid, "county_review", None).await;
    assert_eq!(s, 409, "{body}");
    assert_eq!(body["message"], format!("公示期至 {ends} 结束，公示期满后才能复审"));
    // A complaint during the notice stops that claim only.
    let cc_id = cc["id"].as_i64().unwrap();
    let complaint = json!({"text": "群众反映该事项仍在上访"});
    assert_eq!(app.post_json(&banner, &format!("/api/reward/claims/{cc_id}/complaint"), &complaint).await.0, 403);
    let (s, v) = app.post_json(&station, &format!("/api/reward/claims/{cc_id}/complaint"), &complaint).await;
    assert_eq!(s, 200, "{v}");
    let statuses: Vec<&str> = v["claims"].as_array().unwrap().iter().map(|c| c["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["in_batch", "in_batch", "stopped"]);
    assert_eq!(v["total_text"], "5200.00");
    let page = app.client().get(app.url("/public/reward-notice")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("其其格"), "a stopped claim leaves the notice");

    // The notice ends (its dates moved into the past stand for the days passing).
    let published = today() - chrono::Days::new(20);
    let ended = shared::deadline::reward_notice_end(&cal, published).value;
    sqlx::query("UPDATE reward_batches SET notice_published = $1, notice_ends = $2 WHERE id = $3")
        .bind(published.to_string())
        .bind(ended.to_string())
        .bind(bid)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let ca_id = ca["id"].as_i64().unwrap();
    let (s, body) = app.post_json(&station, &format!("/api/reward/claims/{ca_id}/complaint"), &complaint).await;
    assert_eq!(s, 409, "after the notice a complaint no longer stops a claim: {body}");

    // Banner review, league final review, payment: each by its role.
    assert_eq!(step(app, &station, bid, "county_review", None).await.0, 403);
    assert_eq!(step(app, &league, bid, "county_review", None).await.0, 403);
    assert_eq!(step(app, &league, bid, "league_approve", None).await.0, 409, "banner review first");
    assert_eq!(step(app, &banner, bid, "county_review", None).await.0, 200);
    assert_eq!(step(app, &banner, bid, "league_approve", None).await.0, 403);
    assert_eq!(step(app, &league, bid, "league_approve", None).await.0, 200);
    assert_eq!(step(app, &banner, bid, "pay", Some("GK2026-001")).await.0, 403);
    assert_eq!(step(app, &station, bid, "pay", Some("GK2026-001")).await.0, 403);
    assert_eq!(step(app, &league, bid, "pay", None).await.0, 400, "the treasury reference is required");
    // 5200 over the 5000 budget: no payment (第十五条).
    let (s, body) = step(app, &league, bid, "pay", Some("GK2026-001")).await;
    assert_eq!(s, 409, "{body}");
    assert!(body["message"].as_str().unwrap().contains("超出"), "{body}");
    assert_eq!(put_fund(app, &league, year, "100000.00").await.0, 200);
    let (s, v) = step(app, &league, bid, "pay", Some("GK2026-001")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!((v["stage"]["stage"].as_str(), v["treasury_ref"].as_str()), (Some("paid"), Some("GK2026-001")));
    assert_eq!(v["budget_warning"], Value::Null);
    let steps: Vec<(&str, &str)> = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_str().unwrap(), s["actor_role"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("create", "镇代办站"),
            ("township_review", "镇代办站"),
            ("publish_notice", "镇代办站"),
            ("complaint", "镇代办站"),
            ("county_review", "旗县代办中心"),
            ("league_approve", "盟信访局"),
            ("pay", "盟信访局")
        ]
    );
    assert!(v["steps"].as_array().unwrap().iter().all(|s| s["opinion"].as_str().is_some_and(|o| !o.is_empty())));
    let (_, fund) = app.get_json(&league, &format!("/api/reward/funds/{year}")).await;
    assert_eq!(
        (fund["paid_text"].as_str(), fund["committed_text"].as_str(), fund["remaining_text"].as_str()),
        (Some("5200.00"), Some("5200.00"), Some("94800.00"))
    );
    assert_eq!(fund["warning"], Value::Null);

    // One matter, one reward — ever: paid or stopped, no new claim; a later
    // batch has nothing to take.
    let (s, _) =
        app.post_json(&w1, "/api/reward/claims", &claim(a, json!({"kind": "resolved"}), "6228480012345678", &ma)).await;
    assert_eq!(s, 409);
    let (s, _) = app
        .post_json(&station, "/api/reward/claims", &claim(c, json!({"kind": "resolved"}), "6228480033334444", &mc))
        .await;
    assert_eq!(s, 409, "a stopped claim still counts as the matter's one claim");
    let prev = if quarter == 1 {
        json!({"year": year - 1, "quarter": 4, "opinion": "x"})
    } else {
        json!({"year": year, "quarter": quarter - 1, "opinion": "x"})
    };
    assert_eq!(app.post_json(&station, "/api/reward/batches", &prev).await.0, 409);

    // Every change is in the audit chain, and the chain holds.
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'reward.%'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    // 2 budgets, 4 records, 3 claims, 3 refused second claims, the batch,
    // its 5 steps and the complaint; refusals for the wrong role write nothing.
    assert_eq!(n, 2 + 4 + 3 + 3 + 1 + 5 + 1, "audited reward changes");
    let (s, verify) = app.get_json(&banner, "/api/audit/verify").await;
    assert_eq!((s, verify["ok"].as_bool()), (200, Some(true)), "{verify}");

    // The workbooks: the notice list for anyone who sees the batch; the
    // payment list (accounts) for the league only, audited; the year's
    // self-evaluation in seed 004's shape.
    let notice = xlsx_text(&station, &app.url(&format!("/api/reward/batches/{bid}/notice.xlsx"))).await.unwrap();
    assert!(notice.contains("巴特尔") && notice.contains("李秀兰") && !notice.contains("其其格"), "{notice}");
    assert!(!notice.contains("6228480012345678"));
    assert_eq!(xlsx_text(&station, &app.url(&format!("/api/reward/batches/{bid}/payment.xlsx"))).await, Err(403));
    let payment = xlsx_text(&league, &app.url(&format!("/api/reward/batches/{bid}/payment.xlsx"))).await.unwrap();
    assert!(payment.contains("6228480012345678") && payment.contains("国库集中支付凭证号：GK2026-001"), "{payment}");
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log WHERE action = 'reward.payment_list'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(n, 1, "the payment list's accounts are a private read");
    // The same list printed on A4: the same rule, audited again.
    let url = app.url(&format!("/print/reward/batches/{bid}/payment"));
    assert_eq!(station.get(&url).send().await.unwrap().status(), 403);
    let r = league.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    for must in ["发放清单", "6228480012345678", "国库集中支付凭证号：GK2026-001", "合计", "@page{size:A4", "审核人"]
    {
        assert!(html.contains(must), "{must}");
    }
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log WHERE action = 'reward.payment_list'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(n, 2, "the printed list is audited too");
    let url = app.url(&format!("/api/reward/funds/{year}/self-evaluation.xlsx?target=4"));
    assert_eq!(xlsx_text(&station, &url).await, Err(403));
    let eval = xlsx_text(&league, &url).await.unwrap();
    for shown in ["项目支出绩效自评表", "全年预算数（A）", "≥4件", "2件", "奖补资金当年执行完毕", "由盟信访局评定"]
    {
        assert!(eval.contains(shown), "self-evaluation shows {shown}: {eval}");
    }
}

/// The text of a workbook's cells (its shared strings), or the refusal's status.
async fn xlsx_text(c: &reqwest::Client, url: &str) -> Result<String, u16> {
    let r = c.get(url).send().await.unwrap();
    if r.status() != 200 {
        return Err(r.status().as_u16());
    }
    assert_eq!(r.headers()["content-type"], backend::api::ledger::XLSX_TYPE);
    let bytes = r.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/sharedStrings.xml").unwrap(), &mut text).unwrap();
    Ok(text)
}
both!(reward_cycle);

/// The partial subsidy's ¥500 line and the league's integrity flags.
async fn subsidy_and_flags(app: &TestApp) {
    let year = today().year();
    let station = app.login("zhen1").await;
    let league = app.login("meng1").await;
    let w1 = app.login("wangge1").await;
    let w2 = app.login("wangge2").await;

    // Not resolved, but much work done and the citizen guided elsewhere.
    let p = handled_case(app, "wangge1", "乌兰布和嘎查", "征地补偿争议，已引导走行政复议", true, false).await;
    let mp = materials(app, "wangge1", p, &ALL).await;
    let partial = |amount: &str, approval: Option<&str>| {
        let mut k = json!({"kind": "partial_subsidy", "amount": amount, "guided_to_lawful_route": true});
        if let Some(a) = approval {
            k["league_approval"] = json!(a);
        }
        claim(p, k, "6228480012345678", &mp)
    };
    let (s, body) = app.post_json(&w1, "/api/reward/claims", &partial("600", None)).await;
    assert_eq!(s, 400, "{body}");
    assert_eq!(body["message"], "酌情补贴金额应大于 0 元，原则上不超过 500 元（超过须有盟信访局批准及理由）");
    let (s, body) = app.post_json(&w1, "/api/reward/claims", &partial("300.005", None)).await;
    assert_eq!((s, body["message"].as_str()), (400, Some("金额最多保留两位小数（元、角、分）")));
    // A resolved matter cannot take the subsidy route.
    let r = handled_case(app, "wangge1", "乌兰布和嘎查", "邻里通道纠纷", false, true).await;
    let mr = materials(app, "wangge1", r, &ALL).await;
    let k = json!({"kind": "partial_subsidy", "amount": "300", "guided_to_lawful_route": true});
    let (s, body) = app.post_json(&w1, "/api/reward/claims", &claim(r, k, "6228480012345678", &mr)).await;
    assert_eq!((s, body["message"].as_str()), (400, Some("已化解的事项应按类别申请奖补，不适用酌情补贴")));
    // Nor can a category be claimed before the record is entered.
    let (s, body) =
        app.post_json(&w1, "/api/reward/claims", &claim(r, json!({"kind": "resolved"}), "6228480012345678", &mr)).await;
    assert_eq!(s, 400, "{body}");
    let (s, cp) =
        app.post_json(&w1, "/api/reward/claims", &partial("600", Some("盟信访局2026年第3号批复：工作量大"))).await;
    assert_eq!(s, 201, "{cp}");
    assert_eq!((cp["amount_text"].as_str(), cp["kind"].as_str()), (Some("600.00"), Some("partial_subsidy")));

    // Flags: r has no visit; its claim is E, then its record changes to D;
    // wangge2's claim pays into wangge1's account; a second claim on r.
    assert_eq!(put_history(app, &station, r, &history(year, year, false, 1, false)).await.0, 200);
    let (s, cr) =
        app.post_json(&w1, "/api/reward/claims", &claim(r, json!({"kind": "resolved"}), "6228480012345678", &mr)).await;
    assert_eq!(s, 201, "{cr}");
    let q = handled_case(app, "wangge2", "乌兰布和嘎查", "养老保险待遇未领取", true, true).await;
    assert_eq!(put_history(app, &station, q, &history(year, year, false, 1, false)).await.0, 200);
    let mq = materials(app, "wangge2", q, &ALL).await;
    let (s, cq) = app
        .post_json(&w2, "/api/reward/claims", &claim(q, json!({"kind": "resolved"}), "6228 4800 1234 5678", &mq))
        .await;
    assert_eq!(s, 201, "{cq}");
    assert_eq!(put_history(app, &station, r, &history(year, year - 1, false, 3, true)).await.0, 200);
    let (s, _) = app
        .post_json(&station, "/api/reward/claims", &claim(r, json!({"kind": "resolved"}), "6228480000000000", &mr))
        .await;
    assert_eq!(s, 409);

    assert_eq!(app.get_json(&station, "/api/reward/flags").await.0, 403, "the league's check");
    let (s, flags) = app.get_json(&league, "/api/reward/flags").await;
    assert_eq!(s, 200, "{flags}");
    let flags = flags.as_array().unwrap();
    let (cp, cr, cq) = (cp["id"].as_i64().unwrap(), cr["id"].as_i64().unwrap(), cq["id"].as_i64().unwrap());
    let find = |kind: &str| -> &Value {
        flags.iter().find(|f| f["kind"] == kind).unwrap_or_else(|| panic!("flag {kind} in {flags:?}"))
    };
    let dup = find("same_matter_twice");
    assert_eq!(dup["claim_ids"], json!([cr]));
    assert!(dup["evidence"].as_str().unwrap().contains("又被再次申报 1 次：张桂芳"), "{dup}");
    let shared = find("shared_account");
    assert_eq!(shared["claim_ids"], json!([cp, cr, cq]));
    assert_eq!(shared["evidence"], "账号 ****5678 为 2 位代办员收款：巴特尔、李秀兰");
    let novisit = find("no_visit_record");
    assert_eq!(novisit["claim_ids"], json!([cr]));
    let mismatch = find("amount_mismatch");
    assert_eq!(mismatch["claim_ids"], json!([cr]));
    assert!(mismatch["evidence"].as_str().unwrap().ends_with("按E类申报 200.00 元，按信访记录应为D类（500.00 元）"));
    assert_eq!(flags.len(), 4, "{flags:?}");

    // The referral to discipline inspection is recorded, once.
    let key = shared["key"].as_str().unwrap();
    let (s, f) =
        app.post_json(&league, "/api/reward/referrals", &json!({"flag_key": key, "note": "移交盟纪委监委"})).await;
    assert_eq!(s, 201, "{f}");
    assert!(f["referral"].as_str().unwrap().contains("移交纪检监察机关：移交盟纪委监委"));
    assert_eq!(app.post_json(&league, "/api/reward/referrals", &json!({"flag_key": key, "note": "x"})).await.0, 409);
    assert_eq!(
        app.post_json(&league, "/api/reward/referrals", &json!({"flag_key": "shared_account:0", "note": "x"})).await.0,
        404
    );
    let (_, flags) = app.get_json(&league, "/api/reward/flags").await;
    let referred: Vec<&Value> = flags.as_array().unwrap().iter().filter(|f| !f["referral"].is_null()).collect();
    assert_eq!(referred.len(), 1);
}
both!(subsidy_and_flags);
