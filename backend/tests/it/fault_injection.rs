//! Sync under faults, on SQLite and PostgreSQL: several simulated phones push
//! ≥ 10,000 mutations (visits, progress contacts, new matters with their
//! screening, photos, and changes the server must refuse) through an
//! in-process HTTP proxy that drops requests, drops answers after the server
//! committed, delays, duplicates and replays stale pushes late (out of
//! order), while the server is stopped in the middle of pushes and started
//! again on the same database. At the end every mutation has exactly one
//! answer as the model predicts, each applied change is stored exactly once
//! and in its device's order, the server's state is the model's, and the
//! audit chain is intact.
//!
//! `FAULT_MUTATIONS` sets the total (default 10,000; `scripts/bench` runs a
//! larger one).

use crate::common;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use backend::db::Db;
use backend::ApiContext;
use common::{Kind, TestApp};
use serde_json::{json, Value};
use sqlx::Row;
use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// SplitMix64: a small seeded generator, so a failing run can be repeated.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(1000) < percent * 10
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// What happened, counted.
#[derive(Default)]
struct Stats {
    requests: AtomicUsize,
    dropped_requests: AtomicUsize,
    dropped_answers: AtomicUsize,
    delayed: AtomicUsize,
    duplicated: AtomicUsize,
    stale_replays: AtomicUsize,
    restarts: AtomicUsize,
    killed_in_push: AtomicUsize,
    pushes_in_server: AtomicUsize,
    retries: AtomicUsize,
    photos: AtomicUsize,
}

// ---------------------------------------------------------------- server --

/// One server "process": its own pool, listener and in-memory state. Stopping
/// it cuts every request it is working on (their futures are dropped, their
/// transactions never commit), like a crash.
struct Instance {
    base: String,
    life: Arc<Life>,
    accept: tokio::task::JoinHandle<()>,
    db: Db,
}

struct Life {
    dead: AtomicBool,
    kill: tokio::sync::Notify,
    stats: Arc<Stats>,
}

