//! Flags and the moderators' queue, comment deletion, "delete as spam" and the moderation log:
//! every action and its undo, and members refused with 403 while nothing changes.

use crate::common;

use diesel::prelude::*;
use guidepost::db::models::{audit_log, comments, posts, users};
use guidepost::db::schema;
use guidepost::roles::Role;

use common::forum::question_id;
use common::members::PASSWORD;
use common::{Page, TestApp};

async fn signed_in(app: &TestApp, username: &str, role: Role) -> TestApp {
    let visitor = app.another_visitor();
    app.create_user(username, role);
    visitor.sign_in(username, PASSWORD).await.assert_status(303);
    visitor
}

async fn flag(who: &TestApp, page: &str, target: &str, reason: &str, note: &str) -> Page {
    who.submit(page, &format!("/{target}/flag"), &[("reason", reason), ("note", note)]).await
}

fn post(app: &TestApp, id: i64) -> posts::Post {
    app.with_db(|c| posts::find(c, id).unwrap().unwrap())
}

fn comment_ids(app: &TestApp, post_id: i64) -> Vec<i64> {
    app.with_db(|c| comments::on_posts(c, &[post_id]).unwrap().into_iter().map(|c| c.id).collect())
}

fn actions(app: &TestApp) -> Vec<String> {
    app.with_db(|c| {
        schema::audit_log::table.order(schema::audit_log::id).select(schema::audit_log::action).load(c).unwrap()
    })
}

