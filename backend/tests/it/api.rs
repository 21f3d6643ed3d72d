//! HTTP integration tests of the walking skeleton, each run on SQLite and on
//! PostgreSQL: sign-in, jurisdiction, privacy, the idempotent sync push,
//! pull, and bad input.

use crate::common;
use common::{uuid, Kind, TestApp};
use serde_json::{json, Value};

/// Case ids visible to a user, with their unit names.
async fn cases_of(app: &TestApp, c: &reqwest::Client) -> Vec<Value> {
    let (status, body) = app.get_json(c, "/api/cases").await;
    assert_eq!(status, 200);
    body.as_array().unwrap().clone()
}

fn visit(id: &str, case_id: i64, note: &str) -> Value {
    json!({"id": id, "case_id": case_id, "visited_at": "2026-11-20T09:30", "method": "in_person", "note": note})
}

fn push_body(client_id: &str, mutations: &[(u64, Value)]) -> Value {
    json!({
        "client_id": client_id,
        "mutations": mutations.iter().map(|(id, v)| json!({"id": id, "change": {"kind": "add_visit", "visit": v}})).collect::<Vec<_>>()
    })
}

/// A case of wangge1's village (乌兰布和嘎查) still open for records.
async fn open_case_of_wangge1(app: &TestApp, c: &reqwest::Client) -> i64 {
    cases_of(app, c)
        .await
        .into_iter()
        .find(|k| k["unit_name"] == "乌兰布和嘎查" && k["stage"] == "handling" && k["agent_name"] == "巴特尔")
        .expect("demo has a handling case in 乌兰布和嘎查")["id"]
        .as_i64()
        .unwrap()
}

async fn visits_of(app: &TestApp, c: &reqwest::Client, case_id: i64) -> Vec<Value> {
    let (status, body) = app.get_json(c, &format!("/api/cases/{case_id}")).await;
    assert_eq!(status, 200, "{body}");
    body["visits"].as_array().unwrap().clone()
}

