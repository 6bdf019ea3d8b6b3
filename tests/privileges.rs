//! Privileges: each gate refuses below its threshold with a message that says the threshold,
//! changes nothing, and opens at it; staff always pass; the admin moves thresholds at run time;
//! community close and reopen votes act when enough agree; the privileges page shows progress.

use crate::common;

use diesel::prelude::*;
use guidepost::db::models::{audit_log, posts};
use guidepost::db::schema::{comments, flags, users};
use guidepost::roles::Role;

use common::forum::question_id;
use common::TestApp;

/// The thresholds this file tests: the built-in defaults (tests elsewhere run with them at 0).
const DEFAULTS: [(&str, &str); 6] = [
    ("GUIDEPOST_REPUTATION_TO_FLAG", "15"),
    ("GUIDEPOST_REPUTATION_TO_COMMENT", "50"),
    ("GUIDEPOST_REPUTATION_TO_VOTE_DOWN", "125"),
    ("GUIDEPOST_REPUTATION_TO_REVIEW", "250"),
    ("GUIDEPOST_REPUTATION_TO_CLOSE", "500"),
    ("GUIDEPOST_REPUTATION_TO_EDIT", "1000"),
];

fn set_reputation(app: &TestApp, id: i64, reputation: i64) {
    app.with_db(|c| diesel::update(users::table.find(id)).set(users::reputation.eq(reputation)).execute(c).unwrap());
}

fn comment_count(app: &TestApp) -> i64 {
    app.with_db(|c| comments::table.count().get_result(c).unwrap())
}

fn flag_count(app: &TestApp) -> i64 {
    app.with_db(|c| flags::table.count().get_result(c).unwrap())
}

fn score(app: &TestApp, post: i64) -> i32 {
    app.with_db(|c| posts::find(c, post).unwrap().unwrap().score)
}

async fn each_gate_says_its_threshold_and_opens_at_it(app: TestApp) {
    let app = app.restart_with(&DEFAULTS).await;
    let (fred, _) = app.signed_in_member("fred", Role::Member).await;
    let (wilma, wilma_id) = app.signed_in_member("wilma", Role::Member).await;
    let (stella, _) = app.signed_in_member("stella", Role::Staff).await;
    let path = fred.ask_ok("Why does the widget beep three times?", "widgets").await;
    let question = question_id(&path);
    let answer = fred.answer(&path, "Three beeps mean the filter needs cleaning, says the manual.").await;

    // Voting down.
    wilma
        .vote(&path, answer, "down")
        .await
        .assert_status(403)
        .assert_contains("Voting down needs 125 reputation; you have 1.");
    assert_eq!(score(&app, answer), 0);
    wilma.vote(&path, answer, "up").await.assert_status(303);
    // Flagging.
    let flag = [("reason", "spam")];
    wilma
        .submit(&path, &format!("/posts/{question}/flag"), &flag)
        .await
        .assert_status(403)
        .assert_contains("Flagging needs 15 reputation; you have 1.");
    assert_eq!(flag_count(&app), 0);
    // Commenting on others' posts, but one's own threads are always open.
    let words = [("body", "Could you say which model this is, please?")];
    wilma
        .submit(&path, &format!("/posts/{question}/comments"), &words)
        .await
        .assert_status(403)
        .assert_contains("Commenting on others&#x27; posts needs 50 reputation; you have 1.");
    assert_eq!(comment_count(&app), 0);
    fred.submit(&path, &format!("/posts/{question}/comments"), &words).await.assert_status(303);
    let wilmas = wilma.answer(&path, "Mine beeped like that until I reseated the water tank.").await;
    wilma.submit(&path, &format!("/posts/{wilmas}/comments"), &words).await.assert_status(303);
    fred.submit(&path, &format!("/posts/{wilmas}/comments"), &words).await.assert_status(303);
    assert_eq!(comment_count(&app), 3);
    // Voting to close.
    wilma
        .submit(&path, &format!("/questions/{question}/close"), &[("reason", "unclear")])
        .await
        .assert_status(403)
        .assert_contains("Voting to close or reopen needs 500 reputation; you have 1.");

    // At each threshold the gate opens.
    set_reputation(&app, wilma_id, 15);
    wilma.submit(&path, &format!("/posts/{question}/flag"), &flag).await.assert_status(303);
    assert_eq!(flag_count(&app), 1);
    set_reputation(&app, wilma_id, 50);
    wilma.submit(&path, &format!("/posts/{question}/comments"), &words).await.assert_status(303);
    set_reputation(&app, wilma_id, 125);
    wilma.vote(&path, answer, "down").await.assert_status(303);
    assert_eq!(score(&app, answer), -1);
    set_reputation(&app, wilma_id, 500);
    wilma.submit(&path, &format!("/questions/{question}/close"), &[("reason", "unclear")]).await.assert_status(303);

    // Staff have every privilege from the start.
    stella.vote(&path, answer, "down").await.assert_status(303);
    stella.submit(&path, &format!("/posts/{answer}/comments"), &words).await.assert_status(303);
}

