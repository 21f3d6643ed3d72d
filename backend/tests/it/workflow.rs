//! The whole workflow over HTTP, on SQLite and PostgreSQL: every stage, each
//! role's permissions and jurisdiction, offline commands and their
//! rejections, attachments, the audit chain, the overdue job, administration.

use crate::common;
use common::{uuid, Kind, TestApp};
use serde_json::{json, Value};

async fn case_ids(app: &TestApp, c: &reqwest::Client) -> Vec<i64> {
    let (s, body) = app.get_json(c, "/api/cases").await;
    assert_eq!(s, 200, "{body}");
    body.as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

async fn unit_id(app: &TestApp, c: &reqwest::Client, name: &str) -> i64 {
    let (_, units) = app.get_json(c, "/api/units").await;
    units.as_array().unwrap().iter().find(|u| u["name"] == name).unwrap_or_else(|| panic!("unit {name}"))["id"]
        .as_i64()
        .unwrap()
}

async fn user_id(app: &TestApp, c: &reqwest::Client, username: &str) -> i64 {
    let (_, agents) = app.get_json(c, "/api/agents").await;
    agents.as_array().unwrap().iter().find(|u| u["username"] == username).unwrap_or_else(|| panic!("agent {username}"))
        ["id"]
        .as_i64()
        .unwrap()
}

fn intake(unit_id: i64, today: &str) -> Value {
    json!({
        "unit_id": unit_id,
        "citizen_name": "格日勒·图雅",
        "id_number": "11010519491231002X",
        "phone": "13948302101",
        "address": "乌兰布和嘎查三组",
        "summary": "反映承包草场被邻户围栏占用约二十亩，多次协商未果，请求重新勘界。",
        "brief": "草场边界纠纷",
        "channel": "visit",
        "source": "citizen",
        "level": "village",
        "category": "herding",
        "received_on": today,
    })
}

fn today() -> String {
    shared::time::china_today(chrono::Utc::now()).to_string()
}

/// Sends a command and returns (status, body).
async fn command(app: &TestApp, c: &reqwest::Client, case_id: i64, cmd: Value) -> (u16, Value) {
    app.post_json(c, &format!("/api/cases/{case_id}/commands"), &cmd).await
}

async fn ok_command(app: &TestApp, c: &reqwest::Client, case_id: i64, cmd: Value) -> Value {
    let (s, body) = command(app, c, case_id, cmd.clone()).await;
    assert_eq!(s, 200, "{cmd} → {body}");
    body
}

async fn whole_lifecycle(app: &TestApp) {
    let station = app.login("zhen1").await;
    let leader = app.login("zhenld1").await;
    let agent = app.login("wangge1").await;
    let village = unit_id(app, &station, "乌兰布和嘎查").await;
    let wangge1 = user_id(app, &station, "wangge1").await;
    let audit_before = app.count("audit_log").await;

    // 登记 with every field of the 代办单.
    let (s, case) = app.post_json(&station, "/api/cases", &intake(village, &today())).await;
    assert_eq!(s, 201, "{case}");
    let id = case["id"].as_i64().unwrap();
    assert_eq!(case["stage"], "screening");
    assert_eq!(case["lifecycle"]["status"]["status"], "screening");
    assert_eq!(case["task_group"], "natural_resources", "牧业 → 自然资源组");
    assert!(case["number"].as_str().unwrap().starts_with("阿左代〔"));
    let (_, detail) = app.get_json(&station, &format!("/api/cases/{id}")).await;
    assert_eq!(detail["case"]["id_number"], "11010519491231002X", "the station handles it");
    assert_eq!(detail["case"]["citizen_name"], "格日勒·图雅");

    // 甄别受理 → 事项办理
    let r = ok_command(
        app,
        &station,
        id,
        json!({"kind": "screen", "outcome": {"kind": "accept_agency", "agent_chosen_by_citizen": true}, "agent_id": wangge1, "note": "信访人自选代办员"}),
    )
    .await;
    assert_eq!(r["case"]["stage"], "handling");
    assert_eq!(r["case"]["agent_name"], "巴特尔");
    ok_command(app, &station, id, json!({"kind": "categorise", "category": "grazing_ban"})).await;
    ok_command(
        app,
        &station,
        id,
        json!({"kind": "transfer", "unit": "镇综合行政执法局", "proposed_handling": "请执法局会同嘎查现场勘界"}),
    )
    .await;
    // Leader opinion and instruction are the leader's: staff may not write them.
    let (s, body) = command(app, &station, id, json!({"kind": "leader_opinion", "text": "同意"})).await;
    assert_eq!((s, body["code"].as_str()), (403, Some("forbidden")));
    ok_command(app, &leader, id, json!({"kind": "leader_opinion", "text": "同意拟办意见，五个工作日内勘界"})).await;
    ok_command(app, &leader, id, json!({"kind": "leader_instruction", "text": "请抓紧办理，及时反馈"})).await;
    ok_command(app, &agent, id, json!({"kind": "urge", "note": "电话催促执法局尽快安排勘界"})).await;
    ok_command(app, &agent, id, json!({"kind": "contact", "method": "phone", "note": "告知信访人勘界安排"})).await;

    // 办结反馈: dissatisfied → 复查 → upheld → 复核 → upheld → 终结.
    let r = ok_command(
        app,
        &agent,
        id,
        json!({"kind": "close", "method": "in_person", "notice": "written", "opinion": "dissatisfied", "result": "已重新勘界，维持原边界"}),
    )
    .await;
    assert_eq!(r["case"]["stage"], "feedback");
    assert_eq!(r["case"]["opinion"], "dissatisfied");
    ok_command(app, &agent, id, json!({"kind": "request_review", "note": "信访人申请复查"})).await;
    let (s, body) =
        command(app, &agent, id, json!({"kind": "review_decided", "claim_reasonable": false, "note": "维持"})).await;
    assert_eq!(s, 403, "an agent does not decide a review: {body}");
    ok_command(
        app,
        &leader,
        id,
        json!({"kind": "review_decided", "claim_reasonable": false, "note": "复查维持原处理意见"}),
    )
    .await;
    ok_command(app, &agent, id, json!({"kind": "request_review", "note": "信访人申请复核"})).await;
    // 复核 is the level above the reviewer's: the banner centre, not the township again.
    let (s, body) =
        command(app, &leader, id, json!({"kind": "review_decided", "claim_reasonable": false, "note": "复核维持"}))
            .await;
    assert_eq!(s, 403, "{body}");
    let centre = app.login("qi1").await;
    ok_command(app, &centre, id, json!({"kind": "review_decided", "claim_reasonable": false, "note": "复核维持"}))
        .await;
    let (s, body) = command(app, &agent, id, json!({"kind": "request_review", "note": "再次申请"})).await;
    assert_eq!((s, body["code"].as_str()), (409, Some("conflict")));
    assert!(body["message"].as_str().unwrap().contains("已经过复查、复核"), "{body}");
    let r = ok_command(app, &agent, id, json!({"kind": "accept_outcome"})).await;
    assert_eq!(r["case"]["stage"], "follow_up");
    assert!(r["case"]["follow_up_due"].is_string());

    // 终结回访 → 整理归档
    ok_command(
        app,
        &agent,
        id,
        json!({"kind": "follow_up", "method": "phone", "resolved": true, "note": "信访人表示息诉罢访"}),
    )
    .await;
    let (s, _) = command(app, &agent, id, json!({"kind": "archive"})).await;
    assert_eq!(s, 403, "archiving is the station's");
    let r = ok_command(app, &station, id, json!({"kind": "archive"})).await;
    assert_eq!(r["case"]["stage"], "archived");
    assert_eq!(r["case"]["lifecycle"]["resolved"], true);
    let (s, body) = command(app, &agent, id, json!({"kind": "contact", "method": "phone", "note": "x"})).await;
    assert_eq!((s, body["code"].as_str()), (409, Some("conflict")), "nothing changes after archiving");

    let (_, detail) = app.get_json(&station, &format!("/api/cases/{id}")).await;
    let labels: Vec<&str> =
        detail["timeline"].as_array().unwrap().iter().map(|e| e["label"].as_str().unwrap()).collect();
    assert_eq!(labels.len(), 15, "{labels:?}");
    assert_eq!(labels[0], "甄别：受理代办");
    assert_eq!(labels[14], "整理归档");
    assert_eq!(detail["case"]["leader_instruction"], "请抓紧办理，及时反馈");
    assert_eq!(detail["case"]["proposed_handling"], "请执法局会同嘎查现场勘界");
    assert_eq!(detail["case"]["task_group"], "law_enforcement", "禁牧 → 综合执法组");

    // Every change is in the audit chain, and the chain holds.
    assert!(app.count("audit_log").await >= audit_before + 16, "creation and 15 commands");

    let county = app.login("qi1").await;
    let (s, v) = app.get_json(&county, "/api/audit/verify").await;
    assert_eq!(s, 200);
    assert_eq!(v["ok"], true, "{v}");

    // The ledger export has the case, without private details.
    let csv = county.get(app.url("/api/cases/export.csv")).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains("格日勒·图雅") && csv.contains("整理归档"));
    assert!(!csv.contains("13948302101") && !csv.contains("11010519491231002X"));
}
both!(whole_lifecycle);

