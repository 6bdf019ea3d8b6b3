//! The app shell: layout, error pages, probes, static files, security headers, CSRF and limits.

use crate::common;

use guidepost::roles::Role;
use guidepost::services::accounts::{self, NewAccount};

use common::TestApp;

async fn home_page_explains_the_site_and_how_to_set_it_up(app: TestApp) {
    let home = app.get("/").await;
    home.assert_status(200)
        .assert_contains("<main id=\"main\"")
        .assert_contains("<h1 id=\"welcome\">Welcome to Guidepost</h1>")
        .assert_contains("No questions yet")
        .assert_contains("guidepost user create")
        .assert_contains("role=\"search\"");
    assert_eq!(home.header("content-type"), Some("text/html; charset=utf-8"));

    app.with_feed(|conn, feed| {
        let admin = NewAccount {
            username: "ada".into(),
            email: "ada@example.com".into(),
            password: None,
            role: Role::Admin,
            email_verified: true,
        };
        accounts::create(conn, feed, admin, chrono::Utc::now().naive_utc()).unwrap();
    });
    let home = app.get("/").await;
    home.assert_status(200);
    assert!(!home.body.contains("guidepost user create"), "set-up hint shown although an admin exists");
}

async fn every_response_carries_the_security_headers(app: TestApp) {
    for path in ["/", "/no-such-page", "/healthz", "/assets/css/site.css"] {
        let page = app.get(path).await;
        let csp = page.header("content-security-policy").unwrap_or_else(|| panic!("no CSP on {path}"));
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(page.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(page.header("referrer-policy"), Some("strict-origin-when-cross-origin"), "{path}");
    }
}

async fn unknown_pages_are_404_inside_the_layout_or_json_under_api(app: TestApp) {
    let page = app.get("/no-such-page").await;
    page.assert_status(404)
        .assert_contains("<main id=\"main\"")
        .assert_contains("Page not found")
        .assert_contains("href=\"/\"")
        .assert_contains("noindex");

    let api = app.get("/api/no-such-thing").await;
    api.assert_status(404);
    // Under /api/ errors are RFC 9457 problem details (issue 20).
    assert_eq!(api.header("content-type"), Some("application/problem+json"));
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(json["status"], 404);
    assert!(json["detail"].as_str().unwrap().contains("no page"));
}

async fn probes_report_process_and_database(app: TestApp) {
    let health = app.get("/healthz").await;
    health.assert_status(200).assert_contains("\"ok\"");
    let ready = app.get("/readyz").await;
    ready.assert_status(200).assert_contains("\"ready\"");
    assert_eq!(ready.header("cache-control"), Some("no-store"));
}

async fn static_files_are_cached_by_fingerprint_and_etag(app: TestApp) {
    let home = app.get("/").await;
    let at = home.body.find("/assets/css/site.css?v=").expect("stylesheet link");
    let href: String = home.body[at..].chars().take_while(|c| *c != '"').collect();

    let versioned = app.get(&href).await;
    versioned.assert_status(200).assert_contains("--accent");
    assert_eq!(versioned.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(versioned.header("cache-control"), Some("public, max-age=31536000, immutable"));

    let plain = app.get("/assets/css/site.css").await;
    assert_eq!(plain.header("cache-control"), Some("public, no-cache"));
    let etag = plain.header("etag").expect("etag").to_owned();
    let revalidated = app
        .send(actix_web::test::TestRequest::get().uri("/assets/css/site.css").insert_header(("If-None-Match", etag)))
        .await;
    revalidated.assert_status(304);
    assert!(revalidated.body.is_empty());

    app.get("/assets/css/nothing.css").await.assert_status(404);
    app.get("/assets/../Cargo.toml").await.assert_status(404);
    let favicon = app.get("/favicon.ico").await;
    favicon.assert_status(301);
    assert_eq!(favicon.header("location"), Some("/assets/favicon.svg"));
}

async fn posts_without_a_csrf_token_are_refused(app: TestApp) {
    let refused = app.post_form("/password/set/abc", &[("password", "x"), ("password_confirm", "x")]).await;
    refused.assert_status(403).assert_contains("This form has expired");

    // A token that does not match the browser's cookie is refused too.
    app.get("/password/set/abc").await; // sets no cookie: the link is invalid and shows no form
    let forged = app
        .post_form("/password/set/abc", &[("password", "x"), ("password_confirm", "x"), ("csrf_token", "forged")])
        .await;
    forged.assert_status(403);

    // Scripts asking for JSON get the refusal as JSON.
    let json = app
        .send(
            actix_web::test::TestRequest::post()
                .uri("/password/set/abc")
                .insert_header(("Accept", "application/json"))
                .set_form([("password", "x")]),
        )
        .await;
    json.assert_status(403);
    assert!(json.body.starts_with("{\"error\""), "{}", json.body);
}

async fn oversized_bodies_are_refused(app: TestApp) {
    let huge = "a".repeat(guidepost::web::security::MAX_BODY_BYTES + 1);
    let page = app.post_form("/password/set/abc", &[("password", &huge)]).await;
    page.assert_status(413).assert_contains("too large");
}

on_both_backends!(
    home_page_explains_the_site_and_how_to_set_it_up,
    every_response_carries_the_security_headers,
    unknown_pages_are_404_inside_the_layout_or_json_under_api,
    probes_report_process_and_database,
    static_files_are_cached_by_fingerprint_and_etag,
    posts_without_a_csrf_token_are_refused,
    oversized_bodies_are_refused,
);