async fn members_flag_and_moderators_agree_or_disagree(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let barney = signed_in(&app, "barney", Role::Member).await;
    let mona = signed_in(&app, "mona", Role::Moderator).await;
    let path = fred.ask_ok("Why did my red widget break in the rain?", "widgets").await;
    let qid = question_id(&path);
    let answer = wilma.answer(&path, "Buy our premium widget polish today, best prices in town!").await;

    // The question page offers the flag form to other members, not on one's own post.
    let page = barney.get(&path).await;
    page.assert_contains(&format!("action=\"/posts/{answer}/flag\""));
    assert!(!wilma.get(&path).await.body.contains(&format!("action=\"/posts/{answer}/flag\"")));

    // Bad flags are refused and change nothing.
    flag(&wilma, &path, &format!("posts/{answer}"), "spam", "").await.assert_status(403);
    flag(&barney, &path, &format!("posts/{answer}"), "boring", "").await.assert_status(422);
    flag(&barney, &path, &format!("posts/{answer}"), "needs-moderator", " ").await.assert_status(422);
    flag(&barney, &path, &format!("posts/{answer}"), "spam", &"x".repeat(501)).await.assert_status(422);
    flag(&barney, &path, "posts/999999", "spam", "").await.assert_status(404);
    assert!(app.get("/mod/flags").await.status.is_redirection(), "anonymous visitors are sent to sign in");
    assert_eq!(app.with_db(|c| guidepost::db::models::flags::open_count(c).unwrap()), 0);

    // One flag per member per post.
    let done = flag(&barney, &path, &format!("posts/{answer}"), "spam", "Advertising.").await;
    done.assert_status(303);
    flag(&barney, &path, &format!("posts/{answer}"), "rude", "").await.assert_status(409);

    // Members cannot see or work the queue.
    barney.get("/mod/flags").await.assert_status(403);
    barney.submit(&path, &format!("/mod/flags/post/{answer}"), &[("verdict", "agree")]).await.assert_status(403);
    assert!(post(&app, answer).deleted_at.is_none());

    // The moderator sees the flag with its note, and disagrees: the flag is settled, the answer stays.
    let queue = mona.get("/mod/flags").await;
    queue.assert_status(200).assert_contains("Buy our premium widget polish").assert_contains("Advertising.");
    queue.assert_contains("barney");
    mona.submit("/mod/flags", &format!("/mod/flags/post/{answer}"), &[("verdict", "bogus")]).await.assert_status(422);
    mona.submit("/mod/flags", &format!("/mod/flags/post/{answer}"), &[("verdict", "disagree")])
        .await
        .assert_status(303);
    assert!(post(&app, answer).deleted_at.is_none());
    mona.get("/mod/flags").await.assert_contains("No open flags");
    // Handling twice is a conflict, not a second action.
    mona.submit("/mod/flags", &format!("/mod/flags/post/{answer}"), &[("verdict", "agree")]).await.assert_status(409);

    // A rude flag the moderator agrees with deletes the answer; counters follow.
    let betty = signed_in(&app, "betty", Role::Member).await;
    assert_eq!(post(&app, qid).answer_count, 1);
    flag(&betty, &path, &format!("posts/{answer}"), "rude", "").await.assert_status(303);
    mona.submit("/mod/flags", &format!("/mod/flags/post/{answer}"), &[("verdict", "agree")]).await.assert_status(303);
    let deleted = post(&app, answer);
    assert!(deleted.deleted_at.is_some() && deleted.held_reason.is_none());
    assert_eq!(post(&app, qid).answer_count, 0);
    assert!(!app.another_visitor().get(&path).await.body.contains("premium widget polish"));

    // Comments: flagged off-topic, agreed, deleted; the moderator still sees it and undeletes it.
    let comment_text = "Has anyone tried turning it off and on again?";
    wilma.submit(&path, &format!("/posts/{qid}/comments"), &[("body", comment_text)]).await.assert_status(303);
    let comment = comment_ids(&app, qid)[0];
    flag(&barney, &path, &format!("comments/{comment}"), "off-topic", "").await.assert_status(303);
    mona.get("/mod/flags").await.assert_contains(comment_text);
    mona.submit("/mod/flags", &format!("/mod/flags/comment/{comment}"), &[("verdict", "agree")])
        .await
        .assert_status(303);
    assert!(comment_ids(&app, qid).is_empty());
    assert_eq!(post(&app, qid).comment_count, 0);
    assert!(!app.another_visitor().get(&path).await.body.contains(comment_text));
    mona.get(&path).await.assert_contains(comment_text).assert_contains("[deleted]");
    mona.submit(&path, &format!("/comments/{comment}/undelete"), &[]).await.assert_status(303);
    assert_eq!(comment_ids(&app, qid), vec![comment]);
    assert_eq!(post(&app, qid).comment_count, 1);

    // An off-topic flag on a question that the moderator agrees with closes it.
    flag(&barney, &path, &format!("posts/{qid}"), "off-topic", "Not about our products.").await.assert_status(303);
    mona.submit("/mod/flags", &format!("/mod/flags/post/{qid}"), &[("verdict", "agree")]).await.assert_status(303);
    assert_eq!(post(&app, qid).close_reason.map(|s| s.as_str()), Some("off-topic"));

    let log = actions(&app);
    for expected in
        ["flags.dismiss", "flags.agree", "post.delete", "comment.delete", "comment.undelete", "question.close"]
    {
        assert!(log.iter().any(|a| a == expected), "{expected} missing from the audit log: {log:?}");
    }
}