async fn lifeline(State(life): State<Arc<Life>>, req: Request, next: Next) -> Response {
    let killed = life.kill.notified();
    if life.dead.load(SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let push = req.uri().path() == "/api/sync/push";
    if push {
        life.stats.pushes_in_server.fetch_add(1, SeqCst);
    }
    let answer = tokio::select! {
        r = next.run(req) => r,
        _ = killed => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    if push {
        life.stats.pushes_in_server.fetch_sub(1, SeqCst);
    }
    answer
}

async fn start(url: &str, data_dir: &std::path::Path, stats: Arc<Stats>) -> Instance {
    let db = backend::startup::connect(url).await.expect("connect");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let life = Arc::new(Life { dead: AtomicBool::new(false), kill: tokio::sync::Notify::new(), stats });
    let security = backend::api::security::SecurityConfig { trust_proxy: true, ..Default::default() };
    let ctx = ApiContext::new(db.clone(), data_dir.to_path_buf()).with_security(security);
    let router = backend::app(ctx, std::env::temp_dir().join("dbt-no-dist"))
        .layer(axum::middleware::from_fn_with_state(life.clone(), lifeline));
    let accept = tokio::spawn(async move {
        let _ = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    Instance { base: format!("http://{addr}"), life, accept, db }
}

async fn stop(i: Instance) {
    i.life.dead.store(true, SeqCst);
    i.life.kill.notify_waiters();
    i.accept.abort();
    let _ = tokio::time::timeout(Duration::from_secs(10), i.db.pool.close()).await;
}

// ----------------------------------------------------------------- proxy --

struct Proxy {
    backend: Mutex<String>,
    http: reqwest::Client,
    rng: Mutex<Rng>,
    faults: AtomicBool,
    stats: Arc<Stats>,
    late: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    DropRequest,
    DropAnswer,
    Delay,
    Duplicate,
    StaleReplay,
}

const HOP: [HeaderName; 4] = [header::HOST, header::CONTENT_LENGTH, header::CONNECTION, header::TRANSFER_ENCODING];

impl Proxy {
    fn fault(&self, push: bool) -> (Fault, u64) {
        if !self.faults.load(SeqCst) {
            return (Fault::None, 0);
        }
        let mut rng = self.rng.lock().unwrap();
        let roll = rng.below(100);
        let ms = rng.below(40);
        let fault = match (push, roll) {
            (true, 0..8) => Fault::DropRequest,
            (true, 8..16) => Fault::DropAnswer,
            (true, 16..30) => Fault::Delay,
            (true, 30..35) => Fault::Duplicate,
            (true, 35..40) => Fault::StaleReplay,
            (false, 0..3) => Fault::DropRequest,
            (false, 3..6) => Fault::DropAnswer,
            (false, 6..15) => Fault::Delay,
            _ => Fault::None,
        };
        (fault, ms)
    }

    async fn forward(
        &self,
        method: &axum::http::Method,
        path: &str,
        headers: &HeaderMap,
        body: &axum::body::Bytes,
    ) -> Result<(StatusCode, HeaderMap, axum::body::Bytes), reqwest::Error> {
        let base = self.backend.lock().unwrap().clone();
        let mut h = headers.clone();
        for n in HOP {
            h.remove(n);
        }
        let r = self
            .http
            .request(method.clone(), format!("{base}{path}"))
            .headers(h)
            .body(body.clone())
            .timeout(Duration::from_secs(30))
            .send()
            .await?;
        let (status, mut headers) = (r.status(), r.headers().clone());
        for n in HOP {
            headers.remove(n);
        }
        Ok((status, headers, r.bytes().await?))
    }
}

async fn proxy(State(p): State<Arc<Proxy>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 8 << 20).await.unwrap();
    let path = parts.uri.path_and_query().map_or("/", |x| x.as_str()).to_string();
    let push = parts.uri.path() == "/api/sync/push";
    p.stats.requests.fetch_add(1, SeqCst);
    let (fault, ms) = p.fault(push);
    let lost = || (StatusCode::BAD_GATEWAY, "lost").into_response();
    match fault {
        Fault::DropRequest => {
            p.stats.dropped_requests.fetch_add(1, SeqCst);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            return lost();
        }
        Fault::Delay => {
            p.stats.delayed.fetch_add(1, SeqCst);
            tokio::time::sleep(Duration::from_millis(ms * 5)).await;
        }
        Fault::Duplicate => {
            // The same request twice at once (a retrying radio).
            p.stats.duplicated.fetch_add(1, SeqCst);
            let (p2, m, pa, h, b) =
                (p.clone(), parts.method.clone(), path.clone(), parts.headers.clone(), body.clone());
            p.late.lock().unwrap().push(tokio::spawn(async move {
                let _ = p2.forward(&m, &pa, &h, &b).await;
            }));
        }
        Fault::StaleReplay => {
            // A copy that arrives much later, after newer pushes of the device.
            p.stats.stale_replays.fetch_add(1, SeqCst);
            let (p2, m, pa, h, b) =
                (p.clone(), parts.method.clone(), path.clone(), parts.headers.clone(), body.clone());
            p.late.lock().unwrap().push(tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(100 + ms * 20)).await;
                let _ = p2.forward(&m, &pa, &h, &b).await;
            }));
        }
        Fault::DropAnswer | Fault::None => {}
    }
    match p.forward(&parts.method, &path, &parts.headers, &body).await {
        Err(_) => lost(),
        Ok(_) if fault == Fault::DropAnswer => {
            // The server did the work; the phone never hears of it.
            p.stats.dropped_answers.fetch_add(1, SeqCst);
            lost()
        }
        Ok((status, headers, bytes)) => {
            let mut r = Response::new(axum::body::Body::from(bytes));
            *r.status_mut() = status;
            *r.headers_mut() = headers;
            r
        }
    }
}

// ----------------------------------------------------------------- model --

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Applied,
    Rejected(&'static str),
}

