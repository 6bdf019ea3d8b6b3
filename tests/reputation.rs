//! Reputation: each rule of the ledger (votes, the downvote's cost, acceptance, endorsement),
//! the daily cap, reversal when votes are undone or posts deleted, serial voting caught and
//! reversed, imported members' starting balance, and where reputation shows.

use crate::common;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use guidepost::db::models::reputation::{self, SERIAL_VOTING};
use guidepost::db::models::{audit_log, users};
use guidepost::db::schema::{reputation_events, users as user_rows};
use guidepost::domain::{PostId, ReputationReason};
use guidepost::import::{self, Silent};
use guidepost::roles::Role;
use guidepost::services::actor::Actor;
use guidepost::services::reputation::serial_voting;
use guidepost::services::voting::{self, VoteValue};

use common::dumps::data_dir;
use common::forum::question_id;
use common::TestApp;

/// The member's reputation as pages show it, after checking that the figures kept on the
/// member's row (moved by each grant) are what the ledger recomputes.
fn reputation_of(app: &TestApp, id: i64) -> i64 {
    app.apply_votes();
    let kept = kept_figures(app, id);
    // A member who never earned under the cap keeps no day; count today's rows for them (none).
    let day = kept.2.unwrap_or_else(|| chrono::Utc::now().date_naive().and_time(chrono::NaiveTime::MIN));
    let recomputed = app.with_db(|c| {
        let mut read: Option<(i64, i64, Option<NaiveDateTime>, i64)> = None;
        // Recomputed in a transaction rolled back, so checking changes nothing the test goes on with.
        let _ = c.transaction::<(), diesel::result::Error, _>(|c| {
            reputation::recompute_total(c, id, day).unwrap();
            read = Some(user_rows::table.find(id).select(KEPT).first(c).unwrap());
            Err(diesel::result::Error::RollbackTransaction)
        });
        read.unwrap()
    });
    let expected = (recomputed.0, recomputed.1, kept.2.and(recomputed.2), recomputed.3);
    assert_eq!(kept, expected, "member {id}'s kept (earned, reputation, capped day, capped earned)");
    kept.1
}

/// A member's kept reputation figures.
const KEPT: (user_rows::reputation_earned, user_rows::reputation, user_rows::capped_day, user_rows::capped_earned) =
    (user_rows::reputation_earned, user_rows::reputation, user_rows::capped_day, user_rows::capped_earned);

/// (earned, reputation, capped day, capped earned) as kept on the member's row.
fn kept_figures(app: &TestApp, id: i64) -> (i64, i64, Option<NaiveDateTime>, i64) {
    app.with_db(|c| user_rows::table.find(id).select(KEPT).first(c).unwrap())
}

/// The member's ledger as (reason, amount, reversal), oldest first.
fn ledger(app: &TestApp, id: i64) -> Vec<(String, i32, Option<String>)> {
    app.apply_votes();
    app.with_db(|c| {
        reputation_events::table
            .filter(reputation_events::user_id.eq(id))
            .order(reputation_events::id.asc())
            .select((reputation_events::reason, reputation_events::amount, reputation_events::reversal))
            .load(c)
            .unwrap()
    })
}

/// Votes through the voting service at a chosen time (the cap and serial voting count days).
fn vote_at(app: &TestApp, voter: i64, post: i64, value: VoteValue, now: NaiveDateTime) {
    app.with_feed(|c, feed| {
        let actor = Actor::from_user(&users::find(c, voter).unwrap().unwrap());
        let policy = common::open_posting_policy();
        voting::vote(c, feed, &actor, policy, PostId(post), value, now).unwrap();
    });
    app.apply_votes_at(now);
}

