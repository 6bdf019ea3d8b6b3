//! Closing the loop on FAQ gaps: a visitor leaves an address and a member clicks once on a search
//! that found no answer; staff link the answer on /staff/gaps; each waiting person is mailed once
//! and their request deleted; bad input and members are refused, changing nothing.

use chrono::{TimeDelta, Utc};
use diesel::prelude::*;
use guidepost::db::schema::{gap_answers, gap_waiters, mail_outbox, posts};
use guidepost::roles::Role;
use guidepost::services::gap_waiters::{self as service, WAIT_DAYS};

use crate::common;
use common::members::email_of;
use common::TestApp;

const SEARCH: &str = "/search?q=Red%20widget%20rain";

fn waiting(app: &TestApp) -> i64 {
    app.with_db(|conn| gap_waiters::table.count().get_result(conn).unwrap())
}

fn outbox_size(app: &TestApp) -> i64 {
    app.with_db(|conn| mail_outbox::table.count().get_result(conn).unwrap())
}

async fn everyone_waiting_is_told_once(app: TestApp) {
    // A visitor: the search found nothing, and the page offers to tell them.
    let visitor = app.another_visitor();
    visitor.get(SEARCH).await.assert_status(200).assert_contains("Tell me when it is answered");
    let asked =
        visitor.submit(SEARCH, "/search/waiting", &[("q", "Red widget rain"), ("email", " Pat@Example.com ")]).await;
    asked.assert_status(303);
    assert_eq!(asked.header("location"), Some("/search?q=Red%20widget%20rain"));
    visitor.get(SEARCH).await.assert_contains("We will tell that address once");
    // Asking twice, in other capitals, is one request.
    visitor
        .submit(SEARCH, "/search/waiting", &[("q", "red WIDGET rain"), ("email", "pat@example.com")])
        .await
        .assert_status(303);
    assert_eq!(waiting(&app), 1);

    // Bad input is refused and stores nothing.
    let stranger = app.another_visitor();
    stranger
        .submit(SEARCH, "/search/waiting", &[("q", "Red widget rain"), ("email", "not an address")])
        .await
        .assert_status(422);
    stranger.submit(SEARCH, "/search/waiting", &[("q", "   "), ("email", "sam@example.com")]).await.assert_status(422);
    assert_eq!(waiting(&app), 1);

    // A member clicks once; the page then says so instead of offering the button.
    let (member, _) = app.signed_in_member("mia", Role::Member).await;
    let page = member.get(SEARCH).await;
    page.assert_status(200).assert_contains("Tell me when it is answered");
    assert!(!page.body.contains("gap-wait-email"), "members are not asked for an address");
    member.submit(SEARCH, "/search/waiting", &[("q", "Red widget rain")]).await.assert_status(303);
    member.get(SEARCH).await.assert_contains("You asked to be told when this is answered");
    assert_eq!(waiting(&app), 2);

    // Staff see who waits, and link the answer.
    let (staff, _) = app.signed_in_member("stella", Role::Staff).await;
    let gaps = staff.get("/staff/gaps").await;
    gaps.assert_status(200).assert_contains("Waiting to hear").assert_contains("red widget rain");
    assert!(gaps.body.contains("<dt>People waiting for an answer</dt><dd>2</dd>"), "{}", gaps.body);
    let path = staff.ask_ok("Is the red widget safe to use in the rain?", "widgets").await;
    let before = outbox_size(&app);
    let linked =
        staff.submit("/staff/gaps", "/staff/gaps/answer", &[("query", "red widget rain"), ("question", &path)]).await;
    linked.assert_status(303);
    staff
        .get("/staff/gaps")
        .await
        .assert_contains("the 2 people waiting are being told")
        .assert_contains("Answered lately");

    for address in ["pat@example.com".to_owned(), email_of("mia")] {
        let mail = app.mail_to(&address);
        assert_eq!(mail.len(), 1, "{address} is told once");
        assert_eq!(mail[0].0, "Answered: Is the red widget safe to use in the rain?");
        assert!(mail[0].1.contains(&path), "the mail links the answer: {}", mail[0].1);
        assert!(mail[0].1.contains("red widget rain"), "the mail names the search");
    }
    assert_eq!(outbox_size(&app) - before, 2);
    assert_eq!(waiting(&app), 0, "addresses are deleted once used");

    // A second link mails nobody; someone asking now is sent to the answer and nothing is kept.
    staff
        .submit("/staff/gaps", "/staff/gaps/answer", &[("query", "Red widget rain"), ("question", &path)])
        .await
        .assert_status(409);
    let late = app.another_visitor();
    let sent = late.submit(SEARCH, "/search/waiting", &[("q", "Red widget rain"), ("email", "lee@example.com")]).await;
    sent.assert_status(303);
    assert_eq!(sent.header("location"), Some(path.as_str()));
    assert_eq!(waiting(&app), 0);
    assert_eq!(outbox_size(&app) - before, 2);
    // The answered gap leaves the list of gaps.
    let after = staff.get("/staff/gaps").await;
    after.assert_status(200);
    assert!(!after.body.contains("value=\"red widget rain\""), "no form offers to link it again: {}", after.body);
}

