//! What staff do with listening posts: add feeds (and have bad ones refused), read the queue
//! beside the answers here, reply, mark handled, and bring an item home.

use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use guidepost::db::schema::{audit_log, heard_items, listening_feeds};
use guidepost::roles::Role;
use guidepost::services::listening::PollOutcome;

use super::{add_feed, atom, check_now, heard_count, staff_on_loopback, ATOM};
use crate::common::forum::question_id;
use crate::common::receiver::{Receiver, Reply};
use crate::common::{self, TestApp};

async fn staff_add_feeds_carefully(app: TestApp) {
    let (app, staff) = staff_on_loopback(app).await;
    let server = Receiver::start();
    let url = server.url_of("/feed");
    // Bad input is refused with the reason beside the field, and stores nothing.
    for (fields, message) in [
        (vec![("url", "ftp://example.com/feed"), ("rules", "widget")], "must start with http"),
        (vec![("url", url.as_str()), ("rules", "widget tag:router")], "text heard elsewhere has none of them"),
        (vec![("url", url.as_str()), ("rules", "-spam")], "at least one word"),
        (vec![("url", url.as_str()), ("rules", "widget"), ("interval_minutes", "1")], "from 5 to 10080"),
    ] {
        let page = staff.submit("/staff/listening", "/staff/listening/feeds", &fields).await;
        page.assert_status(422).assert_contains(message);
    }
    assert_eq!(app.with_db(|conn| listening_feeds::table.count().get_result::<i64>(conn).unwrap()), 0);
    // Added once; the same URL again is refused.
    let id = add_feed(&staff, &url, "widget").await;
    staff
        .submit("/staff/listening", "/staff/listening/feeds", &[("url", url.as_str()), ("rules", "gadget")])
        .await
        .assert_status(422)
        .assert_contains("followed already");
    let added: Vec<String> = app.with_db(|conn| {
        audit_log::table.filter(audit_log::action.like("listening.%")).select(audit_log::action).load(conn).unwrap()
    });
    assert_eq!(added, ["listening.add"]);

    // Members may not see or change any of it.
    let (member, _) = app.signed_in_member("mia", Role::Member).await;
    member.get("/staff/listening").await.assert_status(403);
    member.submit("/settings", &format!("/staff/listening/feeds/{id}/remove"), &[]).await.assert_status(403);
    member
        .submit("/settings", "/staff/listening/feeds", &[("url", "https://x.example/f"), ("rules", "x")])
        .await
        .assert_status(403);
    // Staff remove it: its items go with it.
    server.serve("/feed", Reply::ok(ATOM, atom(&[("a1", "Widget", "x")])));
    check_now(&staff, id).await;
    assert_eq!(heard_count(&app), 1);
    staff.submit("/staff/listening", &format!("/staff/listening/feeds/{id}/remove"), &[]).await.assert_status(303);
    assert_eq!(heard_count(&app), 0);
}

/// Polls the queue page until `wanted` holds (the index takes a moment to hear of new answers).
async fn queue_until(staff: &TestApp, wanted: &str) -> common::Page {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let page = staff.get("/staff/listening").await;
        if page.body.contains(wanted) || Instant::now() > deadline {
            return page;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn staff_reply_with_the_answer_or_bring_it_home(app: TestApp) {
    let (app, staff) = staff_on_loopback(app).await;
    // An officially answered question here.
    let path = staff.ask_ok("Why does my red widget stop working in the rain?", "widgets").await;
    let id = question_id(&path);
    staff
        .submit(
            &path,
            &format!("/questions/{id}/answers"),
            &[("body", "Dry it for a day; the seal keeps rain out after."), ("official", "1")],
        )
        .await
        .assert_status(303);

    let server = Receiver::start();
    server.serve(
        "/atom",
        Reply::ok(
            ATOM,
            atom(&[
                ("a1", "Red widget stopped working in the rain", "Any idea why my widget died?"),
                ("a2", "Widget paint peels", "Rain or not, the paint peels."),
            ]),
        ),
    );
    let feed_id = add_feed(&staff, &server.url_of("/atom"), "widget").await;
    check_now(&staff, feed_id).await;

    // The suggested answer, with its badge, and a ready reply that links it.
    let page = queue_until(&staff, "Official answer").await;
    page.assert_contains(&format!("href=\"{path}\"")).assert_contains("Official answer");
    // Tera writes the slashes of text as entities; a browser shows them as slashes.
    let reply = format!(
        "This is answered on Guidepost: “Why does my red widget stop working in the rain?” — http://forum.test{path}"
    );
    assert!(page.body.replace("&#x2F;", "/").contains(&reply), "no ready reply in:\n{}", page.body);

    // Marked handled: it leaves the queue for the handled list, and can come back.
    let items: Vec<(i64, String)> = app.with_db(|conn| {
        heard_items::table.order(heard_items::id).select((heard_items::id, heard_items::title)).load(conn).unwrap()
    });
    let (paint, _) = items.iter().find(|(_, t)| t.contains("paint")).cloned().unwrap();
    staff.submit("/staff/listening", &format!("/staff/listening/items/{paint}/handled"), &[]).await.assert_status(303);
    assert!(!staff.get("/staff/listening").await.body.contains("Widget paint peels"));
    staff.get("/staff/listening?show=handled").await.assert_contains("Widget paint peels");
    staff
        .submit("/staff/listening?show=handled", &format!("/staff/listening/items/{paint}/reopen"), &[])
        .await
        .assert_status(303);
    staff.get("/staff/listening").await.assert_contains("Widget paint peels");

    // Brought home: the ask form holds the item quoted, attributed and linked.
    let form = staff.get(&format!("/ask?heard={paint}")).await;
    form.assert_status(200).assert_contains("value=\"Widget paint peels\"");
    form.assert_contains("&gt; Rain or not, the paint peels.")
        .assert_contains("— Ann on [Widget talk](&lt;https:&#x2F;&#x2F;talk.example&#x2F;a2&gt;)");
    let body =
        "> Rain or not, the paint peels.\n\n— Ann on [Widget talk](<https://talk.example/a2>), 1 December 2026\n";
    let asked = staff
        .submit(
            &format!("/ask?heard={paint}"),
            "/ask",
            &[
                ("title", "Why does the paint on my widget peel?"),
                ("body", body),
                ("tags", "widgets"),
                ("heard", &paint.to_string()),
                ("similar_checked", "1"),
            ],
        )
        .await;
    asked.assert_status(303);
    let new_question = question_id(asked.header("location").unwrap());
    let (handled_at, linked): (Option<NaiveDateTime>, Option<i64>) = app.with_db(|conn| {
        heard_items::table.find(paint).select((heard_items::handled_at, heard_items::question_id)).first(conn).unwrap()
    });
    assert!(handled_at.is_some(), "bringing it home handles it");
    assert_eq!(linked, Some(new_question));
    let shown = staff.get(asked.header("location").unwrap()).await;
    shown.assert_contains("<blockquote>").assert_contains("href=\"https://talk.example/a2\"");
    // Nobody else may draft from the queue.
    let (member, _) = app.signed_in_member("mia", Role::Member).await;
    member.get(&format!("/ask?heard={paint}")).await.assert_status(403);
    // An outcome the poller reports, in words.
    assert_eq!(PollOutcome::Read { items: 2, matched: 1, new: 0 }.describe(), "2 items read, 1 matching, 0 new");
}

on_both_backends!(staff_add_feeds_carefully, staff_reply_with_the_answer_or_bring_it_home);