async fn votes_earn_and_cost_and_undoing_them_takes_it_back(app: TestApp) {
    let (fred, fred_id) = app.signed_in_member("fred", Role::Member).await;
    let (wilma, wilma_id) = app.signed_in_member("wilma", Role::Member).await;
    let (barney, barney_id) = app.signed_in_member("barney", Role::Member).await;
    let path = fred.ask_ok("Why does my widget hum at night?", "widgets").await;
    let question = question_id(&path);
    let answer = wilma.answer(&path, "The transformer hums when the mains frequency drifts a little.").await;
    assert_eq!((reputation_of(&app, fred_id), reputation_of(&app, wilma_id)), (1, 1));

    barney.vote(&path, question, "up").await.assert_status(303);
    barney.vote(&path, answer, "up").await.assert_status(303);
    assert_eq!(reputation_of(&app, fred_id), 6, "+5 for an upvoted question");
    assert_eq!(reputation_of(&app, wilma_id), 11, "+10 for an upvoted answer");

    // Changing the vote to down replaces what it earned: -2 for the author, -1 for the voter.
    barney.vote(&path, answer, "down").await.assert_status(303);
    assert_eq!(ledger(&app, wilma_id), vec![("answer_downvoted".to_owned(), -2, None)]);
    assert_eq!(reputation_of(&app, wilma_id), 1, "reputation never drops below 1");
    assert_eq!(ledger(&app, barney_id), vec![("downvoted_answer".to_owned(), -1, None)]);
    // Voting a question down costs the voter nothing.
    wilma.vote(&path, question, "down").await.assert_status(303);
    assert!(ledger(&app, wilma_id).iter().all(|(reason, _, _)| reason != "downvoted_answer"));
    assert_eq!(reputation_of(&app, fred_id), 4, "+5 - 2");

    // Withdrawing takes it all back; nothing is left in the ledger for that vote.
    barney.vote(&path, answer, "none").await.assert_status(303);
    barney.vote(&path, question, "none").await.assert_status(303);
    assert!(ledger(&app, barney_id).is_empty());
    assert!(ledger(&app, wilma_id).is_empty());
    assert_eq!(reputation_of(&app, fred_id), 1, "1 - 2 floors at 1");
    assert_eq!(ledger(&app, fred_id), vec![("question_downvoted".to_owned(), -2, None)]);
    // Own posts take no votes, so they earn nothing.
    fred.vote(&path, question, "up").await.assert_status(403);
    assert_eq!(ledger(&app, fred_id).len(), 1);
}

async fn acceptance_and_endorsement_earn_until_withdrawn(app: TestApp) {
    let (fred, fred_id) = app.signed_in_member("fred", Role::Member).await;
    let (wilma, wilma_id) = app.signed_in_member("wilma", Role::Member).await;
    let (betty, betty_id) = app.signed_in_member("betty", Role::Member).await;
    let (stella, _) = app.signed_in_member("stella", Role::Staff).await;
    let path = fred.ask_ok("How do I reset a frozen widget?", "widgets").await;
    let first = wilma.answer(&path, "Hold the button for ten seconds until the light blinks twice.").await;
    let second = betty.answer(&path, "Unplug it for a minute; the memory clears and it boots again.").await;
    let own = fred.answer(&path, "Answering myself: a firmware update fixed mine in the end.").await;

    fred.submit(&path, &format!("/answers/{first}/accept"), &[]).await.assert_status(303);
    assert_eq!(reputation_of(&app, wilma_id), 16, "+15 for an accepted answer");
    assert_eq!(reputation_of(&app, fred_id), 3, "+2 for accepting");
    // Accepting another answer moves both.
    fred.submit(&path, &format!("/answers/{second}/accept"), &[]).await.assert_status(303);
    assert_eq!((reputation_of(&app, wilma_id), reputation_of(&app, betty_id)), (1, 16));
    assert_eq!(reputation_of(&app, fred_id), 3);
    // Accepting one's own answer earns nothing.
    fred.submit(&path, &format!("/answers/{own}/accept"), &[]).await.assert_status(303);
    assert_eq!((reputation_of(&app, fred_id), reputation_of(&app, betty_id)), (1, 1));
    fred.submit(&path, &format!("/answers/{own}/accept"), &[]).await.assert_status(303);
    assert!(ledger(&app, fred_id).is_empty());

    stella.submit(&path, &format!("/answers/{first}/endorse"), &[]).await.assert_status(303);
    assert_eq!(reputation_of(&app, wilma_id), 16, "+15 for an answer endorsed as official");
    assert_eq!(ledger(&app, wilma_id), vec![("answer_endorsed".to_owned(), 15, None)]);
    stella.submit(&path, &format!("/answers/{first}/withdraw-official"), &[]).await.assert_status(303);
    assert_eq!(reputation_of(&app, wilma_id), 1);
}

