//! The desk's documents and administration, on SQLite and PostgreSQL: the
//! ledger as XLSX, the printable 处置单, the working-day calendar an
//! administrator enters, and the 编号 prefix.

use crate::common;
use common::{Kind, TestApp};
use serde_json::{json, Value};
use sqlx::Row;
use std::collections::BTreeMap;
use std::io::Read;

fn today() -> chrono::NaiveDate {
    shared::time::china_today(chrono::Utc::now())
}

async fn unit_id(app: &TestApp, name: &str) -> i64 {
    sqlx::query("SELECT id FROM units WHERE name = $1")
        .bind(name)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

fn intake(unit_id: i64, summary: &str, level: &str) -> Value {
    json!({
        "unit_id": unit_id,
        "citizen_name": "格日勒·图雅",
        "id_number": "11010519491231002X",
        "phone": "13948302101",
        "address": "乌兰布和嘎查三组",
        "summary": summary,
        "brief": "草场边界纠纷",
        "channel": "visit",
        "source": "citizen",
        "level": level,
        "category": "herding",
        "received_on": today().to_string(),
    })
}

async fn new_case(app: &TestApp, c: &reqwest::Client, unit: i64, summary: &str, level: &str) -> Value {
    let (s, case) = app.post_json(c, "/api/cases", &intake(unit, summary, level)).await;
    assert_eq!(s, 201, "{case}");
    case
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    sqlx::query("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

/// A worksheet read back from an .xlsx: its rows, each a map from column
/// letter to text.
fn read_xlsx(bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut part = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap_or_else(|_| panic!("{name}")).read_to_string(&mut s).unwrap();
        s
    };
    let strings_xml = part("xl/sharedStrings.xml");
    let sheet = part("xl/worksheets/sheet1.xml");
    let unescape = |s: &str| {
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
    };
    let strings: Vec<String> = strings_xml
        .split("<si>")
        .skip(1)
        .map(|si| {
            let si = &si[..si.find("</si>").unwrap()];
            // The text of every <t> inside.
            let mut text = String::new();
            for t in si.split("<t").skip(1) {
                let body = &t[t.find('>').unwrap() + 1..];
                text.push_str(&unescape(&body[..body.find("</t>").unwrap_or(0)]));
            }
            text
        })
        .collect();
    let mut rows = Vec::new();
    for row in sheet.split("<row ").skip(1) {
        let row = &row[..row.find("</row>").unwrap_or(row.len())];
        let mut cells = BTreeMap::new();
        for c in row.split("<c ").skip(1) {
            let r = &c[c.find("r=\"").unwrap() + 3..];
            let col: String = r.chars().take_while(|ch| ch.is_ascii_alphabetic()).collect();
            if let (true, Some(v)) = (c.contains("t=\"s\""), c.find("<v>")) {
                let idx: usize = c[v + 3..c.find("</v>").unwrap()].parse().unwrap();
                cells.insert(col, strings[idx].clone());
            }
        }
        rows.push(cells);
    }
    rows
}

/// The rows as maps from header to text.
fn table(bytes: &[u8]) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let rows = read_xlsx(bytes);
    let header = rows[0].clone();
    let headers: Vec<String> = header.values().cloned().collect();
    let body = rows[1..].iter().map(|r| r.iter().map(|(col, v)| (header[col].clone(), v.clone())).collect()).collect();
    (headers, body)
}

async fn ledger(app: &TestApp, c: &reqwest::Client, query: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let r = c.get(app.url(&format!("/api/cases/ledger.xlsx{query}"))).send().await.unwrap();
    assert_eq!(r.status(), 200, "{query}");
    assert_eq!(r.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    table(&r.bytes().await.unwrap())
}

async fn ledger_as_xlsx(app: &TestApp) {
    let station = app.login("zhen1").await;
    let village = unit_id(app, "乌兰布和嘎查").await;
    let case =
        new_case(app, &station, village, "=HYPERLINK(\"http://x\") 反映承包草场被占用，请求重新勘界。", "village")
            .await;
    let (id, number) = (case["id"].as_i64().unwrap(), case["number"].as_str().unwrap().to_string());
    let dept = unit_id(app, "阿拉善左旗自然资源局").await;
    let creator: i64 = case["registered_by"].as_i64().unwrap();
    sqlx::query(
        "INSERT INTO dispositions (case_id, unit_id, proposed_handling, created_at, created_by, result, replied_at, replied_by) \
         VALUES ($1, $2, '请自然资源局现场勘界', '2026-11-23T02:00:00Z', $3, '已勘界，边界清楚', '2026-11-24T03:00:00Z', $3)",
    )
    .bind(id)
    .bind(dept)
    .bind(creator)
    .execute(&app.db.pool)
    .await
    .unwrap();
    let before = audited(app, "case.export_ledger").await;

    // The station handles its township's matters: every column, private ones filled.
    let (headers, rows) = ledger(app, &station, "").await;
    let expected = [
        "编号",
        "受理日期",
        "渠道",
        "来源",
        "信访人",
        "身份证号",
        "联系电话",
        "住址",
        "反映的问题及诉求",
        "内容分类",
        "专班组",
        "登记单位",
        "承办单位",
        "代办员",
        "阶段/状态",
        "期限",
        "处置单",
        "领导批示",
        "处理结果",
        "告知方式",
        "信访人意见",
        "终结日期",
        "回访",
        "归档",
    ];
    assert_eq!(headers, expected);
    let row = rows.iter().find(|r| r["编号"] == number).expect("the new matter is in the ledger");
    assert_eq!(row["信访人"], "格日勒·图雅");
    assert_eq!(row["身份证号"], "11010519491231002X");
    assert_eq!(row["联系电话"], "13948302101");
    assert_eq!(row["受理日期"], today().to_string());
    assert_eq!(row["渠道"], "走访");
    assert_eq!(row["登记单位"], "乌兰布和嘎查");
    assert!(row["反映的问题及诉求"].starts_with("'=HYPERLINK"), "neutralised: {}", row["反映的问题及诉求"]);
    assert_eq!(row["处置单"], "阿拉善左旗自然资源局：已勘界，边界清楚");
    assert!(!row["期限"].is_empty());
    let in_scope: i64 = app.get_json(&station, "/api/cases?limit=5000").await.1.as_array().unwrap().len() as i64;
    assert_eq!(rows.len() as i64, in_scope, "the station's whole jurisdiction");
    assert_eq!(audited(app, "case.export_ledger").await, before + 1);

    // Filters: stage, dates, unit (and below), words.
    let (_, screening) = ledger(app, &station, "?stage=screening").await;
    assert!(screening.iter().all(|r| r["阶段/状态"].starts_with("甄别受理")), "{screening:?}");
    assert!(screening.iter().any(|r| r["编号"] == number));
    let (_, future) = ledger(app, &station, &format!("?from={}", today().succ_opt().unwrap())).await;
    assert!(future.is_empty());
    let (_, other_village) = ledger(app, &station, &format!("?unit_id={}", unit_id(app, "巴彦霍德嘎查").await)).await;
    assert!(other_village.iter().all(|r| r["登记单位"] == "巴彦霍德嘎查") && !other_village.is_empty());
    let (_, found) = ledger(app, &station, "?q=HYPERLINK").await;
    assert_eq!(found.len(), 1);

    // The league bureau reads no private data: those columns are not there.
    let league = app.login("meng1").await;
    let (headers, rows) = ledger(app, &league, "").await;
    assert!(!headers.iter().any(|h| h == "身份证号" || h == "联系电话" || h == "住址"), "{headers:?}");
    assert!(rows.iter().any(|r| r["编号"] == number));

    // A field agent: only their village's matters, private data only where assigned.
    let agent = app.login("wangge1").await;
    let (_, rows) = ledger(app, &agent, "").await;
    let theirs = app.get_json(&agent, "/api/cases?limit=5000").await.1.as_array().unwrap().len();
    assert_eq!(rows.len(), theirs);
    let row = rows.iter().find(|r| r["编号"] == number).expect("their village's matter");
    assert_eq!(row.get("身份证号"), None, "not assigned to them");
    // Another township sees none of it.
    let other = app.login("zhen2").await;
    let (_, rows) = ledger(app, &other, "").await;
    assert!(!rows.iter().any(|r| r["编号"] == number));
    assert!(rows.iter().all(|r| r["登记单位"] != "乌兰布和嘎查"));

    // Bad filters answer JSON in Chinese.
    let (s, body) = app.get_json(&station, "/api/cases/ledger.xlsx?from=2026-13-01").await;
    assert_eq!((s, body["code"].as_str()), (400, Some("validation_failed")), "{body}");
    let (s, body) = app.get_json(&station, "/api/cases/ledger.xlsx?from=2026-11-02&to=2026-11-01").await;
    assert_eq!(s, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("日期"));
}
both!(ledger_as_xlsx);

async fn disposition_form_prints(app: &TestApp) {
    let station = app.login("zhen1").await;
    let village = unit_id(app, "乌兰布和嘎查").await;
    let case = new_case(app, &station, village, "反映承包草场被邻户围栏占用，请求重新勘界。", "village").await;
    let id = case["id"].as_i64().unwrap();
    let creator = case["registered_by"].as_i64().unwrap();
    let dept = unit_id(app, "阿拉善左旗自然资源局").await;
    for (proposed, result) in [("旧的拟办意见", None), ("请自然资源局会同嘎查现场勘界", Some("已于现场重新勘界"))]
    {
        sqlx::query(
            "INSERT INTO dispositions (case_id, unit_id, proposed_handling, created_at, created_by, result) \
             VALUES ($1, $2, $3, '2026-11-23T02:00:00Z', $4, $5)",
        )
        .bind(id)
        .bind(dept)
        .bind(proposed)
        .bind(creator)
        .bind(result)
        .execute(&app.db.pool)
        .await
        .unwrap();
    }
    let (s, body) = app
        .post_json(
            &station,
            &format!("/api/cases/{id}/commands"),
            &json!({"kind": "urge", "note": "电话催促自然资源局尽快勘界"}),
        )
        .await;
    assert_eq!(s, 200, "{body}");

    let url = app.url(&format!("/print/cases/{id}/disposition/{dept}"));
    let r = station.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    for must in [
        "信访事项处置单",
        case["number"].as_str().unwrap(),
        "格日勒·图雅",
        "13948302101",
        "乌兰布和嘎查三组",
        "牧业",
        "反映承包草场被邻户围栏占用",
        "拟办意见",
        "请自然资源局会同嘎查现场勘界",
        "分管领导处理意见",
        "领导批示",
        "进度催办",
        "电话催促自然资源局尽快勘界",
        "处理结果",
        "已于现场重新勘界",
        "签字",
        "@page{size:A4",
    ] {
        assert!(html.contains(must), "{must}");
    }
    assert!(!html.contains("旧的拟办意见"), "the latest 处置单 for that unit");
    assert_eq!(audited(app, "case.print_disposition_form").await, 1);

    // No 处置单 for that unit; not handling it; out of scope.
    let other_dept = unit_id(app, "阿拉善左旗人力资源和社会保障局").await;
    let (s, body) = app.get_json(&station, &format!("/print/cases/{id}/disposition/{other_dept}")).await;
    assert_eq!((s, body["code"].as_str()), (404, Some("not_found")), "{body}");
    let league = app.login("meng1").await;
    let (s, body) = app.get_json(&league, &format!("/print/cases/{id}/disposition/{dept}")).await;
    assert_eq!(s, 403, "{body}");
    assert!(body["message"].as_str().unwrap().contains("处置单"));
    let other = app.login("zhen2").await;
    assert_eq!(other.get(&url).send().await.unwrap().status(), 404);
    assert_eq!(audited(app, "case.print_disposition_form").await, 1);
}
both!(disposition_form_prints);

/// The calendar is one per process: the two databases' tests take turns.
static CALENDAR: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn calendar_of_a_new_year(app: &TestApp) {
    let _turn = CALENDAR.lock().await;
    let admin = app.login("admin").await;
    let station = app.login("zhen1").await;
    let village = unit_id(app, "乌兰布和嘎查").await;
    let (s, year) = app.get_json(&admin, "/api/admin/calendar/2027").await;
    assert_eq!(s, 200, "{year}");
    // 60 working days from now run into 2027, which has no schedule yet
    // (unless the other database's test entered it in this process first).
    let earlier = new_case(app, &station, village, "征地补偿款分配存在争议，涉及多户牧民。", "major_complex").await;
    assert_eq!(earlier["due_unscheduled"], year["scheduled"] == false, "{earlier}");
    let days = json!([
        {"day": "2027-01-01", "kind": "off"},
        {"day": "2027-02-06", "kind": "off"}, {"day": "2027-02-07", "kind": "off"}, {"day": "2027-02-08", "kind": "off"},
        {"day": "2027-02-09", "kind": "off"}, {"day": "2027-02-10", "kind": "off"}, {"day": "2027-02-11", "kind": "off"},
        {"day": "2027-02-12", "kind": "off"}, {"day": "2027-02-13", "kind": "off"},
        {"day": "2027-02-14", "kind": "work"}, {"day": "2027-02-20", "kind": "work"},
    ]);
    let r = admin.put(app.url("/api/admin/calendar/2027")).json(&days).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let year: Value = r.json().await.unwrap();
    assert_eq!((year["scheduled"].as_bool(), year["entered"].as_bool()), (Some(true), Some(true)));
    assert_eq!(year["days"].as_array().unwrap().len(), 11);
    assert_eq!(audited(app, "calendar.set_year").await, 1);

    // A new matter counts across 2027 with the schedule, and is not flagged.
    let case = new_case(app, &station, village, "征地补偿款分配存在争议，涉及多户牧民。", "major_complex").await;
    assert_eq!(case["due_unscheduled"], false, "{case}");
    let checked: Vec<shared::calendar::CalendarDay> = serde_json::from_value(days.clone()).unwrap();
    let cal = shared::calendar::Calendar::official()
        .clone()
        .with_schedule(2027, &shared::calendar::check_schedule(2027, &checked).unwrap());
    let expected = shared::deadline::MatterLevel::MajorComplex.due_date(&cal, today());
    assert_eq!(case["due_on"], expected.value.to_string());
    let (_, year) = app.get_json(&admin, "/api/admin/calendar/2027").await;
    assert_eq!(year["days"][0], json!({"day": "2027-01-01", "kind": "off"}));
    // The matter registered before is counted again, and phones pull it again.
    let (_, again) = app.get_json(&station, &format!("/api/cases/{}", earlier["id"])).await;
    assert_eq!(again["case"]["due_unscheduled"], false, "{again}");
    assert_eq!(again["case"]["due_on"], expected.value.to_string());
    assert!(again["case"]["rev"].as_i64() >= earlier["rev"].as_i64());

    // The built-in years read too; mistakes are refused in Chinese; only administrators.
    let (_, y2026) = app.get_json(&admin, "/api/admin/calendar/2026").await;
    assert_eq!((y2026["scheduled"].as_bool(), y2026["entered"].as_bool()), (Some(true), Some(false)));
    assert!(!y2026["days"].as_array().unwrap().is_empty());
    for bad in [
        json!([{"day": "2026-12-31", "kind": "off"}]),
        json!([{"day": "2027-01-01", "kind": "off"}, {"day": "2027-01-01", "kind": "work"}]),
        json!([{"day": "2027-01-01", "kind": "holiday"}]),
    ] {
        let r = admin.put(app.url("/api/admin/calendar/2027")).json(&bad).send().await.unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        let body: Value = r.json().await.unwrap();
        assert!(body["code"] == "validation_failed" || body["code"] == "bad_json", "{body}");
    }
    let r = admin.put(app.url("/api/admin/calendar/1999")).json(&json!([])).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let r = station.put(app.url("/api/admin/calendar/2027")).json(&days).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let (s, _) = app.get_json(&station, "/api/admin/calendar/2027").await;
    assert_eq!(s, 403);
    assert_eq!(audited(app, "calendar.set_year").await, 1);
}

/// Not `both!`: the calendar is one per process and every test counts
/// deadlines with it, so this test runs alone, and the year it entered is
/// taken out again afterwards (also when it failed): the other tests count
/// with the official calendar, as in a process of their own.
mod calendar_of_a_new_year {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        common::alone(then_forget_2027(Kind::Sqlite)).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        common::alone(then_forget_2027(Kind::Postgres)).await;
    }

    async fn then_forget_2027(kind: Kind) {
        let app = match kind {
            Kind::Sqlite => TestApp::spawn(kind).await.expect("sqlite"),
            Kind::Postgres => match TestApp::spawn(kind).await {
                Some(app) => app,
                None => return,
            },
        };
        let app = std::sync::Arc::new(app);
        let test = app.clone();
        let run = tokio::spawn(async move { super::calendar_of_a_new_year(&test).await }).await;
        // An empty list removes the year entered, here and in the process.
        let admin = app.login("admin").await;
        let r = admin.put(app.url("/api/admin/calendar/2027")).json(&json!([])).send().await.unwrap();
        assert_eq!(r.status(), 200, "2027 taken out of the calendar again");
        assert_eq!(
            backend::db::calendar::current().has_schedule(2027),
            shared::calendar::Calendar::official().has_schedule(2027)
        );
        std::sync::Arc::into_inner(app).expect("the test's server is done").finish().await;
        if let Err(e) = run {
            std::panic::resume_unwind(e.into_panic());
        }
    }
}

async fn number_prefixes(app: &TestApp) {
    let admin = app.login("admin").await;
    let station = app.login("zhen1").await;
    let village = unit_id(app, "乌兰布和嘎查").await;
    let other_village = unit_id(app, "巴彦霍德嘎查").await;
    let year = chrono::Datelike::year(&today());
    let (s, settings) = app.get_json(&admin, "/api/admin/settings").await;
    assert_eq!((s, &settings), (200, &json!({"number_prefix": null})));
    let case = new_case(app, &station, village, "反映草场边界不清，请求重新勘界。", "village").await;
    assert!(case["number"].as_str().unwrap().starts_with(&format!("阿左代〔{year}〕")));

    // The deployment's prefix.
    let r = admin.put(app.url("/api/admin/settings")).json(&json!({"number_prefix": "阿拉善"})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let case = new_case(app, &station, village, "反映草场边界不清，请求重新勘界。", "village").await;
    assert_eq!(case["number"], format!("阿拉善〔{year}〕001号"));
    // A unit's own prefix wins below it; the sequence runs per prefix and year.
    let township = unit_id(app, "巴彦浩特镇").await;
    let r = admin
        .patch(app.url(&format!("/api/admin/units/{township}")))
        .json(&json!({"number_prefix": "巴镇"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let unit: Value = r.json().await.unwrap();
    assert_eq!(unit["number_prefix"], "巴镇");
    let r = admin
        .patch(app.url(&format!("/api/admin/units/{village}")))
        .json(&json!({"number_prefix": "WLBH"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let a = new_case(app, &station, village, "反映草场边界不清，请求重新勘界。", "village").await;
    let b = new_case(app, &station, other_village, "反映草场边界不清，请求重新勘界。", "village").await;
    let c = new_case(app, &station, village, "反映草场边界不清，请求重新勘界。", "village").await;
    assert_eq!(a["number"], format!("WLBH〔{year}〕001号"));
    assert_eq!(b["number"], format!("巴镇〔{year}〕001号"));
    assert_eq!(c["number"], format!("WLBH〔{year}〕002号"));
    // Removing the village's own prefix: the township's applies again.
    let r = admin
        .patch(app.url(&format!("/api/admin/units/{village}")))
        .json(&json!({"number_prefix": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let d = new_case(app, &station, village, "反映草场边界不清，请求重新勘界。", "village").await;
    assert_eq!(d["number"], format!("巴镇〔{year}〕002号"));
    // A new unit with its own prefix.
    let (s, unit) = app
        .post_json(
            &admin,
            "/api/admin/units",
            &json!({"parent_id": township, "kind": "village", "name": "新建嘎查", "number_prefix": "新嘎"}),
        )
        .await;
    assert_eq!(s, 201, "{unit}");
    assert_eq!(unit["number_prefix"], "新嘎");

    // Refused: digits, brackets, too long, control characters; non-administrators.
    for bad in ["阿左代1", "阿〔左", "一二三四五六七八九十一", "阿\u{7}左"] {
        let r = admin.put(app.url("/api/admin/settings")).json(&json!({"number_prefix": bad})).send().await.unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        let body: Value = r.json().await.unwrap();
        assert!(body["message"].as_str().unwrap().contains("编号前缀"), "{body}");
        let r = admin
            .patch(app.url(&format!("/api/admin/units/{village}")))
            .json(&json!({"number_prefix": bad}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{bad}");
    }
    let r = station.put(app.url("/api/admin/settings")).json(&json!({"number_prefix": "X"})).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let (_, settings) = app.get_json(&admin, "/api/admin/settings").await;
    assert_eq!(settings["number_prefix"], "阿拉善");
    assert_eq!(audited(app, "settings.update").await, 1);
    assert_eq!(audited(app, "unit.update").await, 3);
}
both!(number_prefixes);

async fn dossier_of_a_matter(app: &TestApp) {
    let station = app.login("zhen1").await;
    let agent = app.login("wangge1").await;
    let village = unit_id(app, "乌兰布和嘎查").await;
    let dept = unit_id(app, "阿拉善左旗自然资源局").await;
    let wangge1: i64 = sqlx::query("SELECT id FROM users WHERE username = 'wangge1'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    let case = new_case(app, &station, village, "反映承包草场被邻户围栏占用，请求重新勘界。", "village").await;
    let id = case["id"].as_i64().unwrap();
    let command = |cmd: Value| {
        let station = station.clone();
        async move {
            let (s, body) = app.post_json(&station, &format!("/api/cases/{id}/commands"), &cmd).await;
            assert_eq!(s, 200, "{cmd} → {body}");
        }
    };
    command(json!({"kind": "screen", "outcome": {"kind": "accept_agency", "agent_chosen_by_citizen": false}, "agent_id": wangge1, "note": "受理代办"})).await;
    command(
        json!({"kind": "transfer", "unit": "阿拉善左旗自然资源局", "unit_id": dept, "proposed_handling": "请现场勘界"}),
    )
    .await;
    let exists: i64 = sqlx::query("SELECT COUNT(*) FROM dispositions WHERE case_id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    if exists == 0 {
        // Until the Transfer command writes its 处置单 (the desk workflow).
        sqlx::query(
            "INSERT INTO dispositions (case_id, unit_id, proposed_handling, created_at, created_by) \
             VALUES ($1, $2, '请现场勘界', '2026-11-23T02:00:00Z', $3)",
        )
        .bind(id)
        .bind(dept)
        .bind(case["registered_by"].as_i64().unwrap())
        .execute(&app.db.pool)
        .await
        .unwrap();
    }
    sqlx::query("UPDATE dispositions SET result = '已现场勘界' WHERE case_id = $1")
        .bind(id)
        .execute(&app.db.pool)
        .await
        .unwrap();
    command(json!({"kind": "transfer", "unit": "镇综合行政执法局", "proposed_handling": "请执法局配合"})).await;
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F'];
    jpeg.extend(std::iter::repeat_n(7u8, 3000));
    let r = agent
        .put(app.url(&format!("/api/cases/{id}/attachments/{}?name=%E7%8E%B0%E5%9C%BA.jpg", common::uuid(77))))
        .header("content-type", "image/jpeg")
        .body(jpeg.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    let r = station.get(app.url(&format!("/api/cases/{id}/dossier.zip"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let bytes = r.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut read = |name: &str| {
        let mut out = Vec::new();
        zip.by_name(name).unwrap_or_else(|_| panic!("{name} in the dossier")).read_to_end(&mut out).unwrap();
        out
    };
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    assert!(text(read("01-信访事项代办单.html")).contains("11010519491231002X"));
    let disposition = text(read("02-信访事项处置单-1-阿拉善左旗自然资源局.html"));
    assert!(disposition.contains("请现场勘界") && disposition.contains("已现场勘界"));
    assert!(text(read("03-办理过程.csv")).contains("流转至镇综合行政执法局"));
    read("04-走访记录.csv");
    assert_eq!(read("05-附件/01-现场.jpg"), jpeg);
    let manifest: Value = serde_json::from_slice(&read("manifest.json")).unwrap();
    assert_eq!(manifest["complete"], false);
    let missing: Vec<&str> = manifest["missing"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    assert_eq!(
        missing,
        ["处置单：交镇综合行政执法局办理的处置单", "事项尚未办结", "处理结果", "信访人意见", "终结回访记录"]
    );
    assert!(text(read("00-清单.txt")).contains("尚缺材料"));
    assert_eq!(audited(app, "case.export_dossier").await, 1);

    // Not for those who do not handle it, nor outside the jurisdiction.
    let league = app.login("meng1").await;
    let (s, body) = app.get_json(&league, &format!("/api/cases/{id}/dossier.zip")).await;
    assert_eq!((s, body["code"].as_str()), (403, Some("forbidden")), "{body}");
    let other = app.login("zhen2").await;
    let (s, body) = app.get_json(&other, &format!("/api/cases/{id}/dossier.zip")).await;
    assert_eq!((s, body["code"].as_str()), (404, Some("not_found")), "{body}");
    assert_eq!(audited(app, "case.export_dossier").await, 1);
}
both!(dossier_of_a_matter);