async fn only_staff_link_answers_to_a_real_question(app: TestApp) {
    let visitor = app.another_visitor();
    visitor
        .submit(SEARCH, "/search/waiting", &[("q", "Red widget rain"), ("email", "pat@example.com")])
        .await
        .assert_status(303);
    let (member, _) = app.signed_in_member("mia", Role::Member).await;
    let path = member.ask_ok("Why does my red widget stop in the rain?", "widgets").await;
    member
        .submit("/settings", "/staff/gaps/answer", &[("query", "red widget rain"), ("question", &path)])
        .await
        .assert_status(403);

    let (staff, _) = app.signed_in_member("stella", Role::Staff).await;
    for nonsense in ["", "the red one", "/questions/999999/nothing-here"] {
        staff
            .submit("/staff/gaps", "/staff/gaps/answer", &[("query", "red widget rain"), ("question", nonsense)])
            .await
            .assert_status(422);
    }
    staff.submit("/staff/gaps", "/staff/gaps/answer", &[("query", " "), ("question", &path)]).await.assert_status(422);
    assert_eq!(waiting(&app), 1);
    assert!(app.mail_to("pat@example.com").is_empty());
    assert_eq!(app.with_db(|conn| gap_answers::table.count().get_result::<i64>(conn).unwrap()), 0);
}

async fn unanswered_waits_are_deleted_after_their_time(app: TestApp) {
    let now = Utc::now().naive_utc();
    let long_ago = now - TimeDelta::days(WAIT_DAYS) - TimeDelta::hours(1);
    app.with_feed(|conn, feed| {
        service::wait(conn, feed, None, "old question", "old@example.com", long_ago).unwrap();
        service::wait(conn, feed, None, "new question", "new@example.com", now).unwrap();
    });
    assert_eq!(app.with_db(|conn| service::expire(conn, now).unwrap()), 1);
    let left: Vec<Option<String>> =
        app.with_db(|conn| gap_waiters::table.select(gap_waiters::email).load(conn).unwrap());
    assert_eq!(left, vec![Some("new@example.com".to_owned())]);
}

async fn a_gap_whose_answer_was_deleted_opens_again(app: TestApp) {
    let (staff, _) = app.signed_in_member("stella", Role::Staff).await;
    staff.get(SEARCH).await.assert_status(200);
    let first = staff.ask_ok("Is the red widget safe to use in the rain?", "widgets").await;
    staff
        .submit("/staff/gaps", "/staff/gaps/answer", &[("query", "red widget rain"), ("question", &first)])
        .await
        .assert_status(303);
    assert!(!staff.get("/staff/gaps").await.body.contains("value=\"red widget rain\""));

    // The linked question is deleted: the gap is listed again and a request waits again.
    let id = common::forum::question_id(&first);
    app.with_db(|conn| {
        diesel::update(posts::table.find(id))
            .set(posts::deleted_at.eq(Some(Utc::now().naive_utc())))
            .execute(conn)
            .unwrap()
    });
    staff.get("/staff/gaps").await.assert_contains("value=\"red widget rain\"");
    let visitor = app.another_visitor();
    visitor
        .submit(SEARCH, "/search/waiting", &[("q", "Red widget rain"), ("email", "pat@example.com")])
        .await
        .assert_status(303);
    assert_eq!(waiting(&app), 1);

    // A new answer can be linked, and the one waiting hears of it.
    let second = staff.ask_ok("How do I keep my red widget dry in the rain?", "widgets").await;
    staff
        .submit("/staff/gaps", "/staff/gaps/answer", &[("query", "red widget rain"), ("question", &second)])
        .await
        .assert_status(303);
    let mail = app.mail_to("pat@example.com");
    assert_eq!(mail.len(), 1);
    assert!(mail[0].1.contains(&second));
    assert_eq!(waiting(&app), 0);
}

on_both_backends!(
    everyone_waiting_is_told_once,
    a_gap_whose_answer_was_deleted_opens_again,
    only_staff_link_answers_to_a_real_question,
    unanswered_waits_are_deleted_after_their_time
);