async fn screening_outcomes_and_escalation(app: &TestApp) {
    let station = app.login("zhen1").await;
    let agent = app.login("wangge1").await;
    let village = unit_id(app, &station, "乌兰布和嘎查").await;
    async fn new_case(app: &TestApp, station: &reqwest::Client, village: i64) -> i64 {
        let (s, c) = app.post_json(station, "/api/cases", &intake(village, &today())).await;
        assert_eq!(s, 201);
        c["id"].as_i64().unwrap()
    }
    // Told the legal route: done at screening (by the station, which
    // registered it), then archived.
    let id = new_case(app, &station, village).await;
    ok_command(app, &station, id, json!({"kind": "screen", "outcome": {"kind": "legal_route", "route": "litigation"}, "note": "告知可向人民法院起诉"}))
        .await
        .to_string();
    let id2 = new_case(app, &station, village).await;
    let r = ok_command(app, &station, id2, json!({"kind": "screen", "outcome": {"kind": "not_taken", "reason": "in_judicial_proceedings"}, "note": "已起诉"})).await;
    assert_eq!(r["case"]["lifecycle"]["status"]["status"], "redirected");
    ok_command(app, &station, id2, json!({"kind": "archive"})).await;
    // Accepting needs an agent.
    let id3 = new_case(app, &station, village).await;
    let (s, body) = command(
        app,
        &station,
        id3,
        json!({"kind": "screen", "outcome": {"kind": "accept_agency", "agent_chosen_by_citizen": false}, "note": "x"}),
    )
    .await;
    assert_eq!((s, body["message"].as_str()), (400, Some("受理代办须指定代办员")));
    let other_agent = user_id(app, &app.login("qi1").await, "cun2").await;
    let (s, body) = command(
        app,
        &station,
        id3,
        json!({"kind": "screen", "outcome": {"kind": "accept_agency", "agent_chosen_by_citizen": false}, "agent_id": other_agent, "note": "x"}),
    )
    .await;
    assert_eq!((s, body["message"].as_str()), (400, Some("只能指派本单位或上级单位的代办员")), "{body}");
    let wangge2 = user_id(app, &station, "wangge2").await;
    ok_command(app, &station, id3, json!({"kind": "screen", "outcome": {"kind": "accept_agency", "agent_chosen_by_citizen": false}, "agent_id": wangge2, "note": "指派"})).await;
    // From here the matter is 李秀兰's; 巴特尔 of the same village may not act on it.
    let (s, _) =
        command(app, &agent, id3, json!({"kind": "escalate", "to": "township", "cross_region": false, "reason": "x"}))
            .await;
    assert_eq!(s, 403);
    let agent = app.login("wangge2").await;
    // Escalation: one level at a time, or straight to the city when cross-region.
    let (s, body) = command(
        app,
        &agent,
        id3,
        json!({"kind": "escalate", "to": "county", "cross_region": false, "reason": "村级无法解决"}),
    )
    .await;
    assert_eq!((s, body["code"].as_str()), (409, Some("conflict")), "{body}");
    let r = ok_command(
        app,
        &agent,
        id3,
        json!({"kind": "escalate", "to": "township", "cross_region": false, "reason": "村级无法解决"}),
    )
    .await;
    assert_eq!(r["case"]["lifecycle"]["level"], "township");
    assert_eq!(r["case"]["level"], "township", "the township's 15-day limit now applies");
    let r = ok_command(
        app,
        &station,
        id3,
        json!({"kind": "escalate", "to": "city", "cross_region": true, "reason": "涉及跨旗区"}),
    )
    .await;
    assert_eq!(r["case"]["lifecycle"]["level"], "city");
}
both!(screening_outcomes_and_escalation);

