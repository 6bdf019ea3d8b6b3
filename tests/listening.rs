//! Listening posts against real feeds served over HTTP on 127.0.0.1: changing Atom, RSS and JSON
//! feeds keep each matching item once and never a non-matching one; a 304 is honoured; a failing
//! feed waits longer each time; hostile feeds (huge, malformed, billion laughs, a redirect to an
//! address not allowed) are refused and keep nothing. Staff see each item beside the answer here
//! that already answers it, and bring it home as a question.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, SubsecRound, TimeDelta, Utc};
use diesel::prelude::*;
use guidepost::db::models::listening::{self as model, Feed};
use guidepost::db::schema::{audit_log, heard_items, listening_feeds};
use guidepost::roles::Role;
use guidepost::services::listening::{poll_due, PollOutcome};
use guidepost::webhooks::{OutboundClient, Reach};

use crate::common;
use common::forum::question_id;
use common::receiver::{Receiver, Reply};
use common::TestApp;

const ALLOW_LOOPBACK: (&str, &str) = ("GUIDEPOST_OUTBOUND_ALLOW_ADDRESSES", "127.0.0.1");
const ATOM: &str = "application/atom+xml";
const RSS: &str = "application/rss+xml";
const JSON: &str = "application/feed+json";

fn atom(entries: &[(&str, &str, &str)]) -> String {
    let entries: String = entries
        .iter()
        .map(|(id, title, text)| {
            format!(
                "<entry><id>{id}</id><title>{title}</title><link href=\"https://talk.example/{id}\"/>\
                 <updated>2026-12-01T09:00:00Z</updated><author><name>Ann</name></author>\
                 <summary type=\"html\">&lt;p&gt;{text}&lt;/p&gt;</summary></entry>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">\
         <title>Widget talk</title><id>urn:talk</id><updated>2026-12-01T10:00:00Z</updated>{entries}</feed>"
    )
}

fn rss(items: &[(Option<&str>, &str, &str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(guid, link, title, text)| {
            let guid = guid.map(|g| format!("<guid isPermaLink=\"false\">{g}</guid>")).unwrap_or_default();
            format!("<item>{guid}<title>{title}</title><link>{link}</link><description>{text}</description></item>")
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Gadget forum</title>{items}</channel></rss>")
}

fn json_feed(items: &[(&str, &str, &str, &str)]) -> String {
    let items: Vec<serde_json::Value> = items
        .iter()
        .map(|(id, url, title, text)| serde_json::json!({ "id": id, "url": url, "title": title, "content_text": text }))
        .collect();
    serde_json::json!({ "version": "https://jsonfeed.org/version/1.1", "title": "Reviews", "items": items }).to_string()
}

/// Staff, signed in on a site that may reach 127.0.0.1.
async fn staff_on_loopback(app: TestApp) -> (TestApp, TestApp) {
    let app = app.restart_with(&[ALLOW_LOOPBACK]).await;
    let (staff, _) = app.signed_in_member("stella", Role::Staff).await;
    (app, staff)
}

async fn add_feed(staff: &TestApp, url: &str, rules: &str) -> i64 {
    let added = staff
        .submit(
            "/staff/listening",
            "/staff/listening/feeds",
            &[("url", url), ("rules", rules), ("interval_minutes", "30")],
        )
        .await;
    added.assert_status(303);
    staff.with_db(|conn| {
        listening_feeds::table.filter(listening_feeds::url.eq(url)).select(listening_feeds::id).first(conn).unwrap()
    })
}

async fn check_now(staff: &TestApp, feed: i64) {
    staff.submit("/staff/listening", &format!("/staff/listening/feeds/{feed}/check"), &[]).await.assert_status(303);
}

fn feed(app: &TestApp, id: i64) -> Feed {
    app.with_db(|conn| model::find_feed(conn, id).unwrap().unwrap())
}

/// Titles kept from one feed, oldest first.
fn heard(app: &TestApp, feed: i64) -> Vec<String> {
    app.with_db(|conn| {
        heard_items::table
            .filter(heard_items::feed_id.eq(feed))
            .order(heard_items::id)
            .select(heard_items::title)
            .load(conn)
            .unwrap()
    })
}

fn heard_count(app: &TestApp) -> i64 {
    app.with_db(|conn| heard_items::table.count().get_result(conn).unwrap())
}

async fn changing_feeds_keep_each_match_once(app: TestApp) {
    let (app, staff) = staff_on_loopback(app).await;
    let server = Receiver::start();

    // Atom: one entry matches `widget rain`, one mentions rain only.
    server.serve(
        "/atom",
        Reply::ok(
            ATOM,
            atom(&[
                ("a1", "My red widget died in the rain", "Left it outside; now it will not start."),
                ("a2", "Best pizza in town", "Cheese, and rain all week."),
            ]),
        ),
    );
    // RSS: the phrase rule wants "blue gadget" side by side.
    server.serve(
        "/rss",
        Reply::ok(
            RSS,
            rss(&[
                (Some("r1"), "https://forum.example/t/1", "Blue gadget hums loudly", "Since Tuesday."),
                (Some("r2"), "https://forum.example/t/2", "Blue sky over the gadget fair", "Lovely day."),
            ]),
        ),
    );
    // JSON Feed: one review matches.
    server.serve(
        "/json",
        Reply::ok(
            JSON,
            json_feed(&[
                ("j1", "https://reviews.example/r1", "Widget review", "Fine until the rain came."),
                ("j2", "https://reviews.example/r2", "Gadget review", "Solid."),
            ]),
        ),
    );
    let rules = "widget rain\n\"blue gadget\" -giveaway";
    let atom_id = add_feed(&staff, &server.url_of("/atom"), rules).await;
    let rss_id = add_feed(&staff, &server.url_of("/rss"), rules).await;
    let json_id = add_feed(&staff, &server.url_of("/json"), rules).await;
    for id in [atom_id, rss_id, json_id] {
        check_now(&staff, id).await;
    }
    assert_eq!(heard(&app, atom_id), ["My red widget died in the rain"]);
    assert_eq!(heard(&app, rss_id), ["Blue gadget hums loudly"]);
    assert_eq!(heard(&app, json_id), ["Widget review"]);
    assert_eq!(feed(&app, atom_id).last_outcome.as_deref(), Some("2 items read, 1 matching, 1 new"));

    // The feeds change: a new match each, an old entry retitled under its id (Atom), an item
    // without a guid (RSS: known by its link), an old review under a new id but its old link
    // (JSON), and a giveaway the exclusion vetoes.
    server.serve(
        "/atom",
        Reply::ok(
            ATOM,
            atom(&[
                ("a3", "Widget rusted after the rain", "Any fix?"),
                ("a1", "My red widget died in the rain (update)", "Left it outside; now it will not start."),
                ("a2", "Best pizza in town", "Cheese, and rain all week."),
            ]),
        ),
    );
    server.serve(
        "/rss",
        Reply::ok(
            RSS,
            rss(&[
                (None, "https://forum.example/t/3", "Widget and rain: a warning", "Keep it dry."),
                (Some("r4"), "https://forum.example/t/4", "Blue gadget giveaway", "Win one!"),
                (Some("r1"), "https://forum.example/t/1", "Blue gadget hums loudly", "Since Tuesday."),
            ]),
        ),
    );
    server.serve(
        "/json",
        Reply::ok(
            JSON,
            json_feed(&[
                ("j1-moved", "https://reviews.example/r1", "Widget review", "Fine until the rain came."),
                ("j3", "https://reviews.example/r3", "Blue gadget, two stars", "Loud."),
            ]),
        ),
    );
    for _ in 0..2 {
        for id in [atom_id, rss_id, json_id] {
            check_now(&staff, id).await;
        }
    }
    assert_eq!(heard(&app, atom_id), ["My red widget died in the rain", "Widget rusted after the rain"]);
    assert_eq!(heard(&app, rss_id), ["Blue gadget hums loudly", "Widget and rain: a warning"]);
    assert_eq!(heard(&app, json_id), ["Widget review", "Blue gadget, two stars"]);

    // The queue shows every kept item with its source, and never a non-matching one.
    let page = staff.get("/staff/listening").await;
    page.assert_status(200).assert_contains("Waiting (6)").assert_contains("On Widget talk").assert_contains("by Ann");
    page.assert_contains("Left it outside; now it will not start.");
    for never in ["Best pizza in town", "Blue sky over the gadget fair", "Gadget review", "Blue gadget giveaway"] {
        assert!(!page.body.contains(never), "{never} was kept");
    }
    assert!(page.body.contains("rel=\"nofollow noopener noreferrer ugc\""), "links out are marked");
}

async fn unchanged_feeds_answer_304(app: TestApp) {
    let (app, staff) = staff_on_loopback(app).await;
    let server = Receiver::start();
    let body = atom(&[("a1", "Widget in the rain", "Wet.")]);
    server.serve("/etag", Reply::ok(ATOM, body.clone()).with("ETag", "\"v1\""));
    server.serve("/dated", Reply::ok(ATOM, body).with("Last-Modified", "Tue, 01 Dec 2026 10:00:00 GMT"));
    let by_etag = add_feed(&staff, &server.url_of("/etag"), "widget").await;
    let by_date = add_feed(&staff, &server.url_of("/dated"), "rain").await;
    for id in [by_etag, by_date] {
        check_now(&staff, id).await;
        check_now(&staff, id).await;
    }
    let etag_requests = server.received_at("/etag");
    assert_eq!(etag_requests.len(), 2);
    assert_eq!(etag_requests[0].header("if-none-match"), "", "the first request is unconditional");
    assert_eq!(etag_requests[1].header("if-none-match"), "\"v1\"");
    assert_eq!(server.received_at("/dated")[1].header("if-modified-since"), "Tue, 01 Dec 2026 10:00:00 GMT");
    for id in [by_etag, by_date] {
        let polled = feed(&app, id);
        assert_eq!(polled.last_outcome.as_deref(), Some("unchanged (304)"));
        assert_eq!(polled.failures, 0);
        assert_eq!(heard(&app, id).len(), 1);
    }
    // A new version (new ETag) is read again.
    server.serve("/etag", Reply::ok(ATOM, atom(&[("a2", "Widget again", "x")])).with("ETag", "\"v2\""));
    check_now(&staff, by_etag).await;
    assert_eq!(heard(&app, by_etag), ["Widget in the rain", "Widget again"]);
    assert_eq!(feed(&app, by_etag).etag.as_deref(), Some("\"v2\""));
}

async fn failing_feeds_back_off(app: TestApp) {
    let (app, staff) = staff_on_loopback(app).await;
    let server = Receiver::start();
    server.serve("/down", Reply { status: 503, headers: Vec::new(), body: b"busy".to_vec() });
    let id = add_feed(&staff, &server.url_of("/down"), "widget").await;
    let client =
        OutboundClient::for_feeds(Reach { allow_private: false, allowed: vec![IpAddr::V4(Ipv4Addr::LOCALHOST)] });
    let poll_at = |at: NaiveDateTime| app.with_db(|conn| poll_due(conn, &client, at).unwrap());

    // Whole microseconds: what PostgreSQL keeps.
    let start = Utc::now().naive_utc().trunc_subsecs(6);
    assert_eq!(poll_at(start), 1);
    let failed = feed(&app, id);
    assert_eq!(failed.failures, 1);
    assert_eq!(failed.last_outcome.as_deref(), Some("failed: the server answered HTTP 503"));
    assert_eq!(failed.next_poll_at, start + TimeDelta::minutes(60), "twice the 30-minute interval");
    // Not due at its ordinary interval, nor just before the doubled one.
    assert_eq!(poll_at(start + TimeDelta::minutes(31)), 0);
    assert_eq!(poll_at(start + TimeDelta::minutes(59)), 0);
    assert_eq!(server.received_at("/down").len(), 1);
    // Due again: a second failure doubles the wait once more.
    let second = start + TimeDelta::minutes(60);
    assert_eq!(poll_at(second), 1);
    assert_eq!(feed(&app, id).failures, 2);
    assert_eq!(feed(&app, id).next_poll_at, second + TimeDelta::minutes(120));
    // Back up: read, and the wait is the interval again.
    server.serve("/down", Reply::ok(ATOM, atom(&[("a1", "Widget news", "x")])));
    let third = second + TimeDelta::minutes(120);
    assert_eq!(poll_at(third), 1);
    let recovered = feed(&app, id);
    assert_eq!((recovered.failures, recovered.next_poll_at), (0, third + TimeDelta::minutes(30)));
    assert_eq!(heard(&app, id), ["Widget news"]);
    // The staff page shows how each feed fares.
    staff.get("/staff/listening").await.assert_contains("1 items read, 1 matching, 1 new");
}

async fn hostile_feeds_are_refused_safely(app: TestApp) {
    let (app, staff) = staff_on_loopback(app).await;
    let server = Receiver::start();
    // Another loopback address the operator did not allow, serving a feed that would match.
    let inside = Receiver::start_at(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)), 0);
    inside.serve("/secret", Reply::ok(ATOM, atom(&[("s1", "Widget secrets", "internal")])));

    let mut huge = atom(&[("h1", "Widget", "big")]).into_bytes();
    huge.splice(huge.len() - 7..huge.len() - 7, std::iter::repeat_n(b' ', 3 * 1024 * 1024));
    server.serve("/huge", Reply::ok(ATOM, huge));
    server.serve("/malformed", Reply::ok(ATOM, "<feed><entry><title>Widget <b>unclosed"));
    let laughs = "<?xml version=\"1.0\"?><!DOCTYPE feed [<!ENTITY lol \"lol\">\
        <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\
        <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\
        <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\
        <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\
        <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\
        <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\
        <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\
        <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">]>\
        <feed xmlns=\"http://www.w3.org/2005/Atom\"><title>&lol9;</title><id>x</id>\
        <entry><id>b1</id><title>Widget &lol9;</title><summary>&lol9;</summary></entry></feed>";
    server.serve("/laughs", Reply::ok(ATOM, laughs));
    server.serve("/moved", Reply::redirect(&inside.url_of("/secret")));
    server.serve("/metadata", Reply::redirect("http://169.254.169.254/latest/meta-data/"));

    let started = Instant::now();
    for (path, expected) in [
        ("/huge", "failed: the feed is larger than 2 MB; refused"),
        ("/malformed", "failed: not a feed this reads"),
        ("/moved", "127.0.0.2 is not a public address"),
        ("/metadata", "169.254.169.254 is not a public address"),
    ] {
        let id = add_feed(&staff, &server.url_of(path), "widget").await;
        check_now(&staff, id).await;
        let polled = feed(&app, id);
        let outcome = polled.last_outcome.unwrap_or_default();
        assert!(outcome.contains(expected), "{path}: {outcome}");
        assert_eq!(polled.failures, 1, "{path} counts as a failure");
    }
    assert_eq!(heard_count(&app), 0, "nothing hostile was kept");
    // The billion laughs are never expanded: the feed is refused, or read with the entities left
    // out; nothing near a billion characters is kept either way.
    let id = add_feed(&staff, &server.url_of("/laughs"), "widget").await;
    check_now(&staff, id).await;
    let kept: Vec<(String, String)> =
        app.with_db(|conn| heard_items::table.select((heard_items::title, heard_items::excerpt)).load(conn).unwrap());
    assert!(
        kept.iter().all(|(title, excerpt)| title.len() + excerpt.len() < 1_000),
        "an entity was expanded: {kept:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(60), "a hostile feed held the poller");
    assert!(inside.received().is_empty(), "the redirect inside was never followed");
    // A redirect to an allowed address is followed.
    server.serve("/fine", Reply::ok(ATOM, atom(&[("f1", "Widget found", "x")])));
    server.serve("/old", Reply::redirect(&server.url_of("/fine")));
    let id = add_feed(&staff, &server.url_of("/old"), "widget").await;
    check_now(&staff, id).await;
    assert_eq!(heard(&app, id), ["Widget found"]);
}

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

on_both_backends!(
    changing_feeds_keep_each_match_once,
    unchanged_feeds_answer_304,
    failing_feeds_back_off,
    hostile_feeds_are_refused_safely,
    staff_add_feeds_carefully,
    staff_reply_with_the_answer_or_bring_it_home,
);
