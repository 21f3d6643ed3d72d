//! The desk workbench's rules over HTTP, on SQLite and PostgreSQL: one
//! 处置单 per department and their replies, the plan-fixed clock, a report
//! up (上报) reaching the level above while the lower unit only reads,
//! reviews decided by the level above (and re-reviews above that), the
//! inbox queues, the paged list with Mongolian-name search, the boards and
//! the duplicate check.

use crate::common;
use common::{Kind, TestApp};
use serde_json::{json, Value};
use shared::calendar::Calendar;

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

async fn user_id(app: &TestApp, username: &str) -> i64 {
    let admin = app.login("admin").await;
    let (_, users) = app.get_json(&admin, "/api/admin/users").await;
    users.as_array().unwrap().iter().find(|u| u["username"] == username).unwrap_or_else(|| panic!("{username}"))["id"]
        .as_i64()
        .unwrap()
}

async fn command(app: &TestApp, c: &reqwest::Client, case_id: i64, cmd: Value) -> (u16, Value) {
    app.post_json(c, &format!("/api/cases/{case_id}/commands"), &cmd).await
}

async fn ok(app: &TestApp, c: &reqwest::Client, case_id: i64, cmd: Value) -> Value {
    let (s, body) = command(app, c, case_id, cmd.clone()).await;
    assert_eq!(s, 200, "{cmd} → {body}");
    body
}

async fn refused(app: &TestApp, c: &reqwest::Client, case_id: i64, cmd: Value) -> String {
    let (s, body) = command(app, c, case_id, cmd.clone()).await;
    assert_eq!(s, 403, "{cmd} should be refused → {body}");
    body["message"].as_str().unwrap().to_string()
}

async fn detail(app: &TestApp, c: &reqwest::Client, case_id: i64) -> Value {
    let (s, body) = app.get_json(c, &format!("/api/cases/{case_id}")).await;
    assert_eq!(s, 200, "{body}");
    body
}

fn actions(detail: &Value) -> Vec<String> {
    detail["actions"].as_array().map_or_else(Vec::new, |a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect())
}

async fn queue(app: &TestApp, c: &reqwest::Client, q: &str) -> i64 {
    let (s, inbox) = app.get_json(c, "/api/desk/inbox").await;
    assert_eq!(s, 200, "{inbox}");
    inbox["queues"].as_array().unwrap().iter().find(|x| x["queue"] == q).map_or(-1, |x| x["count"].as_i64().unwrap())
}

