//! The OpenAPI document lists every registered operation (so it cannot drift from the routes),
//! and the reference page at `/api` is drawn from it.

use std::collections::BTreeSet;

use serde_json::Value;

use super::get_json;
use crate::common::TestApp;

on_both_backends!(the_document_names_every_route, the_reference_page_lists_every_operation);

async fn the_document_names_every_route(app: TestApp) {
    let (page, doc) = get_json(&app, "/api/v1/openapi.json").await;
    page.assert_status(200);
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], "/");
    assert_eq!(doc["components"]["securitySchemes"]["bearerAuth"]["scheme"], "bearer");
    assert!(doc["components"]["schemas"]["Problem"].is_object());

    let registered: BTreeSet<(String, String)> = guidepost::web::api::OPERATIONS
        .iter()
        .map(|(method, path)| (method.to_string(), format!("/api/v1{path}")))
        .collect();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |m| (m.clone(), path.clone())))
        .filter(|(method, _)| ["get", "post", "put", "patch", "delete"].contains(&method.as_str()))
        .collect();
    assert_eq!(registered, documented, "every route is documented, and nothing else is");

    // Each operation documents its problems and names its operation id.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["operationId"].is_string(), "{method} {path}");
            assert!(op["summary"].is_string(), "{method} {path}");
            let documented_ok = op["responses"].as_object().unwrap().keys().any(|s| s.starts_with('2'));
            assert!(documented_ok, "{method} {path} documents its success");
            for (status, response) in op["responses"].as_object().unwrap() {
                if status.starts_with('4') {
                    let content = &response["content"]["application/problem+json"]["schema"]["$ref"];
                    assert_eq!(content, &Value::from("#/components/schemas/Problem"), "{method} {path} {status}");
                }
            }
        }
    }
}

async fn the_reference_page_lists_every_operation(app: TestApp) {
    let page = app.get("/api").await;
    page.assert_status(200);
    assert!(page.header("content-type").unwrap().starts_with("text/html"));
    page.assert_contains("API reference").assert_contains("href=\"/api/v1/openapi.json\"");
    for (method, path) in guidepost::web::api::OPERATIONS {
        // Tera escapes `/` in text.
        let shown = format!("{} /api/v1{path}", method.to_uppercase()).replace('/', "&#x2F;");
        page.assert_contains(&shown);
    }
    page.assert_contains("curl -i -X GET").assert_contains("id=\"schema-Problem\"");
    assert!(!page.body.contains("<script>"), "no inline script");
    let home = app.get("/").await;
    home.assert_contains("href=\"/api\"");
}