async fn sign_in(app: &TestApp) {
    let anon = app.client();
    let (status, body) = app.get_json(&anon, "/api/me").await;
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthenticated")));
    assert_eq!(body["message"], "请先登录");

    let (status, body) = app.post_json(&anon, "/api/login", &json!({"username": "wangge1", "password": "wrong"})).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("bad_credentials")));
    let (status, _) = app.post_json(&anon, "/api/login", &json!({"username": "nobody", "password": "x"})).await;
    assert_eq!(status, 401);

    let c = app.login("wangge1").await;
    let (status, me) = app.get_json(&c, "/api/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["display_name"], "巴特尔");
    assert_eq!(me["role"], "field_agent");
    assert_eq!(me["unit_name"], "乌兰布和嘎查");

    let r = c.post(app.url("/api/logout")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (status, _) = app.get_json(&c, "/api/me").await;
    assert_eq!(status, 401, "the session is gone after logout");
}
both!(sign_in);

async fn jurisdiction(app: &TestApp) {
    let village = app.login("wangge1").await;
    let township = app.login("zhen1").await;
    let other_township = app.login("zhen2").await;
    let county = app.login("qi1").await;

    let v = cases_of(app, &village).await;
    assert!(!v.is_empty());
    assert!(v.iter().all(|c| c["unit_name"] == "乌兰布和嘎查" || c["agent_name"] == "巴特尔"), "{v:?}");

    let t = cases_of(app, &township).await;
    let units: std::collections::BTreeSet<&str> = t.iter().map(|c| c["unit_name"].as_str().unwrap()).collect();
    assert!(units.iter().all(|u| ["巴彦浩特镇", "乌兰布和嘎查", "巴彦霍德嘎查"].contains(u)), "{units:?}");
    assert!(units.contains("巴彦霍德嘎查") && units.contains("乌兰布和嘎查"));

    let o = cases_of(app, &other_township).await;
    assert!(o.iter().all(|c| ["吉兰泰镇", "吉兰泰嘎查", "哈图呼都格嘎查"].contains(&c["unit_name"].as_str().unwrap())));
    let all = cases_of(app, &county).await;
    assert_eq!(all.len() as i64, app.count("cases").await, "the banner sees every case");
    assert_eq!(t.len() + o.len(), all.len());

    // Another township's case: 404 on the detail, absent from pull.
    let foreign = o[0]["id"].as_i64().unwrap();
    let (status, body) = app.get_json(&township, &format!("/api/cases/{foreign}")).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
    let (_, pull) = app.get_json(&township, "/api/sync/pull?cursor=0").await;
    let pulled: Vec<i64> = pull["cases"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert!(!pulled.contains(&foreign));
    assert_eq!(pulled.len(), t.len());
    assert!(pull["visits"].as_array().unwrap().iter().all(|v| pulled.contains(&v["case_id"].as_i64().unwrap())));
}
both!(jurisdiction);

async fn contact_details_only_for_handlers(app: &TestApp) {
    let agent = app.login("wangge1").await;
    let colleague = app.login("wangge2").await;
    let league = app.login("meng1").await;
    let mine = cases_of(app, &agent).await.into_iter().find(|c| c["agent_name"] == "巴特尔").expect("an assigned case");
    assert!(mine["phone"].is_null() && mine["id_number"].is_null(), "lists never carry private details");
    let id = mine["id"].as_i64().unwrap();
    let reads_before = app.count("contact_reads").await;
    let (_, own) = app.get_json(&agent, &format!("/api/cases/{id}")).await;
    assert!(
        own["case"]["phone"].is_string() && own["case"]["address"].is_string() && own["case"]["id_number"].is_string()
    );
    assert_eq!(app.count("contact_reads").await, reads_before + 1, "reading the details is audited");
    let (_, seen) = app.get_json(&colleague, &format!("/api/cases/{id}")).await;
    assert!(seen["case"]["phone"].is_null() && seen["case"]["address"].is_null(), "{seen}");
    let (_, seen) = app.get_json(&league, &format!("/api/cases/{id}")).await;
    assert!(seen["case"]["phone"].is_null());
}
both!(contact_details_only_for_handlers);

async fn push_is_idempotent(app: &TestApp) {
    let agent = app.login("wangge1").await;
    let township = app.login("zhen1").await;
    let case_id = open_case_of_wangge1(app, &agent).await;
    let before = visits_of(app, &township, case_id).await.len();
    let client = uuid(1);
    let body = push_body(
        &client,
        &[
            (1, visit(&uuid(11), case_id, "第一次上门")),
            (2, visit(&uuid(12), case_id, "电话回访")),
            (3, visit(&uuid(13), case_id, "送达书面答复")),
        ],
    );
    let (status, res) = app.post_json(&agent, "/api/sync/push", &body).await;
    assert_eq!(status, 200, "{res}");
    let statuses: Vec<&str> =
        res["results"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["applied", "applied", "applied"]);
    assert_eq!(visits_of(app, &township, case_id).await.len(), before + 3);

    // The same batch again (a retry after a lost answer): same answers, no duplicates.
    let (status, res2) = app.post_json(&agent, "/api/sync/push", &body).await;
    assert_eq!(status, 200);
    assert_eq!(res2, res);
    assert_eq!(visits_of(app, &township, case_id).await.len(), before + 3);
    assert_eq!(app.count("applied_mutations").await, 3);

    // A partly new batch: only the new mutation is applied.
    let body = push_body(
        &client,
        &[(3, visit(&uuid(13), case_id, "送达书面答复")), (4, visit(&uuid(14), case_id, "再次走访"))],
    );
    let (_, res3) = app.post_json(&agent, "/api/sync/push", &body).await;
    assert_eq!(res3["results"][1]["status"], "applied");
    let visits = visits_of(app, &township, case_id).await;
    assert_eq!(visits.len(), before + 4);
    let v = visits.iter().find(|v| v["id"] == uuid(14)).unwrap();
    assert_eq!((v["recorded_by_name"].as_str(), v["method"].as_str()), (Some("巴特尔"), Some("in_person")));
}
both!(push_is_idempotent);

async fn two_devices_both_visits_kept(app: &TestApp) {
    // Two phones of the assigned agent (a second device signed in separately).
    let a = app.login("wangge1").await;
    let b = app.login("wangge1").await;
    let case_id = open_case_of_wangge1(app, &a).await;
    let before = visits_of(app, &a, case_id).await.len();
    let (_, ra) =
        app.post_json(&a, "/api/sync/push", &push_body(&uuid(100), &[(1, visit(&uuid(101), case_id, "设备甲"))])).await;
    let (_, rb) =
        app.post_json(&b, "/api/sync/push", &push_body(&uuid(200), &[(1, visit(&uuid(201), case_id, "设备乙"))])).await;
    assert_eq!(ra["results"][0]["status"], "applied");
    assert_eq!(rb["results"][0]["status"], "applied");
    let notes: Vec<String> =
        visits_of(app, &a, case_id).await.iter().map(|v| v["note"].as_str().unwrap().to_string()).collect();
    assert_eq!(notes.len(), before + 2);
    assert!(notes.contains(&"设备甲".to_string()) && notes.contains(&"设备乙".to_string()));
}
both!(two_devices_both_visits_kept);

async fn refused_mutations_are_answered_not_dropped(app: &TestApp) {
    let agent = app.login("wangge1").await;
    let county = app.login("qi1").await;
    let all = cases_of(app, &county).await;
    let foreign = all.iter().find(|c| c["unit_name"] == "吉兰泰嘎查").unwrap()["id"].as_i64().unwrap();
    let archived = all
        .iter()
        .find(|c| c["stage"] == "archived" && c["unit_name"] == "乌兰布和嘎查")
        .or_else(|| all.iter().find(|c| c["stage"] == "archived" && c["agent_name"] == "巴特尔"));
    let mine = open_case_of_wangge1(app, &agent).await;
    let visits_before = app.count("visits").await;

    let mut muts = vec![
        (1, visit(&uuid(301), foreign, "越权记录")),
        (2, visit(&uuid(302), mine, "   ")),
        (3, visit(&uuid(303), 999_999, "不存在的事项")),
        (4, visit(&uuid(304), mine, "正常记录")),
    ];
    if let Some(a) = archived {
        muts.push((5, visit(&uuid(305), a["id"].as_i64().unwrap(), "已归档")));
    }
    let body = push_body(&uuid(300), &muts);
    let (status, res) = app.post_json(&agent, "/api/sync/push", &body).await;
    assert_eq!(status, 200);
    let r = res["results"].as_array().unwrap();
    // Out of scope answers exactly like a missing case (ids cannot be walked).
    assert_eq!((r[0]["status"].as_str(), r[0]["code"].as_str()), (Some("rejected"), Some("not_found")));
    assert_eq!(r[0]["message"], r[2]["message"]);
    assert_eq!((r[1]["status"].as_str(), r[1]["code"].as_str()), (Some("rejected"), Some("validation_failed")));
    assert_eq!(r[1]["message"], "走访情况不能为空");
    assert_eq!(r[2]["code"], "not_found");
    assert_eq!(r[3]["status"], "applied");
    if archived.is_some() {
        assert_eq!((r[4]["status"].as_str(), r[4]["code"].as_str()), (Some("rejected"), Some("conflict")));
    }
    assert_eq!(app.count("visits").await, visits_before + 1, "only the good visit was written");

    // Replayed answers are the same rejections, still nothing written.
    let (_, again) = app.post_json(&agent, "/api/sync/push", &body).await;
    assert_eq!(again, res);
    assert_eq!(app.count("visits").await, visits_before + 1);
}
both!(refused_mutations_are_answered_not_dropped);

/// A visit that passes every rule but that the database itself refuses (a
/// trigger stands in for a value it cannot hold) is rejected alone: the
/// visits before and after it in the batch are kept, answered and audited.
/// Visits are pushed without a savepoint each, so on PostgreSQL, where the
/// failed INSERT spoils the transaction, the part is redone with savepoints.
async fn a_visit_the_database_refuses_is_rejected_alone(app: &TestApp) {
    let refuse = match app.db.backend {
        backend::db::Backend::Sqlite => vec![
            "CREATE TRIGGER refuse_visit BEFORE INSERT ON visits WHEN NEW.note = '数据库拒收' \
             BEGIN SELECT RAISE(ABORT, 'refused'); END",
        ],
        backend::db::Backend::Postgres => vec![
            "CREATE FUNCTION refuse_visit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF NEW.note = '数据库拒收' THEN RAISE EXCEPTION 'refused' USING ERRCODE = '22023'; END IF; \
             RETURN NEW; END $$",
            "CREATE TRIGGER refuse_visit BEFORE INSERT ON visits FOR EACH ROW EXECUTE FUNCTION refuse_visit()",
        ],
    };
    for sql in refuse {
        sqlx::query(sql).execute(&app.db.pool).await.unwrap();
    }
    let agent = app.login("wangge1").await;
    let mine = open_case_of_wangge1(app, &agent).await;
    let visits_before = app.count("visits").await;
    let audit_before = app.count("audit_log").await;
    let answers_before = app.count("applied_mutations").await;
    let muts: Vec<(u64, Value)> =
        (1..=120).map(|n| (n, visit(&uuid(700 + n), mine, if n == 70 { "数据库拒收" } else { "正常记录" }))).collect();
    let body = push_body(&uuid(700), &muts);
    let (status, res) = app.post_json(&agent, "/api/sync/push", &body).await;
    assert_eq!(status, 200, "{res}");
    let r = res["results"].as_array().unwrap();
    assert_eq!(r.len(), 120);
    for (i, x) in r.iter().enumerate() {
        assert_eq!(x["id"], i as u64 + 1, "answers in order");
        if i == 69 {
            assert_eq!((x["status"].as_str(), x["code"].as_str()), (Some("rejected"), Some("validation_failed")));
            assert_eq!(x["message"], "内容无法保存：含有系统不接受的字符或数据，请修改后重试");
        } else {
            assert_eq!(x["status"], "applied", "{x}");
        }
    }
    assert_eq!(app.count("visits").await, visits_before + 119);
    assert_eq!(app.count("audit_log").await, audit_before + 119, "only stored visits audited");
    assert_eq!(app.count("applied_mutations").await, answers_before + 120, "every answer stored");
    assert!(backend::db::audit::verify(&app.db.pool).await.unwrap().ok);
    // Replayed, not applied again.
    let (_, again) = app.post_json(&agent, "/api/sync/push", &body).await;
    assert_eq!(again, res);
    assert_eq!(app.count("visits").await, visits_before + 119);
}
both!(a_visit_the_database_refuses_is_rejected_alone);

async fn bad_input_is_refused_cleanly(app: &TestApp) {
    let agent = app.login("wangge1").await;
    let mine = open_case_of_wangge1(app, &agent).await;
    let visits_before = app.count("visits").await;
    let send_raw = |body: String, ctype: &'static str| {
        let agent = agent.clone();
        let url = app.url("/api/sync/push");
        async move {
            let r = agent.post(url).header("content-type", ctype).body(body).send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap())
        }
    };

    let (s, b) = send_raw("{not json".into(), "application/json").await;
    assert_eq!((s, b["code"].as_str()), (400, Some("bad_json")));
    assert_eq!(b["message"], "请求不是有效的 JSON");

    let unknown_field = json!({"client_id": uuid(400), "mutations": [], "admin": true}).to_string();
    let (s, b) = send_raw(unknown_field, "application/json").await;
    assert_eq!((s, b["code"].as_str()), (400, Some("bad_json")));
    assert!(b["message"].as_str().unwrap().starts_with("请求内容不符合要求"), "{b}");

    let unknown_kind =
        json!({"client_id": uuid(401), "mutations": [{"id": 1, "change": {"kind": "drop_table"}}]}).to_string();
    // A change this server cannot read is refused on its own (the batch and
    // the queue behind it go on), with a reason the device shows.
    let (s, b) = send_raw(unknown_kind, "application/json").await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        (b["results"][0]["status"].as_str(), b["results"][0]["code"].as_str()),
        (Some("rejected"), Some("validation_failed"))
    );
    assert!(b["results"][0]["message"].as_str().unwrap().starts_with("无法识别的变更内容"), "{b}");

    let unknown_method = push_body(
        &uuid(402),
        &[(
            1,
            json!({"id": uuid(403), "case_id": mine, "visited_at": "2026-11-20T09:30", "method": "carrier_pigeon", "note": "x"}),
        )],
    );
    let (s, b) = send_raw(unknown_method.to_string(), "application/json").await;
    assert_eq!((s, b["results"][0]["status"].as_str()), (200, Some("rejected")));

    let (s, b) = send_raw(push_body(&uuid(404), &[]).to_string(), "text/plain").await;
    assert_eq!((s, b["code"].as_str()), (415, Some("unsupported_media_type")));

    // Just over the 2 MiB limit, so the whole body sits in the socket buffers
    // when the server answers early (a much larger one races the close).
    let huge = push_body(&uuid(405), &[(1, visit(&uuid(406), mine, &"长".repeat(720_000)))]).to_string();
    assert!(huge.len() > backend::MAX_BODY_BYTES);
    let (s, b) = send_raw(huge, "application/json").await;
    assert_eq!((s, b["code"].as_str()), (413, Some("payload_too_large")));
    assert_eq!(b["message"], "请求内容过大");

    let (s, b) =
        send_raw(push_body("not-a-uuid", &[(1, visit(&uuid(407), mine, "x"))]).to_string(), "application/json").await;
    assert_eq!((s, b["code"].as_str()), (400, Some("validation_failed")));

    let (s, b) = app.get_json(&agent, "/api/sync/pull?cursor=-5").await;
    assert_eq!((s, b["code"].as_str()), (400, Some("validation_failed")));

    // The REST form of the same write answers like a missing case: 404.
    let county = app.login("qi1").await;
    let foreign = cases_of(app, &county).await.into_iter().find(|c| c["unit_name"] == "吉兰泰嘎查").unwrap()["id"]
        .as_i64()
        .unwrap();
    let (s, b) =
        app.post_json(&agent, &format!("/api/cases/{foreign}/visits"), &visit(&uuid(408), foreign, "越权")).await;
    assert_eq!((s, b["code"].as_str()), (404, Some("not_found")));
    let (s2, b2) = app.post_json(&agent, "/api/cases/999999/visits", &visit(&uuid(410), 999_999, "不存在")).await;
    assert_eq!((s2, b2), (s, b), "out of scope and missing are indistinguishable");
    let (s, b) = app.post_json(&agent, &format!("/api/cases/{mine}/visits"), &visit(&uuid(409), mine, "")).await;
    assert_eq!((s, b["code"].as_str()), (400, Some("validation_failed")));

    assert_eq!(app.count("visits").await, visits_before, "nothing was written");
    assert_eq!(app.count("applied_mutations").await, 2, "only the two refusals are recorded");

    let (s, b) = app.get_json(&agent, "/api/no/such/endpoint").await;
    assert_eq!((s, b["code"].as_str()), (404, Some("not_found")));
}
both!(bad_input_is_refused_cleanly);

