//! Writing through the API with tokens: the same services as the forms, so the same rules; every
//! refusal is a problem JSON and changes nothing.

use actix_web::test::TestRequest;
use guidepost::db::models::posts;
use guidepost::roles::Role;
use guidepost::services::api_tokens::{self, NewToken};
use serde_json::{json, Value};

use super::{actor, ask_directly, assert_problem, get_json, send_json};
use crate::common::{Page, TestApp};

on_both_backends!(
    members_ask_answer_comment_vote_accept_edit_flag_and_watch,
    staff_answer_officially_endorse_withdraw_review_and_close,
    refusals_are_problems_and_change_nothing,
);

/// A confirmed account with `role` and a token of `scopes`; returns the token's secret.
fn token(app: &TestApp, username: &str, role: Role, scopes: &[&str]) -> String {
    app.create_user(username, role);
    let member = actor(app, username);
    let form = NewToken {
        name: format!("{username}'s script"),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        expires_in_days: None,
    };
    app.with_feed(|conn, feed| {
        api_tokens::create(conn, feed, &member, &form, chrono::Utc::now().naive_utc()).unwrap().1
    })
}

/// Sends `method path` with a bearer token and an optional JSON body.
async fn call(app: &TestApp, token: &str, method: &str, path: &str, body: Option<Value>) -> (Page, Value) {
    let req = match method {
        "POST" => TestRequest::post(),
        "PUT" => TestRequest::put(),
        "PATCH" => TestRequest::patch(),
        "DELETE" => TestRequest::delete(),
        _ => TestRequest::get(),
    }
    .uri(path)
    .insert_header(("Authorization", format!("Bearer {token}")));
    let req = match body {
        Some(body) => req.set_json(body),
        None => req,
    };
    send_json(app, req).await
}

fn post_row(app: &TestApp, id: i64) -> posts::Post {
    app.with_db(|conn| posts::find(conn, id).unwrap().unwrap())
}

/// How many questions `username` has asked.
fn questions_by(app: &TestApp, username: &str) -> usize {
    let id = actor(app, username).id;
    app.with_db(|conn| posts::by_author(conn, id, guidepost::domain::PostKind::Question, 100).unwrap().len())
}

async fn members_ask_answer_comment_vote_accept_edit_flag_and_watch(app: TestApp) {
    let fred = token(&app, "fred", Role::Member, &["write"]);
    let wilma = token(&app, "wilma", Role::Member, &["read", "write"]);

    let (asked, body) = call(
        &app,
        &fred,
        "POST",
        "/api/v1/questions",
        Some(json!({"title": "Why did my red widget break in the rain?", "body": crate::common::forum::DETAILS, "tags": ["widgets", "rain"]})),
    )
    .await;
    asked.assert_status(201);
    let id = body["id"].as_i64().unwrap();
    assert_eq!(asked.header("location"), Some(format!("/api/v1/questions/{id}").as_str()));
    assert_eq!(body["held_for_review"], false);
    assert!(body["path"].as_str().unwrap().starts_with(&format!("/questions/{id}/")));
    assert_eq!(post_row(&app, id).title.as_deref(), Some("Why did my red widget break in the rain?"));

    let (answered, body) = call(
        &app,
        &wilma,
        "POST",
        &format!("/api/v1/questions/{id}/answers"),
        Some(json!({"body": "Dry it in a warm room for a day and the power light comes back."})),
    )
    .await;
    answered.assert_status(201);
    let answer = body["id"].as_i64().unwrap();

    let (commented, body) = call(
        &app,
        &wilma,
        "POST",
        &format!("/api/v1/posts/{id}/comments"),
        Some(json!({"body": "Which model is it?"})),
    )
    .await;
    commented.assert_status(201);
    assert_eq!(body["question_id"], id);

    let (voted, body) =
        call(&app, &fred, "POST", &format!("/api/v1/posts/{answer}/vote"), Some(json!({"direction": "up"}))).await;
    voted.assert_status(200);
    assert_eq!(body, json!({"post_id": answer, "score": 1, "vote": 1}));

    let (accepted, body) = call(&app, &fred, "POST", &format!("/api/v1/answers/{answer}/accept"), None).await;
    accepted.assert_status(200);
    assert_eq!(body["accepted"], true);

    let (edited, _) = call(&app, &wilma, "PATCH", &format!("/api/v1/posts/{answer}"),
        Some(json!({"body": "Dry it in a warm room for a whole day; the power light then comes back.", "reason": "clearer"}))).await;
    edited.assert_status(200);
    assert!(post_row(&app, answer).body_markdown.contains("whole day"));

    let (flagged, body) =
        call(&app, &wilma, "POST", &format!("/api/v1/posts/{id}/flag"), Some(json!({"reason": "off-topic"}))).await;
    flagged.assert_status(201);
    assert_eq!(body["hidden"], false);

    let (watched, body) = call(&app, &wilma, "PUT", &format!("/api/v1/questions/{id}/watch"), None).await;
    watched.assert_status(200);
    assert_eq!(body["watching"], true);
    let (read, seen) = call(&app, &wilma, "GET", &format!("/api/v1/questions/{id}"), None).await;
    assert_eq!(seen["watching"], true, "a read token reads as its member");
    assert_eq!(read.header("cache-control"), Some("private, no-cache"), "a member's view stays out of shared caches");
    assert_eq!(watched.header("x-request-id").map(str::is_empty), Some(false));
    assert_eq!(seen["answers"][0]["accepted"], true);
    assert_eq!(seen["question"]["comments"][0]["body_markdown"], "Which model is it?");
    let (unwatched, _) = call(&app, &wilma, "DELETE", &format!("/api/v1/questions/{id}/watch"), None).await;
    unwatched.assert_status(200);
    let (_, seen) = call(&app, &wilma, "GET", &format!("/api/v1/questions/{id}"), None).await;
    assert_eq!(seen["watching"], false);
}