async fn votes_earn_at_most_the_daily_cap(app: TestApp) {
    let app = app.restart_with(&[("GUIDEPOST_REPUTATION_DAILY_CAP", "25")]).await;
    let (fred, _) = app.signed_in_member("fred", Role::Member).await;
    let (wilma, wilma_id) = app.signed_in_member("wilma", Role::Member).await;
    let voters: Vec<i64> =
        ["voter1", "voter2", "voter3", "voter4"].iter().map(|v| app.create_user(v, Role::Member)).collect();
    let path = fred.ask_ok("Which glue holds a cracked widget case?", "widgets").await;
    let answer = wilma.answer(&path, "Two-part epoxy, clamped overnight, holds better than superglue.").await;
    let day = NaiveDateTime::parse_from_str("2026-06-01 09:00:00", "%Y-%m-%d %H:%M:%S").unwrap();

    for (i, voter) in voters.iter().take(3).enumerate() {
        vote_at(&app, *voter, answer, VoteValue::Up, day + Duration::minutes(i as i64));
    }
    assert_eq!(reputation_of(&app, wilma_id), 26, "10 + 10 + 5: the third upvote reaches the cap of 25");
    let amounts: Vec<i32> = ledger(&app, wilma_id).iter().map(|(_, a, _)| *a).collect();
    assert_eq!(amounts, vec![10, 10, 5]);
    // Acceptance is never capped.
    fred.submit(&path, &format!("/answers/{answer}/accept"), &[]).await.assert_status(303);
    assert_eq!(reputation_of(&app, wilma_id), 41);
    // The next day's votes earn again.
    vote_at(&app, voters[3], answer, VoteValue::Up, day + Duration::days(1));
    assert_eq!(reputation_of(&app, wilma_id), 51);
    // Withdrawing a vote frees its share of that day's cap for nobody retroactively, but counts.
    vote_at(&app, voters[0], answer, VoteValue::None, day + Duration::days(1));
    assert_eq!(reputation_of(&app, wilma_id), 41);
}

async fn a_vote_withdrawn_the_same_day_frees_its_share_of_the_cap(app: TestApp) {
    let app = app.restart_with(&[("GUIDEPOST_REPUTATION_DAILY_CAP", "25")]).await;
    let (fred, _) = app.signed_in_member("fred", Role::Member).await;
    let (wilma, wilma_id) = app.signed_in_member("wilma", Role::Member).await;
    let voters: Vec<i64> = ["voter1", "voter2", "voter3"].iter().map(|v| app.create_user(v, Role::Member)).collect();
    let path = fred.ask_ok("Why does the widget clock drift each week?", "widgets").await;
    let answer = wilma.answer(&path, "The backup cell is flat; a fresh CR2032 keeps it on time.").await;
    let other = wilma.answer(&path, "Or sync it to the hub once a day; the hub keeps network time.").await;
    let day = NaiveDateTime::parse_from_str("2026-06-01 09:00:00", "%Y-%m-%d %H:%M:%S").unwrap();

    vote_at(&app, voters[0], answer, VoteValue::Up, day);
    vote_at(&app, voters[1], answer, VoteValue::Up, day + Duration::minutes(1));
    vote_at(&app, voters[0], answer, VoteValue::None, day + Duration::minutes(2));
    assert_eq!(kept_figures(&app, wilma_id).3, 10, "the withdrawn upvote no longer counts against the day");
    vote_at(&app, voters[2], other, VoteValue::Up, day + Duration::minutes(3));
    vote_at(&app, voters[0], other, VoteValue::Up, day + Duration::minutes(4));
    let amounts: Vec<i32> = ledger(&app, wilma_id).iter().map(|(_, a, _)| *a).collect();
    assert_eq!(amounts, vec![10, 10, 5], "10 left after the withdrawal, then 5 up to the cap");
    assert_eq!(reputation_of(&app, wilma_id), 26);
    // A downvote is not capped and leaves the day's capped count alone.
    vote_at(&app, voters[1], other, VoteValue::Down, day + Duration::minutes(5));
    assert_eq!(reputation_of(&app, wilma_id), 24);
    assert_eq!(kept_figures(&app, wilma_id).3, 25);
}