async fn every_role_sees_only_its_jurisdiction(app: &TestApp) {
    let county = app.login("qi1").await;
    let all = case_ids(app, &county).await;
    let (_, all_cases) = app.get_json(&county, "/api/cases").await;
    let unit_of = |id: i64| {
        all_cases.as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()["unit_name"].as_str().unwrap().to_string()
    };
    let agent_of = |id: i64| {
        all_cases.as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()["agent_name"].as_str().map(str::to_string)
    };
    // (user, their name, the units whose cases they see; plus any case assigned to them)
    let expect: &[(&str, &str, &[&str])] = &[
        ("wangge1", "巴特尔", &["乌兰布和嘎查"]),
        ("wangge2", "李秀兰", &["乌兰布和嘎查"]),
        ("cun1", "其其格", &["巴彦霍德嘎查"]),
        ("cun2", "王建国", &["吉兰泰嘎查"]),
        ("cun3", "那仁高娃", &["哈图呼都格嘎查"]),
        ("zhen1", "张桂芳", &["巴彦浩特镇", "乌兰布和嘎查", "巴彦霍德嘎查"]),
        ("zhenld1", "额尔敦·巴雅尔", &["巴彦浩特镇", "乌兰布和嘎查", "巴彦霍德嘎查"]),
        ("zhen2", "刘红", &["吉兰泰镇", "吉兰泰嘎查", "哈图呼都格嘎查"]),
    ];
    for (username, name, units) in expect {
        let c = app.login(username).await;
        let mine = case_ids(app, &c).await;
        assert!(!mine.is_empty(), "{username}");
        for id in &mine {
            let assigned = agent_of(*id).as_deref() == Some(*name);
            assert!(
                units.contains(&unit_of(*id).as_str()) || assigned,
                "{username} sees case {id} of {}",
                unit_of(*id)
            );
        }
        // Everything of their units is there.
        let expected = all
            .iter()
            .filter(|id| units.contains(&unit_of(**id).as_str()) || agent_of(**id).as_deref() == Some(*name))
            .count();
        assert_eq!(mine.len(), expected, "{username}");
        let outside: Vec<i64> = all.iter().copied().filter(|id| !mine.contains(id)).collect();
        assert!(!outside.is_empty());
        for id in outside.iter().take(3) {
            let (s, _) = app.get_json(&c, &format!("/api/cases/{id}")).await;
            assert_eq!(s, 404, "{username} reading case {id}");
            let (s, b) = command(app, &c, *id, json!({"kind": "urge", "note": "越权催办"})).await;
            assert!(s == 403 || s == 404, "{username} commanding case {id}: {s} {b}");
        }
        // Search, export and pull leak nothing either.
        let (_, found) = app.get_json(&c, "/api/cases?q=%E8%8D%89%E5%9C%BA").await;
        assert!(found.as_array().unwrap().iter().all(|x| mine.contains(&x["id"].as_i64().unwrap())));
        let csv = c.get(app.url("/api/cases/export.csv")).send().await.unwrap().text().await.unwrap();
        assert_eq!(csv.lines().count(), mine.len() + 1, "{username}'s export");
        let (_, pull) = app.get_json(&c, "/api/sync/pull?cursor=0").await;
        let pulled: Vec<i64> = pull["cases"].as_array().unwrap().iter().map(|x| x["id"].as_i64().unwrap()).collect();
        assert!(pulled.iter().all(|id| mine.contains(id)), "{username}'s pull");
        assert!(pull["timeline"].as_array().unwrap().iter().all(|e| mine.contains(&e["case_id"].as_i64().unwrap())));
    }
    // The league sees everything, but no private details.
    let league = app.login("meng1").await;
    let (s, d) = app.get_json(&league, &format!("/api/cases/{}", all[0])).await;
    assert_eq!(s, 200);
    assert!(d["case"]["phone"].is_null() && d["case"]["id_number"].is_null());
    // Administrators manage accounts, not cases: no case is theirs to read or act on.
    let admin = app.login("admin").await;
    let (s, _) = app.get_json(&admin, &format!("/api/cases/{}", all[0])).await;
    assert_eq!(s, 404);
    let (s, _) = command(app, &admin, all[0], json!({"kind": "urge", "note": "x"})).await;
    assert_eq!(s, 404);
}
both!(every_role_sees_only_its_jurisdiction);

