//! The question page's database work: a fixed number of statements whatever the number of
//! answers and authors, with each author's reputation and badge counts read with their row (no
//! statement per post). Counted with diesel's instrumentation on the connection the page loads
//! through. A vote's transaction is counted the same way: it leaves what the vote earns to the
//! reputation job.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use diesel::connection::{Connection, InstrumentationEvent};
use guidepost::config::DatabaseUrl;
use guidepost::db::models::users;
use guidepost::db::DbConnection;
use guidepost::domain::{PostId, QuestionId};
use guidepost::roles::Role;
use guidepost::services::actor::Actor;
use guidepost::services::question_page;
use guidepost::services::voting::{self, VoteValue};

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

/// The statements `voter`'s upvote of `post` runs, as SQL text.
fn vote_statements(app: &TestApp, voter: i64, post: i64) -> Vec<String> {
    let mut conn = app.pool().get().unwrap();
    let conn: &mut DbConnection = &mut conn;
    let actor = Actor::from_user(&users::find(conn, voter).unwrap().unwrap());
    let policy = common::open_posting_policy();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            log.lock().unwrap().push(query.to_string());
        }
    });
    voting::vote(conn, &app.state.feed, &actor, policy, PostId(post), VoteValue::Up, chrono::Utc::now().naive_utc())
        .unwrap();
    conn.set_instrumentation(|_: InstrumentationEvent<'_>| {});
    let statements = seen.lock().unwrap().clone();
    statements
}

async fn a_vote_writes_the_vote_the_score_and_one_queue_row(app: TestApp) {
    let (asker, _) = app.signed_in_member("fred", Role::Member).await;
    let path = asker.ask_ok("Why does my widget reboot at noon every day?", "widgets").await;
    let (answerer, _) = app.signed_in_member("wilma", Role::Member).await;
    let answer = answerer.answer(&path, "The scheduled update check restarts it at noon.").await;
    let (_, voter) = app.signed_in_member("barney", Role::Member).await;
    let statements = vote_statements(&app, voter, answer);
    // Begin, the post, its question's visibility, the lock check, the vote (read twice), the vote
    // written, the score, the reputation queue row, commit (and on PostgreSQL the page notice to
    // the other nodes): what it earns is the job's work.
    let notice = usize::from(matches!(app.db.url, DatabaseUrl::Postgres(_)));
    assert_eq!(statements.len(), 10 + notice, "{statements:#?}");
    assert!(statements.iter().any(|s| s.contains("reputation_queue")), "{statements:#?}");
    for table in ["reputation_events", "badge_checks", "users"] {
        assert!(
            !statements.iter().any(|s| s.contains(&format!("`{table}`")) || s.contains(&format!("\"{table}\""))),
            "a vote leaves {table} to the job: {statements:#?}"
        );
    }
}

on_both_backends!(
    the_question_page_runs_a_fixed_number_of_statements,
    a_vote_writes_the_vote_the_score_and_one_queue_row
);
