//! The weekly topic digest: a topic watcher gets, once a week, the week's best-answered
//! questions in the topics they watch — and nothing more, from any node.

use crate::common;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use guidepost::db::models::mail_outbox;
use guidepost::db::schema::{mail_outbox as outbox_table, posts};
use guidepost::roles::Role;
use guidepost::services::topic_digest::send_weekly_digests;

use common::forum::question_id;
use common::members::{email_of, PASSWORD};
use common::TestApp;

const SUBJECT: &str = "This week in your topics:";
const OFFICIAL_BILLING: &str = "Why was my invoice charged twice this month?";
const ACCEPTED_BILLING: &str = "How do I change the card my plan is billed to?";
const UNANSWERED_BILLING: &str = "Can I get a receipt with my company name on it?";
const OFFICIAL_SHIPPING: &str = "Why is my parcel stuck at the sorting centre?";
const OLD_BILLING: &str = "Where do I download last year's invoices from?";
const ANSWER: &str = "Open Settings, then Billing, and pick the card you want; the change applies at once.";

async fn signed_in(app: &TestApp, username: &str, role: Role) -> TestApp {
    let visitor = app.another_visitor();
    app.create_user(username, role);
    visitor.sign_in(username, PASSWORD).await.assert_status(303);
    visitor
}

async fn answer_officially(staff: &TestApp, path: &str) -> i64 {
    let id = question_id(path);
    let page = staff.submit(path, &format!("/questions/{id}/answers"), &[("body", ANSWER), ("official", "1")]).await;
    page.assert_status(303);
    page.header("location").unwrap().trim_start_matches("/a/").parse().unwrap()
}

async fn watch(visitor: &TestApp, tag: &str, mail: &str) {
    visitor.submit(&format!("/tags/{tag}"), &format!("/tags/{tag}/watch"), &[("mail", mail)]).await.assert_status(303);
}

/// The weekly digests queued to `username`, as (subject, text).
fn digests_to(app: &TestApp, username: &str) -> Vec<(String, String)> {
    app.mail_to(&email_of(username)).into_iter().filter(|(subject, _)| subject.starts_with(SUBJECT)).collect()
}

fn run(app: &TestApp, now: NaiveDateTime) -> usize {
    let outbox = app.state.outbox.clone();
    app.with_db(|conn| send_weekly_digests(conn, &outbox, now).unwrap())
}

/// Moves a question's official answer and its activity back `days` days.
fn age(app: &TestApp, question: i64, answer: i64, days: i64) {
    let then = chrono::Utc::now().naive_utc() - Duration::days(days);
    app.with_db(|conn| {
        diesel::update(posts::table.find(answer)).set(posts::official_at.eq(then)).execute(conn).unwrap();
        diesel::update(posts::table.find(question))
            .set((posts::last_activity_at.eq(then), posts::first_official_at.eq(then)))
            .execute(conn)
            .unwrap();
    });
}

