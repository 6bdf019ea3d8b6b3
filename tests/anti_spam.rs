//! Rules against spam that work before any moderator looks: new members' links wait in the review
//! queue (and are capped), posting is rate-limited per member, and sign-up and ask carry robot
//! traps (a honeypot field and a minimum time to fill the form in).

use crate::common;

use std::time::Duration;

use diesel::prelude::*;
use guidepost::db::models::posts;
use guidepost::db::schema;
use guidepost::roles::Role;

use common::forum::{question_id, DETAILS};
use common::members::PASSWORD;
use common::TestApp;

async fn signed_in(app: &TestApp, username: &str, role: Role) -> TestApp {
    let visitor = app.another_visitor();
    app.create_user(username, role);
    visitor.sign_in(username, PASSWORD).await.assert_status(303);
    visitor
}

/// Makes a member established: a month old, with enough visible posts.
async fn establish(app: &TestApp, member: &TestApp, username: &str) {
    app.with_db(|c| {
        let month_ago = chrono::Utc::now().naive_utc() - chrono::TimeDelta::days(30);
        diesel::update(schema::users::table.filter(schema::users::username.eq(username)))
            .set(schema::users::created_at.eq(month_ago))
            .execute(c)
            .unwrap();
    });
    for n in 0..3 {
        member.ask_ok(&format!("Established member's question number {n} about widgets"), "widgets").await;
    }
}

fn post(app: &TestApp, id: i64) -> posts::Post {
    app.with_db(|c| posts::find(c, id).unwrap().unwrap())
}

fn notifications_of(app: &TestApp, username: &str) -> i64 {
    app.with_db(|c| {
        let user = guidepost::db::models::users::find_by_username(c, username).unwrap().unwrap();
        guidepost::db::models::notifications::unread_count(c, user.id).unwrap()
    })
}