#[derive(Clone, Debug)]
enum What {
    Visit { visit_id: String, case_id: i64, photo: bool },
    Event,
    Create { client_ref: String },
    Refused,
}

struct Op {
    id: u64,
    change: Value,
    expect: Expect,
    tag: String,
    what: What,
}

struct Device {
    n: usize,
    user: &'static str,
    client_id: String,
    ops: Vec<Op>,
}

const MARK: &str = "〔故障";

fn visit_json(visit_id: &str, case_id: i64, note: &str) -> Value {
    json!({"id": visit_id, "case_id": case_id, "visited_at": "2026-11-20T09:30", "method": "in_person", "note": note})
}

fn new_case(unit_id: i64, client_ref: &str) -> Value {
    json!({
        "client_ref": client_ref,
        "unit_id": unit_id,
        "citizen_name": "格日勒·图雅",
        "phone": "13948302101",
        "address": "乌兰布和嘎查三组",
        "summary": "排查发现：草场边界纠纷，请求重新勘界。",
        "brief": "草场边界纠纷",
        "channel": "visit",
        "source": "screening",
        "level": "village",
        "category": "herding",
        "received_on": shared::time::china_today(chrono::Utc::now()).to_string(),
    })
}

/// A device-made UUID, unique per run, device and sequence.
fn id_of(run: u64, device: usize, seq: u64) -> String {
    format!("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", run as u32, device, seq & 0xfff, (seq >> 12) & 0xfff, seq)
}

/// The mutations one device will make, each with its predicted answer.
fn plan(rng: &mut Rng, run: u64, n: usize, count: usize, cases: &[i64], me: (i64, i64), creates: bool) -> Vec<Op> {
    let (me_id, unit_id) = me;
    let mut ops: Vec<Op> = Vec::with_capacity(count);
    let mut refs: Vec<String> = Vec::new();
    let mut seq = 0u64;
    while ops.len() < count {
        let id = ops.len() as u64 + 1;
        let tag = format!("{MARK} d{n}-{id}〕");
        seq += 1;
        let roll = rng.below(100);
        let case = rng.pick(cases);
        let (change, expect, what) = match roll {
            0..55 => {
                let visit_id = id_of(run, n, seq);
                let c = json!({"kind": "add_visit", "visit": visit_json(&visit_id, case, &format!("入户走访，了解诉求进展。{tag}"))});
                (c, Expect::Applied, What::Visit { visit_id, case_id: case, photo: rng.chance(3) })
            }
            55..75 => (
                json!({"kind": "command", "case_id": case, "command": {"kind": "contact", "method": "phone", "note": format!("电话沟通办理进度。{tag}")}}),
                Expect::Applied,
                What::Event,
            ),
            75..80 if creates => {
                let client_ref = id_of(run, n + 100, seq);
                refs.push(client_ref.clone());
                let c = json!({"kind": "create_case", "case": new_case(unit_id, &client_ref)});
                ops.push(Op {
                    id,
                    change: c,
                    expect: Expect::Applied,
                    tag,
                    what: What::Create { client_ref: client_ref.clone() },
                });
                let id = id + 1;
                let tag = format!("{MARK} d{n}-{id}〕");
                (
                    json!({"kind": "command_on_new", "client_ref": client_ref, "command": {"kind": "screen", "outcome": {"kind": "accept_agency", "agent_chosen_by_citizen": false}, "agent_id": me_id, "note": format!("排查发现，群众同意代办。{tag}")}}),
                    Expect::Applied,
                    What::Event,
                )
            }
            80..85 if !refs.is_empty() => (
                json!({"kind": "command_on_new", "client_ref": rng.pick(&refs.iter().map(String::as_str).collect::<Vec<_>>()), "command": {"kind": "contact", "method": "in_person", "note": format!("新登记事项进度沟通。{tag}")}}),
                Expect::Applied,
                What::Event,
            ),
            85..88 if !refs.is_empty() => (
                // Screened already: the state has moved on.
                json!({"kind": "command_on_new", "client_ref": refs[refs.len() - 1], "command": {"kind": "screen", "outcome": {"kind": "accept_agency", "agent_chosen_by_citizen": false}, "agent_id": me_id, "note": format!("重复甄别。{tag}")}}),
                Expect::Rejected("conflict"),
                What::Refused,
            ),
            88..91 => (
                json!({"kind": "add_visit", "visit": visit_json(&id_of(run, n, seq), case, "   ")}),
                Expect::Rejected("validation_failed"),
                What::Refused,
            ),
            91..94 => (
                json!({"kind": "add_visit", "visit": visit_json(&id_of(run, n, seq), 999_999_999, &format!("不存在的事项。{tag}"))}),
                Expect::Rejected("not_found"),
                What::Refused,
            ),
            94..97 => (
                json!({"kind": "command", "case_id": case, "command": {"kind": "archive"}}),
                Expect::Rejected("forbidden"),
                What::Refused,
            ),
            _ => (
                json!({"kind": "command_on_new", "client_ref": id_of(run, n + 200, seq), "command": {"kind": "contact", "method": "phone", "note": format!("未知事项。{tag}")}}),
                Expect::Rejected("not_found"),
                What::Refused,
            ),
        };
        let id = ops.len() as u64 + 1;
        let tag = format!("{MARK} d{n}-{id}〕");
        ops.push(Op { id, change, expect, tag, what });
    }
    ops
}

