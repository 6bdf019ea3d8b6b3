//! Badges and community experts: each badge is awarded by the background job once its rule is
//! met and not before, exactly once whatever reruns, restarts and second nodes do; the checks the
//! change feed leaves commit or vanish with their write; the badge pages list holders; the tag
//! page shows the community experts of the last 90 days, and staff (only) see them all.

use crate::common;

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use guidepost::changes::Change;
use guidepost::db::schema::{badge_awards, badge_checks, posts, users, votes};
use guidepost::roles::Role;
use guidepost::services::badges::{self, RunSummary};
use guidepost::services::{views, ServiceError};

use common::forum::{question_id, DETAILS};
use common::TestApp;

/// Asks, past the "these may already answer you" step (the tests ask alike questions on purpose).
async fn ask(member: &TestApp, title: &str, tags: &str) -> String {
    let fields = [("title", title), ("body", DETAILS), ("tags", tags), ("similar_checked", "1")];
    let page = member.submit("/ask", "/ask", &fields).await;
    page.assert_status(303);
    page.header("location").expect("redirect to the question").to_owned()
}

fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// Runs the badge job once, as the background task does (after the reputation job, which leaves
/// the checks of answers voted on).
fn run_job(app: &TestApp) -> RunSummary {
    app.apply_votes();
    app.with_db(|conn| badges::run(conn, now(), true, &mut |_| {}).unwrap())
}

/// A member's awards as `(badge, subject)`, sorted.
fn awards_of(app: &TestApp, user: i64) -> Vec<(String, i64)> {
    app.with_db(|conn| {
        badge_awards::table
            .filter(badge_awards::user_id.eq(user))
            .order((badge_awards::badge, badge_awards::subject_id))
            .select((badge_awards::badge, badge_awards::subject_id))
            .load(conn)
            .unwrap()
    })
}

fn has(app: &TestApp, user: i64, badge: &str, subject: i64) -> bool {
    awards_of(app, user).contains(&(badge.to_owned(), subject))
}

/// The `(gold, silver, bronze)` counts kept on the member's row.
fn counts(app: &TestApp, user: i64) -> (i32, i32, i32) {
    app.with_db(|conn| {
        users::table
            .find(user)
            .select((users::gold_badges, users::silver_badges, users::bronze_badges))
            .first(conn)
            .unwrap()
    })
}

/// The counts the member's awards call for.
fn counted_from_awards(app: &TestApp, user: i64) -> (i32, i32, i32) {
    let mut c = (0, 0, 0);
    for (badge, _) in awards_of(app, user) {
        match guidepost::domain::Badge::from_stored(&badge).unwrap().class() {
            guidepost::domain::BadgeClass::Gold => c.0 += 1,
            guidepost::domain::BadgeClass::Silver => c.1 += 1,
            guidepost::domain::BadgeClass::Bronze => c.2 += 1,
        }
    }
    c
}

fn set_score(app: &TestApp, post: i64, score: i32) {
    app.with_db(|conn| diesel::update(posts::table.find(post)).set(posts::score.eq(score)).execute(conn).unwrap());
}

fn check_post(app: &TestApp, post: i64) {
    app.with_db(|conn| guidepost::db::models::badges::record_check(conn, None, Some(post), now()).unwrap());
}

fn pending(app: &TestApp) -> i64 {
    app.with_db(|conn| badge_checks::table.count().get_result(conn).unwrap())
}