async fn new_members_links_wait_for_review(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let newbie = signed_in(&app, "newbie", Role::Member).await;
    let mona = signed_in(&app, "mona", Role::Moderator).await;
    let path = fred.ask_ok("Why did my red widget break in the rain?", "widgets").await;
    let qid = question_id(&path);

    // Over the cap: refused outright, nothing stored.
    let three_links = "See https://a.example, https://b.example and https://c.example for the fix.";
    let refused = newbie.submit(&path, &format!("/questions/{qid}/answers"), &[("body", three_links)]).await;
    refused.assert_status(422).assert_contains("New members can include up to 2 links");
    assert_eq!(post(&app, qid).answer_count, 0);

    // With a link: accepted but held; only its author and moderators see it.
    let answer_text = "The fix is described at https://widgets.example/rain-fix in detail.";
    let held = newbie.submit(&path, &format!("/questions/{qid}/answers"), &[("body", answer_text)]).await;
    held.assert_status(303);
    let answer: i64 = held.header("location").unwrap().rsplit("#answer-").next().unwrap().parse().unwrap();
    assert_eq!(post(&app, answer).held_reason.map(|s| s.as_str()), Some("links"));
    assert_eq!(post(&app, qid).answer_count, 0);
    newbie.get(&path).await.assert_contains("moderator will check it").assert_contains("rain-fix");
    newbie.get(&path).await.assert_contains("Waiting for a moderator");
    assert!(!app.another_visitor().get(&path).await.body.contains("rain-fix"));
    assert_eq!(notifications_of(&app, "fred"), 0, "watchers hear of it only once approved");

    // A new member's comment may not carry a link at all.
    newbie
        .submit(&path, &format!("/posts/{qid}/comments"), &[("body", "Also see https://spam.example for more")])
        .await
        .assert_status(303);
    assert_eq!(post(&app, qid).comment_count, 0);

    // A question with a link is held too: 410 for everyone but its author and moderators.
    let body = "My widget manual at https://manuals.example/w1 says nothing about rain damage.";
    let asked = newbie
        .submit(
            "/ask",
            "/ask",
            &[("title", "Is rain damage covered by the widget warranty?"), ("body", body), ("tags", "warranty")],
        )
        .await;
    asked.assert_status(303);
    let held_question = asked.header("location").unwrap().to_owned();
    let held_qid = question_id(&held_question);
    app.another_visitor().get(&held_question).await.assert_status(410);
    newbie.get(&held_question).await.assert_status(200).assert_contains("waits for a moderator's review");
    mona.get(&held_question).await.assert_status(200);

    // The review queue: moderators only, oldest first.
    fred.get("/mod/review").await.assert_status(403);
    fred.submit(&path, &format!("/mod/review/{answer}"), &[("decision", "approve")]).await.assert_status(403);
    assert!(post(&app, answer).held_reason.is_some());
    let queue = mona.get("/mod/review").await;
    queue.assert_status(200).assert_contains("rain-fix").assert_contains("manuals.example");
    assert!(queue.body.find("rain-fix").unwrap() < queue.body.find("manuals.example").unwrap());

    // Approving publishes the answer and tells the asker; rejecting keeps the question deleted.
    mona.submit("/mod/review", &format!("/mod/review/{answer}"), &[("decision", "maybe")]).await.assert_status(422);
    mona.submit("/mod/review", &format!("/mod/review/{answer}"), &[("decision", "approve")]).await.assert_status(303);
    let approved = post(&app, answer);
    assert!(approved.deleted_at.is_none() && approved.held_reason.is_none());
    assert_eq!(post(&app, qid).answer_count, 1);
    app.another_visitor().get(&path).await.assert_contains("rain-fix");
    assert_eq!(notifications_of(&app, "fred"), 1);
    mona.submit("/mod/review", &format!("/mod/review/{held_qid}"), &[("decision", "reject")]).await.assert_status(303);
    let rejected = post(&app, held_qid);
    assert!(rejected.deleted_at.is_some() && rejected.held_reason.is_none());
    mona.submit("/mod/review", &format!("/mod/review/{held_qid}"), &[("decision", "approve")]).await.assert_status(409);
    mona.get("/mod/review").await.assert_contains("Nothing waits for review");

    // An established member's links go straight out.
    let olga = signed_in(&app, "olga", Role::Member).await;
    establish(&app, &olga, "olga").await;
    let direct = olga.answer(&path, "Another write-up: https://example.org/widgets/rain and it worked for me.").await;
    assert!(post(&app, direct).held_reason.is_none());
}

async fn posting_is_rate_limited_per_member(app: TestApp) {
    let app = app
        .restart_with(&[
            ("GUIDEPOST_QUESTIONS_PER_HOUR", "2"),
            ("GUIDEPOST_ANSWERS_PER_HOUR", "1"),
            ("GUIDEPOST_COMMENTS_PER_HOUR", "1"),
            ("GUIDEPOST_VOTES_PER_HOUR", "1"),
        ])
        .await;
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let stella = signed_in(&app, "stella", Role::Staff).await;
    let one = fred.ask_ok("First question about my red widget in the rain", "widgets").await;
    let two = fred.ask_ok("Second question about my blue widget in the snow", "widgets").await;
    let third = fred.ask("Third question about my green widget in the sun", "widgets").await;
    third.assert_status(429).assert_contains("limit of 2 questions an hour");
    let wait: u64 = third.header("retry-after").unwrap().parse().unwrap();
    assert!((3_500..=3_600).contains(&wait), "Retry-After {wait}");
    let asked = |app: &TestApp| {
        app.with_db(|c| schema::posts::table.filter(schema::posts::kind.eq("question")).count().get_result::<i64>(c))
            .unwrap()
    };
    assert_eq!(asked(&app), 2);

    // Answers, comments and votes each have their own allowance.
    let (q1, q2) = (question_id(&one), question_id(&two));
    wilma.answer(&one, "Dry it for a day in a warm room; mine came back after that.").await;
    wilma
        .submit(&two, &format!("/questions/{q2}/answers"), &[("body", "Same here: dry it out for a day or two.")])
        .await
        .assert_status(429);
    wilma.submit(&one, &format!("/posts/{q1}/comments"), &[("body", "Which model do you have exactly?")]).await;
    wilma
        .submit(&one, &format!("/posts/{q2}/comments"), &[("body", "And which model is this one exactly?")])
        .await
        .assert_status(429);
    wilma.vote(&one, q1, "up").await.assert_status(303);
    wilma.vote(&two, q2, "up").await.assert_status(429);
    // Changing a vote already cast is not a new vote.
    wilma.vote(&one, q1, "down").await.assert_status(303);
    assert_eq!(post(&app, q2).score, 0);
    assert_eq!(post(&app, q2).answer_count, 0);

    // Staff are not limited.
    for n in 0..3 {
        stella.ask_ok(&format!("Staff announcement number {n} about widget firmware"), "firmware").await;
    }
}

