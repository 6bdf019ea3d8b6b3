//! Which copies a write makes stale (issue 24): a change to question A renders A's page again for
//! anonymous visitors at once, and leaves question B's copy alone; lists follow any write within
//! `LIST_STALENESS`. Each page's freshness shows by retitling both questions behind the app's
//! back (as another node's write would look) before the write: a page rendered again shows the
//! new title, a copy still served shows the old one.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test should fail loudly at the first surprise")]

mod common;

use diesel::prelude::*;
use guidepost::db::schema::posts;
use guidepost::roles::Role;
use guidepost::web::page_cache::LIST_STALENESS;

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

    /// After a write to A only: A's page is rendered again, B's copy is still served.
    async fn assert_only_a_fresh(&self, round: &str) {
        let a = self.visitor.get(&self.a).await;
        a.assert_status(200);
        assert!(a.body.contains(&format!("Kettle question {round}")), "{round}: question A was not rendered again");
        let b = self.visitor.get(&self.b).await;
        b.assert_status(200);
        assert!(
            !b.body.contains(&format!("Toaster question {round}")),
            "{round}: question B was rendered again for a write to A"
        );
    }
}

async fn a_write_to_one_question_renders_only_that_question_again(app: TestApp) {
    let forum = Forum::open(app).await;
    let a_id = question_id(&forum.a);

    forum.retitle_behind_the_copies("after a vote").await;
    forum.moderator.vote(&forum.a, forum.answer, "up").await.assert_status(303);
    forum.assert_only_a_fresh("after a vote").await;

    forum.retitle_behind_the_copies("after an answer").await;
    forum.moderator.answer(&forum.a, "Or the lid is not shut: steam escapes past the switch.").await;
    forum.assert_only_a_fresh("after an answer").await;

    forum.retitle_behind_the_copies("after an edit").await;
    let edit = format!("/posts/{}/edit", forum.answer);
    forum
        .wilma
        .submit(
            &edit,
            &edit,
            &[("body", "Descale it with citric acid: limescale on the sensor fools it."), ("reason", "how")],
        )
        .await
        .assert_status(303);
    forum.assert_only_a_fresh("after an edit").await;

    forum.retitle_behind_the_copies("after a comment").await;
    forum
        .wilma
        .submit(&forum.a, &format!("/posts/{a_id}/comments"), &[("body", "Which model is it, and how old?")])
        .await
        .assert_status(303);
    forum.assert_only_a_fresh("after a comment").await;

    forum.retitle_behind_the_copies("after a deletion").await;
    forum
        .moderator
        .submit(&forum.a, &format!("/posts/{}/delete", forum.answer), &[("reason", "testing")])
        .await
        .assert_status(303);
    forum.assert_only_a_fresh("after a deletion").await;

    forum.retitle_behind_the_copies("after closing").await;
    forum
        .moderator
        .submit(&forum.a, &format!("/questions/{a_id}/close"), &[("reason", "off-topic")])
        .await
        .assert_status(303);
    forum.assert_only_a_fresh("after closing").await;
}

async fn lists_follow_any_write_within_their_staleness(app: TestApp) {
    let forum = Forum::open(app).await;
    forum.visitor.get("/").await.assert_contains("kettle click off");
    forum.retitle_behind_the_copies("seen on the home page").await;

    // With no write heard, the list's copy is served past its staleness.
    actix_web::rt::time::sleep(LIST_STALENESS + std::time::Duration::from_millis(100)).await;
    let home = forum.visitor.get("/").await;
    assert!(!home.body.contains("seen on the home page"), "the home page was rendered again with no write");

    // A write to B makes the list (now older than its staleness) render again: it shows A's title.
    forum.wilma.vote(&forum.b, question_id(&forum.b), "up").await.assert_status(303);
    forum.visitor.get("/").await.assert_contains("Kettle question seen on the home page");
}

on_both_backends!(
    a_write_to_one_question_renders_only_that_question_again,
    lists_follow_any_write_within_their_staleness
);
