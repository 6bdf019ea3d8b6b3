//! Failures under `/api/` are RFC 9457 problem JSON naming the request id and, when input was
//! refused, the field; HTML pages keep their own error pages.

use guidepost::roles::Role;

use super::{actor, ask_directly, assert_problem, get_json};
use crate::common::TestApp;

on_both_backends!(failures_are_problem_json, html_error_pages_are_unchanged);

async fn failures_are_problem_json(app: TestApp) {
    let (page, body) = get_json(&app, "/api/v1/no-such-thing").await;
    assert_problem(&page, &body, 404);
    assert_eq!(body["type"], "about:blank");
    assert_eq!(body["instance"], "/api/v1/no-such-thing");
    let (page, body) = get_json(&app, "/api/v2/questions").await;
    assert_problem(&page, &body, 404);

    // A word where an id belongs, an unknown order, a cursor nobody gave out.
    let (page, body) = get_json(&app, "/api/v1/questions/abc").await;
    assert_problem(&page, &body, 400);
    let (page, body) = get_json(&app, "/api/v1/questions?sort=sideways").await;
    assert_problem(&page, &body, 400);
    assert!(body["detail"].as_str().unwrap().contains("sideways"), "the detail says what was wrong: {body}");
    let (page, body) = get_json(&app, "/api/v1/tags?cursor=not-a-cursor").await;
    assert_problem(&page, &body, 422);
    assert_eq!(body["errors"][0]["field"], "cursor");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("cursor"));

    // A deleted question is gone (410), as its page is.
    app.create_user("fred", Role::Member);
    let id = ask_directly(&app, &actor(&app, "fred"), "Why did my red widget break in the rain?", "widgets");
    let moderator = super::signed_in(&app, "mona", Role::Moderator).await;
    let slug = app.with_db(|c| guidepost::db::models::posts::find(c, id).unwrap().unwrap().slug.unwrap());
    moderator.submit(&format!("/questions/{id}/{slug}"), &format!("/posts/{id}/delete"), &[]).await.assert_status(303);
    let (page, body) = get_json(&app, &format!("/api/v1/questions/{id}")).await;
    assert_problem(&page, &body, 410);
}

async fn html_error_pages_are_unchanged(app: TestApp) {
    let page = app.get("/no-such-page").await;
    page.assert_status(404);
    assert!(page.header("content-type").unwrap().starts_with("text/html"));
    assert!(page.header("x-request-id").is_none(), "only API responses carry the request id header");
}