async fn register(app: &TestApp, c: &reqwest::Client, unit: i64, name: &str, id_number: &str, summary: &str) -> i64 {
    let (s, body) = app
        .post_json(
            c,
            "/api/cases",
            &json!({
                "unit_id": unit, "citizen_name": name, "id_number": id_number, "phone": "13948302101",
                "address": "巴彦浩特镇", "summary": summary, "channel": "visit", "source": "citizen",
                "level": "township", "received_on": today().to_string(),
            }),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    body["id"].as_i64().unwrap()
}

/// Station → two departments → leader → plan fixed → urge → 上报 to the
/// banner → closure → review by the league (the level above the banner) →
/// follow-up → archive; wrong roles and units refused on the way.
async fn desk_flow(app: &TestApp) {
    let station = app.login("zhen1").await;
    let leader = app.login("zhenld1").await;
    let banner = app.login("qi1").await;
    let league = app.login("meng1").await;
    let dept1 = app.login("bm1").await;
    let dept2 = app.login("bm2").await;
    // The station's full-time agent takes a township matter.
    let agent = user_id(app, "zhen1").await;
    let (zrzy, rsj) =
        (unit_id(app, "阿拉善左旗自然资源局").await, unit_id(app, "阿拉善左旗人力资源和社会保障局").await);
    let byht = unit_id(app, "巴彦浩特镇").await;
    let id =
        register(app, &station, byht, "巴特尔·额尔敦", "11010519491231002X", "禁牧补助资金未发放到户，请求核实发放")
            .await;
    assert!(queue(app, &station, "to_screen").await >= 1);

    ok(app, &station, id, json!({"kind": "screen", "outcome": {"kind": "accept_agency", "agent_chosen_by_citizen": false}, "agent_id": agent, "note": "受理"})).await;
    // Departments see nothing before the transfer.
    assert_eq!(app.get_json(&dept1, &format!("/api/cases/{id}")).await.0, 404);
    // Transfer to a township is refused; to each department, its own form.
    let (s, body) =
        command(app, &station, id, json!({"kind": "transfer", "unit": "", "unit_id": byht, "proposed_handling": "x"}))
            .await;
    assert_eq!(s, 400, "{body}");
    ok(
        app,
        &station,
        id,
        json!({"kind": "transfer", "unit": "", "unit_id": zrzy, "proposed_handling": "请核实草场禁牧面积"}),
    )
    .await;
    ok(
        app,
        &station,
        id,
        json!({"kind": "transfer", "unit": "", "unit_id": rsj, "proposed_handling": "请核实补助发放名单"}),
    )
    .await;
    let again = refused(
        app,
        &station,
        id,
        json!({"kind": "transfer", "unit": "", "unit_id": zrzy, "proposed_handling": "再次"}),
    )
    .await;
    assert!(again.contains("尚未回复"), "{again}");
    let d = detail(app, &station, id).await;
    let forms = d["dispositions"].as_array().unwrap();
    assert_eq!(forms.len(), 2);
    assert_eq!(forms[0]["unit_name"], "阿拉善左旗自然资源局");
    assert_eq!(forms[0]["proposed_handling"], "请核实草场禁牧面积");
    assert_eq!(forms[1]["proposed_handling"], "请核实补助发放名单");
    assert!(d["timeline"].as_array().unwrap().iter().any(|e| e["label"] == "流转至阿拉善左旗自然资源局"));

    // Each department finds it in its inbox, answers its own form once, and nothing else.
    assert_eq!(queue(app, &dept1, "transferred").await, 1);
    assert_eq!(actions(&detail(app, &dept1, id).await), ["department_reply"]);
    refused(app, &dept1, id, json!({"kind": "department_reply", "unit_id": rsj, "result": "冒名"})).await;
    refused(app, &dept1, id, json!({"kind": "urge", "note": "x"})).await;
    ok(app, &dept1, id, json!({"kind": "department_reply", "unit_id": zrzy, "result": "已核实禁牧面积120亩"})).await;
    assert_eq!(queue(app, &dept1, "transferred").await, 0);
    refused(app, &dept1, id, json!({"kind": "department_reply", "unit_id": zrzy, "result": "再答"})).await;
    refused(app, &station, id, json!({"kind": "department_reply", "unit_id": rsj, "result": "代答"})).await;
    ok(app, &dept2, id, json!({"kind": "department_reply", "unit_id": rsj, "result": "已列入补发名单"})).await;
    let d = detail(app, &station, id).await;
    assert_eq!(d["dispositions"][0]["result"], "已核实禁牧面积120亩");
    assert_eq!(d["dispositions"][1]["replied_by_name"], "乌日娜");

    // Leader instruction: the leader, not the station staff.
    refused(app, &station, id, json!({"kind": "leader_instruction", "text": "x"})).await;
    ok(app, &leader, id, json!({"kind": "leader_instruction", "text": "请两部门会同解决"})).await;

    // The plan fixed today: 30 working days from today, not from intake.
    let fixed = today();
    let body =
        ok(app, &station, id, json!({"kind": "fix_plan", "fixed_on": fixed.to_string(), "consultation": false})).await;
    let due = Calendar::official().add_working_days(fixed, 30).value;
    assert_eq!(body["case"]["due_on"], due.to_string());
    assert_eq!(body["case"]["level"], "multi_department");
    assert_eq!(body["case"]["plan_fixed_on"], fixed.to_string());
    let (s, _) = command(
        app,
        &station,
        id,
        json!({"kind": "fix_plan", "fixed_on": (fixed + chrono::Days::new(1)).to_string(), "consultation": true}),
    )
    .await;
    assert_eq!(s, 409, "a plan cannot be fixed tomorrow");
    ok(app, &station, id, json!({"kind": "urge", "note": "催促两部门"})).await;

    // 上报 to the banner: it lands in the banner centre's inbox; the township reads only.
    let before = queue(app, &banner, "escalated").await;
    ok(
        app,
        &station,
        id,
        json!({"kind": "escalate", "to": "county", "cross_region": false, "reason": "涉及多部门，镇级难以协调"}),
    )
    .await;
    assert_eq!(queue(app, &banner, "escalated").await, before + 1);
    let d = detail(app, &station, id).await;
    assert_eq!(d["case"]["handling_unit_name"], "阿拉善左旗");
    assert!(actions(&d).is_empty(), "the township only reads: {:?}", actions(&d));
    let msg = refused(app, &station, id, json!({"kind": "urge", "note": "x"})).await;
    assert_eq!(msg, "该事项已上报阿拉善左旗办理，本单位只能查看");
    let (s, page) = app.get_json(&banner, "/api/desk/cases?queue=escalated").await;
    assert_eq!(s, 200);
    assert!(page["items"].as_array().unwrap().iter().any(|c| c["id"] == id));
    assert!(actions(&detail(app, &banner, id).await).contains(&"close".to_string()));

    // Closure at the banner; the dissatisfied citizen's review goes to the league.
    ok(app, &banner, id, json!({"kind": "close", "method": "phone", "notice": "written", "opinion": "dissatisfied", "result": "已补发部分资金"})).await;
    ok(app, &banner, id, json!({"kind": "request_review", "note": "信访人不满意，申请复查"})).await;
    refused(app, &banner, id, json!({"kind": "review_decided", "claim_reasonable": false, "note": "x"})).await;
    assert_eq!(queue(app, &league, "reviews").await, 1);
    ok(app, &league, id, json!({"kind": "review_decided", "claim_reasonable": false, "note": "维持原处理意见"})).await;
    assert_eq!(queue(app, &league, "reviews").await, 0);
    ok(app, &banner, id, json!({"kind": "accept_outcome"})).await;
    assert!(queue(app, &banner, "follow_ups").await >= 1);
    ok(app, &banner, id, json!({"kind": "follow_up", "method": "in_person", "resolved": true, "note": "已息诉罢访"}))
        .await;
    ok(app, &banner, id, json!({"kind": "archive"})).await;
    let d = detail(app, &station, id).await;
    assert_eq!(d["case"]["stage"], "archived");
}
both!(desk_flow);

/// 复查 by the level above the handler, 复核 by the level above the reviewer.
async fn review_levels(app: &TestApp) {
    let agent = app.login("wangge1").await;
    let station = app.login("zhen1").await;
    let leader = app.login("zhenld1").await;
    let banner = app.login("qi1").await;
    let league = app.login("meng1").await;
    let me = user_id(app, "wangge1").await;
    let wlbh = unit_id(app, "乌兰布和嘎查").await;
    let (s, body) = app
        .post_json(
            &agent,
            "/api/cases",
            &json!({"unit_id": wlbh, "citizen_name": "孟和", "summary": "邻户占用草场通道", "channel": "visit",
                    "source": "screening", "level": "village", "received_on": today().to_string()}),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    ok(app, &agent, id, json!({"kind": "screen", "outcome": {"kind": "accept_agency", "agent_chosen_by_citizen": true}, "agent_id": me, "note": "受理"})).await;
    ok(
        app,
        &agent,
        id,
        json!({"kind": "close", "method": "phone", "notice": "oral", "opinion": "dissatisfied", "result": "已调解"}),
    )
    .await;
    ok(app, &agent, id, json!({"kind": "request_review", "note": "申请复查"})).await;
    // 复查 of a village matter: the township.
    assert_eq!(queue(app, &station, "reviews").await, 1);
    assert_eq!(queue(app, &banner, "reviews").await, 0);
    refused(app, &banner, id, json!({"kind": "review_decided", "claim_reasonable": false, "note": "x"})).await;
    refused(app, &agent, id, json!({"kind": "review_decided", "claim_reasonable": false, "note": "x"})).await;
    ok(app, &leader, id, json!({"kind": "review_decided", "claim_reasonable": false, "note": "维持"})).await;
    // 复核: the banner, above the township that reviewed.
    ok(app, &agent, id, json!({"kind": "request_review", "note": "申请复核"})).await;
    assert_eq!(queue(app, &station, "reviews").await, 0);
    assert_eq!(queue(app, &banner, "reviews").await, 1);
    refused(app, &station, id, json!({"kind": "review_decided", "claim_reasonable": false, "note": "x"})).await;
    refused(app, &league, id, json!({"kind": "review_decided", "claim_reasonable": false, "note": "x"})).await;
    let body =
        ok(app, &banner, id, json!({"kind": "review_decided", "claim_reasonable": true, "note": "诉求有理，限期化解"}))
            .await;
    assert_eq!(body["case"]["lifecycle"]["status"]["status"], "handling");
    assert!(body["case"]["lifecycle"]["double_check"].as_bool().unwrap());
}
both!(review_levels);

/// The desk list: server paging with a total, Mongolian names found by any
/// part with or without the `·`, filters, the boards and duplicates.
async fn list_search_boards_duplicates(app: &TestApp) {
    let banner = app.login("qi1").await;
    let station = app.login("zhen1").await;
    let byht = unit_id(app, "巴彦浩特镇").await;
    let (s, all) = app.get_json(&banner, "/api/desk/cases?limit=200").await;
    assert_eq!(s, 200, "{all}");
    let total = all["total"].as_i64().unwrap();
    assert!(total >= 20, "demo data: {total}");
    let (_, page) = app.get_json(&banner, "/api/desk/cases?limit=5&offset=5").await;
    assert_eq!(page["total"], total);
    assert_eq!(page["items"].as_array().unwrap().len(), 5);
    assert_eq!(page["items"][0]["id"], all["items"][5]["id"], "pages are slices of one order");
    assert!(page["items"][0].get("phone").is_none_or(Value::is_null), "lists carry no private data");

    let id = register(
        app,
        &station,
        byht,
        "额尔德尼·宝音图",
        &id_number("15022119900101123"),
        "草场补助款未按时发放，要求尽快发放",
    )
    .await;
    for q in ["宝音图", "额尔德尼·宝音图", "额尔德尼宝音图"] {
        let (s, found) = app.get_json(&banner, &format!("/api/desk/cases?q={}", urlencode(q))).await;
        assert_eq!(s, 200);
        assert!(found["items"].as_array().unwrap().iter().any(|c| c["id"] == id), "{q} finds the matter");
    }
    let (_, narrowed) = app.get_json(&banner, &format!("/api/desk/cases?unit_id={byht}&channel=visit&limit=200")).await;
    assert!(narrowed["total"].as_i64().unwrap() < total);
    assert!(narrowed["items"].as_array().unwrap().iter().all(|c| c["channel"] == "visit"));
    let (s, _) = app.get_json(&station, &format!("/api/desk/cases?unit_id={}", unit_id(app, "吉兰泰镇").await)).await;
    assert_eq!(s, 400, "another township is not a filter the station may use");
    let (s, body) = app.get_json(&banner, "/api/desk/cases?limit=1000").await;
    assert_eq!(s, 400, "{body}");

    // Boards: every open matter counted once per board.
    let (_, boards) = app.get_json(&banner, "/api/desk/boards").await;
    let open_by_unit: i64 = boards["by_unit"].as_array().unwrap().iter().map(|r| r["open"].as_i64().unwrap()).sum();
    let (_, screening) = app.get_json(&banner, "/api/desk/cases?stage=screening&limit=1").await;
    let (_, handling) = app.get_json(&banner, "/api/desk/cases?stage=handling&limit=1").await;
    assert_eq!(open_by_unit, screening["total"].as_i64().unwrap() + handling["total"].as_i64().unwrap());

    // The same person with a similar matter is shown before saving.
    let (s, dups) = app
        .get_json(
            &station,
            &format!(
                "/api/desk/duplicates?citizen_name={}&id_number={}&summary={}",
                urlencode("额尔德尼·宝音图"),
                id_number("15022119900101123"),
                urlencode("补助款一直没有发放，要求发放")
            ),
        )
        .await;
    assert_eq!(s, 200, "{dups}");
    let first = &dups.as_array().unwrap()[0];
    assert_eq!(first["id"], id);
    assert!(first["reason"].as_str().unwrap().starts_with("身份证号相同"), "{first}");
    let (_, none) = app
        .get_json(
            &station,
            &format!(
                "/api/desk/duplicates?citizen_name={}&id_number={}&summary={}",
                urlencode("额尔德尼·宝音图"),
                id_number("15022119900101123"),
                urlencode("邻居占用通道")
            ),
        )
        .await;
    assert!(none.as_array().unwrap().is_empty(), "a different matter of the same person is not a duplicate");

    // Field agents use their phone's list; administrators manage accounts.
    for who in ["wangge1", "admin"] {
        let c = app.login(who).await;
        assert_eq!(app.get_json(&c, "/api/desk/inbox").await.0, 403, "{who}");
    }
    // Departments to transfer to: the banner's.
    let (_, depts) = app.get_json(&station, "/api/desk/departments").await;
    let names: Vec<&str> = depts.as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"阿拉善左旗自然资源局") && names.contains(&"阿拉善左旗人力资源和社会保障局"), "{names:?}");
}
both!(list_search_boards_duplicates);