fn push(client: &str, muts: Vec<(u64, Value)>) -> Value {
    json!({"client_id": client, "mutations": muts.into_iter().map(|(id, change)| json!({"id": id, "change": change})).collect::<Vec<_>>()})
}

async fn offline_commands_conflicts_and_new_matters(app: &TestApp) {
    // Two phones of the assigned agent.
    let a = app.login("wangge1").await;
    let b = app.login("wangge1").await;
    let station = app.login("zhen1").await;
    let (_, cases) = app.get_json(&a, "/api/cases").await;
    let case = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["stage"] == "handling" && c["unit_name"] == "乌兰布和嘎查" && c["agent_name"] == "巴特尔")
        .unwrap();
    let id = case["id"].as_i64().unwrap();

    // Two devices close the same case offline; the server takes the first, refuses the second.
    let close = |note: &str| json!({"kind": "command", "case_id": id, "command": {"kind": "close", "method": "in_person", "notice": "oral", "opinion": "satisfied", "result": note}});
    let (_, ra) = app.post_json(&a, "/api/sync/push", &push(&uuid(1), vec![(1, close("甲设备办结"))])).await;
    let (_, rb) = app.post_json(&b, "/api/sync/push", &push(&uuid(2), vec![(1, close("乙设备办结")), (2, json!({"kind": "command", "case_id": id, "command": {"kind": "contact", "method": "phone", "note": "乙设备电话沟通"}}))])).await;
    assert_eq!(ra["results"][0]["status"], "applied");
    assert_eq!(rb["results"][0]["status"], "rejected");
    assert_eq!(rb["results"][0]["code"], "conflict");
    assert!(rb["results"][0]["message"].as_str().unwrap().contains("只有办理中的事项才能办结反馈"), "{rb}");
    assert_eq!(rb["results"][1]["status"], "applied", "appended records are kept");
    let (_, d) = app.get_json(&station, &format!("/api/cases/{id}")).await;
    assert_eq!(d["case"]["result"], "甲设备办结");

    // Desk-only commands are refused from the phone queue.
    let (_, r) = app
        .post_json(
            &a,
            "/api/sync/push",
            &push(&uuid(1), vec![(2, json!({"kind": "command", "case_id": id, "command": {"kind": "archive"}}))]),
        )
        .await;
    assert_eq!(
        (r["results"][0]["status"].as_str(), r["results"][0]["code"].as_str()),
        (Some("rejected"), Some("forbidden"))
    );

    // A new matter found by screening, created offline, with its outcome; re-sent: still one case.
    let village = unit_id(app, &station, "乌兰布和嘎查").await;
    let me = user_id(app, &station, "wangge1").await;
    let client_ref = uuid(77);
    let mut new = intake(village, &today());
    new["client_ref"] = json!(client_ref);
    new["source"] = json!("screening");
    let batch = push(
        &uuid(3),
        vec![
            (1, json!({"kind": "create_case", "case": new})),
            (
                2,
                json!({"kind": "command_on_new", "client_ref": client_ref, "command": {"kind": "screen", "outcome": {"kind": "accept_agency", "agent_chosen_by_citizen": false}, "agent_id": me, "note": "排查发现，群众同意代办"}}),
            ),
        ],
    );
    let before = app.count("cases").await;
    let (_, r1) = app.post_json(&a, "/api/sync/push", &batch).await;
    assert_eq!(r1["results"][0]["status"], "applied", "{r1}");
    assert_eq!(r1["results"][1]["status"], "applied", "{r1}");
    let (_, r2) = app.post_json(&a, "/api/sync/push", &batch).await;
    assert_eq!(r2, r1);
    // The same matter from another device's queue (a lost answer, a reinstall) is still one case.
    let (_, r3) = app
        .post_json(&a, "/api/sync/push", &push(&uuid(4), vec![(1, json!({"kind": "create_case", "case": new}))]))
        .await;
    assert_eq!(r3["results"][0]["status"], "applied");
    assert_eq!(app.count("cases").await, before + 1);
    let (_, pull) = app.get_json(&a, "/api/sync/pull?cursor=0").await;
    let created =
        pull["cases"].as_array().unwrap().iter().find(|c| c["client_ref"] == json!(client_ref)).expect("pulled back");
    assert_eq!(created["stage"], "handling");
    assert_eq!(created["source"], "screening");
    assert_eq!(created["phone"], "13948302101", "the assigned agent gets the contact offline");
}
both!(offline_commands_conflicts_and_new_matters);