async fn each_badge_is_awarded_when_its_rule_is_met_and_not_before(app: TestApp) {
    let (alice, _) = app.signed_in_member("alice", Role::Member).await;
    let (bob, bob_id) = app.signed_in_member("bob", Role::Member).await;
    let (sam, _) = app.signed_in_member("sam", Role::Staff).await;
    let path = ask(&alice, "Why does my red widget stop in the rain?", "widgets").await;
    let question = question_id(&path);
    let answer = bob.answer(&path, "Dry the widget's contacts and reseat the battery cover firmly.").await;
    // Nothing in the request: the answer only left a check for the job.
    assert!(awards_of(&app, bob_id).is_empty());
    assert!(pending(&app) > 0);
    run_job(&app);
    assert_eq!(pending(&app), 0);
    assert_eq!(awards_of(&app, bob_id), [("first-answer".to_owned(), 0)]);

    // Nice answer at a score of 3, through real votes; not at 2.
    let mut voters = Vec::new();
    for name in ["voter1", "voter2", "voter3"] {
        voters.push(app.signed_in_member(name, Role::Member).await.0);
    }
    for voter in &voters[..2] {
        voter.vote(&path, answer, "up").await.assert_status(303);
    }
    run_job(&app);
    assert!(!has(&app, bob_id, "nice-answer", answer), "a score of 2 is not enough");
    voters[2].vote(&path, answer, "up").await.assert_status(303);
    run_job(&app);
    assert!(has(&app, bob_id, "nice-answer", answer));

    // Good at 10 and great at 25 (the score set directly, the check left as a vote would).
    set_score(&app, answer, 9);
    check_post(&app, answer);
    run_job(&app);
    assert!(!has(&app, bob_id, "good-answer", answer), "9 is not 10");
    set_score(&app, answer, 10);
    check_post(&app, answer);
    run_job(&app);
    assert!(has(&app, bob_id, "good-answer", answer));
    assert!(!has(&app, bob_id, "great-answer", answer));
    set_score(&app, answer, 24);
    check_post(&app, answer);
    run_job(&app);
    assert!(!has(&app, bob_id, "great-answer", answer), "24 is not 25");
    set_score(&app, answer, 25);
    check_post(&app, answer);
    run_job(&app);
    assert!(has(&app, bob_id, "great-answer", answer));

    // First accepted answer, when the asker accepts.
    assert!(!has(&app, bob_id, "first-accepted", 0));
    alice.submit(&path, &format!("/answers/{answer}/accept"), &[]).await.assert_status(303);
    run_job(&app);
    assert!(has(&app, bob_id, "first-accepted", 0));

    // Endorsed by staff.
    assert!(!has(&app, bob_id, "official-endorsed", 0));
    sam.submit(&path, &format!("/answers/{answer}/endorse"), &[]).await.assert_status(303);
    run_job(&app);
    assert!(has(&app, bob_id, "official-endorsed", 0));

    // Helpful to many: the view that takes the question to 1,000 leaves the check.
    app.with_db(|conn| {
        diesel::update(posts::table.find(question)).set(posts::view_count.eq(998)).execute(conn).unwrap()
    });
    app.with_db(|conn| views::add(conn, question, 1).unwrap());
    run_job(&app);
    assert!(!has(&app, bob_id, "helpful-to-many", answer), "999 views");
    app.with_db(|conn| views::add(conn, question, 1).unwrap());
    assert_eq!(pending(&app), 1, "the crossing view left one check");
    run_job(&app);
    assert!(has(&app, bob_id, "helpful-to-many", answer));

    // Tag badges, per tag: 20 points over 5 answers in gadgets earns bronze there only.
    let mut gadget_answers = Vec::new();
    for n in 0..4 {
        let p = ask(&alice, &format!("How do I pair gadget model {n} with my phone?"), "gadgets").await;
        gadget_answers.push(bob.answer(&p, &format!("Hold the pairing button of model {n} for five seconds.")).await);
    }
    for &a in &gadget_answers {
        set_score(&app, a, 5);
    }
    check_post(&app, gadget_answers[0]);
    run_job(&app);
    assert!(awards_of(&app, bob_id).iter().all(|(b, _)| b != "tag-bronze"), "20 points, but 4 answers are not 5");
    let p = ask(&alice, "How do I pair gadget model 4 with my phone?", "gadgets").await;
    bob.answer(&p, "Model 4 pairs from the app: Settings, Devices, Add.").await;
    run_job(&app);
    let gadgets = tag_id(&app, "gadgets");
    assert!(has(&app, bob_id, "tag-bronze", gadgets), "{:?}", awards_of(&app, bob_id));
    assert!(!has(&app, bob_id, "tag-bronze", tag_id(&app, "widgets")), "widgets has one answer");
    assert!(!has(&app, bob_id, "tag-silver", gadgets));
    assert_eq!(counts(&app, bob_id), counted_from_awards(&app, bob_id));
    // Gold: great; silver: good, endorsed, helpful; bronze: first, accepted, 5 nice, tag.
    assert_eq!(counts(&app, bob_id), (1, 3, 8), "{:?}", awards_of(&app, bob_id));
}

