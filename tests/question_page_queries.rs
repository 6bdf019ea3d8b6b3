//! The question page's database work: a fixed number of statements whatever the number of
//! answers and authors, with each author's reputation and badge counts read with their row (no
//! statement per post). Counted with diesel's instrumentation on the connection the page loads
//! through.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test should fail loudly at the first surprise")]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use diesel::connection::{Connection, InstrumentationEvent};
use guidepost::db::models::users;
use guidepost::db::DbConnection;
use guidepost::domain::QuestionId;
use guidepost::roles::Role;
use guidepost::services::actor::Actor;
use guidepost::services::question_page;

use common::forum::question_id;
use common::TestApp;

/// Statements the page's loading runs for `viewer` (anonymous when `None`).
fn statements(app: &TestApp, question: i64, viewer: Option<i64>) -> usize {
    let mut conn = app.pool().get().unwrap();
    let conn: &mut DbConnection = &mut conn;
    let actor = viewer.map(|id| Actor::from_user(&users::find(conn, id).unwrap().unwrap()));
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if matches!(event, InstrumentationEvent::StartQuery { .. }) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    let page = question_page::load(conn, QuestionId(question), actor.as_ref()).unwrap();
    conn.set_instrumentation(|_: InstrumentationEvent<'_>| {});
    assert!(page.answers.iter().all(|a| a.author.standing.reputation >= 1), "every author's reputation is shown");
    count.load(Ordering::Relaxed)
}

/// A new member answers, comments on the answer, and the asker votes it up.
async fn answer_as(app: &TestApp, asker: &TestApp, path: &str, n: usize) {
    let (visitor, _) = app.signed_in_member(&format!("answerer{n}"), Role::Member).await;
    let answer = visitor.answer(path, &format!("Answer {n}: the scheduled update check restarts it.")).await;
    let comment = [("body", "A comment to show with the answer.")];
    visitor.submit(path, &format!("/posts/{answer}/comments"), &comment).await.assert_status(303);
    asker.vote(path, answer, "up").await.assert_status(303);
}

async fn the_question_page_runs_a_fixed_number_of_statements(app: TestApp) {
    let (asker, asker_id) = app.signed_in_member("fred", Role::Member).await;
    let path = asker.ask_ok("Why does my widget reboot at noon every day?", "widgets").await;
    let question = question_id(&path);
    answer_as(&app, &asker, &path, 1).await;
    let (anonymous, member) = (statements(&app, question, None), statements(&app, question, Some(asker_id)));
    for n in 2..=8 {
        answer_as(&app, &asker, &path, n).await;
    }
    // Eight answers by eight authors, each with a comment and a vote: the same statements.
    assert_eq!(statements(&app, question, None), anonymous);
    assert_eq!(statements(&app, question, Some(asker_id)), member);
    println!("question page statements: anonymous {anonymous}, signed in {member}");
    assert!(anonymous <= 12 && member <= anonymous + 6, "anonymous {anonymous}, signed in {member}");
}

on_both_backends!(the_question_page_runs_a_fixed_number_of_statements);
