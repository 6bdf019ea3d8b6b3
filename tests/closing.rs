//! Closing questions: as a duplicate (staff and up) or for another reason (moderators), the
//! banner, "also asked as", search finding the canonical question by a duplicate's wording, and
//! reopening undoing all of it.

use crate::common;

use std::time::{Duration, Instant};

use guidepost::db::models::{audit_log, posts};
use guidepost::roles::Role;

use common::forum::question_id;
use common::members::PASSWORD;
use common::{Page, TestApp};

async fn signed_in(app: &TestApp, username: &str, role: Role) -> TestApp {
    let visitor = app.another_visitor();
    app.create_user(username, role);
    visitor.sign_in(username, PASSWORD).await.assert_status(303);
    visitor
}

async fn ask(member: &TestApp, title: &str, body: &str) -> String {
    let page = member.submit("/ask", "/ask", &[("title", title), ("body", body), ("tags", "widgets")]).await;
    page.assert_status(303);
    page.header("location").unwrap().to_owned()
}

/// The ids of the questions a search lists, in order, once `ready` holds (the index is async).
async fn search_order(app: &TestApp, query: &str, ready: impl Fn(&[i64]) -> bool) -> Vec<i64> {
    let started = Instant::now();
    loop {
        let page = app.get(&format!("/search?q={}", query.replace(' ', "+"))).await;
        let ids: Vec<i64> = page
            .body
            .split("href=\"/search/click/")
            .skip(1)
            .filter_map(|rest| rest.split(['/', '"']).nth(1).and_then(|id| id.parse().ok()))
            .collect();
        if ready(&ids) {
            return ids;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "search for {query:?} never settled: {ids:?}");
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

fn closed(app: &TestApp, path: &str) -> posts::Post {
    app.with_db(|c| posts::find(c, question_id(path)).unwrap().unwrap())
}

async fn close(who: &TestApp, path: &str, fields: &[(&str, &str)]) -> Page {
    who.submit(path, &format!("/questions/{}/close", question_id(path)), fields).await
}

async fn staff_close_duplicates_and_reopening_undoes_it(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let stella = signed_in(&app, "stella", Role::Staff).await;
    let original =
        ask(&fred, "Why did my red widget break in the rain?", "It stopped after a night outside in the storm.").await;
    wilma.answer(&original, "Dry it for a day in a warm room; mine came back after that.").await;
    let duplicate =
        ask(&wilma, "Gadget soaked by a downpour will not power on", "Left it on the balcony during a downpour.").await;
    let (original_id, duplicate_id) = (question_id(&original), question_id(&duplicate));

    // Members may not close anything; nothing changes.
    close(&fred, &duplicate, &[("reason", "duplicate"), ("duplicate_of", &original_id.to_string())])
        .await
        .assert_status(403);
    assert!(closed(&app, &duplicate).closed_at.is_none());
    // Staff close as a duplicate alone (here by URL); for other reasons they vote like members.
    close(&stella, &duplicate, &[("reason", "off-topic")]).await.assert_status(303);
    stella.get(&duplicate).await.assert_contains("1 of 3 votes to close so far, yours included");
    assert!(closed(&app, &duplicate).closed_at.is_none());
    close(&stella, &duplicate, &[("reason", "duplicate"), ("duplicate_of", &duplicate_id.to_string())])
        .await
        .assert_status(422);
    close(&stella, &duplicate, &[("reason", "duplicate"), ("duplicate_of", "not a question")]).await.assert_status(422);
    let done = close(
        &stella,
        &duplicate,
        &[("reason", "duplicate"), ("duplicate_of", &format!("http://forum.test{original}"))],
    )
    .await;
    done.assert_status(303);
    let row = closed(&app, &duplicate);
    assert_eq!((row.close_reason.map(|s| s.as_str()), row.duplicate_of_id), (Some("duplicate"), Some(original_id)));
    close(&stella, &duplicate, &[("reason", "duplicate"), ("duplicate_of", &original_id.to_string())])
        .await
        .assert_status(409);

    // The duplicate shows the way; the canonical lists it; visitors go straight to the answers.
    fred.get(&duplicate).await.assert_contains("This question already has an answer here:");
    app.get(&original).await.assert_contains("Also asked as").assert_contains("Gadget soaked by a downpour");
    app.get(&duplicate).await.assert_status(301);
    // The duplicate's wording now finds the canonical question first.
    let order = search_order(&app, "gadget downpour", |ids| ids.first() == Some(&original_id)).await;
    assert_eq!(order, [original_id, duplicate_id]);

    // Reopening undoes it all.
    stella.submit(&duplicate, &format!("/questions/{duplicate_id}/reopen"), &[]).await.assert_status(303);
    let row = closed(&app, &duplicate);
    assert!(row.closed_at.is_none() && row.close_reason.is_none() && row.duplicate_of_id.is_none());
    app.get(&duplicate).await.assert_status(200);
    assert!(!app.get(&original).await.body.contains("Also asked as"));
    let order = search_order(&app, "gadget downpour", |ids| ids == [duplicate_id]).await;
    assert_eq!(order, [duplicate_id], "the canonical no longer carries the duplicate's title");
    stella.submit(&duplicate, &format!("/questions/{duplicate_id}/reopen"), &[]).await.assert_status(409);

    let actions: Vec<String> = app.with_db(|c| {
        audit_log::for_target(c, "post", duplicate_id, 10).unwrap().into_iter().map(|e| e.action).collect()
    });
    assert!(
        actions.contains(&"question.close".to_owned()) && actions.contains(&"question.reopen".to_owned()),
        "{actions:?}"
    );
}

async fn moderators_close_for_any_reason(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let moderator = signed_in(&app, "moira", Role::Moderator).await;
    let stella = signed_in(&app, "stella", Role::Staff).await;
    let path =
        ask(&fred, "Which lottery numbers will win this week?", "Please tell me the numbers for Saturday's draw.")
            .await;
    close(&moderator, &path, &[("reason", "sideways")]).await.assert_status(422);
    close(&moderator, &path, &[("reason", "off-topic")]).await.assert_status(303);
    let page = fred.get(&path).await;
    page.assert_contains("as off-topic").assert_contains("It takes no new answers.");
    // `is:closed` finds it once the index has caught up; reopened, it no longer does.
    let qid = question_id(&path);
    search_order(&app, "lottery is:closed", |ids| ids == [qid]).await;
    let answer = fred
        .submit(
            &path,
            &format!("/questions/{}/answers", question_id(&path)),
            &[("body", "Seven, eleven and forty-two, trust me on this.")],
        )
        .await;
    answer.assert_status(403);
    // Staff cannot undo a moderator's off-topic closure alone: theirs is one reopen vote.
    stella.submit(&path, &format!("/questions/{}/reopen", question_id(&path)), &[]).await.assert_status(303);
    assert!(closed(&app, &path).closed_at.is_some());
    moderator.submit(&path, &format!("/questions/{}/reopen", question_id(&path)), &[]).await.assert_status(303);
    assert!(closed(&app, &path).closed_at.is_none());
    search_order(&app, "lottery is:closed", <[i64]>::is_empty).await;
}

on_both_backends!(staff_close_duplicates_and_reopening_undoes_it, moderators_close_for_any_reason);

async fn act(who: &TestApp, path: &str, post: i64, action: &str) -> Page {
    who.submit(path, &format!("/posts/{post}/{action}"), &[("reason", "testing")]).await
}

async fn moderators_lock_and_delete_without_losing_anything(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let moderator = signed_in(&app, "moira", Role::Moderator).await;
    let stella = signed_in(&app, "stella", Role::Staff).await;
    let path =
        ask(&fred, "Does the widget charger work on 110 volts?", "Travelling to the US next week with my widget.")
            .await;
    let id = question_id(&path);
    let answer = wilma.answer(&path, "Yes, the charger is rated 100 to 240 volts; bring a plug adapter.").await;
    // Members and staff may not lock or delete; nothing changes.
    for who in [&fred, &stella] {
        act(who, &path, id, "lock").await.assert_status(403);
        act(who, &path, answer, "delete").await.assert_status(403);
    }
    assert!(closed(&app, &path).locked_at.is_none());

    // Locked: no new answers, comments or votes, on the question or its answers.
    act(&moderator, &path, id, "lock").await.assert_status(303);
    act(&moderator, &path, id, "lock").await.assert_status(409);
    act(&moderator, &path, answer, "lock").await.assert_status(422);
    fred.get(&path).await.assert_contains("This question is locked");
    fred.submit(
        &path,
        &format!("/questions/{id}/answers"),
        &[("body", "Another answer that should not be accepted here.")],
    )
    .await
    .assert_status(403);
    fred.submit(&path, &format!("/posts/{answer}/vote"), &[("value", "up")]).await.assert_status(403);
    fred.submit(&path, &format!("/posts/{answer}/comments"), &[("body", "A comment on a locked question.")])
        .await
        .assert_status(403);
    act(&moderator, &path, id, "unlock").await.assert_status(303);
    fred.vote(&path, answer, "up").await.assert_status(303);

    // A deleted answer disappears for everyone but moderators, and comes back whole.
    act(&moderator, &path, answer, "delete").await.assert_status(303);
    assert_eq!(closed(&app, &path).answer_count, 0);
    assert!(!app.get(&path).await.body.contains("rated 100 to 240 volts"));
    moderator
        .get(&path)
        .await
        .assert_contains("rated 100 to 240 volts")
        .assert_contains("Deleted: only moderators see this answer.");
    act(&moderator, &path, answer, "undelete").await.assert_status(303);
    assert_eq!(closed(&app, &path).answer_count, 1);
    app.get(&path).await.assert_contains("rated 100 to 240 volts");

    // A deleted question is 410 for visitors and members, still there for moderators.
    act(&moderator, &path, id, "delete").await.assert_status(303);
    app.get(&path).await.assert_status(410);
    fred.get(&path).await.assert_status(410);
    moderator.get(&path).await.assert_status(200).assert_contains("This question is deleted");
    let count = |app: &TestApp| {
        app.with_db(|c| guidepost::db::models::tags::find_by_name(c, "widgets").unwrap().unwrap().question_count)
    };
    assert_eq!(count(&app), 0);
    act(&moderator, &path, id, "undelete").await.assert_status(303);
    app.get(&path).await.assert_status(200);
    assert_eq!(count(&app), 1);
    let actions: Vec<String> =
        app.with_db(|c| audit_log::for_target(c, "post", answer, 10).unwrap().into_iter().map(|e| e.action).collect());
    assert!(
        actions.contains(&"post.delete".to_owned()) && actions.contains(&"post.undelete".to_owned()),
        "{actions:?}"
    );
}

on_both_backends!(moderators_lock_and_delete_without_losing_anything);