fn tag_id(app: &TestApp, name: &str) -> i64 {
    use guidepost::db::schema::tags;
    app.with_db(|conn| tags::table.filter(tags::name.eq(name)).select(tags::id).first(conn).unwrap())
}

/// A member with a few badges waiting to be awarded (checks left, the job not yet run).
async fn badges_waiting(app: &TestApp) -> i64 {
    let (alice, _) = app.signed_in_member("alice", Role::Member).await;
    let (bob, bob_id) = app.signed_in_member("bob", Role::Member).await;
    let path = ask(&alice, "How do I reset the blue gadget to factory settings?", "gadgets").await;
    let answer = bob.answer(&path, "Hold reset and power together for ten seconds, then release both.").await;
    set_score(app, answer, 30);
    alice.submit(&path, &format!("/answers/{answer}/accept"), &[]).await.assert_status(303);
    bob_id
}

async fn running_twice_or_after_a_restart_awards_once(app: TestApp) {
    let bob = badges_waiting(&app).await;
    let first = run_job(&app);
    assert_eq!(first.awarded, 5, "first answer, first accepted, nice, good, great: {:?}", awards_of(&app, bob));
    let awarded = awards_of(&app, bob);
    assert_eq!(run_job(&app).awarded, 0);
    // The same answer checked again, and a full re-check: nothing new.
    let answer = awarded.iter().find(|(b, _)| b == "great-answer").unwrap().1;
    check_post(&app, answer);
    assert_eq!(run_job(&app).awarded, 0);
    assert_eq!(app.with_db(|conn| badges::recheck_all(conn, now(), &mut |_| {}).unwrap()).awarded, 0);
    assert_eq!(awards_of(&app, bob), awarded);
    assert_eq!(counts(&app, bob), (1, 1, 3));

    // A restart: a new app state over the same database.
    let app = app.restart_with(&[]).await;
    check_post(&app, answer);
    assert_eq!(run_job(&app).awarded, 0);
    assert_eq!(app.with_db(|conn| badges::recheck_all(conn, now(), &mut |_| {}).unwrap()).awarded, 0);
    assert_eq!(awards_of(&app, bob), awarded);
    assert_eq!(counts(&app, bob), (1, 1, 3));
    app.get("/badges/great-answer").await.assert_status(200).assert_contains("Awarded 1 time");
}

async fn two_nodes_at_once_award_once(app: TestApp) {
    let bob = badges_waiting(&app).await;
    let pool = app.pool().clone();
    let other = pool.clone();
    // One node does the checks while another re-checks everyone, at the same moment.
    let one = std::thread::spawn(move || {
        let mut conn = pool.get().unwrap();
        badges::run(&mut conn, now(), false, &mut |_| {}).unwrap()
    });
    let two = std::thread::spawn(move || {
        let mut conn = other.get().unwrap();
        badges::recheck_all(&mut conn, now(), &mut |_| {}).unwrap()
    });
    let total = one.join().unwrap().awarded + two.join().unwrap().awarded;
    assert_eq!(total, 5, "{:?}", awards_of(&app, bob));
    assert_eq!(awards_of(&app, bob).len(), 5);
    assert_eq!(counts(&app, bob), (1, 1, 3));
    assert_eq!(counts(&app, bob), counted_from_awards(&app, bob));
}