async fn attachments(app: &TestApp) {
    let agent = app.login("wangge1").await;
    let other = app.login("zhen2").await;
    let (_, cases) = app.get_json(&agent, "/api/cases").await;
    let id =
        cases.as_array().unwrap().iter().find(|c| c["stage"] == "handling" && c["agent_name"] == "巴特尔").unwrap()
            ["id"]
            .as_i64()
            .unwrap();
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F'];
    jpeg.extend(std::iter::repeat_n(7u8, 4000));
    let att = uuid(900);
    let put = |c: &reqwest::Client, att: &str, ctype: &str, body: Vec<u8>| {
        c.put(app.url(&format!("/api/cases/{id}/attachments/{att}?name=%E7%8E%B0%E5%9C%BA.jpg")))
            .header("content-type", ctype.to_string())
            .body(body)
            .send()
    };
    let r = put(&agent, &att, "image/jpeg", jpeg.clone()).await.unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    assert_eq!((v["file_name"].as_str(), v["size"].as_i64()), (Some("现场.jpg"), Some(jpeg.len() as i64)));
    let sha = v["sha256"].as_str().unwrap().to_string();
    assert!(app.data_dir.join("attachments").join(&sha).exists(), "stored under its hash");
    assert_eq!(
        put(&agent, &att, "image/jpeg", jpeg.clone()).await.unwrap().status(),
        200,
        "a retried upload is the same"
    );
    assert_eq!(app.count("attachments").await, 1);
    let r = put(&agent, &uuid(901), "image/png", jpeg.clone()).await.unwrap();
    assert_eq!(r.status(), 415, "claimed type must match the bytes");
    let r = put(&agent, &uuid(902), "application/x-msdownload", b"MZ\x90\x00".to_vec()).await.unwrap();
    assert_eq!(r.status(), 415);
    let mut big = jpeg.clone();
    big.resize(5 * 1024 * 1024 + 10, 0);
    let r = put(&agent, &uuid(903), "image/jpeg", big).await.unwrap();
    assert_eq!(r.status(), 413);
    let got = agent.get(app.url(&format!("/api/attachments/{att}"))).send().await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().to_vec(), jpeg);
    let (s, _) = app.get_json(&other, &format!("/api/attachments/{att}")).await;
    assert_eq!(s, 404, "another township cannot fetch it");
    assert_eq!(put(&other, &uuid(904), "image/jpeg", jpeg).await.unwrap().status(), 404, "out of scope looks missing");
    let (_, d) = app.get_json(&agent, &format!("/api/cases/{id}")).await;
    assert_eq!(d["attachments"].as_array().unwrap().len(), 1);
}
both!(attachments);

