//! Watching questions, notifications, notification mail (each / daily / never) and unsubscribing.

use crate::common;

use diesel::prelude::*;
use guidepost::db::models::{mail_outbox, users, watches};
use guidepost::db::schema::{mail_outbox as outbox_table, notifications};
use guidepost::domain::MailPreference;
use guidepost::roles::Role;
use guidepost::services::notifications::send_daily_digests;

use common::forum::question_id;
use common::members::{email_of, PASSWORD};
use common::TestApp;

const TITLE: &str = "Why did my red widget break in the rain?";
const ANSWER: &str = "Dry it in a warm room for a day, then check the seals before using it again.";

async fn signed_in(app: &TestApp, username: &str) -> (TestApp, i64) {
    let visitor = app.another_visitor();
    let id = app.create_user(username, Role::Member);
    visitor.sign_in(username, PASSWORD).await.assert_status(303);
    (visitor, id)
}

fn notification_count(app: &TestApp, user_id: i64) -> i64 {
    app.with_db(|conn| {
        notifications::table.filter(notifications::user_id.eq(user_id)).count().get_result(conn).unwrap()
    })
}

fn preference_of(app: &TestApp, user_id: i64) -> String {
    app.with_db(|conn| users::find(conn, user_id).unwrap().unwrap().email_preference.to_string())
}

fn set_preference(app: &TestApp, user_id: i64, preference: &str) {
    app.with_db(|conn| {
        users::set_email_preference(conn, user_id, MailPreference::from_stored(preference).unwrap()).unwrap()
    });
}

async fn watchers_get_one_notification_and_one_mail_per_event(app: TestApp) {
    let (fred, fred_id) = signed_in(&app, "fred").await;
    let (ann, ann_id) = signed_in(&app, "ann").await;
    let (bob, bob_id) = signed_in(&app, "bob").await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    let question = question_id(&path);
    assert!(app.with_db(|conn| watches::exists(conn, fred_id, question).unwrap()), "the asker watches");
    fred.get(&path).await.assert_contains("Stop watching");

    bob.get(&path).await.assert_contains("Watch this question");
    bob.submit(&path, &format!("/questions/{question}/watch"), &[]).await.assert_status(303);
    bob.get(&path).await.assert_contains("Stop watching");

    let answer = ann.answer(&path, ANSWER).await;
    for (id, address) in [(fred_id, "fred"), (bob_id, "bob")] {
        assert_eq!(notification_count(&app, id), 1, "{address}");
        let mail = app.mail_to(&email_of(address));
        assert_eq!(mail.len(), 1, "{address}: {mail:?}");
        assert_eq!(mail[0].0, format!("New answer: {TITLE}"));
        assert!(mail[0].1.contains(&format!("http://forum.test/a/{answer}")), "{}", mail[0].1);
        assert!(mail[0].1.contains("ann answered"), "{}", mail[0].1);
        assert!(mail[0].1.contains("http://forum.test/unsubscribe/"), "{}", mail[0].1);
    }
    assert_eq!(notification_count(&app, ann_id), 0, "the actor is not told about her own answer");
    assert!(app.mail_to(&email_of("ann")).is_empty());

    fred.submit(&path, &format!("/answers/{answer}/accept"), &[]).await.assert_status(303);
    assert_eq!(notification_count(&app, fred_id), 1, "the asker accepted; no notification for that");
    assert_eq!(app.mail_to(&email_of("fred")).len(), 1);
    assert_eq!(notification_count(&app, bob_id), 2);
    let mail = app.mail_to(&email_of("bob"));
    assert_eq!(mail.len(), 2);
    assert_eq!(mail[1].0, format!("Answer accepted: {TITLE}"));
    // Withdrawing acceptance is not news.
    fred.submit(&path, &format!("/answers/{answer}/accept"), &[]).await.assert_status(303);
    assert_eq!(notification_count(&app, bob_id), 2);

    bob.submit(&path, &format!("/questions/{question}/unwatch"), &[]).await.assert_status(303);
    assert!(!app.with_db(|conn| watches::exists(conn, bob_id, question).unwrap()));
    ann.answer(&path, &format!("{ANSWER} Also, keep it indoors.")).await;
    assert_eq!(notification_count(&app, bob_id), 2, "no news after unwatching");
    assert_eq!(notification_count(&app, fred_id), 2);
}

