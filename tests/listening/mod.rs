//! Listening posts against real feeds served over HTTP on 127.0.0.1: changing Atom, RSS and JSON
//! feeds keep each matching item once and never a non-matching one; a 304 is honoured; a failing
//! feed waits longer each time; hostile feeds (huge, malformed, billion laughs, a redirect to an
//! address not allowed) are refused and keep nothing. Staff see each item beside the answer here
//! that already answers it, and bring it home as a question.
//!
//! `polling.rs` has the feeds, `queue.rs` what staff do with what was heard; the feeds' builders
//! and the steps both take are here.

mod polling;
mod queue;

use diesel::prelude::*;
use guidepost::db::models::listening::{self as model, Feed};
use guidepost::db::schema::{heard_items, listening_feeds};
use guidepost::roles::Role;

use crate::common::TestApp;

pub(super) const ALLOW_LOOPBACK: (&str, &str) = ("GUIDEPOST_OUTBOUND_ALLOW_ADDRESSES", "127.0.0.1");
pub(super) const ATOM: &str = "application/atom+xml";
pub(super) const RSS: &str = "application/rss+xml";
pub(super) const JSON: &str = "application/feed+json";

pub(super) fn atom(entries: &[(&str, &str, &str)]) -> String {
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

pub(super) fn rss(items: &[(Option<&str>, &str, &str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(guid, link, title, text)| {
            let guid = guid.map(|g| format!("<guid isPermaLink=\"false\">{g}</guid>")).unwrap_or_default();
            format!("<item>{guid}<title>{title}</title><link>{link}</link><description>{text}</description></item>")
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Gadget forum</title>{items}</channel></rss>")
}

pub(super) fn json_feed(items: &[(&str, &str, &str, &str)]) -> String {
    let items: Vec<serde_json::Value> = items
        .iter()
        .map(|(id, url, title, text)| serde_json::json!({ "id": id, "url": url, "title": title, "content_text": text }))
        .collect();
    serde_json::json!({ "version": "https://jsonfeed.org/version/1.1", "title": "Reviews", "items": items }).to_string()
}

/// Staff, signed in on a site that may reach 127.0.0.1.
pub(super) async fn staff_on_loopback(app: TestApp) -> (TestApp, TestApp) {
    let app = app.restart_with(&[ALLOW_LOOPBACK]).await;
    let (staff, _) = app.signed_in_member("stella", Role::Staff).await;
    (app, staff)
}

pub(super) async fn add_feed(staff: &TestApp, url: &str, rules: &str) -> i64 {
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

pub(super) async fn check_now(staff: &TestApp, feed: i64) {
    staff.submit("/staff/listening", &format!("/staff/listening/feeds/{feed}/check"), &[]).await.assert_status(303);
}

pub(super) fn feed(app: &TestApp, id: i64) -> Feed {
    app.with_db(|conn| model::find_feed(conn, id).unwrap().unwrap())
}

/// Titles kept from one feed, oldest first.
pub(super) fn heard(app: &TestApp, feed: i64) -> Vec<String> {
    app.with_db(|conn| {
        heard_items::table
            .filter(heard_items::feed_id.eq(feed))
            .order(heard_items::id)
            .select(heard_items::title)
            .load(conn)
            .unwrap()
    })
}

pub(super) fn heard_count(app: &TestApp) -> i64 {
    app.with_db(|conn| heard_items::table.count().get_result(conn).unwrap())
}