async fn staff_answer_officially_endorse_withdraw_review_and_close(app: TestApp) {
    let sam = token(&app, "sam", Role::Staff, &["write", "staff"]);
    let mona = token(&app, "mona", Role::Moderator, &["staff"]);
    let wilma = token(&app, "wilma", Role::Member, &["write"]);
    let id = ask_directly(&app, &actor(&app, "wilma"), "Why did my red widget break in the rain?", "widgets");

    let (official, body) = call(
        &app,
        &sam,
        "POST",
        &format!("/api/v1/questions/{id}/answers"),
        Some(json!({"body": "Widgets made before 2020 need the sealed battery cover.", "official": true})),
    )
    .await;
    official.assert_status(201);
    let official_id = body["id"].as_i64().unwrap();
    let (_, community) = call(
        &app,
        &wilma,
        "POST",
        &format!("/api/v1/questions/{id}/answers"),
        Some(json!({"body": "Dry it in a warm room for a day and the power light comes back."})),
    )
    .await;
    let community = community["id"].as_i64().unwrap();

    let (endorsed, _) = call(&app, &sam, "POST", &format!("/api/v1/answers/{community}/endorse"), None).await;
    endorsed.assert_status(200);
    assert!(post_row(&app, community).official_at.is_some());
    let (reviewed, _) = call(&app, &sam, "POST", &format!("/api/v1/answers/{official_id}/review"), None).await;
    reviewed.assert_status(200);
    let (withdrawn, _) =
        call(&app, &sam, "POST", &format!("/api/v1/answers/{community}/withdraw-official"), None).await;
    withdrawn.assert_status(200);
    assert!(post_row(&app, community).official_at.is_none());
    let (_, page) = get_json(&app, &format!("/api/v1/questions/{id}")).await;
    assert_eq!(page["answers"][0]["id"], official_id, "the official answer first");

    let (closed, body) =
        call(&app, &mona, "POST", &format!("/api/v1/questions/{id}/close"), Some(json!({"reason": "off-topic"}))).await;
    closed.assert_status(200);
    assert_eq!(body["closed"], true);
    let (_, page) = get_json(&app, &format!("/api/v1/questions/{id}")).await;
    assert_eq!(page["closed"]["reason"], "off-topic");
    let (reopened, _) = call(&app, &mona, "POST", &format!("/api/v1/questions/{id}/reopen"), None).await;
    reopened.assert_status(200);
    let (_, page) = get_json(&app, &format!("/api/v1/questions/{id}")).await;
    assert!(page["closed"].is_null());
}

