//! The change feed: each consumer hears each change of a committed write once, in its transaction
//! and after its commit, and nothing of a write that rolled back.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use guidepost::changes::{Change, Consumer};
use guidepost::db::schema::{notifications, search_changes};
use guidepost::db::DbConnection;
use guidepost::roles::Role;
use guidepost::services::{ServiceError, ServiceResult};

use common::forum::question_id;
use common::members::PASSWORD;
use common::TestApp;

const TITLE: &str = "Why did my red widget break in the rain?";
const ANSWER: &str = "Dry it in a warm room for a day, then check the seals before using it again.";

/// What a consumer heard: the changes of each transaction it was in, and of each commit.
#[derive(Default)]
struct Heard {
    recorded: Vec<Vec<Change>>,
    committed: Vec<Vec<Change>>,
}

/// A consumer that writes down everything it hears.
#[derive(Default)]
struct Recorder(Mutex<Heard>);

impl Consumer for Recorder {
    fn record(&self, _conn: &mut DbConnection, changes: &[Change], _now: NaiveDateTime) -> ServiceResult<()> {
        self.0.lock().unwrap().recorded.push(changes.to_vec());
        Ok(())
    }

    fn committed(&self, changes: &[Change]) {
        self.0.lock().unwrap().committed.push(changes.to_vec());
    }
}

