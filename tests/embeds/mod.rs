//! What other sites show of the forum: oEmbed answers (oembed.rs), the framed embed pages and
//! who may frame them (framing.rs), the ask box for product pages (ask_box.rs) and the share
//! cards chat apps show (share_cards.rs).

mod ask_box;
mod framing;
mod oembed;
mod share_cards;

use crate::common;

use guidepost::roles::Role;

use common::forum::question_id;
use common::members::PASSWORD;
use common::TestApp;

/// The forum's address in tests (`GUIDEPOST_BASE_URL`).
const BASE: &str = "http://forum.test";
/// A question customers ask.
const TITLE: &str = "How do I reset the router password?";
/// Staff's official answer to it.
const OFFICIAL: &str = "Hold the **reset** button for ten seconds; the password goes back to the one on the sticker.";

/// A forum with one question (asked by fred) and sam's official answer to it: the question's
/// path and the answer's id.
struct Answered {
    path: String,
    question: i64,
    answer: i64,
    sam: TestApp,
}

async fn signed_in(app: &TestApp, username: &str, role: Role) -> TestApp {
    let visitor = app.another_visitor();
    app.create_user(username, role);
    visitor.sign_in(username, PASSWORD).await.assert_status(303);
    visitor
}

async fn answered(app: &TestApp) -> Answered {
    let fred = signed_in(app, "fred", Role::Member).await;
    let sam = signed_in(app, "sam", Role::Staff).await;
    let path = fred.ask_ok(TITLE, "routers").await;
    let question = question_id(&path);
    let posted =
        sam.submit(&path, &format!("/questions/{question}/answers"), &[("body", OFFICIAL), ("official", "1")]).await;
    posted.assert_status(303);
    let answer = posted.header("location").unwrap().trim_start_matches("/a/").parse().unwrap();
    Answered { path, question, answer, sam }
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