async fn robot_traps_guard_sign_up_and_ask(app: TestApp) {
    let app = app.restart_with(&[("GUIDEPOST_MIN_FORM_SECONDS", "1")]).await;
    let robot = app.another_visitor();
    let users = |app: &TestApp| app.with_db(|c| schema::users::table.count().get_result::<i64>(c)).unwrap();
    let form = robot.get("/signup").await;
    let stamp = form.hidden_value("form_started").expect("the form is stamped");
    let fields = |stamp: &str, honeypot: &str| {
        vec![
            ("username".to_owned(), "robbie".to_owned()),
            ("email".to_owned(), "robbie@example.com".to_owned()),
            ("password".to_owned(), PASSWORD.to_owned()),
            ("website".to_owned(), honeypot.to_owned()),
            ("form_started".to_owned(), stamp.to_owned()),
        ]
    };
    let post = |fields: Vec<(String, String)>| {
        let robot = &robot;
        async move {
            let token = robot.get("/signup").await.csrf_token().unwrap();
            let mut all: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            all.push(("csrf_token", &token));
            robot.post_form("/signup", &all).await
        }
    };

    // At once: too fast. A forged or missing stamp is no better.
    post(fields(&stamp, "")).await.assert_status(422).assert_contains("That was quick");
    let forged = format!("{}.AAAA", chrono::Utc::now().timestamp() - 3_600);
    post(fields(&forged, "")).await.assert_status(422);
    post(fields("", "")).await.assert_status(422);
    assert_eq!(users(&app), 0);

    actix_web::rt::time::sleep(Duration::from_millis(1_100)).await;
    // The honeypot filled in: refused whatever the timing.
    post(fields(&stamp, "http://spam.example")).await.assert_status(422).assert_contains("Leave this empty");
    assert_eq!(users(&app), 0);
    // A person who took their time gets in.
    post(fields(&stamp, "")).await.assert_status(303);
    assert_eq!(users(&app), 1);

    // Asking is guarded the same way.
    let fred = signed_in(&app, "fred", Role::Member).await;
    let ask = fred.get("/ask").await;
    let stamp = ask.hidden_value("form_started").unwrap();
    let token = ask.csrf_token().unwrap();
    let question = [
        ("title", "Why did my red widget break in the rain?"),
        ("body", DETAILS),
        ("tags", "widgets"),
        ("form_started", stamp.as_str()),
        ("csrf_token", token.as_str()),
    ];
    fred.post_form("/ask", &question).await.assert_status(422).assert_contains("That was quick");
    actix_web::rt::time::sleep(Duration::from_millis(1_100)).await;
    fred.post_form("/ask", &question).await.assert_status(303);
}

on_both_backends!(
    new_members_links_wait_for_review,
    posting_is_rate_limited_per_member,
    robot_traps_guard_sign_up_and_ask,
);