async fn the_header_counts_unread_and_the_list_marks_read(app: TestApp) {
    let (fred, _) = signed_in(&app, "fred").await;
    let (ann, _) = signed_in(&app, "ann").await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    fred.get("/").await.assert_status(200).assert_contains("href=\"/notifications\"");
    assert!(!fred.get("/").await.body.contains("unread-count"));
    let answer = ann.answer(&path, ANSWER).await;
    ann.answer(&path, &format!("{ANSWER} Or buy the waterproof model.")).await;

    fred.get("/")
        .await
        .assert_contains("<span class=\"badge unread-count\">2<span class=\"visually-hidden\"> unread</span></span>");
    let list = fred.get("/notifications").await;
    list.assert_status(200)
        .assert_contains("class=\"notification unread\"")
        .assert_contains(&format!("href=\"/a/{answer}\""))
        .assert_contains(TITLE)
        .assert_contains("ann answered");
    assert!(!list.body.contains("unread-count"), "the page marked them read: {}", list.body);
    let again = fred.get("/notifications").await;
    assert!(!again.body.contains("notification unread"));
    assert!(!fred.get("/").await.body.contains("unread-count"));

    ann.answer(&path, &format!("{ANSWER} A third idea: rice.")).await;
    fred.get("/").await.assert_contains(">1<span class=\"visually-hidden\"> unread</span>");
    fred.submit("/notifications", "/notifications/read", &[]).await.assert_status(303);
    assert!(!fred.get("/").await.body.contains("unread-count"));

    app.another_visitor().get("/notifications").await.assert_status(303);
}

async fn daily_members_get_one_digest_and_never_members_no_mail(app: TestApp) {
    let (fred, fred_id) = signed_in(&app, "fred").await;
    let (ann, _) = signed_in(&app, "ann").await;
    let (carol, carol_id) = signed_in(&app, "carol").await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    let question = question_id(&path);
    carol.submit(&path, &format!("/questions/{question}/watch"), &[]).await.assert_status(303);
    carol.submit("/settings", "/settings/notifications", &[("email_preference", "daily")]).await.assert_status(303);
    carol.get("/settings").await.assert_contains("<option value=\"daily\" selected>");
    fred.submit("/settings", "/settings/notifications", &[("email_preference", "never")]).await.assert_status(303);
    assert_eq!(preference_of(&app, fred_id), "never");
    let refused = fred.submit("/settings", "/settings/notifications", &[("email_preference", "hourly")]).await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    assert_eq!(preference_of(&app, fred_id), "never");

    let answer = ann.answer(&path, ANSWER).await;
    assert_eq!(notification_count(&app, carol_id), 1);
    assert_eq!(notification_count(&app, fred_id), 1, "'never' still sees it on the site");
    assert!(app.mail_to(&email_of("carol")).is_empty(), "daily: no mail at once");
    assert!(app.mail_to(&email_of("fred")).is_empty(), "never: no mail");

    let now = chrono::Utc::now().naive_utc();
    let outbox = app.state.outbox.clone();
    assert_eq!(app.with_db(|conn| send_daily_digests(conn, &outbox, now).unwrap()), 1);
    let mail = app.mail_to(&email_of("carol"));
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].0, "1 update on questions and topics you follow");
    assert!(mail[0].1.contains(&format!("http://forum.test/a/{answer}")), "{}", mail[0].1);
    assert!(mail[0].1.contains(TITLE));
    assert!(mail[0].1.contains("http://forum.test/unsubscribe/"));

    // More news, but a digest went out within 24 hours: nothing until the day is over.
    ann.answer(&path, &format!("{ANSWER} Or buy the waterproof model.")).await;
    let soon = now + chrono::Duration::hours(23);
    assert_eq!(app.with_db(|conn| send_daily_digests(conn, &outbox, soon).unwrap()), 0);
    assert_eq!(app.mail_to(&email_of("carol")).len(), 1);
    let tomorrow = now + chrono::Duration::hours(25);
    assert_eq!(app.with_db(|conn| send_daily_digests(conn, &outbox, tomorrow).unwrap()), 1);
    let mail = app.mail_to(&email_of("carol"));
    assert_eq!(mail.len(), 2);
    assert!(!mail[1].1.contains(&format!("/a/{answer}\n")), "an event is mailed once: {}", mail[1].1);
    // Nothing new: no empty digest.
    let day_after = now + chrono::Duration::hours(50);
    assert_eq!(app.with_db(|conn| send_daily_digests(conn, &outbox, day_after).unwrap()), 0);
    assert!(app.mail_to(&email_of("fred")).is_empty(), "never: not even a digest");
}

