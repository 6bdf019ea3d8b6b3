//! The page cache: anonymous visitors are answered from a node's recent copy of a public page,
//! never older than `PAGE_CACHE_SECONDS` nor than this node's last write to what it shows (see
//! tests/page_cache_invalidation.rs for which writes reach which copies); members always get a
//! fresh page; views are still counted.

use crate::common;

use std::time::Duration;

use actix_web::test::TestRequest;
use diesel::prelude::*;
use guidepost::db::models::search_changes;
use guidepost::db::schema::posts;
use guidepost::roles::Role;

use common::forum::question_id;
use common::members::PASSWORD;
use common::TestApp;

/// Copies are valid while no write has committed in the process (the write generation is one
/// per process, as a node is one process). Tests run side by side in one process, so another
/// test's write would make this one's copies stale at any moment: the scenarios here take turns.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Changes a question's title behind the app's back, as another node's write would look here.
fn retitle_directly(app: &TestApp, id: i64, title: &str) {
    app.with_db(|c| diesel::update(posts::table.find(id)).set(posts::title.eq(title)).execute(c).unwrap());
}

fn views(app: &TestApp, id: i64) -> i64 {
    app.with_db(|c| posts::table.find(id).select(posts::view_count).first(c).unwrap())
}

/// Fred, a signed-in member, asks a question: his browser, the question's path and its id.
async fn fred_asks(app: &TestApp, title: &str, tags: &str) -> (TestApp, String, i64) {
    let fred = app.another_visitor();
    app.create_user("fred", Role::Member);
    fred.sign_in("fred", PASSWORD).await.assert_status(303);
    let path = fred.ask_ok(title, tags).await;
    let id = question_id(&path);
    (fred, path, id)
}

async fn anonymous_pages_come_from_a_short_lived_copy(app: TestApp) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = app.restart_with(&[("GUIDEPOST_PAGE_CACHE_SECONDS", "2")]).await;
    let (fred, path, id) = fred_asks(&app, "Why did my red widget break in the rain?", "widgets").await;
    let visitor = app.another_visitor();
    visitor.get(&path).await.assert_status(200).assert_contains("red widget");

    // A change this node did not commit: anonymous visitors keep the copy, members see it now.
    retitle_directly(&app, id, "Why did my blue widget break in the rain?");
    let cached = visitor.get(&path).await;
    cached.assert_status(200).assert_contains("red widget");
    assert_eq!(cached.header("cache-control"), Some("public, max-age=60, stale-while-revalidate=60"));
    fred.get(&path).await.assert_contains("blue widget");

    // Validators and HEAD work on the copy.
    let etag = cached.header("etag").unwrap().to_owned();
    let revalidated = visitor.send(TestRequest::get().uri(&path).insert_header(("If-None-Match", etag.clone()))).await;
    revalidated.assert_status(304);
    let head = visitor.send(TestRequest::default().method(actix_web::http::Method::HEAD).uri(&path)).await;
    head.assert_status(200);
    assert_eq!(head.header("etag"), Some(etag.as_str()));

    // Views are counted on copies too: a second browser from the same address is a new visitor.
    let before = views(&app, id);
    let other_browser =
        visitor.send(TestRequest::get().uri(&path).insert_header(("User-Agent", "another browser"))).await;
    other_browser.assert_contains("red widget");
    assert_eq!(views(&app, id), before + 1);

    // A write committed on this node makes every copy stale at once.
    fred.answer(&path, "Dry it for a day in a warm room; mine came back after that.").await;
    let fresh = visitor.get(&path).await;
    fresh.assert_contains("warm room").assert_contains("blue widget");

    // And a copy never outlives its time.
    retitle_directly(&app, id, "Why did my green widget break in the rain?");
    visitor.get(&path).await.assert_contains("blue widget");
    actix_web::rt::time::sleep(Duration::from_millis(2_100)).await;
    visitor.get(&path).await.assert_contains("green widget");
}

async fn members_and_private_pages_are_never_served_a_copy(app: TestApp) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = app.restart_with(&[("GUIDEPOST_PAGE_CACHE_SECONDS", "60")]).await;
    let visitor = app.another_visitor();
    // The sign-in form carries a form token: private, so never copied.
    let first = visitor.get("/login").await;
    let second = visitor.get("/login").await;
    assert_ne!(first.csrf_token(), None);
    assert_eq!(second.header("cache-control"), Some("private, no-cache"));
    // A page with a one-time message is not copied either, nor is it served from a copy.
    app.create_user("fred", Role::Member);
    let fred = app.another_visitor();
    fred.get("/").await.assert_status(200);
    fred.sign_in("fred", PASSWORD).await.assert_status(303);
    fred.get("/").await.assert_contains("Signed in as fred");
    fred.sign_out().await.assert_status(303);
    let after = fred.get("/").await;
    after.assert_contains("Signed out");
    assert!(!visitor.get("/").await.body.contains("Signed out"), "a one-time message leaked into the copy");
}

