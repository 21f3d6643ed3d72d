//! The OpenAPI document covers every endpoint the router serves.

use crate::common;
use common::{Kind, TestApp};

/// Every route of the API router, as (method, path).
const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/login"),
    ("post", "/api/logout"),
    ("get", "/api/me"),
    ("post", "/api/me/password"),
    ("get", "/api/cases"),
    ("post", "/api/cases"),
    ("get", "/api/cases/export.csv"),
    ("get", "/api/cases/{id}"),
    ("post", "/api/cases/{id}/visits"),
    ("post", "/api/cases/{id}/commands"),
    ("post", "/api/complaints/{id}/reply"),
    ("post", "/api/sync/push"),
    ("get", "/api/sync/pull"),
    ("get", "/api/audit/verify"),
    ("put", "/api/cases/{id}/attachments/{attachment_id}"),
    ("get", "/api/attachments/{attachment_id}"),
    ("get", "/api/units"),
    ("get", "/api/agents"),
    ("get", "/api/admin/users"),
    ("post", "/api/admin/users"),
    ("post", "/api/admin/units"),
    ("get", "/api/admin/units"),
    ("patch", "/api/admin/users/{id}"),
    ("patch", "/api/admin/units/{id}"),
    ("get", "/api/admin/settings"),
    ("put", "/api/admin/settings"),
    ("get", "/api/admin/calendar/{year}"),
    ("put", "/api/admin/calendar/{year}"),
    ("get", "/api/cases/ledger.xlsx"),
    ("get", "/api/cases/{id}/dossier.zip"),
    ("get", "/api/desk/inbox"),
    ("get", "/api/desk/cases"),
    ("get", "/api/desk/boards"),
    ("get", "/api/desk/duplicates"),
    ("get", "/api/desk/departments"),
    ("get", "/api/stats"),
    ("get", "/api/stats/quality"),
    ("post", "/api/stats/quality"),
    ("get", "/api/stats/quality/sample"),
    ("get", "/api/reward/history/{case_id}"),
    ("put", "/api/reward/history/{case_id}"),
    ("get", "/api/reward/claims"),
    ("post", "/api/reward/claims"),
    ("post", "/api/reward/claims/{id}/complaint"),
    ("get", "/api/reward/batches"),
    ("post", "/api/reward/batches"),
    ("get", "/api/reward/batches/{id}"),
    ("post", "/api/reward/batches/{id}/steps"),
    ("get", "/api/reward/funds/{year}"),
    ("put", "/api/reward/funds/{year}"),
    ("get", "/api/reward/flags"),
    ("post", "/api/reward/referrals"),
    ("get", "/api/reward/batches/{id}/notice.xlsx"),
    ("get", "/api/reward/batches/{id}/payment.xlsx"),
    ("get", "/api/reward/funds/{year}/self-evaluation.xlsx"),
    ("get", "/api/assessment"),
    ("get", "/api/assessment/{unit_id}"),
    ("post", "/api/assessment/entries"),
    ("post", "/api/assessment/entries/{id}/withdraw"),
    ("post", "/api/assessment/entries/{id}/evidence"),
    ("get", "/api/assessment/evidence/{id}"),
    ("post", "/api/assessment/letters"),
    ("post", "/api/assessment/letters/{id}/acknowledge"),
    ("get", "/api/bulletin"),
    ("get", "/api/bulletin.xlsx"),
    ("get", "/api/appraisal"),
];

#[tokio::test]
async fn openapi_document_lists_every_endpoint() {
    let app = TestApp::spawn(Kind::Sqlite).await.unwrap();
    let doc: serde_json::Value = reqwest::get(app.url("/api/openapi.json")).await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with('3'));
    for (method, path) in ROUTES {
        assert!(doc["paths"][path][method].is_object(), "{method} {path} is missing from the OpenAPI document");
    }
    let documented: usize = doc["paths"].as_object().unwrap().values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(documented, ROUTES.len(), "an undocumented extra path, or a route missing from ROUTES");
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in ["CaseCommand", "CaseView", "PushRequest", "PullResponse", "ApiError", "NewCase", "Lifecycle"] {
        assert!(schemas.contains_key(name), "schema {name}");
    }
    // Every route in ROUTES is really served (not 404 "接口不存在" from the fallback).
    let c = app.client();
    for (method, path) in ROUTES {
        let url = app.url(
            &path
                .replace("{id}", "1")
                .replace("{attachment_id}", "x")
                .replace("{year}", "2027")
                .replace("{unit_id}", "1"),
        );
        let r = c.request(method.to_uppercase().parse().unwrap(), url).send().await.unwrap();
        let body: serde_json::Value = r.json().await.unwrap_or_default();
        assert_ne!(body["message"], "接口不存在", "{method} {path} is not routed");
    }
    app.finish().await;
}