async fn unsubscribe_links_work_without_a_session(app: TestApp) {
    let (fred, fred_id) = signed_in(&app, "fred").await;
    let (ann, _) = signed_in(&app, "ann").await;
    let (bob, bob_id) = signed_in(&app, "bob").await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    bob.submit(&path, &format!("/questions/{}/watch", question_id(&path)), &[]).await.assert_status(303);
    ann.answer(&path, ANSWER).await;

    // Fred opens the link in another browser, signed out: a page that asks, and changes nothing yet.
    let link = app.link_in_mail(&email_of("fred"), "/unsubscribe/");
    let stranger = app.another_visitor();
    stranger.get(&link).await.assert_status(200).assert_contains("Unsubscribe").assert_contains("fred");
    assert_eq!(preference_of(&app, fred_id), "each");
    stranger.post_form(&link, &[]).await.assert_status(403);
    assert_eq!(preference_of(&app, fred_id), "each", "a POST without the page's token is refused");
    stranger.submit(&link, &link, &[]).await.assert_status(303);
    assert_eq!(preference_of(&app, fred_id), "never");
    stranger.get(&link).await.assert_status(200).assert_contains("You are unsubscribed");

    // Bob's mail provider posts the RFC 8058 one-click form: no cookies, no CSRF token.
    let link = app.link_in_mail(&email_of("bob"), "/unsubscribe/");
    let provider = app.another_visitor();
    provider.post_form(&link, &[("List-Unsubscribe", "One-Click")]).await.assert_status(200);
    assert_eq!(preference_of(&app, bob_id), "never");

    // Forged and mangled tokens find nothing and change nothing.
    set_preference(&app, bob_id, "each");
    let token = link.trim_start_matches("/unsubscribe/");
    let (_, signature) = token.split_once('.').unwrap();
    let forged = format!("/unsubscribe/{fred_id}.{signature}");
    for bad in [forged.as_str(), "/unsubscribe/nothing", &format!("/unsubscribe/{bob_id}.AAAA")] {
        let status = provider.get(bad).await.status.as_u16();
        assert!(status == 404 || status == 410, "{bad}: {status}");
        let status = provider.post_form(bad, &[("List-Unsubscribe", "One-Click")]).await.status.as_u16();
        assert!(status == 404 || status == 410, "{bad}: {status}");
    }
    set_preference(&app, fred_id, "each");
    let status = provider.post_form(&forged, &[("List-Unsubscribe", "One-Click")]).await.status.as_u16();
    assert_eq!(status, 404);
    assert_eq!(preference_of(&app, fred_id), "each");
    assert_eq!(preference_of(&app, bob_id), "each");
    // The one-click exemption is for /unsubscribe/ only.
    provider.post_form("/settings/notifications", &[("List-Unsubscribe", "One-Click")]).await.assert_status(403);
}

async fn notification_mail_carries_list_unsubscribe_headers_on_the_wire(app: TestApp) {
    let (fred, fred_id) = signed_in(&app, "fred").await;
    let (ann, _) = signed_in(&app, "ann").await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    ann.answer(&path, ANSWER).await;
    let row_id: i64 = app.with_db(|conn| {
        outbox_table::table
            .filter(outbox_table::to_address.eq(email_of("fred")))
            .select(outbox_table::id)
            .first(conn)
            .unwrap()
    });
    let row = app.with_db(|conn| mail_outbox::find(conn, row_id).unwrap());
    let headers: serde_json::Value = serde_json::from_str(row.headers.as_deref().expect("headers")).unwrap();
    let url = headers["List-Unsubscribe"].as_str().unwrap();
    assert!(url.starts_with(&format!("<http://forum.test/unsubscribe/{fred_id}.")), "{url}");
    assert_eq!(headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");

    let from = guidepost::mail::parse_sender("Guidepost <noreply@forum.test>").unwrap();
    let message = guidepost::mail::worker::build_message(&from, &row).unwrap();
    let wire = String::from_utf8_lossy(&message.formatted()).into_owned();
    assert!(wire.contains(&format!("List-Unsubscribe: {url}\r\n")), "{wire}");
    assert!(wire.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"), "{wire}");
    let parsed = common::mail::parse_mail(&message.formatted());
    assert_eq!(parsed.subject.as_deref(), Some(format!("New answer: {TITLE}").as_str()));

    // Mail without extra headers (account mail) is unchanged.
    let plain = app.with_db(|conn| {
        outbox_table::table.filter(outbox_table::headers.is_null()).count().get_result::<i64>(conn).unwrap()
    });
    assert_eq!(plain, 0, "no other mail was queued in this test");
}

on_both_backends!(
    watchers_get_one_notification_and_one_mail_per_event,
    the_header_counts_unread_and_the_list_marks_read,
    daily_members_get_one_digest_and_never_members_no_mail,
    unsubscribe_links_work_without_a_session,
    notification_mail_carries_list_unsubscribe_headers_on_the_wire,
);
