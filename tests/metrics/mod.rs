//! `/metrics` (issue 19): closed unless a token is configured, refused without it, and read back
//! as Prometheus would read it, with values that move as the site is used: requests by route
//! pattern, page-cache hits, the mail outbox, the search index's lag behind the change feed.

use crate::common;

mod exposition;

use std::time::{Duration, Instant};

use actix_web::test::TestRequest;
use chrono::Utc;
use guidepost::config::{Config, Env, Overrides};
use guidepost::db::models::mail_outbox;
use guidepost::roles::Role;
use guidepost::search::Search;

use common::members::{email_of, PASSWORD};
use common::{Page, TestApp, TestDb};
use exposition::Exposition;

/// The token the tests configure.
const TOKEN: &str = "test-metrics-token-0123456789abcdef";

/// The families every scrape has.
const FAMILIES: [&str; 18] = [
    "guidepost_http_requests_total",
    "guidepost_http_request_duration_seconds",
    "guidepost_db_pool_wait_seconds",
    "guidepost_db_pool_timeouts_total",
    "guidepost_db_pool_connections",
    "guidepost_db_pool_max_connections",
    "guidepost_page_cache_hits_total",
    "guidepost_page_cache_misses_total",
    "guidepost_build_info",
    "guidepost_database_up",
    "guidepost_search_changes_newest_id",
    "guidepost_search_index_cursor",
    "guidepost_search_index_lag_changes",
    "guidepost_search_index_lag_seconds",
    "guidepost_mail_outbox_unsent",
    "guidepost_mail_outbox_retrying",
    "guidepost_mail_outbox_failed",
    "process_resident_memory_bytes",
];

async fn with_token(app: TestApp, more: &[(&str, &str)]) -> TestApp {
    let mut settings = vec![("GUIDEPOST_METRICS_TOKEN", TOKEN)];
    settings.extend_from_slice(more);
    app.restart_with(&settings).await
}

/// GET /metrics as a scraper (no cookies) sending `authorization`, if any.
async fn fetch(app: &TestApp, authorization: Option<&str>, accept: Option<&str>) -> Page {
    let mut req = TestRequest::get().uri("/metrics");
    if let Some(value) = authorization {
        req = req.insert_header(("Authorization", value));
    }
    if let Some(value) = accept {
        req = req.insert_header(("Accept", value));
    }
    app.another_visitor().send(req).await
}

/// A scrape with the right token, parsed.
async fn scrape(app: &TestApp) -> Exposition {
    let page = fetch(app, Some(&format!("Bearer {TOKEN}")), None).await;
    page.assert_status(200);
    exposition::parse(&page.body)
}

async fn closed_without_a_configured_token(app: TestApp) {
    fetch(&app, None, None).await.assert_status(404);
    fetch(&app, Some(&format!("Bearer {TOKEN}")), None).await.assert_status(404);
}

