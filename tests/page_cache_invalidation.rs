//! Which copies a write makes stale (issue 24): a change to question A renders A's page again for
//! anonymous visitors at once, and leaves question B's copy alone; lists follow any write within
//! `LIST_STALENESS`; on PostgreSQL another node drops A's copy as soon as it hears the commit's
//! notice, and B's not at all. Each page's freshness shows by retitling both questions behind the app's
//! back (as another node's write would look) before the write: a page rendered again shows the
//! new title, a copy still served shows the old one.

use crate::common;

use std::time::{Duration, Instant};

use diesel::prelude::*;
use guidepost::config::DatabaseUrl;
use guidepost::db::schema::posts;
use guidepost::roles::Role;
use guidepost::web::page_cache::{LIST_STALENESS, POLL_EVERY};

use common::forum::question_id;
use common::TestApp;

/// Two questions by fred, an answer by wilma on the first, and a moderator, all signed in.
struct Forum {
    app: TestApp,
    visitor: TestApp,
    wilma: TestApp,
    moderator: TestApp,
    a: String,
    b: String,
    answer: i64,
}

impl Forum {
    async fn open(app: TestApp) -> Self {
        let app = app.restart_with(&[("GUIDEPOST_PAGE_CACHE_SECONDS", "60")]).await;
        let (fred, _) = app.signed_in_member("fred", Role::Member).await;
        let (wilma, _) = app.signed_in_member("wilma", Role::Member).await;
        let (moderator, _) = app.signed_in_member("moira", Role::Moderator).await;
        let a = fred.ask_ok("Why does my kettle click off before the water boils?", "kettles").await;
        let b = fred.ask_ok("Why does my toaster burn only one side of the bread?", "toasters").await;
        let answer = wilma.answer(&a, "Descale it: limescale on the sensor makes it think the water boils.").await;
        let visitor = app.another_visitor();
        Self { app, visitor, wilma, moderator, a, b, answer }
    }

    /// Both questions' pages as anonymous visitors get them now (copies taken), then both
    /// retitled directly with `round` in their titles.
    async fn retitle_behind_the_copies(&self, round: &str) {
        self.visitor.get(&self.a).await.assert_status(200);
        self.visitor.get(&self.b).await.assert_status(200);
        for (path, title) in
            [(&self.a, format!("Kettle question {round}")), (&self.b, format!("Toaster question {round}"))]
        {
            let id = question_id(path);
            self.app
                .with_db(|c| diesel::update(posts::table.find(id)).set(posts::title.eq(&title)).execute(c).unwrap());
        }
    }

    /// After a write to A only: A's page is rendered again (within `wait`, polled), B's copy is
    /// still served.
    async fn assert_only_a_fresh(&self, round: &str, wait: Duration) {
        let asked = Instant::now();
        loop {
            let a = self.visitor.get(&self.a).await;
            a.assert_status(200);
            if a.body.contains(&format!("Kettle question {round}")) {
                break;
            }
            assert!(asked.elapsed() < wait, "{round}: question A was not rendered again within {wait:?}");
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        let b = self.visitor.get(&self.b).await;
        b.assert_status(200);
        assert!(
            !b.body.contains(&format!("Toaster question {round}")),
            "{round}: question B was rendered again for a write to A"
        );
    }

    /// One of the [`WRITES`] to question A, by a member of the first node.
    async fn write(&self, round: &str) {
        let a_id = question_id(&self.a);
        let (member, path, fields): (&TestApp, String, Vec<(&str, &str)>) = match round {
            "after a vote" => (&self.moderator, format!("/posts/{}/vote", self.answer), vec![("value", "up")]),
            "after an answer" => (
                &self.moderator,
                format!("/questions/{a_id}/answers"),
                vec![("body", "Or the lid is not shut: steam escapes past the switch.")],
            ),
            "after an edit" => (
                &self.wilma,
                format!("/posts/{}/edit", self.answer),
                vec![("body", "Descale it with citric acid: limescale on the sensor fools it."), ("reason", "how")],
            ),
            "after a comment" => {
                (&self.wilma, format!("/posts/{a_id}/comments"), vec![("body", "Which model is it, and how old?")])
            }
            "after a deletion" => {
                (&self.moderator, format!("/posts/{}/delete", self.answer), vec![("reason", "testing")])
            }
            "after closing" => (&self.moderator, format!("/questions/{a_id}/close"), vec![("reason", "off-topic")]),
            other => panic!("no such write: {other}"),
        };
        member.submit(&self.a, &path, &fields).await.assert_status(303);
    }
}

/// The writes each test makes to question A, in order.
const WRITES: [&str; 6] =
    ["after a vote", "after an answer", "after an edit", "after a comment", "after a deletion", "after closing"];

async fn a_write_to_one_question_renders_only_that_question_again(app: TestApp) {
    let forum = Forum::open(app).await;
    for round in WRITES {
        forum.retitle_behind_the_copies(round).await;
        forum.write(round).await;
        forum.assert_only_a_fresh(round, Duration::ZERO).await;
    }
}

async fn a_write_on_another_node_renders_only_that_question_again_there(app: TestApp) {
    let mut forum = Forum::open(app).await;
    if matches!(forum.app.db.url, DatabaseUrl::Postgres(_)) {
        // The second node hears each commit's page notice: only A's copy goes, at once.
        forum.visitor = forum.app.another_node(&[("GUIDEPOST_PAGE_CACHE_SECONDS", "60")]).await;
        for round in WRITES {
            forum.retitle_behind_the_copies(round).await;
            forum.write(round).await;
            forum.assert_only_a_fresh(round, POLL_EVERY * 30).await;
        }
    } else {
        // SQLite serves one node; another process on the file sees writes when its copies expire.
        forum.visitor = forum.app.another_node(&[("GUIDEPOST_PAGE_CACHE_SECONDS", "1")]).await;
        forum.retitle_behind_the_copies("on another process").await;
        forum.write("after a vote").await;
        let stale = forum.visitor.get(&forum.a).await;
        assert!(!stale.body.contains("Kettle question on another process"), "the copy was not kept at all");
        actix_web::rt::time::sleep(Duration::from_millis(1_100)).await;
        forum.visitor.get(&forum.a).await.assert_contains("Kettle question on another process");
    }
}

async fn lists_follow_any_write_within_their_staleness(app: TestApp) {
    let forum = Forum::open(app).await;
    forum.visitor.get("/").await.assert_contains("kettle click off");
    forum.retitle_behind_the_copies("seen on the home page").await;

    // With no write heard, the list's copy is served past its staleness.
    actix_web::rt::time::sleep(LIST_STALENESS + Duration::from_millis(100)).await;
    let home = forum.visitor.get("/").await;
    assert!(!home.body.contains("seen on the home page"), "the home page was rendered again with no write");

    // A write to B makes the list (now older than its staleness) render again: it shows A's title.
    forum.wilma.vote(&forum.b, question_id(&forum.b), "up").await.assert_status(303);
    forum.visitor.get("/").await.assert_contains("Kettle question seen on the home page");
}

on_both_backends!(
    a_write_to_one_question_renders_only_that_question_again,
    a_write_on_another_node_renders_only_that_question_again_there,
    lists_follow_any_write_within_their_staleness
);