async fn refusals_are_problems_and_change_nothing(app: TestApp) {
    let reader = token(&app, "rita", Role::Member, &["read"]);
    let fred = token(&app, "fred", Role::Member, &["write"]);
    let ask = json!({"title": "Why did my red widget break in the rain?", "body": crate::common::forum::DETAILS, "tags": ["widgets"]});
    let before = questions_by(&app, "fred") + questions_by(&app, "rita");

    // No token at all, and no session: asked for a token (401 with a challenge).
    let anonymous = app.another_visitor();
    let (page, body) = send_json(&anonymous, TestRequest::post().uri("/api/v1/questions").set_json(ask.clone())).await;
    assert_problem(&page, &body, 401);
    assert_eq!(page.header("www-authenticate"), Some(r#"Bearer realm="api""#));
    // A signed-in browser without its CSRF token: refused as a forgery would be, told what to send.
    app.create_user("bella", Role::Member);
    let browser = app.another_visitor();
    browser.sign_in("bella", crate::common::members::PASSWORD).await.assert_status(303);
    let (page, body) = send_json(&browser, TestRequest::post().uri("/api/v1/questions").set_json(ask.clone())).await;
    assert_problem(&page, &body, 403);
    assert!(body["detail"].as_str().unwrap().contains("Authorization: Bearer"), "{body}");
    // A wrong token: 401 with a challenge.
    let (page, body) = call(&app, "gp_not-a-real-token", "POST", "/api/v1/questions", Some(ask.clone())).await;
    assert_problem(&page, &body, 401);
    assert!(page.header("www-authenticate").is_some_and(|h| h.starts_with("Bearer")));
    // The wrong scope: 403 naming it.
    let (page, body) = call(&app, &reader, "POST", "/api/v1/questions", Some(ask.clone())).await;
    assert_problem(&page, &body, 403);
    assert!(body["detail"].as_str().unwrap().contains("write"), "{body}");
    // Bad input: the field is named.
    let (page, body) = call(
        &app,
        &fred,
        "POST",
        "/api/v1/questions",
        Some(json!({"title": "Short", "body": crate::common::forum::DETAILS, "tags": ["widgets"]})),
    )
    .await;
    assert_problem(&page, &body, 422);
    assert_eq!(body["errors"][0]["field"], "title");
    // JSON of the wrong shape, and no JSON at all.
    let (page, body) = call(&app, &fred, "POST", "/api/v1/questions", Some(json!({"title": 7}))).await;
    assert_problem(&page, &body, 422);
    assert_eq!(body["errors"][0]["field"], "body");
    let (page, body) = send_json(
        &app,
        TestRequest::post()
            .uri("/api/v1/questions")
            .insert_header(("Authorization", format!("Bearer {fred}")))
            .insert_header(("Content-Type", "application/json"))
            .set_payload("{not json"),
    )
    .await;
    assert_problem(&page, &body, 400);
    assert_eq!(questions_by(&app, "fred") + questions_by(&app, "rita"), before, "no refused request asked anything");

    // A member doing staff work: only staff get the `staff` scope, which official answers and
    // closing need (and the services check the role besides).
    let id = ask_directly(&app, &actor(&app, "rita"), "Why did my red widget break in the rain?", "widgets");
    let (page, body) = call(
        &app,
        &fred,
        "POST",
        &format!("/api/v1/questions/{id}/answers"),
        Some(json!({"body": "An official-looking answer from a member.", "official": true})),
    )
    .await;
    assert_problem(&page, &body, 403);
    assert_eq!(post_row(&app, id).answer_count, 0);
    let (page, body) =
        call(&app, &fred, "POST", &format!("/api/v1/questions/{id}/close"), Some(json!({"reason": "off-topic"}))).await;
    assert_problem(&page, &body, 403);
    assert!(post_row(&app, id).closed_at.is_none());

    // A locked question takes no answers.
    app.with_db(|conn| posts::set_locked(conn, id, Some(chrono::Utc::now().naive_utc())).unwrap());
    let (page, body) = call(
        &app,
        &fred,
        "POST",
        &format!("/api/v1/questions/{id}/answers"),
        Some(json!({"body": "Dry it in a warm room for a day and the power light comes back."})),
    )
    .await;
    assert!(page.status.is_client_error(), "{}", page.body);
    assert_problem(&page, &body, page.status.as_u16());
    assert_eq!(post_row(&app, id).answer_count, 0);

    // A suspended member's token writes nothing.
    app.create_user("ada", Role::Admin);
    let (ada, fred_id) = (actor(&app, "ada"), actor(&app, "fred").id);
    app.with_feed(|conn, feed| {
        let now = chrono::Utc::now().naive_utc();
        guidepost::services::admin_users::suspend(conn, feed, &ada, guidepost::domain::UserId(fred_id), "spam", now)
            .unwrap()
    });
    let (page, body) = call(&app, &fred, "POST", "/api/v1/questions", Some(ask)).await;
    assert!(matches!(page.status.as_u16(), 401 | 403), "{}", page.body);
    assert_problem(&page, &body, page.status.as_u16());
    assert_eq!(questions_by(&app, "fred"), 0, "the suspended member asked nothing");
}