impl Recorder {
    /// Takes what was heard so far.
    fn take(&self) -> Heard {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// A consumer whose durable part fails, as a full disk would.
struct Failing;

impl Consumer for Failing {
    fn record(&self, _conn: &mut DbConnection, _changes: &[Change], _now: NaiveDateTime) -> ServiceResult<()> {
        Err(ServiceError::Internal("the consumer failed".to_owned()))
    }
}

fn queued_searches(app: &TestApp, question: i64) -> i64 {
    app.with_db(|conn| {
        search_changes::table.filter(search_changes::question_id.eq(question)).count().get_result(conn).unwrap()
    })
}

fn notifications_of(app: &TestApp, user: i64) -> i64 {
    app.with_db(|conn| notifications::table.filter(notifications::user_id.eq(user)).count().get_result(conn).unwrap())
}

async fn signed_in(app: &TestApp, username: &str) -> (TestApp, i64) {
    let visitor = app.another_visitor();
    let id = app.create_user(username, Role::Member);
    visitor.sign_in(username, PASSWORD).await.assert_status(303);
    (visitor, id)
}

/// Whether the mail worker's wake-up was rung since the last look (a `Notify` keeps one permit).
async fn mail_worker_woken(app: &TestApp) -> bool {
    let wake = app.state.outbox.wake_signal();
    tokio::time::timeout(Duration::from_millis(50), wake.notified()).await.is_ok()
}

async fn each_consumer_hears_each_change_once_per_commit(app: TestApp) {
    let (fred, fred_id) = signed_in(&app, "fred").await;
    let (ann, ann_id) = signed_in(&app, "ann").await;
    let recorder = Arc::new(Recorder::default());
    app.state.feed.subscribe(recorder.clone());
    mail_worker_woken(&app).await; // forget the sign-ups' wake-ups

    let generation = app.state.feed.generation();
    let path = fred.ask_ok(TITLE, "widgets").await;
    let question = question_id(&path);
    let heard = recorder.take();
    let asked = Change::QuestionAsked { question, author: fred_id, held: false };
    assert_eq!(heard.recorded, [[asked]], "in the transaction");
    assert_eq!(heard.committed, [[asked]], "after the commit");
    assert_eq!(app.state.feed.generation(), generation + 1, "the page cache sees one write");
    assert_eq!(queued_searches(&app, question), 1, "the search queue has the question once");
    assert!(!mail_worker_woken(&app).await, "asking queues no mail");

    let answer = ann.answer(&path, ANSWER).await;
    let heard = recorder.take();
    let answered = Change::AnswerPosted { question, answer, author: ann_id, official: false, held: false };
    assert_eq!(heard.recorded, [[answered]]);
    assert_eq!(heard.committed, [[answered]]);
    assert_eq!(app.state.feed.generation(), generation + 2);
    assert_eq!(queued_searches(&app, question), 2);
    assert_eq!(notifications_of(&app, fred_id), 1, "the asker is told once");
    assert_eq!(notifications_of(&app, ann_id), 0, "the answerer is not told of her own answer");
    assert!(mail_worker_woken(&app).await, "the mail worker is woken for the asker's mail");

    // An answer's vote is not searched; the question's is. Both reach every consumer.
    fred.vote(&path, answer, "up").await.assert_status(303);
    let voted =
        vec![Change::VoteCast { question, post: answer, voter: fred_id, author: ann_id, value: 1, previous: 0 }];
    assert_eq!(recorder.take().committed, [voted]);
    assert_eq!(queued_searches(&app, question), 2, "an answer's score is not searched");
    ann.vote(&path, question, "up").await.assert_status(303);
    assert_eq!(
        recorder.take().committed,
        [vec![Change::VoteCast { question, post: question, voter: ann_id, author: fred_id, value: 1, previous: 0 }]]
    );
    assert_eq!(queued_searches(&app, question), 3);
    assert_eq!(app.state.feed.generation(), generation + 4);

    // Refused: nothing was written, so no consumer hears anything.
    fred.vote(&path, question, "up").await.assert_status(403);
    let heard = recorder.take();
    assert!(heard.recorded.is_empty() && heard.committed.is_empty(), "a refused write was heard");
    assert_eq!(app.state.feed.generation(), generation + 4);

    // The index follows through the queue, and the page shows the answer at once.
    let started = std::time::Instant::now();
    let found = "class=\"result-count\" role=\"status\">1 ";
    while !app.get("/search?q=widget").await.body.contains(found) {
        assert!(started.elapsed() < Duration::from_secs(5), "the indexer never heard of the question");
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    fred.get(&path).await.assert_contains(ANSWER);
}

async fn a_rolled_back_write_reaches_no_consumer(app: TestApp) {
    let (fred, fred_id) = signed_in(&app, "fred").await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    let question = question_id(&path);
    let recorder = Arc::new(Recorder::default());
    app.state.feed.subscribe(recorder.clone());
    mail_worker_woken(&app).await;
    let generation = app.state.feed.generation();
    let now = chrono::Utc::now().naive_utc();

    // The use case writes and states its change, then fails: all of it rolls back.
    let outcome: ServiceResult<()> = app.with_feed(|conn, feed| {
        feed.write(conn, now, |conn, changes| {
            guidepost::db::models::posts::add_score(conn, question, 5)?;
            changes.push(fred_votes_up(question, fred_id));
            Err(ServiceError::Conflict("changed its mind".to_owned()))
        })
    });
    assert!(matches!(outcome, Err(ServiceError::Conflict(_))), "{outcome:?}");
    let heard = recorder.take();
    assert!(heard.recorded.is_empty() && heard.committed.is_empty(), "a rolled-back write was heard");
    assert_eq!(app.state.feed.generation(), generation, "the page cache was told of a rollback");
    assert_eq!(queued_searches(&app, question), 1, "a rolled-back change reached the search queue");
    let score = app.with_db(|conn| guidepost::db::models::posts::find(conn, question).unwrap().unwrap().score);
    assert_eq!(score, 0, "the write itself rolled back");

    // A write nested in another's transaction is refused: it would be announced before (or
    // without) the outer commit.
    let nested: ServiceResult<()> = app.with_feed(|conn, feed| {
        feed.write(conn, now, |conn, changes| {
            changes.push(fred_votes_up(question, fred_id));
            feed.write(conn, now, |_, inner| {
                inner.push(fred_votes_up(question, fred_id));
                Ok(())
            })
        })
    });
    assert!(matches!(nested, Err(ServiceError::Internal(_))), "{nested:?}");
    let heard = recorder.take();
    assert!(heard.recorded.is_empty() && heard.committed.is_empty(), "a nested write was heard");
    assert_eq!(app.state.feed.generation(), generation);

    // A consumer that fails in the transaction rolls the whole write back, for every consumer.
    let (ann, _) = signed_in(&app, "ann").await;
    recorder.take();
    mail_worker_woken(&app).await;
    let generation = app.state.feed.generation();
    app.state.feed.subscribe(Arc::new(Failing));
    let refused = ann.submit(&path, &format!("/questions/{question}/answers"), &[("body", ANSWER)]).await;
    assert!(refused.status.is_server_error(), "{}", refused.status);
    let heard = recorder.take();
    assert_eq!(heard.recorded.len(), 1, "the recorder ran in the transaction before the failing one");
    assert!(heard.committed.is_empty(), "a rolled-back answer was announced");
    assert_eq!(app.state.feed.generation(), generation);
    assert_eq!(queued_searches(&app, question), 1);
    assert_eq!(notifications_of(&app, fred_id), 0, "the asker was told of an answer that does not exist");
    assert!(!mail_worker_woken(&app).await, "the mail worker was woken for mail that was never queued");
    assert!(!fred.get(&path).await.body.contains(ANSWER), "the rolled-back answer is shown");
}

on_both_backends!(each_consumer_hears_each_change_once_per_commit, a_rolled_back_write_reaches_no_consumer);

/// A change a test states by hand: fred's upvote of his own question, which no use case would
/// allow; only its passage through the feed matters here.
fn fred_votes_up(question: i64, fred_id: i64) -> Change {
    Change::VoteCast { question, post: question, voter: fred_id, author: fred_id, value: 1, previous: 0 }
}