async fn deleting_a_post_reverses_what_it_earned_and_undeleting_restores_it(app: TestApp) {
    let (fred, fred_id) = app.signed_in_member("fred", Role::Member).await;
    let (wilma, wilma_id) = app.signed_in_member("wilma", Role::Member).await;
    let (barney, _) = app.signed_in_member("barney", Role::Member).await;
    let (moderator, _) = app.signed_in_member("moira", Role::Moderator).await;
    let path = fred.ask_ok("Can a widget run on batteries?", "widgets").await;
    let question = question_id(&path);
    let answer = wilma.answer(&path, "Yes, with the 9 V adapter kit sold for the outdoor models.").await;
    barney.vote(&path, question, "up").await.assert_status(303);
    barney.vote(&path, answer, "up").await.assert_status(303);
    assert_eq!((reputation_of(&app, fred_id), reputation_of(&app, wilma_id)), (6, 11));

    moderator.submit(&path, &format!("/posts/{answer}/delete"), &[]).await.assert_status(303);
    assert_eq!(reputation_of(&app, wilma_id), 1);
    assert_eq!(ledger(&app, wilma_id), vec![("answer_upvoted".to_owned(), 10, Some("post_deleted".to_owned()))]);
    moderator.submit(&path, &format!("/posts/{answer}/undelete"), &[]).await.assert_status(303);
    assert_eq!(reputation_of(&app, wilma_id), 11);

    // Deleting a question reverses its answers' reputation too.
    moderator.submit(&path, &format!("/posts/{question}/delete"), &[]).await.assert_status(303);
    assert_eq!((reputation_of(&app, fred_id), reputation_of(&app, wilma_id)), (1, 1));
    moderator.submit(&path, &format!("/posts/{question}/undelete"), &[]).await.assert_status(303);
    assert_eq!((reputation_of(&app, fred_id), reputation_of(&app, wilma_id)), (6, 11));
}

async fn serial_voting_is_reversed_once_and_audited(app: TestApp) {
    let (wilma, wilma_id) = app.signed_in_member("wilma", Role::Member).await;
    let (fred, _) = app.signed_in_member("fred", Role::Member).await;
    let friend = app.create_user("friend", Role::Member);
    let stranger = app.create_user("stranger", Role::Member);
    let path = fred.ask_ok("Which widget cable is the right one?", "widgets").await;
    let mut answers = Vec::new();
    for i in 0..6 {
        answers.push(wilma.answer(&path, &format!("Cable option {i}: the braided one rated for 3 amps works.")).await);
    }
    let now = chrono::Utc::now().naive_utc();
    for (i, answer) in answers.iter().take(5).enumerate() {
        vote_at(&app, friend, *answer, VoteValue::Up, now + Duration::minutes(i as i64));
    }
    vote_at(&app, stranger, answers[0], VoteValue::Up, now);
    assert_eq!(reputation_of(&app, wilma_id), 61);

    let later = now + Duration::minutes(10);
    let reversed = app.with_db(|c| serial_voting::sweep(c, later).unwrap());
    assert_eq!(reversed.len(), 1);
    assert_eq!((reversed[0].voter, reversed[0].author, reversed[0].votes), (friend, wilma_id, 5));
    assert_eq!(reputation_of(&app, wilma_id), 11, "only the stranger's upvote still counts");
    let audited = app.with_db(|c| audit_log::for_target(c, "user", wilma_id, 10).unwrap());
    assert!(audited.iter().any(|e| e.action == "reputation.serial_voting" && e.actor_id.is_none()));
    // A second sweep (another node, or the next run) reverses nothing again.
    assert!(app.with_db(|c| serial_voting::sweep(c, later).unwrap()).is_empty());
    // The pair's next vote is recorded but does not count.
    vote_at(&app, friend, answers[5], VoteValue::Up, later);
    assert_eq!(reputation_of(&app, wilma_id), 11);
    let last = ledger(&app, wilma_id).pop().unwrap();
    assert_eq!(last.2.as_deref(), Some(SERIAL_VOTING));
    // The total is what the ledger says.
    assert_eq!(app.with_db(|c| reputation::recompute_total(c, wilma_id, later).unwrap()), 11);
}