async fn a_watcher_gets_one_digest_of_the_weeks_best_answered_questions_in_their_topics(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let ann = signed_in(&app, "ann", Role::Member).await;
    let sam = signed_in(&app, "sam", Role::Staff).await;
    let official = fred.ask_ok(OFFICIAL_BILLING, "billing").await;
    let accepted = fred.ask_ok(ACCEPTED_BILLING, "billing payments").await;
    let unanswered = fred.ask_ok(UNANSWERED_BILLING, "billing").await;
    let shipping = fred.ask_ok(OFFICIAL_SHIPPING, "shipping").await;
    let old = fred.ask_ok(OLD_BILLING, "billing").await;

    let wendy = signed_in(&app, "wendy", Role::Member).await;
    watch(&wendy, "billing", "daily").await;
    let nora = signed_in(&app, "nora", Role::Member).await;
    watch(&nora, "billing", "never").await;
    let pete = signed_in(&app, "pete", Role::Member).await;
    watch(&pete, "billing", "daily").await;
    pete.submit("/settings", "/settings/notifications", &[("email_preference", "never")]).await.assert_status(303);

    answer_officially(&sam, &official).await;
    let answer = ann.answer(&accepted, ANSWER).await;
    fred.submit(&accepted, &format!("/answers/{answer}/accept"), &[]).await.assert_status(303);
    ann.answer(&unanswered, ANSWER).await;
    answer_officially(&sam, &shipping).await;
    let old_answer = answer_officially(&sam, &old).await;
    age(&app, question_id(&old), old_answer, 10);

    let now = chrono::Utc::now().naive_utc();
    assert_eq!(run(&app, now), 1, "wendy alone: nora's watch and pete's account say never");
    let digests = digests_to(&app, "wendy");
    assert_eq!(digests.len(), 1, "{digests:?}");
    let (subject, text) = &digests[0];
    assert_eq!(subject, "This week in your topics: 2 answered questions");
    let official_at = text.find(OFFICIAL_BILLING).expect("the officially answered question");
    let accepted_at = text.find(ACCEPTED_BILLING).expect("the question with an accepted answer");
    assert!(official_at < accepted_at, "official first:\n{text}");
    for absent in [UNANSWERED_BILLING, OFFICIAL_SHIPPING, OLD_BILLING] {
        assert!(!text.contains(absent), "{absent} is not listed:\n{text}");
    }
    assert_eq!(text.matches("(official answer)").count(), 1, "{text}");
    assert_eq!(text.matches("[billing]").count(), 2, "{text}");
    assert!(text.contains(&format!("http://forum.test{official}")), "{text}");
    assert!(text.contains(&format!("http://forum.test{accepted}")), "{text}");
    assert!(text.contains("http://forum.test/unsubscribe/"), "{text}");
    assert!(digests_to(&app, "nora").is_empty());
    assert!(digests_to(&app, "pete").is_empty());

    // Again, later the same week, and from a second node on the same database: nothing more.
    assert_eq!(run(&app, now), 0);
    let node = app.another_node(&[]).await;
    assert_eq!(run(&node, now + Duration::hours(1)), 0);
    assert_eq!(run(&node, now + Duration::days(6)), 0);
    assert_eq!(digests_to(&app, "wendy").len(), 1);

    // A week on with nothing newly answered: no empty digest, and the week is not looked at again
    // every hour.
    assert_eq!(run(&node, now + Duration::days(8)), 0);
    assert_eq!(run(&app, now + Duration::days(8) + Duration::hours(1)), 0);
    assert_eq!(digests_to(&app, "wendy").len(), 1);
}

async fn the_weekly_digest_carries_list_unsubscribe_headers(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let sam = signed_in(&app, "sam", Role::Staff).await;
    let wendy = signed_in(&app, "wendy", Role::Member).await;
    let path = fred.ask_ok(OFFICIAL_BILLING, "billing").await;
    watch(&wendy, "billing", "each").await;
    answer_officially(&sam, &path).await;
    assert_eq!(run(&app, chrono::Utc::now().naive_utc()), 1);
    let row_id: i64 = app.with_db(|conn| {
        outbox_table::table
            .filter(outbox_table::to_address.eq(email_of("wendy")))
            .filter(outbox_table::subject.like(format!("{SUBJECT}%")))
            .select(outbox_table::id)
            .first(conn)
            .unwrap()
    });
    let row = app.with_db(|conn| mail_outbox::find(conn, row_id).unwrap());
    let headers: serde_json::Value = serde_json::from_str(row.headers.as_deref().expect("headers")).unwrap();
    assert!(headers["List-Unsubscribe"].as_str().unwrap().starts_with("<http://forum.test/unsubscribe/"), "{headers}");
    assert_eq!(headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
    assert!(row.html_body.contains(OFFICIAL_BILLING), "{}", row.html_body);
}

on_both_backends!(
    a_watcher_gets_one_digest_of_the_weeks_best_answered_questions_in_their_topics,
    the_weekly_digest_carries_list_unsubscribe_headers,
);