/// A valid ID number (GB 11643 check character) from its first 17 digits.
fn id_number(body: &str) -> String {
    format!("{body}{}", shared::validation::id_check_char(body).unwrap())
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// A township's 代办专班组 is a unit: its leader and members sign in to the
/// desk and work the township's matters of the group's categories from
/// their own queue, with the township's authority.
async fn task_groups(app: &TestApp) {
    let station = app.login("zhen1").await;
    let member = app.login("zyz1").await;
    let leader = app.login("zyzld1").await;
    let (s, me) = app.get_json(&member, "/api/me").await;
    assert_eq!(s, 200, "{me}");
    assert_eq!(
        (me["unit_kind"].as_str(), me["unit_name"].as_str()),
        (Some("task_group"), Some("巴彦浩特镇自然资源组"))
    );
    let byht = unit_id(app, "巴彦浩特镇").await;
    let agent = user_id(app, "zhen1").await;
    let herding =
        register(app, &station, byht, "敖日格勒", &id_number("15292119600101123"), "草场承包边界纠纷，请求重新勘界")
            .await;
    let jobs = register(app, &station, byht, "刘建军", &id_number("15292119700202234"), "务工工资被拖欠三个月").await;
    for (id, category) in [(herding, "herding"), (jobs, "employment")] {
        ok(app, &station, id, json!({"kind": "screen", "outcome": {"kind": "accept_agency", "agent_chosen_by_citizen": false}, "agent_id": agent, "note": "受理"})).await;
        ok(app, &station, id, json!({"kind": "categorise", "category": category})).await;
    }

    // The group's inbox has its own queue, and every queue and list holds
    // its categories only.
    let (_, inbox) = app.get_json(&member, "/api/desk/inbox").await;
    let queues: Vec<&str> = inbox["queues"].as_array().unwrap().iter().map(|q| q["queue"].as_str().unwrap()).collect();
    assert_eq!(queues, ["group", "follow_ups", "due_soon", "overdue"], "{inbox}");
    assert_eq!(inbox["unit_name"], "巴彦浩特镇自然资源组");
    let listed = |page: &Value| -> Vec<i64> {
        page["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
    };
    let (s, page) = app.get_json(&member, "/api/desk/cases?queue=group&limit=200").await;
    assert_eq!(s, 200, "{page}");
    let ids = listed(&page);
    assert!(ids.contains(&herding) && !ids.contains(&jobs), "{ids:?}");
    assert!(page["items"].as_array().unwrap().iter().all(|c| c["task_group"] == "natural_resources"), "{page}");
    let (_, all) = app.get_json(&member, "/api/desk/cases?limit=200").await;
    assert!(!listed(&all).contains(&jobs), "the group's list holds its categories");
    let n = queue(app, &member, "group").await;
    assert_eq!(n, page["total"].as_i64().unwrap());
    // The station still sees both.
    let (_, station_all) = app.get_json(&station, "/api/desk/cases?limit=200").await;
    assert!(listed(&station_all).contains(&herding) && listed(&station_all).contains(&jobs));

    // The group acts with the township's authority: its member urges, its
    // leader gives the leader's opinion.
    ok(app, &member, herding, json!({"kind": "urge", "note": "请自然资源组三日内勘界"})).await;
    ok(app, &leader, herding, json!({"kind": "leader_opinion", "text": "同意，组长牵头勘界"})).await;
    let d = detail(app, &member, herding).await;
    assert!(actions(&d).contains(&"urge".to_string()), "{:?}", actions(&d));

    // Administration: a group names its kind of group, once per township.
    let admin = app.login("admin").await;
    let (s, body) = app
        .post_json(
            &admin,
            "/api/admin/units",
            &json!({"parent_id": byht, "kind": "task_group", "name": "重复的组", "task_group": "natural_resources"}),
        )
        .await;
    assert_eq!((s, body["code"].as_str()), (409, Some("conflict")), "{body}");
    let (s, body) = app
        .post_json(&admin, "/api/admin/units", &json!({"parent_id": byht, "kind": "task_group", "name": "无组"}))
        .await;
    assert_eq!(s, 400, "{body}");
    assert_eq!(body["message"], "请选择专班组");
    let (s, body) = app
        .post_json(
            &admin,
            "/api/admin/units",
            &json!({"parent_id": byht, "kind": "village", "name": "新嘎查", "task_group": "natural_resources"}),
        )
        .await;
    assert_eq!(s, 400, "{body}");
    let (s, town) = app
        .post_json(
            &admin,
            "/api/admin/units",
            &json!({"parent_id": unit_id(app, "阿拉善左旗").await, "kind": "township", "name": "宗别立镇"}),
        )
        .await;
    assert_eq!(s, 201, "{town}");
    let (s, group) = app
        .post_json(&admin, "/api/admin/units", &json!({"parent_id": town["id"], "kind": "task_group", "name": "宗别立镇自然资源组", "task_group": "natural_resources"}))
        .await;
    assert_eq!(s, 201, "{group}");
    assert_eq!(group["task_group"], "natural_resources");
    let (_, units) = app.get_json(&admin, "/api/admin/units").await;
    let groups = units.as_array().unwrap().iter().filter(|u| u["kind"] == "task_group").count();
    assert_eq!(groups, 13, "six per demo township and the new one");
}
both!(task_groups);

/// A department (事权单位) works from its own 处置单: the matter without the
/// citizen's contacts, only its own form to print, no 代办单 or dossier.
async fn department_sees_its_form_only(app: &TestApp) {
    let station = app.login("zhen1").await;
    let dept = app.login("bm1").await;
    let byht = unit_id(app, "巴彦浩特镇").await;
    let agent = user_id(app, "zhen1").await;
    let (zrzy, rsj) =
        (unit_id(app, "阿拉善左旗自然资源局").await, unit_id(app, "阿拉善左旗人力资源和社会保障局").await);
    let id = register(app, &station, byht, "乌力吉", &id_number("15292119550505345"), "草原补奖资金发放不足").await;
    ok(app, &station, id, json!({"kind": "screen", "outcome": {"kind": "accept_agency", "agent_chosen_by_citizen": false}, "agent_id": agent, "note": "受理"})).await;
    for unit in [zrzy, rsj] {
        ok(app, &station, id, json!({"kind": "transfer", "unit": "", "unit_id": unit, "proposed_handling": "请核实"}))
            .await;
    }
    let station_view = detail(app, &station, id).await;
    assert_eq!(station_view["case"]["phone"], "13948302101", "the station handles the citizen");
    let d = detail(app, &dept, id).await;
    for private in ["phone", "address", "id_number"] {
        assert!(d["case"][private].is_null(), "{private}: {}", d["case"]);
    }
    assert_eq!(d["dispositions"].as_array().unwrap().len(), 2, "it sees what the others were asked");

    let own = dept.get(app.url(&format!("/print/cases/{id}/disposition/{zrzy}"))).send().await.unwrap();
    assert_eq!(own.status(), 200);
    let html = own.text().await.unwrap();
    assert!(html.contains("信访事项处置单") && html.contains("乌力吉"));
    assert!(!html.contains("13948302101") && !html.contains("15292119550505345"), "no contacts on its form");
    let (s, body) = app.get_json(&dept, &format!("/print/cases/{id}/disposition/{rsj}")).await;
    assert_eq!(s, 403, "{body}");
    assert_eq!(body["message"], "只能打印本单位的处置单");
    assert_eq!(app.get_json(&dept, &format!("/print/cases/{id}/agency-form")).await.0, 403);
    assert_eq!(app.get_json(&dept, &format!("/api/cases/{id}/dossier.zip")).await.0, 403);
}
both!(department_sees_its_form_only);

/// A banner department's own matter goes up to the banner's joint office
/// (seed 002 "上报旗信访联席办"), not to the league: the banner centre gets
/// it at the same level; the department reads it.
async fn department_matter_goes_to_the_joint_office(app: &TestApp) {
    let dept = app.login("bm1").await;
    let banner = app.login("qi1").await;
    let zrzy = unit_id(app, "阿拉善左旗自然资源局").await;
    let id =
        register(app, &dept, zrzy, "宝音图", &id_number("15292119800303456"), "跨旗草场确权争议，本局无法协调").await;
    // The department's own full-time agent (seed 002: 专职代办员).
    let admin = app.login("admin").await;
    let (s, agent) = app
        .post_json(
            &admin,
            "/api/admin/users",
            &json!({"username": "zrzydb1", "password": "daiban123", "display_name": "哈斯", "role": "field_agent",
                    "unit_id": zrzy, "agent_kind": "station_agent", "full_time": true, "registered": true}),
        )
        .await;
    assert_eq!(s, 201, "{agent}");
    ok(app, &dept, id, json!({"kind": "screen", "outcome": {"kind": "accept_agency", "agent_chosen_by_citizen": false}, "agent_id": agent["id"], "note": "受理"})).await;
    let d = detail(app, &dept, id).await;
    assert_eq!(d["case"]["lifecycle"]["level"], "county", "{d}");
    assert!(actions(&d).contains(&"escalate".to_string()), "{:?}", actions(&d));
    // Not to the league…
    let message = refused(
        app,
        &dept,
        id,
        json!({"kind": "escalate", "to": "city", "cross_region": true, "reason": "三跨三分离"}),
    )
    .await;
    assert_eq!(message, "承办部门的事项上报旗信访联席办（旗县代办中心）");
    // …but to the banner's joint office, at the same level.
    ok(
        app,
        &dept,
        id,
        json!({"kind": "escalate", "to": "county", "cross_region": true, "reason": "跨旗草场确权，三跨三分离"}),
    )
    .await;
    let d = detail(app, &banner, id).await;
    assert_eq!(d["case"]["handling_unit_name"], "阿拉善左旗");
    assert_eq!(d["case"]["lifecycle"]["level"], "county");
    assert!(queue(app, &banner, "escalated").await >= 1);
    let message = refused(app, &dept, id, json!({"kind": "urge", "note": "请尽快"})).await;
    assert!(message.contains("只能"), "{message}");
    // The banner cannot send it to itself again; it goes on to the league.
    refused(app, &banner, id, json!({"kind": "escalate", "to": "county", "cross_region": true, "reason": "x"})).await;
    ok(app, &banner, id, json!({"kind": "escalate", "to": "city", "cross_region": false, "reason": "旗级无法协调"}))
        .await;
}
both!(department_matter_goes_to_the_joint_office);
