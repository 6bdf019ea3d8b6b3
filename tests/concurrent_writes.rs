//! Many members acting at the same moment: every write succeeds and every counter adds up.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test should fail loudly at the first surprise")]

mod common;

use std::sync::{Arc, Barrier};

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

on_both_backends!(simultaneous_votes_all_count, simultaneous_questions_may_create_the_same_new_tags);