async fn the_admin_moves_a_threshold_and_the_gate_follows(app: TestApp) {
    let app = app.restart_with(&DEFAULTS).await;
    let (fred, _) = app.signed_in_member("fred", Role::Member).await;
    let (wilma, _) = app.signed_in_member("wilma", Role::Member).await;
    let (ada, _) = app.signed_in_member("ada", Role::Admin).await;
    let path = fred.ask_ok("Can the widget timer run past midnight?", "widgets").await;
    let question = question_id(&path);
    wilma.vote(&path, question, "down").await.assert_status(403);

    let settings = ada.get("/admin/settings").await;
    settings.assert_status(200).assert_contains("name=\"reputation_to_vote_down\"");
    ada.submit("/admin/settings", "/admin/settings", &[("reputation_to_vote_down", "1")]).await.assert_status(303);
    wilma.vote(&path, question, "down").await.assert_status(303);
    assert_eq!(score(&app, question), -1);
    // Nonsense is refused and changes nothing.
    ada.submit("/admin/settings", "/admin/settings", &[("reputation_to_vote_down", "lots")]).await.assert_status(422);
    app.get("/help/privileges")
        .await
        .assert_status(200)
        .assert_contains("Voting down")
        .assert_contains("· 1 reputation");
}

async fn enough_close_votes_close_and_enough_reopen_votes_reopen(app: TestApp) {
    let app = app.restart_with(&[("GUIDEPOST_CLOSE_VOTES_NEEDED", "3")]).await;
    let (fred, _) = app.signed_in_member("fred", Role::Member).await;
    let mut voters = Vec::new();
    for name in ["vera", "victor", "violet", "vince"] {
        let (visitor, id) = app.signed_in_member(name, Role::Member).await;
        set_reputation(&app, id, 500);
        voters.push(visitor);
    }
    let original = fred.ask_ok("How do I descale a widget kettle?", "widgets").await;
    let path = fred.ask_ok("Descaling the widget kettle, what do I use?", "widgets").await;
    let question = question_id(&path);
    let close = format!("/questions/{question}/close");
    let original_id = question_id(&original).to_string();

    voters[0].submit(&path, &close, &[("reason", "unclear")]).await.assert_status(303);
    voters[0].submit(&path, &close, &[("reason", "unclear")]).await.assert_status(409);
    voters[1]
        .submit(&path, &close, &[("reason", "duplicate"), ("duplicate_of", &original_id)])
        .await
        .assert_status(303);
    let page = voters[2].get(&path).await;
    page.assert_contains("2 of 3 votes to close so far");
    assert!(app.with_db(|c| posts::find(c, question).unwrap().unwrap().closed_at.is_none()));
    // A bad duplicate target is refused and counts nothing.
    voters[2].submit(&path, &close, &[("reason", "duplicate"), ("duplicate_of", "nope")]).await.assert_status(422);
    voters[2]
        .submit(&path, &close, &[("reason", "duplicate"), ("duplicate_of", &original_id)])
        .await
        .assert_status(303);
    let closed = app.with_db(|c| posts::find(c, question).unwrap().unwrap());
    assert!(closed.closed_at.is_some());
    assert_eq!(closed.duplicate_of_id, Some(question_id(&original)), "the reason most voted for wins");
    let audit = app.with_db(|c| audit_log::for_target(c, "post", question, 5).unwrap());
    assert!(audit
        .iter()
        .any(|e| e.action == "question.close" && e.detail.as_deref().is_some_and(|d| d.contains("3 close votes"))));

    let reopen = format!("/questions/{question}/reopen");
    for voter in &voters[1..] {
        voter.submit(&original, &reopen, &[]).await.assert_status(303);
    }
    let reopened = app.with_db(|c| posts::find(c, question).unwrap().unwrap());
    assert!(reopened.closed_at.is_none() && reopened.duplicate_of_id.is_none());
    // Moderators still act alone.
    let (moira, _) = app.signed_in_member("moira", Role::Moderator).await;
    moira.submit(&path, &close, &[("reason", "off-topic")]).await.assert_status(303);
    assert!(app.with_db(|c| posts::find(c, question).unwrap().unwrap().closed_at.is_some()));
}

async fn the_privileges_page_shows_how_far_each_is(app: TestApp) {
    let app = app.restart_with(&DEFAULTS).await;
    let (wilma, wilma_id) = app.signed_in_member("wilma", Role::Member).await;
    set_reputation(&app, wilma_id, 100);
    let page = wilma.get("/help/privileges").await;
    page.assert_status(200)
        .assert_contains("You have <strong>100</strong> reputation.")
        .assert_contains("Flagging")
        .assert_contains("1,000 reputation")
        .assert_contains("25 more reputation to go")
        .assert_contains("You have this privilege.");
    app.get("/help/privileges").await.assert_status(200).assert_contains("Sign in</a> to see how far");
}

on_both_backends!(
    each_gate_says_its_threshold_and_opens_at_it,
    the_admin_moves_a_threshold_and_the_gate_follows,
    enough_close_votes_close_and_enough_reopen_votes_reopen,
    the_privileges_page_shows_how_far_each_is,
);
