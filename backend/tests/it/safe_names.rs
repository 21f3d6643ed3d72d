//! Names and free text that read other than they are (issue 22, item 12),
//! on SQLite and PostgreSQL: an upload is stored, downloaded and packed in
//! the dossier under the name of its sniffed type (`照片.html` as a JPEG is
//! `照片.jpg`), without control or bidi characters; a name of nothing but
//! such characters is refused; free text loses the bidi and zero-width
//! characters on the way in.

use crate::common;
use common::{uuid, Kind, TestApp};
use serde_json::{json, Value};
use sqlx::Row;
use std::io::Read;

const RLO: char = '\u{202E}';

fn now_local() -> String {
    shared::time::china_local(chrono::Utc::now()).format("%Y-%m-%dT%H:%M").to_string()
}

async fn one_text(app: &TestApp, sql: &'static str, key: &str) -> String {
    sqlx::query(sql).bind(key).fetch_one(&app.db.pool).await.unwrap().try_get(0).unwrap()
}

async fn id_of(app: &TestApp, sql: &'static str, name: &str) -> i64 {
    sqlx::query(sql).bind(name).fetch_one(&app.db.pool).await.unwrap().try_get(0).unwrap()
}

/// Percent-encodes a query value.
fn q(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn names_and_text(app: &TestApp) {
    let station = app.login("zhen1").await;
    let agent = app.login("wangge1").await;
    let village = id_of(app, "SELECT id FROM units WHERE name = $1", "乌兰布和嘎查").await;
    let wangge1 = id_of(app, "SELECT id FROM users WHERE username = $1", "wangge1").await;

    // Free text: the override and zero-width characters go, raw or escaped.
    let intake = json!({
        "unit_id": village, "citizen_name": "格日勒·图雅", "id_number": "11010519491231002X",
        "summary": format!("反映草场{RLO}边界\u{200B}纠纷，请求勘界。"), "brief": format!("草场{RLO}纠纷"),
        "channel": "visit", "source": "citizen", "level": "village", "category": "herding",
        "received_on": shared::time::china_today(chrono::Utc::now()).to_string(),
    });
    let (s, case) = app.post_json(&station, "/api/cases", &intake).await;
    assert_eq!(s, 201, "{case}");
    let id = case["id"].as_i64().unwrap();
    let key = id.to_string();
    let summary = one_text(app, "SELECT summary FROM cases WHERE CAST(id AS TEXT) = $1", &key).await;
    assert_eq!(summary, "反映草场边界纠纷，请求勘界。");
    let (s, body) = app
        .post_json(
            &station,
            &format!("/api/cases/{id}/commands"),
            &json!({"kind": "screen", "outcome": {"kind": "accept_agency", "agent_chosen_by_citizen": false}, "agent_id": wangge1, "note": "受理代办"}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    let visit = uuid(22_001);
    let (s, body) = app
        .post_json(
            &agent,
            &format!("/api/cases/{id}/visits"),
            &json!({"id": visit, "case_id": id, "visited_at": now_local(), "method": "in_person", "note": format!("入户{RLO}了解\u{FEFF}情况")}),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    assert_eq!(one_text(app, "SELECT note FROM visits WHERE id = $1", &visit).await, "入户了解情况");
    // The same sent as JSON escapes.
    let escaped = uuid(22_002);
    let raw = format!(
        r#"{{"id":"{escaped}","case_id":{id},"visited_at":"{}","method":"phone","note":"电话\u202e告知\u2066进度\\u202e"}}"#,
        now_local()
    );
    let r = agent
        .post(app.url(&format!("/api/cases/{id}/visits")))
        .header("content-type", "application/json")
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    assert_eq!(one_text(app, "SELECT note FROM visits WHERE id = $1", &escaped).await, "电话告知进度\\u202e");

    // A JPEG typed as a web page is stored and downloaded as a JPEG.
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F'];
    jpeg.extend(std::iter::repeat_n(22u8, 2000));
    let put = |att: String, name: &str, ctype: &'static str, body: Vec<u8>| {
        agent
            .put(app.url(&format!("/api/cases/{id}/attachments/{att}?name={}", q(name))))
            .header("content-type", ctype)
            .body(body)
            .send()
    };
    let photo = uuid(22_010);
    let r = put(photo.clone(), "照片.html", "image/jpeg", jpeg.clone()).await.unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["file_name"], "照片.jpg");
    assert_eq!(one_text(app, "SELECT file_name FROM attachments WHERE id = $1", &photo).await, "照片.jpg");
    let got = agent.get(app.url(&format!("/api/attachments/{photo}"))).send().await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.headers()["content-disposition"], format!("inline; filename*=UTF-8''{}", q("照片.jpg")));
    assert_eq!(got.bytes().await.unwrap().to_vec(), jpeg);

    // A right-to-left override in the name: gone from the answer and the row.
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    png.extend(std::iter::repeat_n(5u8, 500));
    let invoice = uuid(22_011);
    let r = put(invoice.clone(), &format!("invoice{RLO}gnp.exe"), "image/png", png.clone()).await.unwrap();
    assert_eq!(r.status(), 201);
    let text = r.text().await.unwrap();
    assert!(!text.contains(RLO) && !text.to_lowercase().contains("\\u202e"), "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["file_name"], "invoicegnp.png");
    assert_eq!(one_text(app, "SELECT file_name FROM attachments WHERE id = $1", &invoice).await, "invoicegnp.png");

    // A name of nothing but such characters: refused, nothing kept.
    let before = app.count("attachments").await;
    let mut other = jpeg.clone();
    other.push(1);
    let r = put(uuid(22_012), "\u{202E}\u{200B}\u{2066}", "image/jpeg", other).await.unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "validation_failed");
    assert!(body["message"].as_str().unwrap().starts_with("附件文件名"), "{body}");
    assert_eq!(app.count("attachments").await, before);
    let stored = std::fs::read_dir(app.data_dir.join("attachments")).unwrap().count();
    assert_eq!(stored, 2, "only the two accepted files are on disk");

    // A row kept before names were cleaned comes out clean.
    sqlx::query("UPDATE attachments SET file_name = $1 WHERE id = $2")
        .bind(format!("旧照片{RLO}lmth.hta"))
        .bind(&photo)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let got = agent.get(app.url(&format!("/api/attachments/{photo}"))).send().await.unwrap();
    assert_eq!(got.headers()["content-disposition"], format!("inline; filename*=UTF-8''{}", q("旧照片lmth.jpg")));

    // The dossier: every entry named by its sniffed type, no override anywhere.
    let r = station.get(app.url(&format!("/api/cases/{id}/dossier.zip"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
    // `05-附件/NN-<name>`, in the order the files were added.
    let mut attached: Vec<&str> =
        names.iter().filter_map(|n| n.strip_prefix("05-附件/")).filter_map(|n| n.get(3..)).collect();
    attached.sort();
    assert_eq!(attached, ["invoicegnp.png", "旧照片lmth.jpg"], "{names:?}");
    assert!(names.iter().all(|n| !n.contains(RLO)), "{names:?}");
    let mut visits = String::new();
    zip.by_name("04-走访记录.csv").unwrap().read_to_string(&mut visits).unwrap();
    assert!(visits.contains("入户了解情况") && !visits.contains(RLO), "{visits}");
    let mut list = String::new();
    zip.by_name("00-清单.txt").unwrap().read_to_string(&mut list).unwrap();
    assert!(!list.contains(RLO), "{list}");
}
both!(names_and_text);
