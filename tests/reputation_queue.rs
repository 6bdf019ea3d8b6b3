//! Votes' reputation waits in a queue that the reputation job applies: a vote alone writes no
//! ledger row, the job applies each vote once as it stands when it runs (changed, withdrawn, on a
//! post deleted since), leaves the answer's badge check, and two appliers at once grant once. A
//! batch runs the same statements whatever its number of votes, and keeps the day's cap.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use diesel::connection::InstrumentationEvent;
use diesel::prelude::*;
use guidepost::db::models::{reputation_queue, users as members};
use guidepost::db::schema::{badge_checks, reputation_events, users};
use guidepost::db::DbConnection;
use guidepost::domain::PostId;
use guidepost::roles::Role;
use guidepost::services::actor::Actor;
use guidepost::services::reputation::{queue, Rules};
use guidepost::services::voting::{self, VoteValue};

use common::forum::question_id;
use common::TestApp;

/// (reason, amount, reversal) of the ledger rows about `post`, oldest first, without applying
/// anything first.
fn rows_about(app: &TestApp, post: i64) -> Vec<(String, i32, Option<String>)> {
    app.with_db(|c| {
        reputation_events::table
            .filter(reputation_events::post_id.eq(post))
            .order(reputation_events::id.asc())
            .select((reputation_events::reason, reputation_events::amount, reputation_events::reversal))
            .load(c)
            .unwrap()
    })
}

/// The member's reputation as kept on the row, without applying anything first.
fn kept_reputation(app: &TestApp, id: i64) -> i64 {
    app.with_db(|c| users::table.find(id).select(users::reputation).first(c).unwrap())
}

fn waiting(app: &TestApp) -> i64 {
    app.with_db(|c| reputation_queue::pending(c).unwrap())
}

fn badge_checks_of(app: &TestApp, post: i64) -> i64 {
    app.with_db(|c| badge_checks::table.filter(badge_checks::post_id.eq(post)).count().get_result(c).unwrap())
}

async fn a_vote_waits_for_the_job_which_applies_it_once(app: TestApp) {
    let (fred, _) = app.signed_in_member("fred", Role::Member).await;
    let (wilma, wilma_id) = app.signed_in_member("wilma", Role::Member).await;
    let (barney, _) = app.signed_in_member("barney", Role::Member).await;
    let path = fred.ask_ok("Why does my widget hum at night?", "widgets").await;
    let answer = wilma.answer(&path, "The transformer hums when the mains frequency drifts a little.").await;
    let checks_before = badge_checks_of(&app, answer);

    barney.vote(&path, answer, "up").await.assert_status(303);
    // The vote counts on the post at once; what it earns waits for the job.
    assert_eq!(waiting(&app), 1);
    assert!(rows_about(&app, answer).is_empty());
    assert_eq!(kept_reputation(&app, wilma_id), 1);
    assert_eq!(badge_checks_of(&app, answer), checks_before, "the vote itself leaves no badge check");

    assert_eq!(app.apply_votes(), 1);
    assert_eq!(rows_about(&app, answer), vec![("answer_upvoted".to_owned(), 10, None)]);
    assert_eq!(kept_reputation(&app, wilma_id), 11);
    assert_eq!(waiting(&app), 0);
    assert_eq!(badge_checks_of(&app, answer), checks_before + 1, "the job leaves the answer's badge check");
    // Running again finds nothing and changes nothing.
    assert_eq!(app.apply_votes(), 0);
    assert_eq!(kept_reputation(&app, wilma_id), 11);
}

async fn a_vote_changed_before_the_job_runs_is_applied_as_it_stands(app: TestApp) {
    let (fred, fred_id) = app.signed_in_member("fred", Role::Member).await;
    let (wilma, wilma_id) = app.signed_in_member("wilma", Role::Member).await;
    let (barney, barney_id) = app.signed_in_member("barney", Role::Member).await;
    let path = fred.ask_ok("Can a widget run on batteries?", "widgets").await;
    let question = question_id(&path);
    let answer = wilma.answer(&path, "Yes, with the 9 V adapter kit sold for the outdoor models.").await;

    // Up then down on the answer, up then withdrawn on the question: two votes, four queue rows.
    barney.vote(&path, answer, "up").await.assert_status(303);
    barney.vote(&path, answer, "down").await.assert_status(303);
    barney.vote(&path, question, "up").await.assert_status(303);
    barney.vote(&path, question, "none").await.assert_status(303);
    assert_eq!(waiting(&app), 4);
    assert_eq!(app.apply_votes(), 4);
    assert_eq!(
        rows_about(&app, answer),
        vec![("answer_downvoted".to_owned(), -2, None), ("downvoted_answer".to_owned(), -1, None)]
    );
    assert!(rows_about(&app, question).is_empty(), "a withdrawn vote earns nothing");
    assert_eq!((kept_reputation(&app, fred_id), kept_reputation(&app, wilma_id)), (1, 1));
    assert_eq!(kept_reputation(&app, barney_id), 1, "never below 1");

    // Changed again after it was applied: the earlier grant is taken back.
    barney.vote(&path, answer, "up").await.assert_status(303);
    app.apply_votes();
    assert_eq!(rows_about(&app, answer), vec![("answer_upvoted".to_owned(), 10, None)]);
    assert_eq!(kept_reputation(&app, wilma_id), 11);
}

