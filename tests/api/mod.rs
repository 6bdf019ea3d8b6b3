//! The public JSON API `/api/v1` (issue 20): reads, problem JSON, the OpenAPI document and its
//! reference page, and writes through the same services as the HTML forms. Every scenario runs
//! on SQLite and again on PostgreSQL when `GUIDEPOST_TEST_POSTGRES_URL` is set.

use crate::common;

mod document;
mod problems;
mod reads;
mod writes;

use actix_web::test::TestRequest;
use guidepost::roles::Role;
use guidepost::services::actor::Actor;
use guidepost::services::questions::{self, Ask};
use serde_json::Value;

use common::members::PASSWORD;
use common::{Page, TestApp};

/// A visitor of `app` signed in as a new account with `role`.
async fn signed_in(app: &TestApp, username: &str, role: Role) -> TestApp {
    let visitor = app.another_visitor();
    app.create_user(username, role);
    visitor.sign_in(username, PASSWORD).await.assert_status(303);
    visitor
}

/// The acting member `username`, as services see them.
fn actor(app: &TestApp, username: &str) -> Actor {
    app.with_db(|conn| {
        let user = guidepost::db::models::users::find_by_username(conn, username).unwrap().unwrap();
        Actor::from_user(&user)
    })
}

/// Asks a question straight through the service (no form, no posting limits); returns its id.
fn ask_directly(app: &TestApp, asker: &Actor, title: &str, tags: &str) -> i64 {
    let policy = common::open_posting_policy();
    let ask = Ask { title: title.into(), body: common::forum::DETAILS.into(), tags: tags.into() };
    app.with_feed(|conn, feed| {
        questions::ask(conn, feed, asker, policy, ask.prepare(&policy).unwrap(), chrono::Utc::now().naive_utc())
            .unwrap()
            .id
    })
}

/// GET an API path; the response and its JSON body.
async fn get_json(app: &TestApp, path: &str) -> (Page, Value) {
    let page = app.get(path).await;
    let body = serde_json::from_str(&page.body).unwrap_or(Value::Null);
    (page, body)
}

/// Sends a request and reads its JSON body.
async fn send_json(app: &TestApp, req: TestRequest) -> (Page, Value) {
    let page = app.send(req).await;
    let body = serde_json::from_str(&page.body).unwrap_or(Value::Null);
    (page, body)
}

/// Checks that a response is problem JSON with `status`, naming the request id it was sent under.
#[track_caller]
fn assert_problem(page: &Page, body: &Value, status: u16) {
    assert_eq!(page.status.as_u16(), status, "unexpected status; body:\n{}", page.body);
    assert_eq!(page.header("content-type"), Some("application/problem+json"), "{}", page.body);
    assert_eq!(body["status"], status);
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()), "{body}");
    assert!(body["detail"].as_str().is_some_and(|t| !t.is_empty()), "{body}");
    let id = page.header("x-request-id").expect("an X-Request-Id header");
    assert_eq!(body["request_id"], id, "the problem names the request id of its header");
}