async fn audit_chain_detects_tampering(app: &TestApp) {
    let station = app.login("zhen1").await;
    let (_, cases) = app.get_json(&station, "/api/cases").await;
    let id = cases.as_array().unwrap().iter().find(|c| c["stage"] == "handling").unwrap()["id"].as_i64().unwrap();
    for n in 0..3 {
        ok_command(app, &station, id, json!({"kind": "urge", "note": format!("第{n}次催办")})).await;
    }
    let v = backend::db::audit::verify(&app.db.pool).await.unwrap();
    assert!(v.ok, "{v:?}");
    assert!(v.rows >= 3);
    // Someone edits the second row behind the application's back.
    sqlx::query("UPDATE audit_log SET after = '{\"forged\":true}' WHERE id = 2").execute(&app.db.pool).await.unwrap();
    let v = backend::db::audit::verify(&app.db.pool).await.unwrap();
    assert!(!v.ok);
    assert_eq!(v.first_broken_id, Some(2));
    let county = app.login("qi1").await;
    let (_, body) = app.get_json(&county, "/api/audit/verify").await;
    assert_eq!((body["ok"].as_bool(), body["first_broken_id"].as_i64()), (Some(false), Some(2)));
    assert_eq!(body["message"], "审计链在第 2 条记录处断开：记录被修改或删除");
    let (s, _) = app.get_json(&station, "/api/audit/verify").await;
    assert_eq!(s, 403);
}
both!(audit_chain_detects_tampering);

