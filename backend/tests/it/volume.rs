//! What a phone holds, and doors tried at volume, on SQLite and PostgreSQL:
//! a banner or league account's phone pulls only the matters it works on;
//! session ids are never carried across sign-in; uploads are typed by their
//! content and the 5 MB limit holds under concurrent uploads.

use crate::common;
use common::{uuid, Kind, TestApp};
use serde_json::{json, Value};
use std::collections::HashSet;

async fn pull_all(app: &TestApp, c: &reqwest::Client) -> Vec<Value> {
    let (mut cursor, mut cases) = (0, Vec::new());
    loop {
        let (s, page) = app.get_json(c, &format!("/api/sync/pull?cursor={cursor}")).await;
        assert_eq!(s, 200, "{page}");
        cases.extend(page["cases"].as_array().unwrap().iter().cloned());
        cursor = page["cursor"].as_i64().unwrap();
        if page["has_more"] != true {
            return cases;
        }
    }
}

fn intake(unit_id: i64, level: &str) -> Value {
    json!({
        "unit_id": unit_id,
        "citizen_name": "格日勒·图雅",
        "phone": "13948302101",
        "summary": "反映跨苏木草场边界纠纷，请求旗里协调勘界。",
        "channel": "visit",
        "source": "citizen",
        "level": level,
        "category": "herding",
        "received_on": shared::time::china_today(chrono::Utc::now()).to_string(),
    })
}

/// A banner or league account sees its territory at the desk, but its phone
/// pulls only the matters at its own unit and those assigned to it.
async fn phones_pull_only_what_their_user_works_on(app: &TestApp) {
    for (username, level) in [("qi1", "multi_department"), ("meng1", "major_complex")] {
        let c = app.login(username).await;
        let (_, me) = app.get_json(&c, "/api/me").await;
        let (unit, me_id) = (me["unit_id"].as_i64().unwrap(), me["id"].as_i64().unwrap());
        let (_, desk) = app.get_json(&c, "/api/cases").await;
        let desk = desk.as_array().unwrap();
        assert!(desk.len() > 5, "{username} sees the territory at the desk");
        // A matter registered at the user's own unit.
        let (s, own) = app.post_json(&c, "/api/cases", &intake(unit, level)).await;
        // The league registers nothing itself; the banner centre does.
        assert!(s == 201 || username == "meng1", "{own}");
        let own_id = (s == 201).then(|| own["id"].as_i64().unwrap());
        let pulled = pull_all(app, &c).await;
        assert!(pulled.len() < desk.len(), "{username}'s phone does not get the whole territory");
        for k in &pulled {
            assert!(k["unit_id"] == unit || k["agent_id"] == me_id, "{username} pulled {k}");
        }
        if let Some(id) = own_id {
            assert!(pulled.iter().any(|k| k["id"] == id), "{username} pulls the matters of its own unit");
        }
    }
    // A township station still pulls its villages' matters.
    let c = app.login("zhen1").await;
    let (_, desk) = app.get_json(&c, "/api/cases").await;
    let desk: HashSet<i64> = desk.as_array().unwrap().iter().map(|k| k["id"].as_i64().unwrap()).collect();
    let pulled: HashSet<i64> = pull_all(app, &c).await.iter().map(|k| k["id"].as_i64().unwrap()).collect();
    assert_eq!(pulled, desk);
}
both!(phones_pull_only_what_their_user_works_on);

fn session_of(r: &reqwest::Response) -> Option<String> {
    r.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        v.strip_prefix(&format!("{}=", backend::api::auth::SESSION_COOKIE))
            .map(|rest| rest.split(';').next().unwrap_or("").to_string())
    })
}

