//! Accounts an administrator switches off (停用) and on (启用), on SQLite
//! and PostgreSQL: a disabled account's sessions end at once, it cannot
//! sign in, pickers leave it out, and both changes are audited.

use crate::common;
use common::{Kind, TestApp};
use serde_json::{json, Value};
use sqlx::Row;

async fn user_id(app: &TestApp, username: &str) -> i64 {
    sqlx::query("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

async fn patch(app: &TestApp, c: &reqwest::Client, id: i64, body: Value) -> (u16, Value) {
    let r = c.patch(app.url(&format!("/api/admin/users/{id}"))).json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn sign_in(app: &TestApp, username: &str, password: &str) -> (u16, Value) {
    app.post_json(&app.client(), "/api/login", &json!({"username": username, "password": password})).await
}

fn lists(list: &Value, id: i64) -> bool {
    list.as_array().unwrap().iter().any(|u| u["id"] == id)
}

async fn audited(app: &TestApp, id: i64) -> Vec<(String, Value, Value)> {
    sqlx::query(
        "SELECT action, before, after FROM audit_log WHERE entity = 'user' AND entity_id = $1 \
         AND action IN ('user.disable', 'user.enable') ORDER BY id",
    )
    .bind(id.to_string())
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
    .iter()
    .map(|r| {
        let j = |c: &str| serde_json::from_str(&r.try_get::<String, _>(c).unwrap()).unwrap();
        (r.try_get("action").unwrap(), j("before"), j("after"))
    })
    .collect()
}

async fn disable_ends_sessions_and_sign_in(app: &TestApp) {
    let password = backend::workflow::demo::DEMO_PASSWORD;
    let admin = app.login("admin").await;
    let admin_id = user_id(app, "admin").await;
    let station = app.login("zhen1").await;
    let agent = app.login("wangge2").await;
    let target = user_id(app, "wangge2").await;
    assert_eq!(app.get_json(&agent, "/api/me").await.0, 200);
    let (_, agents) = app.get_json(&station, "/api/agents").await;
    assert!(lists(&agents, target), "offered before: {agents}");

    // Only administrators, never themselves, only people that exist.
    let (s, body) = patch(app, &station, target, json!({"disabled": true})).await;
    assert_eq!(s, 403, "{body}");
    let (s, body) = patch(app, &admin, admin_id, json!({"disabled": true})).await;
    assert_eq!(s, 403, "{body}");
    assert!(body["message"].as_str().unwrap().contains("自己"), "{body}");
    let (s, body) = patch(app, &admin, 999_999, json!({"disabled": true})).await;
    assert_eq!(s, 404, "{body}");
    assert_eq!(app.get_json(&agent, "/api/me").await.0, 200, "nothing changed");
    assert!(audited(app, target).await.is_empty());

    // 停用: the open session ends at once.
    let (s, body) = patch(app, &admin, target, json!({"disabled": true})).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["disabled"], true, "{body}");
    assert_eq!(body["registered"], true, "the registry flag is not the switch: {body}");
    let (s, _) = app.get_json(&agent, "/api/me").await;
    assert_eq!(s, 401, "session of a disabled account");
    let sessions: i64 = sqlx::query("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
        .bind(target)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(sessions, 0);

    // Sign-in: the ordinary answer without the password, the reason with it.
    let (s, body) = sign_in(app, "wangge2", "not-the-password-1").await;
    assert_eq!((s, body["message"].as_str()), (401, Some("用户名或密码错误")), "{body}");
    let (s, body) = sign_in(app, "wangge2", password).await;
    assert_eq!((s, body["message"].as_str()), (403, Some("账号已停用，请联系管理员")), "{body}");

    // Pickers leave it out; the administrator's list shows the state.
    let (_, agents) = app.get_json(&station, "/api/agents").await;
    assert!(!lists(&agents, target), "not offered while disabled: {agents}");
    let (_, users) = app.get_json(&admin, "/api/admin/users").await;
    let row = users.as_array().unwrap().iter().find(|u| u["id"] == target).unwrap().clone();
    assert_eq!(row["disabled"], true, "{row}");

    // 启用: signs in again.
    let (s, body) = patch(app, &admin, target, json!({"disabled": false})).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["disabled"], false, "{body}");
    let (s, body) = sign_in(app, "wangge2", password).await;
    assert_eq!(s, 200, "{body}");
    let (_, agents) = app.get_json(&station, "/api/agents").await;
    assert!(lists(&agents, target), "offered again: {agents}");

    let log = audited(app, target).await;
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[0].0, "user.disable");
    assert_eq!((&log[0].1["disabled"], &log[0].2["disabled"]), (&json!(false), &json!(true)));
    assert_eq!(log[1].0, "user.enable");
    assert_eq!((&log[1].1["disabled"], &log[1].2["disabled"]), (&json!(true), &json!(false)));
}
both!(disable_ends_sessions_and_sign_in);