async fn spam_flags_hide_a_post_until_a_moderator_decides(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let spammer = signed_in(&app, "spammer", Role::Member).await;
    let mona = signed_in(&app, "mona", Role::Moderator).await;
    let path = fred.ask_ok("How do I reset my blue widget to factory settings?", "widgets").await;
    let qid = question_id(&path);
    let first = spammer.answer(&path, "Cheap watches and handbags, visit our shop for the best deals!").await;
    let second = spammer.answer(&path, "Amazing weight loss pills, order now and save ninety percent!").await;
    assert_eq!(post(&app, qid).answer_count, 2);

    // Two spam flags queue it; the third (the default threshold) hides it.
    let flaggers = [
        signed_in(&app, "ann", Role::Member).await,
        signed_in(&app, "bob", Role::Member).await,
        signed_in(&app, "cid", Role::Member).await,
    ];
    for (n, member) in flaggers.iter().enumerate() {
        flag(member, &path, &format!("posts/{first}"), "spam", "").await.assert_status(303);
        assert_eq!(post(&app, first).deleted_at.is_some(), n == 2, "hidden only at the third flag");
    }
    let hidden = post(&app, first);
    assert_eq!(hidden.held_reason.map(|s| s.as_str()), Some("flags"));
    assert_eq!(post(&app, qid).answer_count, 1);
    assert!(!app.another_visitor().get(&path).await.body.contains("Cheap watches"));
    // Its author still sees it, marked; flagging it again is pointless and refused.
    spammer.get(&path).await.assert_contains("Cheap watches").assert_contains("Flagged as spam and hidden");
    let dan = signed_in(&app, "dan", Role::Member).await;
    flag(&dan, &path, &format!("posts/{first}"), "spam", "").await.assert_status(404);
    // The site, not a person, hid it.
    let hide = app.with_db(|c| audit_log::for_target(c, "post", first, 10).unwrap());
    assert!(hide.iter().any(|e| e.action == "flags.hide" && e.actor_id.is_none()), "{hide:?}");

    // Disagreeing brings it back exactly.
    mona.get("/mod/flags").await.assert_contains("hidden until you decide");
    mona.submit("/mod/flags", &format!("/mod/flags/post/{first}"), &[("verdict", "disagree")]).await.assert_status(303);
    let back = post(&app, first);
    assert!(back.deleted_at.is_none() && back.held_reason.is_none());
    assert_eq!(post(&app, qid).answer_count, 2);
    app.another_visitor().get(&path).await.assert_contains("Cheap watches");

    // Agreeing with hidden spam turns it into a moderator's deletion.
    for member in &flaggers {
        flag(member, &path, &format!("posts/{second}"), "spam", "").await.assert_status(303);
    }
    assert_eq!(post(&app, second).held_reason.map(|s| s.as_str()), Some("flags"));
    mona.submit("/mod/flags", &format!("/mod/flags/post/{second}"), &[("verdict", "agree")]).await.assert_status(303);
    let gone = post(&app, second);
    assert!(gone.deleted_at.is_some() && gone.held_reason.is_none());
    assert_eq!(post(&app, qid).answer_count, 1);
}

async fn delete_as_spam_hides_everything_and_suspends(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let spammer = signed_in(&app, "spammer", Role::Member).await;
    let mona = signed_in(&app, "mona", Role::Moderator).await;
    let stella_id = app.create_user("stella", Role::Staff);
    let path = fred.ask_ok("Where can I buy spare parts for my widget?", "widgets parts").await;
    let qid = question_id(&path);
    let spam_question = spammer.ask_ok("Best replica watches online cheap cheap cheap", "watches").await;
    let spam_answer = spammer.answer(&path, "Visit our replica watch shop for spare parts and watches!").await;
    spammer
        .submit(&path, &format!("/posts/{qid}/comments"), &[("body", "Replica watches half price this week!")])
        .await
        .assert_status(303);
    let spammer_id = post(&app, spam_answer).author_id;
    let watches_count = || {
        app.with_db(|c| {
            schema::tags::table
                .filter(schema::tags::name.eq("watches"))
                .select(schema::tags::question_count)
                .first::<i32>(c)
                .unwrap()
        })
    };
    assert_eq!(watches_count(), 1);

    // Members cannot, and staff accounts cannot be swept; nothing changes.
    fred.submit(&path, &format!("/users/{spammer_id}/delete-as-spam"), &[]).await.assert_status(403);
    mona.submit(&path, &format!("/users/{stella_id}/delete-as-spam"), &[]).await.assert_status(403);
    assert!(post(&app, spam_answer).deleted_at.is_none());

    // The spammer's profile offers the sweep to moderators only.
    let profile = app.get(&format!("/users/{spammer_id}")).await.header("location").unwrap().to_owned();
    let button = format!("action=\"/users/{spammer_id}/delete-as-spam\"");
    let member_view = fred.get(&profile).await;
    assert!(member_view.assert_status(200).body.contains("spammer") && !member_view.body.contains(&button));
    mona.get(&profile).await.assert_status(200).assert_contains(&button);
    let done = mona.submit(&path, &format!("/users/{spammer_id}/delete-as-spam"), &[("next", "/mod/flags")]).await;
    done.assert_status(303);
    assert_eq!(done.header("location"), Some("/mod/flags"));
    assert!(post(&app, spam_answer).deleted_at.is_some());
    assert!(post(&app, question_id(&spam_question)).deleted_at.is_some());
    assert!(comment_ids(&app, qid).is_empty());
    assert_eq!(post(&app, qid).answer_count, 0);
    assert_eq!(post(&app, qid).comment_count, 0);
    assert_eq!(watches_count(), 0);
    let user = app.with_db(|c| users::find(c, spammer_id).unwrap().unwrap());
    assert!(user.suspended_at.is_some());
    // The spammer's session is over.
    assert!(!spammer.is_signed_in().await);
    app.another_visitor().get(&spam_question).await.assert_status(410);
    // Nothing was removed: a moderator can still bring a post back.
    mona.submit(&path, &format!("/posts/{spam_answer}/undelete"), &[]).await.assert_status(303);
    assert!(post(&app, spam_answer).deleted_at.is_none());
    assert!(actions(&app).contains(&"user.delete-as-spam".to_owned()));
}

