//! Polling real feeds: changing Atom, RSS and JSON feeds, conditional requests, backoff, and
//! hostile feeds.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, SubsecRound, TimeDelta, Utc};
use diesel::prelude::*;
use guidepost::db::schema::heard_items;
use guidepost::services::listening::poll_due;
use guidepost::webhooks::{OutboundClient, Reach};

use super::{add_feed, atom, check_now, feed, heard, heard_count, json_feed, rss, staff_on_loopback, ATOM, JSON, RSS};
use crate::common::receiver::{Receiver, Reply};
use crate::common::TestApp;

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

on_both_backends!(
    changing_feeds_keep_each_match_once,
    unchanged_feeds_answer_304,
    failing_feeds_back_off,
    hostile_feeds_are_refused_safely,
);