/// Every read of a citizen's details is recorded (who, which case, when)
/// without taking the chain's lock, then sealed into the chain: a sealed
/// read deleted afterwards breaks verification like any audit row.
async fn case_reads_are_audited_and_sealed(app: &TestApp) {
    use sqlx::Row;
    let agent = app.login("wangge1").await;
    let (_, cases) = app.get_json(&agent, "/api/cases").await;
    let id = cases.as_array().unwrap().iter().find(|c| c["agent_name"] == "巴特尔").unwrap()["id"].as_i64().unwrap();
    let agent_id: i64 = sqlx::query("SELECT id FROM users WHERE username = 'wangge1'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    backend::db::audit::seal_reads(&app.db).await.unwrap();
    let chain_before = app.count("audit_log").await;
    // Twenty readers at once: each read is one row, none waits on the chain.
    let url = app.url(&format!("/api/cases/{id}"));
    let readers: Vec<_> = (0..20)
        .map(|_| {
            let (c, url) = (agent.clone(), url.clone());
            tokio::spawn(async move { c.get(url).send().await.unwrap().json::<Value>().await.unwrap() })
        })
        .collect();
    for r in readers {
        assert!(r.await.unwrap()["case"]["phone"].is_string(), "the handler sees the details");
    }
    let rows = sqlx::query(
        "SELECT actor_id, action, entity, entity_id, at FROM read_events WHERE sealed_by IS NULL ORDER BY id",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 20, "every read recorded, not one per window");
    for r in &rows {
        assert_eq!(r.try_get::<Option<i64>, _>("actor_id").unwrap(), Some(agent_id));
        assert_eq!(r.try_get::<String, _>("action").unwrap(), "contact.read");
        assert_eq!(r.try_get::<String, _>("entity_id").unwrap(), id.to_string());
        assert!(!r.try_get::<String, _>("at").unwrap().is_empty());
    }
    assert_eq!(app.count("audit_log").await, chain_before, "reading takes nothing from the chain");

    // Sealed: one chain entry for the twenty, and the chain verifies.
    assert_eq!(backend::db::audit::seal_reads(&app.db).await.unwrap(), 20);
    assert_eq!(app.count("audit_log").await, chain_before + 1);
    let seal_id: i64 = sqlx::query("SELECT MAX(id) FROM audit_log WHERE action = 'read.seal'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    let v = backend::db::audit::verify(&app.db.pool).await.unwrap();
    assert!(v.ok, "{v:?}");
    assert_eq!(backend::db::audit::seal_reads(&app.db).await.unwrap(), 0, "nothing left to seal");

    // The verify endpoint seals first: a read just made is covered at once.
    let county = app.login("qi1").await;
    app.get_json(&agent, &format!("/api/cases/{id}")).await;
    let (_, body) = app.get_json(&county, "/api/audit/verify").await;
    assert_eq!(body["ok"], true, "{body}");
    let unsealed: i64 = sqlx::query("SELECT COUNT(*) FROM read_events WHERE sealed_by IS NULL")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(unsealed, 0);

    // A read removed behind the application's back is found, at its seal.
    let victim: i64 =
        sqlx::query("SELECT MIN(r.id) FROM read_events r JOIN audit_log a ON a.hash = r.sealed_by WHERE a.id = $1")
            .bind(seal_id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
    sqlx::query("DELETE FROM read_events WHERE id = $1").bind(victim).execute(&app.db.pool).await.unwrap();
    let v = backend::db::audit::verify(&app.db.pool).await.unwrap();
    assert!(!v.ok);
    assert_eq!(v.first_broken_id, Some(seal_id));
    assert_eq!(v.message, format!("审计链第 {seal_id} 条记录所封存的查阅记录被修改或删除"));
}
both!(case_reads_are_audited_and_sealed);

async fn overdue_job_acts_once_a_day(app: &TestApp) {
    let station = app.login("zhen1").await;
    let (_, cases) = app.get_json(&station, "/api/cases").await;
    let id = cases.as_array().unwrap().iter().find(|c| c["stage"] == "handling").unwrap()["id"].as_i64().unwrap();
    let today = shared::time::china_today(chrono::Utc::now());
    // Make every case whose clock runs (screening and handling, as
    // shared's Stage::deadline_applies says) due well in the past.
    sqlx::query("UPDATE cases SET due_on = '2026-01-05' WHERE stage IN ('screening', 'handling')")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let screening =
        cases.as_array().unwrap().iter().find(|c| c["stage"] == "screening").unwrap()["id"].as_i64().unwrap();
    let handling: i64 = {
        use sqlx::Row;
        sqlx::query("SELECT COUNT(*) FROM cases WHERE stage IN ('screening', 'handling')")
            .fetch_one(&app.db.pool)
            .await
            .unwrap()
            .try_get(0)
            .unwrap()
    };
    let first = backend::workflow::overdue::run_once(&app.db, today).await.unwrap();
    assert_eq!(first.urged as i64, handling);
    assert_eq!(first.escalation_warnings as i64, handling, "months late: escalation suggested");
    let second = backend::workflow::overdue::run_once(&app.db, today).await.unwrap();
    assert_eq!(second.urged, 0, "a second run the same day does nothing");
    let (_, d) = app.get_json(&station, &format!("/api/cases/{id}")).await;

    let system: Vec<&Value> = d["timeline"].as_array().unwrap().iter().filter(|e| e["actor_name"] == "系统").collect();
    assert_eq!(system.len(), 1);
    assert!(system[0]["command"]["note"].as_str().unwrap().starts_with("系统自动催办：已超期"));
    assert_eq!(d["case"]["overdue_since"], "2026-01-06");
    assert_eq!(d["case"]["lifecycle"]["urges"], 1);
    let (_, overdue) = app.get_json(&station, "/api/cases?overdue_only=true").await;
    assert!(overdue.as_array().unwrap().iter().any(|c| c["id"] == id));
    assert!(
        overdue.as_array().unwrap().iter().any(|c| c["id"] == screening),
        "a screening matter past its limit is urged too"
    );
    let (_, d) = app.get_json(&station, &format!("/api/cases/{screening}")).await;
    assert_eq!(d["case"]["lifecycle"]["urges"], 1);
    let next_day = today.succ_opt().unwrap();
    assert_eq!(
        backend::workflow::overdue::run_once(&app.db, next_day).await.unwrap().urged as i64,
        handling,
        "and again the next day"
    );
}
both!(overdue_job_acts_once_a_day);

async fn administration(app: &TestApp) {
    let admin = app.login("admin").await;
    let station = app.login("zhen1").await;
    let township = unit_id(app, &admin, "巴彦浩特镇").await;
    let (s, body) = app
        .post_json(&station, "/api/admin/units", &json!({"parent_id": township, "kind": "village", "name": "新嘎查"}))
        .await;
    assert_eq!((s, body["code"].as_str()), (403, Some("forbidden")));
    let (s, unit) = app
        .post_json(
            &admin,
            "/api/admin/units",
            &json!({"parent_id": township, "kind": "village", "name": "敖伦布拉格嘎查"}),
        )
        .await;
    assert_eq!(s, 201, "{unit}");
    let (s, body) = app
        .post_json(&admin, "/api/admin/units", &json!({"parent_id": township, "kind": "banner", "name": "错"}))
        .await;
    assert_eq!((s, body["message"].as_str()), (400, Some("苏木镇下不能设立旗县")));
    let new_user = json!({"username": "wangge9", "password": "caoyuan2026", "display_name": "乌日娜", "role": "field_agent",
        "unit_id": unit["id"], "phone": "13948305555", "agent_kind": "grid_worker", "registered": true});
    let (s, user) = app.post_json(&admin, "/api/admin/users", &new_user).await;
    assert_eq!(s, 201, "{user}");
    let (s, _) = app.post_json(&admin, "/api/admin/users", &new_user).await;
    assert_eq!(s, 409, "username taken");
    let (s, b) = app.post_json(&admin, "/api/admin/users", &json!({"username": "x1y", "password": "short", "display_name": "乌日娜", "role": "field_agent", "unit_id": unit["id"]})).await;
    assert_eq!((s, b["message"].as_str()), (400, Some("密码至少 8 位")));
    // The new agent signs in and sees their (empty) village.
    let c = app.client();
    let r = c
        .post(app.url("/api/login"))
        .json(&json!({"username": "wangge9", "password": "caoyuan2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(case_ids(app, &c).await.len(), 0);
    // Flags change, audited; the agent list shows them.
    let uid = user["id"].as_i64().unwrap();
    let r = admin
        .patch(app.url(&format!("/api/admin/users/{uid}")))
        .json(&json!({"public_employee": true, "full_time": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let updated: Value = r.json().await.unwrap();
    assert_eq!((updated["public_employee"].as_bool(), updated["full_time"].as_bool()), (Some(true), Some(true)));
    let r = admin
        .patch(app.url(&format!("/api/admin/users/{uid}")))
        .json(&json!({"role": "county_centre"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "a county role does not fit a village");
    let (_, users) = app.get_json(&admin, "/api/admin/users").await;
    assert!(users.as_array().unwrap().len() >= 12);
}
both!(administration);

async fn login_is_rate_limited(app: &TestApp) {
    let c = app.client();
    for _ in 0..5 {
        let (s, _) = app.post_json(&c, "/api/login", &json!({"username": "cun1", "password": "wrong-password"})).await;
        assert_eq!(s, 401);
    }
    let (s, body) = app.post_json(&c, "/api/login", &json!({"username": "cun1", "password": "daiban123"})).await;
    assert_eq!((s, body["code"].as_str()), (429, Some("too_many_requests")));
    assert_eq!(body["message"], "登录失败次数过多，请 10 分钟后再试");
    let (s, _) = app.post_json(&c, "/api/login", &json!({"username": "cun2", "password": "daiban123"})).await;
    assert_eq!(s, 200, "other users are not affected");
}
both!(login_is_rate_limited);