async fn pull_returns_changes_after_cursor(app: &TestApp) {
    let agent = app.login("wangge1").await;
    let (s, first) = app.get_json(&agent, "/api/sync/pull?cursor=0").await;
    assert_eq!(s, 200);
    assert_eq!(first["has_more"], false);
    let cursor = first["cursor"].as_i64().unwrap();
    assert!(cursor > 0);
    let (_, empty) = app.get_json(&agent, &format!("/api/sync/pull?cursor={cursor}")).await;
    assert_eq!(empty["cases"].as_array().unwrap().len(), 0);
    assert_eq!(empty["cursor"], cursor);

    let case_id = open_case_of_wangge1(app, &agent).await;
    let township = app.login("zhen1").await;
    let (s, _) = app
        .post_json(&township, &format!("/api/cases/{case_id}/visits"), &visit(&uuid(500), case_id, "镇站电话联系"))
        .await;
    assert_eq!(s, 201);
    let (_, next) = app.get_json(&agent, &format!("/api/sync/pull?cursor={cursor}")).await;
    let cases = next["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["id"], case_id);
    assert!(next["cursor"].as_i64().unwrap() > cursor);
    let visits = next["visits"].as_array().unwrap();
    assert!(visits.iter().any(|v| v["id"] == uuid(500) && v["recorded_by_name"] == "张桂芳"));
    assert!(visits.iter().all(|v| v["case_id"] == case_id));
}
both!(pull_returns_changes_after_cursor);

/// API answers are compressed as the client accepts (brotli or gzip), and
/// only then.
async fn answers_are_compressed(app: &TestApp) {
    let c = app.login("zhen1").await;
    let plain = c.get(app.url("/api/sync/pull?cursor=0")).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain_len = plain.bytes().await.unwrap().len();
    for encoding in ["br", "gzip"] {
        let r = c.get(app.url("/api/sync/pull?cursor=0")).header("accept-encoding", encoding).send().await.unwrap();
        assert_eq!(r.headers()["content-encoding"], encoding);
        let len = r.bytes().await.unwrap().len();
        assert!(len * 3 < plain_len, "{encoding}: {len} bytes vs {plain_len} plain");
    }
}
both!(answers_are_compressed);