async fn refused_without_the_token(app: TestApp) {
    let app = with_token(app, &[]).await;
    let missing = fetch(&app, None, None).await;
    missing.assert_status(401);
    assert_eq!(missing.header("www-authenticate"), Some(r#"Bearer realm="metrics""#));
    assert_eq!(missing.header("cache-control"), Some("no-store"));
    assert!(!missing.body.contains("guidepost_"), "a refusal showed metrics");
    let wrong = fetch(&app, Some("Bearer test-metrics-token-0123456789abcdeX"), None).await;
    wrong.assert_status(401);
    assert_eq!(wrong.header("www-authenticate"), Some(r#"Bearer realm="metrics", error="invalid_token""#));
    fetch(&app, Some(&format!("Basic {TOKEN}")), None).await.assert_status(401);
    fetch(&app, Some(TOKEN), None).await.assert_status(401);

    let page = fetch(&app, Some(&format!("bearer {TOKEN}")), None).await;
    page.assert_status(200);
    assert_eq!(page.header("content-type"), Some("text/plain; version=0.0.4; charset=utf-8"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(page.header("x-robots-tag"), Some("noindex"));
    let scrape = exposition::parse(&page.body);
    for name in FAMILIES {
        scrape.family(name);
    }
    // A refused scrape is a request like any other; a wrong token is not told apart in the label.
    assert_eq!(scrape.sum("guidepost_http_requests_total", &[("route", "/metrics"), ("status", "401")]), 4.0);
    assert_eq!(scrape.value("guidepost_database_up"), 1.0);
    assert_eq!(scrape.value("guidepost_db_pool_max_connections"), 12.0);
    assert!(scrape.value("process_resident_memory_bytes") > 1e6);
    let backend = match app.db.url {
        guidepost::config::DatabaseUrl::Sqlite(_) => "sqlite",
        guidepost::config::DatabaseUrl::Postgres(_) => "postgres",
    };
    assert_eq!(
        scrape.sum("guidepost_build_info", &[("backend", backend), ("version", env!("CARGO_PKG_VERSION"))]),
        1.0
    );
}

async fn openmetrics_when_asked(app: TestApp) {
    let app = with_token(app, &[]).await;
    app.another_visitor().get("/questions").await.assert_status(200);
    let accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";
    let page = fetch(&app, Some(&format!("Bearer {TOKEN}")), Some(accept)).await;
    page.assert_status(200);
    assert_eq!(page.header("content-type"), Some("application/openmetrics-text; version=1.0.0; charset=utf-8"));
    let scrape = exposition::parse(&page.body);
    assert!(scrape.ended_with_eof, "OpenMetrics ends with # EOF");
    assert_eq!(scrape.family("guidepost_http_requests").kind, "counter");
    assert_eq!(scrape.family("guidepost_build").kind, "info");
    scrape.family("guidepost_search_index_lag_seconds");
}

async fn requests_are_counted_by_route_pattern(app: TestApp) {
    let app = with_token(app, &[]).await;
    let before = scrape(&app).await;
    let visitor = app.another_visitor();
    visitor.get("/questions").await.assert_status(200);
    visitor.get("/questions?sort=newest").await.assert_status(200);
    visitor.get("/questions/98765/no-such-question").await.assert_status(404);
    visitor.get("/no/such/page/424242").await.assert_status(404);
    visitor.send(TestRequest::default().method("BREW".parse().unwrap()).uri("/questions")).await;
    let after = scrape(&app).await;

    let requests = |s: &Exposition, route: &str, status: &str| {
        s.sum("guidepost_http_requests_total", &[("method", "GET"), ("route", route), ("status", status)])
    };
    assert_eq!(requests(&after, "/questions", "200") - requests(&before, "/questions", "200"), 2.0);
    let question = "/questions/{id}/{slug}";
    assert_eq!(requests(&after, question, "404") - requests(&before, question, "404"), 1.0);
    assert_eq!(requests(&after, "unmatched", "404") - requests(&before, "unmatched", "404"), 1.0);
    assert_eq!(after.sum("guidepost_http_requests_total", &[("method", "OTHER"), ("route", "/questions")]), 1.0);
    let timed = |s: &Exposition| {
        s.sum("guidepost_http_request_duration_seconds_count", &[("method", "GET"), ("route", "/questions")])
    };
    assert_eq!(timed(&after) - timed(&before), 2.0);
    // Cardinality stays bounded: what visitors type never becomes a label.
    assert!(after.label_values().all(|v| !v.contains("98765") && !v.contains("424242") && !v.contains("sort")));
    // Each page and each scrape took a pooled connection.
    assert!(
        after.value("guidepost_db_pool_wait_seconds_count")
            >= before.value("guidepost_db_pool_wait_seconds_count") + 3.0
    );
    assert_eq!(after.value("guidepost_db_pool_timeouts_total"), 0.0);
    let pool = after.sum("guidepost_db_pool_connections", &[]);
    assert!((1.0..=12.0).contains(&pool), "{pool} connections open");
}

async fn page_cache_hits_and_misses(app: TestApp) {
    let app = with_token(app, &[("GUIDEPOST_PAGE_CACHE_SECONDS", "60")]).await;
    let fred = app.another_visitor();
    app.create_user("fred", Role::Member);
    fred.sign_in("fred", PASSWORD).await.assert_status(303);
    let path = fred.ask_ok("Why did my red widget break in the rain?", "widgets").await;
    let before = scrape(&app).await;

    let visitor = app.another_visitor();
    visitor.get(&path).await.assert_status(200);
    visitor.get(&path).await.assert_status(200);
    visitor.get(&path).await.assert_status(200);
    // Members always get a fresh page, and so does a request carrying credentials: neither is a
    // hit nor a miss.
    fred.get(&path).await.assert_status(200);
    let credentials = TestRequest::get().uri(&path).insert_header(("Authorization", "Bearer someone-elses"));
    visitor.send(credentials).await.assert_status(200);
    let after = scrape(&app).await;

    let delta = |name: &str| after.value(name) - before.value(name);
    assert_eq!(delta("guidepost_page_cache_misses_total"), 1.0);
    assert_eq!(delta("guidepost_page_cache_hits_total"), 2.0);
    // Visits served from the copy are counted under their route like any other.
    let route = &[("route", "/questions/{id}/{slug}"), ("status", "200")];
    let requests = |s: &Exposition| s.sum("guidepost_http_requests_total", route);
    assert_eq!(requests(&after) - requests(&before), 5.0);
}

async fn outbox_depth_and_failures(app: TestApp) {
    let app = with_token(app, &[]).await;
    let before = scrape(&app).await;
    // Signing up queues a confirmation letter; the tests run no mail worker, so it waits.
    app.another_visitor().sign_up("wanda").await.assert_status(303);
    app.another_visitor().sign_up("xavier").await.assert_status(303);
    let queued = scrape(&app).await;
    let delta = |s: &Exposition, name: &str| s.value(name) - before.value(name);
    assert_eq!(delta(&queued, "guidepost_mail_outbox_unsent"), 2.0);
    assert_eq!(delta(&queued, "guidepost_mail_outbox_retrying"), 0.0);

    // The worker's bookkeeping: one letter's server refuses it for now, the other's for good.
    let now = Utc::now().naive_utc();
    app.with_db(|conn| {
        let letters = mail_outbox::recent(conn, 10).unwrap();
        let letter = |user: &str| letters.iter().find(|m| m.to_address == email_of(user)).unwrap().clone();
        mail_outbox::record_failure(conn, &letter("wanda"), "451 try again later", now, false).unwrap();
        mail_outbox::record_failure(conn, &letter("xavier"), "550 no such user", now, true).unwrap();
    });
    let failed = scrape(&app).await;
    assert_eq!(delta(&failed, "guidepost_mail_outbox_unsent"), 1.0);
    assert_eq!(delta(&failed, "guidepost_mail_outbox_retrying"), 1.0);
    assert_eq!(delta(&failed, "guidepost_mail_outbox_failed"), 1.0);
}

/// The index's lag: while this node's indexer cannot take the index (another writer holds its
/// lock, as a stuck indexer would), asked questions pile up in the feed; once it can, the lag
/// falls back to nothing.
async fn index_lag_follows_the_change_feed(db: TestDb) {
    let search = Search::open(db.dir.path()).unwrap();
    let holder = search.index().writer().unwrap();
    let app = with_token(TestApp::start(db).await, &[]).await;
    let fred = app.another_visitor();
    app.create_user("fred", Role::Member);
    fred.sign_in("fred", PASSWORD).await.assert_status(303);
    fred.ask_ok("Why did my red widget break in the rain?", "widgets").await;
    fred.ask_ok("How do I keep a blue widget dry in winter?", "widgets").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let stuck = scrape(&app).await;
    let newest = stuck.value("guidepost_search_changes_newest_id");
    assert!(newest >= 2.0, "the feed holds the questions");
    assert_eq!(stuck.value("guidepost_search_index_cursor"), 0.0);
    assert_eq!(stuck.value("guidepost_search_index_lag_changes"), newest);
    assert!(stuck.value("guidepost_search_index_lag_seconds") >= 1.0, "the oldest change has waited");

    drop(holder);
    let started = Instant::now();
    loop {
        let now = scrape(&app).await;
        if now.value("guidepost_search_index_lag_changes") == 0.0 {
            assert_eq!(now.value("guidepost_search_index_cursor"), newest);
            assert_eq!(now.value("guidepost_search_index_lag_seconds"), 0.0);
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the index never caught up: {now:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

on_both_backends!(
    closed_without_a_configured_token,
    refused_without_the_token,
    openmetrics_when_asked,
    requests_are_counted_by_route_pattern,
    page_cache_hits_and_misses,
    outbox_depth_and_failures,
);

mod index_lag_follows_the_change_feed {
    #[actix_web::test]
    async fn sqlite() {
        super::index_lag_follows_the_change_feed(super::TestDb::sqlite()).await;
    }

    #[actix_web::test]
    async fn postgres() {
        match super::TestDb::postgres() {
            Some(db) => super::index_lag_follows_the_change_feed(db).await,
            None => eprintln!("skipped: GUIDEPOST_TEST_POSTGRES_URL is not set"),
        }
    }
}

#[test]
fn the_token_is_a_secret_with_a_minimum_length() {
    let load = |token: &str| {
        let env: Env = [("GUIDEPOST_METRICS_TOKEN".to_owned(), token.to_owned())].into();
        Config::load(None, &env, Overrides::default())
    };
    let short = load("hunter2-hunter2").unwrap_err().to_string();
    assert!(short.starts_with("GUIDEPOST_METRICS_TOKEN: must be at least 32 characters"), "{short}");
    assert!(!short.contains("hunter2"), "the error repeats the token: {short}");
    let spaced = load("a token with spaces in it, long enough to pass").unwrap_err().to_string();
    assert!(spaced.starts_with("GUIDEPOST_METRICS_TOKEN: must be printable ASCII"), "{spaced}");
    assert!(load("").unwrap().metrics_token.is_none(), "blank means off");

    let config = load(TOKEN).unwrap();
    assert!(config.metrics_token.as_ref().is_some_and(|t| t.matches(TOKEN)));
    let dump = format!("{config:?}");
    assert!(!dump.contains(TOKEN) && dump.contains("MetricsToken(***)"), "a config dump shows the token");
}