async fn two_jobs_on_the_same_checks_award_once(app: TestApp) {
    let bob = badges_waiting(&app).await;
    app.apply_votes();
    let pool = app.pool().clone();
    // Both read the same waiting checks before either writes (on SQLite the reading is done
    // outside the write turn); one does them, the other finds them gone and reads again.
    let jobs: Vec<_> = (0..2)
        .map(|_| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                badges::run(&mut conn, now(), false, &mut |_| {}).unwrap()
            })
        })
        .collect();
    let summaries: Vec<RunSummary> = jobs.into_iter().map(|job| job.join().unwrap()).collect();
    assert_eq!(summaries.iter().map(|s| s.awarded).sum::<usize>(), 5, "{summaries:?}");
    assert_eq!(pending(&app), 0);
    assert_eq!(counts(&app, bob), (1, 1, 3));
    assert_eq!(counts(&app, bob), counted_from_awards(&app, bob));
}

async fn checks_vanish_with_a_rolled_back_write(app: TestApp) {
    let (alice, alice_id) = app.signed_in_member("alice", Role::Member).await;
    let (bob, bob_id) = app.signed_in_member("bob", Role::Member).await;
    let path = ask(&alice, "Where is the serial number on the green gadget?", "gadgets").await;
    let question = question_id(&path);
    let answer = bob.answer(&path, "Under the battery, printed on a white sticker next to the barcode.").await;
    run_job(&app);
    let before = pending(&app);
    assert_eq!(before, 0);
    let change = Change::VoteCast { question, post: answer, voter: alice_id, author: bob_id, value: 1, previous: 0 };
    let failed: Result<(), ServiceError> = app.with_feed(|conn, feed| {
        feed.write(conn, now(), |_, changes| {
            changes.push(change);
            Err(ServiceError::Internal("the write failed after stating its change".to_owned()))
        })
    });
    assert!(failed.is_err());
    let queued = || app.with_db(|conn| guidepost::db::models::reputation_queue::pending(conn).unwrap());
    assert_eq!((pending(&app), queued()), (0, 0), "the vote's queue row rolled back with the write");
    app.with_feed(|conn, feed| {
        feed.write(conn, now(), |_, changes| {
            changes.push(change);
            Ok::<_, ServiceError>(())
        })
    })
    .unwrap();
    assert_eq!((pending(&app), queued()), (0, 1), "a committed vote waits for the reputation job");
    app.apply_votes();
    assert_eq!(pending(&app), 1, "which leaves the answer's check");
}

async fn badge_pages_list_holders_and_tag_badges_per_tag(app: TestApp) {
    let (alice, _) = app.signed_in_member("alice", Role::Member).await;
    let (bob, bob_id) = app.signed_in_member("bob", Role::Member).await;
    let mut answers = Vec::new();
    for n in 0..5 {
        let p = ask(&alice, &format!("Which charger fits the gadget model {n}?"), "gadgets chargers").await;
        answers.push(bob.answer(&p, &format!("Model {n} takes the 5 V USB-C charger from the box.")).await);
    }
    for &a in &answers {
        set_score(&app, a, 4);
    }
    let p = ask(&alice, "Does the widget need a charger at all?", "widgets").await;
    bob.answer(&p, "No, widgets run on two AA batteries for about a year.").await;
    run_job(&app);
    assert!(has(&app, bob_id, "tag-bronze", tag_id(&app, "gadgets")));
    assert!(has(&app, bob_id, "tag-bronze", tag_id(&app, "chargers")));

    let visitor = app.another_visitor();
    let index = visitor.get("/badges").await;
    index.assert_status(200).assert_contains("Gold badges").assert_contains("Great answer");
    index.assert_contains("awarded 1 time").assert_contains("Tag badges");
    visitor
        .get("/badges/first-answer")
        .await
        .assert_status(200)
        .assert_contains("bob")
        .assert_contains("bronze badge: ");
    visitor.get("/badges/great-answer").await.assert_status(200).assert_contains("Nobody has earned it yet");
    let gadgets = visitor.get("/badges/tag-bronze?tag=gadgets").await;
    gadgets.assert_status(200).assert_contains("bob");
    visitor.get("/badges/tag-bronze?tag=widgets").await.assert_status(200).assert_contains("Nobody has earned it yet");
    visitor.get("/badges/tag-bronze").await.assert_status(200).assert_contains("chargers").assert_contains("gadgets");
    visitor.get("/badges/first-answer?tag=gadgets").await.assert_status(422).assert_contains("not a tag badge");
    visitor.get("/badges/no-such-badge").await.assert_status(404);
    visitor.get("/badges/tag-gold?tag=no-such-tag").await.assert_status(404);
    let profile = visitor.get(&format!("/users/{bob_id}/bob")).await;
    profile.assert_status(200).assert_contains("0 gold, 0 silver and 8 bronze badges");
    profile.assert_contains("bronze badge: </span>Bronze tag badge").assert_contains("?tag=chargers");
}

