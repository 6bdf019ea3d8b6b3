//! Many members acting at the same moment: every write succeeds and every counter adds up, and a
//! job committing batch after batch does not keep members' writes out.

use crate::common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use guidepost::db::models::{posts, users};
use guidepost::roles::Role;
use guidepost::services::actor::Actor;
use guidepost::services::policy::PostingPolicy;
use guidepost::services::questions::{self, Ask};
use guidepost::services::voting::{self, VoteValue};

use common::TestApp;

const VOTERS: usize = 8;

async fn simultaneous_votes_all_count(app: TestApp) {
    let fred = app.another_visitor();
    app.create_user("fred", Role::Member);
    fred.sign_in("fred", common::members::PASSWORD).await;
    let path = fred.ask_ok("Why did my red widget break in the rain?", "widgets").await;
    let question = common::forum::question_id(&path);
    let voters: Vec<Actor> = (0..VOTERS)
        .map(|n| {
            let id = app.create_user(&format!("voter{n}"), Role::Member);
            app.with_db(|c| Actor::from_user(&users::find(c, id).unwrap().unwrap()))
        })
        .collect();

    let barrier = Arc::new(Barrier::new(VOTERS));
    let policy = PostingPolicy {
        require_verified_email: true,
        allow_images: true,
        moderation: common::NO_POSTING_LIMITS,
        privileges: guidepost::domain::Privileges::of(&common::NO_POSTING_LIMITS),
    };
    let handles: Vec<_> = voters
        .into_iter()
        .map(|voter| {
            let pool = app.pool().clone();
            let feed = Arc::clone(&app.state.feed);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                barrier.wait();
                voting::vote(
                    &mut conn,
                    &feed,
                    &voter,
                    policy,
                    guidepost::domain::PostId(question),
                    VoteValue::Up,
                    chrono::Utc::now().naive_utc(),
                )
            })
        })
        .collect();
    for handle in handles {
        let outcome = handle.join().unwrap();
        assert!(outcome.is_ok(), "a concurrent vote failed: {outcome:?}");
    }
    assert_eq!(app.with_db(|c| posts::find(c, question).unwrap().unwrap().score), VOTERS as i32);
}

async fn simultaneous_questions_may_create_the_same_new_tags(app: TestApp) {
    let askers: Vec<Actor> = (0..VOTERS)
        .map(|n| {
            let id = app.create_user(&format!("asker{n}"), Role::Member);
            app.with_db(|c| Actor::from_user(&users::find(c, id).unwrap().unwrap()))
        })
        .collect();
    let barrier = Arc::new(Barrier::new(VOTERS));
    let policy = PostingPolicy {
        require_verified_email: true,
        allow_images: true,
        moderation: common::NO_POSTING_LIMITS,
        privileges: guidepost::domain::Privileges::of(&common::NO_POSTING_LIMITS),
    };
    let handles: Vec<_> = askers
        .into_iter()
        .enumerate()
        .map(|(n, asker)| {
            let pool = app.pool().clone();
            let feed = Arc::clone(&app.state.feed);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let ask = Ask {
                    title: format!("Why did red widget number {n} break in the rain?"),
                    body: common::forum::DETAILS.into(),
                    tags: "brand-new-tag another-new-tag".into(),
                };
                let draft = ask.prepare(&policy).unwrap();
                let mut conn = pool.get().unwrap();
                barrier.wait();
                questions::ask(&mut conn, &feed, &asker, policy, draft, chrono::Utc::now().naive_utc())
            })
        })
        .collect();
    for handle in handles {
        let outcome = handle.join().unwrap();
        assert!(outcome.is_ok(), "a concurrent question failed: {outcome:?}");
    }
    let counts: Vec<(String, i32)> = app.with_db(|c| {
        use diesel::prelude::*;
        use guidepost::db::schema::tags::dsl;
        dsl::tags.order(dsl::name).select((dsl::name, dsl::question_count)).load(c).unwrap()
    });
    let expected = VOTERS as i32;
    assert_eq!(counts, [("another-new-tag".to_owned(), expected), ("brand-new-tag".to_owned(), expected)]);
}

/// Longer than SQLite's busy timeout (5 s), so a member left waiting behind the job would fail.
const JOB_RUNS_FOR: Duration = Duration::from_secs(7);

async fn a_job_writing_batch_after_batch_lets_members_write_between(app: TestApp) {
    let (fred, _) = app.signed_in_member("fred", Role::Member).await;
    // A job like the badge or reputation job under a backlog: a write transaction of 50 ms,
    // begun again the moment the last one commits.
    let (pool, feed, started) = (app.pool().clone(), Arc::clone(&app.state.feed), Arc::new(AtomicBool::new(false)));
    let job_started = Arc::clone(&started);
    let job = std::thread::spawn(move || {
        let mut conn = pool.get().unwrap();
        let until = Instant::now() + JOB_RUNS_FOR;
        let mut batches = 0;
        while Instant::now() < until {
            let now = chrono::Utc::now().naive_utc();
            feed.write(&mut conn, now, |_, _| {
                job_started.store(true, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(50));
                Ok(())
            })
            .unwrap();
            batches += 1;
        }
        batches
    });
    while !started.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(5));
    }
    // Each of these waits for its turn between two batches instead of failing after the busy
    // timeout with "database is locked".
    for title in [
        "Why does the widget blink twice at start?",
        "Can a gadget charger power the sprocket?",
        "Where is the serial number on a gizmo case?",
    ] {
        fred.ask_ok(title, "widgets").await;
    }
    assert!(job.join().unwrap() > 10, "the job kept writing meanwhile");
}

on_both_backends!(
    simultaneous_votes_all_count,
    simultaneous_questions_may_create_the_same_new_tags,
    a_job_writing_batch_after_batch_lets_members_write_between
);