async fn imported_members_keep_their_reputation_as_a_starting_balance(app: TestApp) {
    let dir = data_dir().join("se-ai-2016");
    app.with_db(|c| import::import(c, &dir, "ai.stackexchange.com", &mut Silent).unwrap());
    let (id, stored): (i64, i64) = app.with_db(|c| {
        user_rows::table
            .filter(user_rows::source_site.eq("ai.stackexchange.com"))
            .filter(user_rows::reputation.gt(100))
            .order(user_rows::id.asc())
            .select((user_rows::id, user_rows::reputation))
            .first(c)
            .unwrap()
    });
    assert_eq!(ledger(&app, id), vec![("imported".to_owned(), i32::try_from(stored - 1).unwrap(), None)]);
    let now = chrono::Utc::now().naive_utc();
    assert_eq!(app.with_db(|c| reputation::recompute_total(c, id, now).unwrap()), stored);
    let page = app.get(&format!("/users/{id}/x/reputation")).await;
    let page = app.get(page.header("location").unwrap()).await;
    page.assert_status(200).assert_contains("imported reputation");
    // Importing again adds no second balance.
    app.with_db(|c| import::import(c, &dir, "ai.stackexchange.com", &mut Silent).unwrap());
    assert_eq!(ledger(&app, id).len(), 1);
    assert_eq!(ReputationReason::Imported.as_str(), "imported");
}

async fn reputation_shows_beside_authors_and_is_explained_on_the_profile(app: TestApp) {
    let (fred, fred_id) = app.signed_in_member("fred", Role::Member).await;
    let (wilma, wilma_id) = app.signed_in_member("wilma", Role::Member).await;
    let path = fred.ask_ok("Where is the widget serial number printed?", "widgets").await;
    let answer = wilma.answer(&path, "Under the battery cover, on a silver sticker near the hinge.").await;
    fred.vote(&path, answer, "up").await.assert_status(303);
    fred.submit(&path, &format!("/answers/{answer}/accept"), &[]).await.assert_status(303);
    app.apply_votes();

    let page = app.get(&path).await;
    page.assert_status(200).assert_contains("26<span class=\"visually-hidden\"> reputation</span>");
    let profile = app.get(&format!("/users/{wilma_id}/wilma/reputation")).await;
    profile
        .assert_status(200)
        .assert_contains("+10")
        .assert_contains("answer upvoted")
        .assert_contains("+15")
        .assert_contains("answer accepted")
        .assert_contains("Where is the widget serial number printed?");
    app.get(&format!("/users/{fred_id}/fred")).await.assert_status(200).assert_contains("/users/");
    app.get("/users/999999/nobody/reputation").await.assert_status(404);
    app.get(&format!("/users/{wilma_id}/wilma/reputation?before=abc")).await.assert_status(400);
}

async fn an_approved_suggested_edit_earns_its_suggester_two(app: TestApp) {
    let app = app.restart_with(&[("GUIDEPOST_REPUTATION_TO_EDIT", "1000")]).await;
    let (fred, _) = app.signed_in_member("fred", Role::Member).await;
    let (wilma, wilma_id) = app.signed_in_member("wilma", Role::Member).await;
    let (stella, _) = app.signed_in_member("stella", Role::Staff).await;
    let path = fred.ask_ok("Why will my widget not pair over bluetooth?", "widgets").await;
    let question = question_id(&path);
    let fields = [
        ("title", "Why will my widget not pair over Bluetooth?"),
        ("tags", "widgets"),
        ("body", "It stopped pairing with my phone after the last update; the light just blinks blue."),
        ("reason", "capitalised Bluetooth, said what the light does"),
    ];
    wilma.submit(&path, &format!("/posts/{question}/edit"), &fields).await.assert_status(303);
    let suggestion: i64 = app.with_db(|c| {
        guidepost::db::schema::suggested_edits::table
            .select(guidepost::db::schema::suggested_edits::id)
            .first(c)
            .unwrap()
    });
    assert_eq!(reputation_of(&app, wilma_id), 1, "a suggestion earns nothing until approved");
    let queue = "/review/suggested-edits";
    stella.submit(queue, &format!("{queue}/{suggestion}/approve"), &[]).await.assert_status(303);
    assert_eq!(ledger(&app, wilma_id), vec![("edit_approved".to_owned(), 2, None)]);
    assert_eq!(reputation_of(&app, wilma_id), 3);
}

on_both_backends!(
    an_approved_suggested_edit_earns_its_suggester_two,
    votes_earn_and_cost_and_undoing_them_takes_it_back,
    acceptance_and_endorsement_earn_until_withdrawn,
    votes_earn_at_most_the_daily_cap,
    a_vote_withdrawn_the_same_day_frees_its_share_of_the_cap,
    deleting_a_post_reverses_what_it_earned_and_undeleting_restores_it,
    serial_voting_is_reversed_once_and_audited,
    imported_members_keep_their_reputation_as_a_starting_balance,
    reputation_shows_beside_authors_and_is_explained_on_the_profile,
);