async fn experts_appear_on_the_tag_page_by_points_within_the_window(app: TestApp) {
    let (alice, _) = app.signed_in_member("alice", Role::Member).await;
    let (carol, _) = app.signed_in_member("carol", Role::Member).await;
    let (dave, _) = app.signed_in_member("dave", Role::Member).await;
    let (erin, _) = app.signed_in_member("erin", Role::Member).await;
    let (v1, _) = app.signed_in_member("voter1", Role::Member).await;
    let (v2, _) = app.signed_in_member("voter2", Role::Member).await;
    let q1 = ask(&alice, "Why was I charged twice this month?", "billing").await;
    let carols = carol.answer(&q1, "A pending authorisation shows until the bank releases it, within a week.").await;
    let q2 = ask(&alice, "How do I change the card I pay with?", "billing").await;
    let daves = dave.answer(&q2, "Open Billing, then Payment methods, add the new card and make it the default.").await;
    let q3 = ask(&alice, "Can I get an invoice with my company name?", "billing").await;
    let erins = erin.answer(&q3, "Yes: set the company name under Billing details before the invoice is issued.").await;
    v1.vote(&q1, carols, "up").await.assert_status(303);
    v2.vote(&q1, carols, "up").await.assert_status(303);
    v1.vote(&q2, daves, "up").await.assert_status(303);
    alice.submit(&q2, &format!("/answers/{daves}/accept"), &[]).await.assert_status(303);
    v1.vote(&q3, erins, "up").await.assert_status(303);
    v2.vote(&q3, erins, "up").await.assert_status(303);
    alice.submit(&q3, &format!("/answers/{erins}/accept"), &[]).await.assert_status(303);
    // Erin's answer and its votes are from before the window.
    let long_ago = now() - TimeDelta::days(100);
    app.with_db(|conn| {
        diesel::update(posts::table.find(erins)).set(posts::created_at.eq(long_ago)).execute(conn).unwrap();
        diesel::update(votes::table.filter(votes::post_id.eq(erins)))
            .set(votes::created_at.eq(long_ago))
            .execute(conn)
            .unwrap();
    });
    run_job(&app);
    let page = app.another_visitor().get("/tags/billing").await;
    page.assert_status(200).assert_contains("Community experts in billing");
    let text = &page.body;
    let dave_at = text.find(">dave<").expect("dave is an expert");
    let carol_at = text.find(">carol<").expect("carol is an expert");
    assert!(dave_at < carol_at, "dave (6 points) before carol (2)");
    assert!(!text.contains(">erin<"), "erin's help is older than 90 days");
    page.assert_contains("6 points").assert_contains("2 points");

    // Staff see them, with their numbers; members are refused.
    v1.get("/staff/experts").await.assert_status(403);
    let (sam, _) = app.signed_in_member("sam", Role::Staff).await;
    let staff = sam.get("/staff/experts?tag=billing").await;
    staff.assert_status(200).assert_contains(">dave<").assert_contains(">carol<");
    assert!(!staff.body.contains(">erin<"));
    sam.get("/staff/experts").await.assert_status(200).assert_contains(">dave<");
    sam.get("/staff/experts?tag=no-such-tag").await.assert_status(404);
}

on_both_backends!(
    each_badge_is_awarded_when_its_rule_is_met_and_not_before,
    running_twice_or_after_a_restart_awards_once,
    two_nodes_at_once_award_once,
    two_jobs_on_the_same_checks_award_once,
    checks_vanish_with_a_rolled_back_write,
    badge_pages_list_holders_and_tag_badges_per_tag,
    experts_appear_on_the_tag_page_by_points_within_the_window,
);