/// Every node prunes the search queue as it starts and every few minutes after; a round with
/// nothing to prune writes nothing, so it must not make this node's copies stale.
async fn pruning_nothing_keeps_the_copies(app: TestApp) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = app.restart_with(&[("GUIDEPOST_PAGE_CACHE_SECONDS", "60")]).await;
    let (_, path, id) = fred_asks(&app, "Why does my kettle switch off before the water boils?", "kettles").await;
    let visitor = app.another_visitor();
    visitor.get(&path).await.assert_contains("kettle switch off");
    retitle_directly(&app, id, "Why does my toaster switch off early?");
    let long_ago = chrono::Utc::now().naive_utc() - chrono::Duration::days(365);
    assert_eq!(app.with_db(|c| search_changes::prune(c, long_ago).unwrap()), 0);
    visitor.get(&path).await.assert_contains("kettle switch off");
}

/// Visitors who ask for a page while it is being rendered wait for that rendering and get its
/// copy: every one gets the page, and every one's view is counted.
async fn visitors_arriving_together_share_one_rendering(app: TestApp) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = app.restart_with(&[("GUIDEPOST_PAGE_CACHE_SECONDS", "60")]).await;
    let (_, path, id) = fred_asks(&app, "Why does my printer jam on thick envelopes?", "printers").await;
    let visitor = app.another_visitor();
    let before = views(&app, id);
    let requests = (0..8).map(|n| {
        visitor.send(TestRequest::get().uri(&path).insert_header(("User-Agent", format!("browser number {n}"))))
    });
    let pages = futures_util::future::join_all(requests).await;
    for page in &pages {
        page.assert_status(200).assert_contains("thick envelopes");
    }
    let etags: std::collections::BTreeSet<_> = pages.iter().map(|page| page.header("etag")).collect();
    assert_eq!(etags.len(), 1, "one rendering served them all: {etags:?}");
    assert_eq!(views(&app, id), before + 8, "every visitor's view counts, waiting or not");
}

fn inflate(gzip: &[u8]) -> String {
    let mut page = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(gzip), &mut page).expect("a gzip stream");
    page
}

/// Copies are kept compressed: a browser that accepts gzip gets the kept bytes, from the first
/// visit on; a client that does not gets the same page inflated.
async fn copies_go_out_compressed_to_browsers_that_accept_gzip(app: TestApp) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = app.restart_with(&[("GUIDEPOST_PAGE_CACHE_SECONDS", "60")]).await;
    let (_, path, id) = fred_asks(&app, "Why does my blender smell of smoke on high speed?", "blenders").await;
    let visitor = app.another_visitor();
    let gzip = || TestRequest::get().uri(&path).insert_header(("Accept-Encoding", "gzip, deflate, br, zstd"));

    let (first, first_bytes) = visitor.send_for_bytes(gzip()).await;
    first.assert_status(200);
    assert_eq!(first.header("content-encoding"), Some("gzip"));
    assert_eq!(first.header("vary"), Some("Cookie, Accept-Encoding"));
    let page = inflate(&first_bytes);
    assert!(page.contains("smell of smoke"), "{page}");

    // From the copy now: the same bytes, whoever asks; the title changed behind its back shows not.
    retitle_directly(&app, id, "Why does my blender smell of burning rubber?");
    let (again, again_bytes) = visitor.send_for_bytes(gzip()).await;
    assert_eq!(again.header("content-encoding"), Some("gzip"));
    assert_eq!(again.header("vary"), Some("Cookie, Accept-Encoding"));
    assert_eq!(again.header("etag"), first.header("etag"));
    assert_eq!(inflate(&again_bytes), page);
    let plain = visitor.get(&path).await;
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.header("vary"), Some("Cookie, Accept-Encoding"));
    assert_eq!(plain.body, page, "a client without gzip gets the copy inflated");
    let refused =
        visitor.send(TestRequest::get().uri(&path).insert_header(("Accept-Encoding", "gzip;q=0, identity"))).await;
    assert_eq!(refused.header("content-encoding"), None);
    assert_eq!(refused.body, page);

    // A revalidation is answered without a body either way, with or without gzip.
    let etag = first.header("etag").unwrap().to_owned();
    let (revalidated, bytes) = visitor.send_for_bytes(gzip().insert_header(("If-None-Match", etag.clone()))).await;
    revalidated.assert_status(304);
    assert!(bytes.is_empty());
    assert_eq!(revalidated.header("content-encoding"), None);
    let (plain_revalidated, bytes) =
        visitor.send_for_bytes(TestRequest::get().uri(&path).insert_header(("If-None-Match", etag))).await;
    plain_revalidated.assert_status(304);
    assert!(bytes.is_empty());
    assert_eq!(plain_revalidated.header("content-encoding"), None);
    assert_eq!(plain_revalidated.header("vary"), Some("Cookie, Accept-Encoding"));
}

on_both_backends!(
    anonymous_pages_come_from_a_short_lived_copy,
    copies_go_out_compressed_to_browsers_that_accept_gzip,
    members_and_private_pages_are_never_served_a_copy,
    pruning_nothing_keeps_the_copies,
    visitors_arriving_together_share_one_rendering
);