fn photo_bytes(visit_id: &str) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F'];
    b.extend(visit_id.bytes().cycle().take(3000));
    b
}

// ---------------------------------------------------------------- device --

async fn login(c: &reqwest::Client, base: &str, user: &str, stats: &Stats) {
    loop {
        let r = c
            .post(format!("{base}/api/login"))
            .json(&json!({"username": user, "password": backend::workflow::demo::DEMO_PASSWORD}))
            .send()
            .await;
        if r.is_ok_and(|r| r.status() == 200) {
            return;
        }
        stats.retries.fetch_add(1, SeqCst);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Sends until it gets an answer (the phone's retry loop, with short waits).
async fn until_answered(
    c: &reqwest::Client,
    base: &str,
    user: &str,
    stats: &Stats,
    mut send: impl FnMut(&reqwest::Client) -> reqwest::RequestBuilder,
) -> (u16, axum::body::Bytes) {
    let mut wait = 2;
    loop {
        match send(c).timeout(Duration::from_secs(60)).send().await {
            Ok(r) if r.status() == 401 => login(c, base, user, stats).await,
            Ok(r) if r.status().is_success() || r.status().is_client_error() => {
                let s = r.status().as_u16();
                if let Ok(b) = r.bytes().await {
                    return (s, b);
                }
            }
            _ => {}
        }
        stats.retries.fetch_add(1, SeqCst);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        wait = (wait * 2).min(50);
    }
}

/// One phone: the worker types mutations offline in bursts; the outbox is
/// pushed oldest first in batches and an entry leaves only with its answer.
async fn drive(dev: Arc<Device>, base: String, stats: Arc<Stats>, seed: u64) -> HashMap<u64, Value> {
    let mut rng = Rng(seed);
    let c = reqwest::Client::builder().cookie_store(true).build().unwrap();
    login(&c, &base, dev.user, &stats).await;
    let mut answers: HashMap<u64, Value> = HashMap::new();
    let mut outbox: VecDeque<usize> = VecDeque::new();
    let mut typed = 0;
    while answers.len() < dev.ops.len() {
        for _ in 0..rng.below(300) + 1 {
            if typed < dev.ops.len() {
                outbox.push_back(typed);
                typed += 1;
            }
        }
        let size = outbox.len().min(rng.pick(&[1, 20, 100, 500]));
        let batch: Vec<&Op> = outbox.iter().take(size).map(|&i| &dev.ops[i]).collect();
        let body = json!({"client_id": dev.client_id, "mutations": batch.iter().map(|o| json!({"id": o.id, "change": o.change})).collect::<Vec<_>>()});
        let (status, bytes) =
            until_answered(&c, &base, dev.user, &stats, |c| c.post(format!("{base}/api/sync/push")).json(&body)).await;
        assert_eq!(status, 200, "device {}: {}", dev.n, String::from_utf8_lossy(&bytes));
        let res: Value = serde_json::from_slice(&bytes).unwrap();
        let results = res["results"].as_array().unwrap();
        assert_eq!(results.len(), batch.len(), "one answer per mutation");
        for (op, r) in batch.iter().zip(results) {
            assert_eq!(r["id"], op.id, "answers in order");
            assert!(answers.insert(op.id, r.clone()).is_none());
        }
        // Photos follow their applied visits.
        for (op, r) in batch.iter().zip(results) {
            if let (What::Visit { visit_id, case_id, photo: true }, "applied") =
                (&op.what, r["status"].as_str().unwrap())
            {
                let url =
                    format!("{base}/api/cases/{case_id}/attachments/{visit_id}?name=photo.jpg&visit_id={visit_id}");
                let (s, b) = until_answered(&c, &base, dev.user, &stats, |c| {
                    c.put(&url).header("content-type", "image/jpeg").body(photo_bytes(visit_id))
                })
                .await;
                assert!(s == 200 || s == 201, "photo: {s} {}", String::from_utf8_lossy(&b));
                stats.photos.fetch_add(1, SeqCst);
            }
        }
        outbox.drain(..size);
    }
    answers
}

// ----------------------------------------------------------------- test --

async fn sync_survives_faults(app: &TestApp) {
    let total: usize = std::env::var("FAULT_MUTATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let started = Instant::now();
    let seed = std::env::var("FAULT_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x15_2026);
    let run = std::process::id() as u64 ^ ((app.db_url.len() as u64) << 24);
    let stats = Arc::new(Stats::default());
    let data_dir = app.data_dir.clone();
    let server = Arc::new(tokio::sync::Mutex::new(Some(start(&app.db_url, &data_dir, stats.clone()).await)));
    let first = server.lock().await.as_ref().unwrap().base.clone();
    let px = Arc::new(Proxy {
        backend: Mutex::new(first),
        // A new connection per request: a stopped server keeps nothing alive.
        http: reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap(),
        rng: Mutex::new(Rng(seed ^ 0xFA17)),
        faults: AtomicBool::new(false),
        stats: stats.clone(),
        late: Mutex::new(Vec::new()),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let proxy_router = axum::Router::new().fallback(proxy).with_state(px.clone());
    tokio::spawn(async move { axum::serve(listener, proxy_router).await.unwrap() });

    // The phones: who, and the cases each may record on (probed once, without faults).
    let users: [(&'static str, bool); 8] = [
        ("wangge1", true),
        ("wangge1", true),
        ("wangge2", true),
        ("cun1", true),
        ("cun2", true),
        ("cun3", true),
        ("zhen1", false),
        ("zhen2", false),
    ];
    let mut rng = Rng(seed);
    let mut devices = Vec::new();
    let mut phones_of = Vec::new();
    for (n, (user, creates)) in users.iter().enumerate() {
        let c = reqwest::Client::builder().cookie_store(true).build().unwrap();
        login(&c, &base, user, &stats).await;
        let me: Value = c.get(format!("{base}/api/me")).send().await.unwrap().json().await.unwrap();
        let list: Value = c.get(format!("{base}/api/cases")).send().await.unwrap().json().await.unwrap();
        let client_id = id_of(run, n + 300, 0);
        let mut cases = Vec::new();
        let mut probe = Vec::new();
        for k in list.as_array().unwrap().iter().filter(|k| k["stage"] == "handling") {
            let id = k["id"].as_i64().unwrap();
            probe.push((id, json!({"id": probe.len() + 1, "change": {"kind": "add_visit", "visit": visit_json(&id_of(run, n + 400, probe.len() as u64), id, "走访前核对")}})));
        }
        let r: Value = c
            .post(format!("{base}/api/sync/push"))
            .json(&json!({"client_id": id_of(run, n + 500, 0), "mutations": probe.iter().map(|p| &p.1).collect::<Vec<_>>()}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for ((id, _), a) in probe.iter().zip(r["results"].as_array().unwrap()) {
            if a["status"] == "applied" {
                cases.push(*id);
            }
        }
        if !cases.is_empty() {
            phones_of.push((n, *user, *creates, client_id, cases, me));
        }
    }
    // The users with a case in handling they may record on (in the demo data).
    assert!(phones_of.len() >= 4, "at least four phones");
    let per = total.div_ceil(phones_of.len());
    for (n, user, creates, client_id, cases, me) in phones_of {
        let me = (me["id"].as_i64().unwrap(), me["unit_id"].as_i64().unwrap());
        let ops = plan(&mut rng, run, n, per, &cases, me, creates);
        devices.push(Arc::new(Device { n, user, client_id, ops }));
    }
    let visits_before = app.count("visits").await;
    let cases_before = app.count("cases").await;
    let planned: usize = devices.iter().map(|d| d.ops.len()).sum();
    assert!(planned >= total);

    // Chaos: faults on, phones go, and the server is stopped mid-push now and then.
    px.faults.store(true, SeqCst);
    let done = Arc::new(AtomicBool::new(false));
    let restarter = {
        let (server, px, stats, done, url, dir) =
            (server.clone(), px.clone(), stats.clone(), done.clone(), app.db_url.clone(), data_dir.clone());
        tokio::spawn(async move {
            let mut rng = Rng(seed ^ 0x5E57);
            while !done.load(SeqCst) {
                tokio::time::sleep(Duration::from_millis(1000 + rng.below(1500))).await;
                // Wait for a push in the server, then let it get a little way in.
                let t = Instant::now();
                while stats.pushes_in_server.load(SeqCst) == 0 && t.elapsed() < Duration::from_secs(2) {
                    if done.load(SeqCst) {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                tokio::time::sleep(Duration::from_millis(rng.below(15))).await;
                let mut slot = server.lock().await;
                if stats.pushes_in_server.load(SeqCst) > 0 {
                    stats.killed_in_push.fetch_add(1, SeqCst);
                }
                stop(slot.take().unwrap()).await;
                stats.restarts.fetch_add(1, SeqCst);
                let next = start(&url, &dir, stats.clone()).await;
                *px.backend.lock().unwrap() = next.base.clone();
                *slot = Some(next);
            }
        })
    };
    let phones: Vec<_> = devices
        .iter()
        .map(|d| tokio::spawn(drive(d.clone(), base.clone(), stats.clone(), seed ^ ((d.n as u64 + 1) * 7919))))
        .collect();
    let mut answers = Vec::new();
    for p in phones {
        answers.push(p.await.expect("device"));
    }
    done.store(true, SeqCst);
    restarter.await.unwrap();
    let late: Vec<_> = std::mem::take(&mut *px.late.lock().unwrap());
    for l in late {
        let _ = l.await;
    }
    px.faults.store(false, SeqCst);
    let chaos = started.elapsed();

    // 1. Every mutation answered as the model says, on the phone and in the server's record.
    let mut wrong = Vec::new();
    for (d, a) in devices.iter().zip(&answers) {
        for op in &d.ops {
            let r = &a[&op.id];
            let got = match r["status"].as_str() {
                Some("applied") => Expect::Applied,
                _ => Expect::Rejected(
                    ["conflict", "validation_failed", "not_found", "forbidden"]
                        .into_iter()
                        .find(|c| r["code"] == *c)
                        .unwrap_or("other"),
                ),
            };
            if got != op.expect {
                wrong.push(format!("device {} #{}: expected {:?}, got {r}", d.n, op.id, op.expect));
            }
            if matches!(got, Expect::Rejected(_)) {
                assert!(r["message"].as_str().is_some_and(|m| !m.is_empty()), "a refusal says why: {r}");
            }
        }
    }
    assert!(wrong.is_empty(), "{} unexpected answers, e.g. {:#?}", wrong.len(), &wrong[..wrong.len().min(10)]);
    let pool = &app.db.pool;
    for d in &devices {
        let rows = sqlx::query("SELECT mutation_id, status FROM applied_mutations WHERE client_id = $1")
            .bind(&d.client_id)
            .fetch_all(pool)
            .await
            .unwrap();
        assert_eq!(rows.len(), d.ops.len(), "device {}: one stored answer per mutation", d.n);
        for r in rows {
            let id: i64 = r.get(0);
            let status: String = r.get(1);
            let op = &d.ops[id as usize - 1];
            assert_eq!(status == "applied", op.expect == Expect::Applied, "device {} #{id}", d.n);
        }
    }

    // 2. Exactly once: each applied change is in the database once, nothing refused is.
    let visit_rows =
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT id, note, rev FROM visits WHERE note LIKE '%{MARK}%'")))
            .fetch_all(pool)
            .await
            .unwrap();
    let mut visits: HashMap<String, (String, i64)> = HashMap::new();
    for r in &visit_rows {
        visits.insert(r.get(0), (r.get(1), r.get(2)));
    }
    let event_rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, payload, rev FROM case_events WHERE payload LIKE '%{MARK}%' ORDER BY id"
    )))
    .fetch_all(pool)
    .await
    .unwrap();
    let mut events: HashMap<String, Vec<(i64, i64)>> = HashMap::new();
    for r in &event_rows {
        let payload: String = r.get(1);
        let start = payload.find(MARK).unwrap();
        let end = start + payload[start..].find('〕').unwrap() + '〕'.len_utf8();
        events.entry(payload[start..end].to_string()).or_default().push((r.get(0), r.get(2)));
    }
    let audited =
        sqlx::query("SELECT entity_id FROM audit_log WHERE action = 'visit.add'").fetch_all(pool).await.unwrap();
    let mut audit_count: HashMap<String, usize> = HashMap::new();
    for r in &audited {
        *audit_count.entry(r.get(0)).or_default() += 1;
    }
    let (mut applied_visits, mut applied_events, mut created, mut photos) = (0, 0, Vec::new(), Vec::new());
    for d in &devices {
        // 3. Each device's order: the change sequence never goes back, events are numbered in order.
        let (mut last_rev, mut last_event) = (0i64, 0i64);
        for op in &d.ops {
            let applied = op.expect == Expect::Applied;
            let (rev, event) = match &op.what {
                What::Visit { visit_id, photo, .. } => {
                    let (note, rev) = visits.get(visit_id).unwrap_or_else(|| panic!("visit {} lost", op.tag));
                    assert!(note.contains(&op.tag));
                    assert_eq!(audit_count.get(visit_id), Some(&1), "visit {} audited once", op.tag);
                    applied_visits += 1;
                    if *photo {
                        photos.push(visit_id.clone());
                    }
                    (*rev, None)
                }
                What::Event => {
                    let e = events.get(&op.tag).map_or(&[][..], |v| &v[..]);
                    assert_eq!(e.len(), 1, "event {} stored exactly once: {e:?}", op.tag);
                    applied_events += 1;
                    (e[0].1, Some(e[0].0))
                }
                What::Create { client_ref } => {
                    created.push(client_ref.clone());
                    continue;
                }
                What::Refused => {
                    assert!(!events.contains_key(&op.tag), "refused {} left an event", op.tag);
                    continue;
                }
            };
            assert!(applied);
            assert!(rev >= last_rev, "device {}: #{} applied before an earlier mutation", d.n, op.id);
            last_rev = rev;
            if let Some(e) = event {
                assert!(e > last_event, "device {}: #{} recorded out of order", d.n, op.id);
                last_event = e;
            }
        }
    }
    assert_eq!(visits.len(), applied_visits, "no visit beyond the model's");
    assert_eq!(app.count("visits").await - visits_before, applied_visits as i64);
    assert_eq!(events.values().map(Vec::len).sum::<usize>(), applied_events, "no event beyond the model's");

    // 4. The new matters: each once, screened, handled by its agent.
    assert_eq!(app.count("cases").await - cases_before, created.len() as i64, "each new matter once");
    let mut stages = HashMap::new();
    for r in
        sqlx::query("SELECT client_ref, stage FROM cases WHERE client_ref IS NOT NULL").fetch_all(pool).await.unwrap()
    {
        stages.insert(r.get::<String, _>(0), r.get::<String, _>(1));
    }
    for r in &created {
        assert_eq!(stages.get(r).map(String::as_str), Some("handling"), "new matter {r}");
    }

    // 5. The photos: each once, with its content.
    let mut stored = HashMap::new();
    for r in sqlx::query("SELECT id, sha256 FROM attachments").fetch_all(pool).await.unwrap() {
        stored.insert(r.get::<String, _>(0), r.get::<String, _>(1));
    }
    for p in &photos {
        use sha2::Digest;
        let want: String = sha2::Sha256::digest(photo_bytes(p)).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(stored.get(p), Some(&want), "photo of visit {p}");
    }

    // 6. What each phone pulls is the model: every applied visit of its cases comes back.
    let mut pulled = HashSet::new();
    for user in devices.iter().map(|d| d.user).collect::<HashSet<_>>() {
        let c = reqwest::Client::builder().cookie_store(true).build().unwrap();
        login(&c, &base, user, &stats).await;
        let mut cursor = 0;
        loop {
            let page: Value =
                c.get(format!("{base}/api/sync/pull?cursor={cursor}")).send().await.unwrap().json().await.unwrap();
            for v in page["visits"].as_array().unwrap() {
                pulled.insert(v["id"].as_str().unwrap().to_string());
            }
            cursor = page["cursor"].as_i64().unwrap();
            if page["has_more"] != true {
                break;
            }
        }
    }
    for d in &devices {
        for op in &d.ops {
            if let What::Visit { visit_id, .. } = &op.what {
                assert!(pulled.contains(visit_id), "visit {} pulled back", op.tag);
            }
        }
    }

    // 7. The audit chain.
    let v = backend::db::audit::verify(pool).await.unwrap();
    assert!(v.ok, "audit chain: {}", v.message);

    let s = &stats;
    let rejected = planned - applied_visits - applied_events - created.len();
    eprintln!(
        "fault injection ({:?}): {planned} mutations from {} devices in {:.1} s (checks {:.1} s): {applied_visits} visits, \
         {applied_events} commands, {} new matters, {rejected} refused with a reason, {} photos; \
         {} requests, {} dropped, {} answers dropped after commit, {} delayed, {} duplicated, {} replayed late, \
         {} server restarts ({} during a push), {} client retries",
        app.db.backend,
        devices.len(),
        chaos.as_secs_f64(),
        (started.elapsed() - chaos).as_secs_f64(),
        created.len(),
        s.photos.load(SeqCst),
        s.requests.load(SeqCst),
        s.dropped_requests.load(SeqCst),
        s.dropped_answers.load(SeqCst),
        s.delayed.load(SeqCst),
        s.duplicated.load(SeqCst),
        s.stale_replays.load(SeqCst),
        s.restarts.load(SeqCst),
        s.killed_in_push.load(SeqCst),
        s.retries.load(SeqCst),
    );
    assert!(s.restarts.load(SeqCst) >= 2 && s.killed_in_push.load(SeqCst) >= 1, "the server was restarted mid-push");
    assert!(s.dropped_answers.load(SeqCst) > 0 && s.stale_replays.load(SeqCst) > 0 && s.duplicated.load(SeqCst) > 0);
    let last = server.lock().await.take();
    if let Some(i) = last {
        stop(i).await;
    }
}
both!(sync_survives_faults);