/// Session fixation: a session id the client brings to sign-in is never
/// kept, every sign-in gets a new id, and signing out ends it.
async fn session_ids_are_never_reused(app: &TestApp) {
    let plain = reqwest::Client::new();
    let cookie = backend::api::auth::SESSION_COOKIE;
    let login = |planted: Option<String>| {
        let mut r = plain
            .post(app.url("/api/login"))
            .json(&json!({"username": "wangge1", "password": backend::workflow::demo::DEMO_PASSWORD}));
        if let Some(p) = planted {
            r = r.header("cookie", format!("{cookie}={p}"));
        }
        r.send()
    };
    // An attacker's made-up id, and an id of a real session the attacker holds.
    let attacker = session_of(&login(None).await.unwrap()).unwrap();
    let mut seen = HashSet::from([attacker.clone()]);
    let tasks: Vec<_> =
        (0..40).map(|i| login(Some(if i % 2 == 0 { attacker.clone() } else { format!("fixated{i:032}") }))).collect();
    for r in futures_join(tasks).await {
        let r = r.unwrap();
        assert_eq!(r.status(), 200);
        let id = session_of(&r).expect("a new session cookie at every sign-in");
        assert!(seen.insert(id), "a session id was given twice");
    }
    assert_eq!(seen.len(), 41);
    // A made-up id is nobody's session.
    let r = plain.get(app.url("/api/me")).header("cookie", format!("{cookie}=fixated{:032}", 1)).send().await.unwrap();
    assert_eq!(r.status(), 401);
    // Signing out ends the session: its id is worthless afterwards.
    let victim = seen.iter().find(|s| **s != attacker).unwrap().clone();
    let me = |s: String| plain.get(app.url("/api/me")).header("cookie", format!("{cookie}={s}")).send();
    assert_eq!(me(victim.clone()).await.unwrap().status(), 200);
    let r = plain.post(app.url("/api/logout")).header("cookie", format!("{cookie}={victim}")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(me(victim.clone()).await.unwrap().status(), 401);
    let again = session_of(&login(Some(victim.clone())).await.unwrap()).unwrap();
    assert_ne!(again, victim, "signing in again does not revive the old id");
}
both!(session_ids_are_never_reused);

async fn futures_join<F>(fs: Vec<F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = fs.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

fn jpeg(len: usize, fill: u8) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F'];
    b.resize(len, fill);
    b
}

/// Uploads are typed by their bytes, not by what the client claims, and the
/// 5 MB limit holds with many uploads at once; nothing refused is stored.
async fn uploads_typed_by_content_and_limited_under_load(app: &TestApp) {
    let agent = app.login("wangge1").await;
    let (_, cases) = app.get_json(&agent, "/api/cases").await;
    let id =
        cases.as_array().unwrap().iter().find(|c| c["stage"] == "handling" && c["agent_name"] == "巴特尔").unwrap()
            ["id"]
            .as_i64()
            .unwrap();
    let before = app.count("attachments").await;
    let max = backend::db::files::MAX_ATTACHMENT_BYTES;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let mut html = b"<html><script>alert(1)</script>".to_vec();
    html.resize(2000, b' ');
    let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff".to_vec();
    // (claimed type, bytes, expected status)
    let mut tries: Vec<(&str, Vec<u8>, u16)> = vec![
        ("image/jpeg", png.clone(), 415),
        ("image/png", jpeg(4000, 1), 415),
        ("image/jpeg", html.clone(), 415),
        ("text/html", html, 415),
        ("image/jpeg", exe.clone(), 415),
        ("application/octet-stream", exe, 415),
        ("image/png", png, 201),
    ];
    for i in 0..12u8 {
        tries.push(("image/jpeg", jpeg(max + 1 + usize::from(i), i), 413));
        tries.push(("image/jpeg", jpeg(max - usize::from(i), i), 201));
    }
    let expected_stored = tries.iter().filter(|t| t.2 == 201).count() as i64;
    let tasks: Vec<_> = tries
        .into_iter()
        .enumerate()
        .map(|(i, (ctype, body, want))| {
            let (c, url) =
                (agent.clone(), app.url(&format!("/api/cases/{id}/attachments/{}?name=p.jpg", uuid(7000 + i as u64))));
            async move {
                let r = c.put(url).header("content-type", ctype).body(body).send().await;
                // A body over the limit may be cut off while it is sent.
                let got = r.map_or(413, |r| r.status().as_u16());
                (i, ctype, want, got)
            }
        })
        .collect();
    for (i, ctype, want, got) in futures_join(tasks).await {
        assert_eq!(got, want, "upload {i} ({ctype})");
    }
    assert_eq!(app.count("attachments").await - before, expected_stored, "only the accepted files are stored");
}
both!(uploads_typed_by_content_and_limited_under_load);

/// A short load smoke run (scripts/bench has the 200 × 60 s one): many
/// sessions at once reading and pushing for a few seconds, no error, and
/// every pushed visit stored once.
async fn concurrent_sessions_smoke(app: &TestApp) {
    let users = ["wangge1", "zhen1", "qi1", "cun1"];
    let agent = app.login("wangge1").await;
    let (_, cases) = app.get_json(&agent, "/api/cases").await;
    let case_id =
        cases.as_array().unwrap().iter().find(|c| c["stage"] == "handling" && c["agent_name"] == "巴特尔").unwrap()
            ["id"]
            .as_i64()
            .unwrap();
    let visits_before = app.count("visits").await;
    let mut sessions = Vec::new();
    for n in 0..40u64 {
        let user = users[n as usize % users.len()];
        sessions.push((n, user, app.login(user).await));
    }
    let until = std::time::Instant::now() + std::time::Duration::from_secs(3);
    let mut tasks = Vec::new();
    for (n, user, c) in sessions {
        let base = app.base.clone();
        tasks.push(async move {
            let (mut requests, mut errors, mut pushed) = (0, Vec::new(), 0i64);
            let mut k = 0u64;
            while std::time::Instant::now() < until {
                k += 1;
                let r = match (user, k % 4) {
                    ("wangge1", 0) => {
                        let body = json!({"client_id": uuid(9000 + n), "mutations": [{"id": k, "change": {"kind": "add_visit", "visit": {
                            "id": uuid(100_000 * (n + 1) + k), "case_id": case_id, "visited_at": "2026-11-20T09:30", "method": "phone", "note": "并发走访"}}}]});
                        pushed += 1;
                        c.post(format!("{base}/api/sync/push")).json(&body).send().await
                    }
                    (_, 1) => c.get(format!("{base}/api/sync/pull?cursor=0")).send().await,
                    _ => c.get(format!("{base}/api/cases")).send().await,
                };
                requests += 1;
                match r {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                    }
                    Ok(r) => errors.push(format!("{user}: {}", r.status())),
                    Err(e) => errors.push(format!("{user}: {e}")),
                }
            }
            (requests, errors, pushed)
        });
    }
    let (mut requests, mut pushed) = (0, 0);
    for (r, errors, p) in futures_join(tasks).await {
        assert!(errors.is_empty(), "{errors:?}");
        requests += r;
        pushed += p;
    }
    assert!(requests > 40 && pushed > 0, "{requests} requests, {pushed} pushes");
    assert_eq!(app.count("visits").await - visits_before, pushed, "every pushed visit once");
}
both!(concurrent_sessions_smoke);