async fn comment_authors_delete_their_own_and_only_moderators_undelete(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let mona = signed_in(&app, "mona", Role::Moderator).await;
    let path = fred.ask_ok("Can I wash my widget in the dishwasher?", "widgets").await;
    let qid = question_id(&path);
    wilma.submit(&path, &format!("/posts/{qid}/comments"), &[("body", "Which model do you have exactly?")]).await;
    let comment = comment_ids(&app, qid)[0];
    fred.submit(&path, &format!("/comments/{comment}/delete"), &[]).await.assert_status(403);
    assert_eq!(comment_ids(&app, qid), vec![comment]);
    wilma.submit(&path, &format!("/comments/{comment}/delete"), &[]).await.assert_status(303);
    assert!(comment_ids(&app, qid).is_empty());
    wilma.submit(&path, &format!("/comments/{comment}/undelete"), &[]).await.assert_status(403);
    mona.submit(&path, &format!("/comments/{comment}/delete"), &[]).await.assert_status(409);
    mona.submit(&path, &format!("/comments/{comment}/undelete"), &[]).await.assert_status(303);
    assert_eq!(comment_ids(&app, qid), vec![comment]);
}

async fn the_moderation_log_lists_and_filters(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let mona = signed_in(&app, "mona", Role::Moderator).await;
    let max = signed_in(&app, "max", Role::Moderator).await;
    let one = fred.ask_ok("Why does my widget beep three times at start?", "widgets").await;
    let two = fred.ask_ok("Why does my widget blink red after charging?", "widgets").await;
    mona.submit(&one, &format!("/posts/{}/lock", question_id(&one)), &[("reason", "heated thread")]).await;
    max.submit(&two, &format!("/posts/{}/delete", question_id(&two)), &[]).await.assert_status(303);

    fred.get("/mod/log").await.assert_status(403);
    let all = mona.get("/mod/log").await;
    all.assert_status(200).assert_contains("post.lock").assert_contains("post.delete").assert_contains("heated thread");
    let by_max = mona.get("/mod/log?actor=max").await;
    by_max.assert_contains("post.delete");
    assert!(!by_max.body.contains("post.lock"));
    let locks = mona.get("/mod/log?action=post.l").await;
    assert!(locks.body.contains("post.lock") && !locks.body.contains("post.delete"));
    let on_two = mona.get(&format!("/mod/log?target=post&id={}", question_id(&two))).await;
    assert!(on_two.body.contains("post.delete") && !on_two.body.contains("post.lock"));
    mona.get("/mod/log?actor=nobody").await.assert_contains("No actions match");
    mona.get("/mod/log?id=abc").await.assert_status(400);
    mona.get("/mod/log?target=planet").await.assert_status(400);
    // A deleted post's log link leads the moderator to it.
    let located = mona.get(&format!("/posts/{}", question_id(&two))).await;
    located.assert_status(303);
}

on_both_backends!(
    members_flag_and_moderators_agree_or_disagree,
    spam_flags_hide_a_post_until_a_moderator_decides,
    delete_as_spam_hides_everything_and_suspends,
    comment_authors_delete_their_own_and_only_moderators_undelete,
    the_moderation_log_lists_and_filters,
);