async fn a_vote_on_a_post_deleted_before_the_job_ran_counts_only_once_restored(app: TestApp) {
    let (fred, _) = app.signed_in_member("fred", Role::Member).await;
    let (wilma, wilma_id) = app.signed_in_member("wilma", Role::Member).await;
    let (barney, _) = app.signed_in_member("barney", Role::Member).await;
    let (moderator, _) = app.signed_in_member("moira", Role::Moderator).await;
    let path = fred.ask_ok("Does the widget need a grounded socket?", "widgets").await;
    let question = question_id(&path);
    let answer = wilma.answer(&path, "Yes: the metal case must be earthed, as the manual says.").await;

    barney.vote(&path, answer, "up").await.assert_status(303);
    moderator.submit(&path, &format!("/posts/{question}/delete"), &[]).await.assert_status(303);
    app.apply_votes();
    assert_eq!(rows_about(&app, answer), vec![("answer_upvoted".to_owned(), 10, Some("post_deleted".to_owned()))]);
    assert_eq!(kept_reputation(&app, wilma_id), 1, "the question is deleted: its answer's vote does not count");

    moderator.submit(&path, &format!("/posts/{question}/undelete"), &[]).await.assert_status(303);
    assert_eq!(kept_reputation(&app, wilma_id), 11, "restored with the question");
}

async fn two_appliers_at_once_grant_each_vote_once(app: TestApp) {
    let (fred, _) = app.signed_in_member("fred", Role::Member).await;
    let (wilma, wilma_id) = app.signed_in_member("wilma", Role::Member).await;
    let path = fred.ask_ok("How long does the widget's battery last?", "widgets").await;
    let answer = wilma.answer(&path, "About nine hours of use, or two weeks in standby mode.").await;
    let mut voters = Vec::new();
    for i in 0..6 {
        let (voter, _) = app.signed_in_member(&format!("voter{i}"), Role::Member).await;
        voter.vote(&path, answer, "up").await.assert_status(303);
        voters.push(voter);
    }
    // Each node's job at the same moment, over the same queue.
    let rules = Rules { daily_cap: 0 };
    let appliers: Vec<_> = (0..2)
        .map(|_| {
            let pool = app.pool().clone();
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                queue::apply_pending(&mut conn, rules, chrono::Utc::now().naive_utc(), &mut |_| {}).unwrap()
            })
        })
        .collect();
    let applied: u64 = appliers.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(applied, 6, "every queued vote applied by one of them");
    assert_eq!(rows_about(&app, answer).len(), 6);
    assert_eq!(kept_reputation(&app, wilma_id), 61);
}

/// Each of `voters` upvotes each of `answers`, leaving the votes queued.
fn upvote_all(app: &TestApp, voters: &[i64], answers: &[i64]) {
    app.with_feed(|c, feed| {
        for &voter in voters {
            let actor = Actor::from_user(&members::find(c, voter).unwrap().unwrap());
            for &answer in answers {
                let now = chrono::Utc::now().naive_utc();
                voting::vote(c, feed, &actor, common::open_posting_policy(), PostId(answer), VoteValue::Up, now)
                    .unwrap();
            }
        }
    });
}

/// Applies the waiting votes under a daily cap of 25; returns how many, and the statements run.
fn apply_counting_statements(app: &TestApp) -> (u64, usize) {
    let mut conn = app.pool().get().unwrap();
    let conn: &mut DbConnection = &mut conn;
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if matches!(event, InstrumentationEvent::StartQuery { .. }) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    let applied =
        queue::apply_pending(conn, Rules { daily_cap: 25 }, chrono::Utc::now().naive_utc(), &mut |_| {}).unwrap();
    conn.set_instrumentation(|_: InstrumentationEvent<'_>| {});
    (applied, count.load(Ordering::Relaxed))
}

async fn a_batch_reads_once_for_all_its_votes_and_keeps_the_daily_cap(app: TestApp) {
    let (fred, _) = app.signed_in_member("fred", Role::Member).await;
    let path = fred.ask_ok("Why does the widget's fan run after shutdown?", "widgets").await;
    let mut answers = Vec::new();
    let mut authors = Vec::new();
    for (name, body) in [
        ("wilma", "It cools the power stage for a minute; that is by design."),
        ("betty", "A firmware setting keeps it on; the menu can shorten the delay."),
        ("pebbles", "A stuck thermal sensor reads hot; replacing it stops the fan."),
    ] {
        let (author, id) = app.signed_in_member(name, Role::Member).await;
        answers.push(author.answer(&path, body).await);
        authors.push(id);
    }
    let voters: Vec<i64> = (0..8).map(|i| app.create_user(&format!("voter{i}"), Role::Member)).collect();

    upvote_all(&app, &voters[..2], &answers);
    let (applied, few) = apply_counting_statements(&app);
    assert_eq!(applied, 6);
    upvote_all(&app, &voters[2..], &answers);
    let (applied, many) = apply_counting_statements(&app);
    assert_eq!(applied, 18);
    // Three times the votes on the same three authors: the same statements.
    assert_eq!(few, many, "a batch's statements do not grow with its votes");

    for (&answer, &author) in answers.iter().zip(&authors) {
        let amounts: Vec<i32> = rows_about(&app, answer).iter().map(|(_, amount, _)| *amount).collect();
        assert_eq!(amounts.iter().filter(|&&a| a == 10).count(), 2, "{amounts:?}");
        assert_eq!(amounts.iter().sum::<i32>(), 25, "10 + 10, then 5 up to the cap, then nothing: {amounts:?}");
        assert_eq!(amounts.len(), 8, "every vote is in the ledger, capped or not");
        assert_eq!(kept_reputation(&app, author), 26);
    }
}

on_both_backends!(
    a_batch_reads_once_for_all_its_votes_and_keeps_the_daily_cap,
    a_vote_waits_for_the_job_which_applies_it_once,
    a_vote_changed_before_the_job_runs_is_applied_as_it_stands,
    a_vote_on_a_post_deleted_before_the_job_ran_counts_only_once_restored,
    two_appliers_at_once_grant_each_vote_once,
);
