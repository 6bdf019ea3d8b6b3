//! Suggested edits end to end: below the edit privilege a member's edit of someone else's post
//! waits for review instead of changing it; reviewers (the review privilege, staff always) see
//! each as a difference and approve it (the suggester's revision) or reject it with a reason.

use crate::common;

use diesel::prelude::*;
use guidepost::db::models::suggested_edits::{self, SuggestedEdit};
use guidepost::db::models::{audit_log, notifications, posts, revisions};
use guidepost::db::schema::{suggested_edits as suggestions_table, users};
use guidepost::domain::{NotificationEvent, SuggestionStatus};
use guidepost::roles::Role;

use common::forum::{question_id, DETAILS};
use common::members::PASSWORD;
use common::{Page, TestApp};

const TITLE: &str = "Why did my red widget break in the rain?";
const NEW_BODY: &str = "I left my red widget outside overnight and it stopped working after the heavy rain.";

/// The site with the default-like thresholds these tests are about.
async fn with_thresholds(app: TestApp) -> TestApp {
    app.restart_with(&[("GUIDEPOST_REPUTATION_TO_EDIT", "1000"), ("GUIDEPOST_REPUTATION_TO_REVIEW", "250")]).await
}

async fn member(app: &TestApp, username: &str, role: Role, reputation: i64) -> (TestApp, i64) {
    let visitor = app.another_visitor();
    let id = app.create_user(username, role);
    app.with_db(|c| diesel::update(users::table.find(id)).set(users::reputation.eq(reputation)).execute(c).unwrap());
    visitor.sign_in(username, PASSWORD).await.assert_status(303);
    (visitor, id)
}

/// Submits the edit form of a post as `who`, a signed-in member (the form token comes from the
/// ask page, which always loads for them).
async fn suggest(who: &TestApp, post_id: i64, fields: &[(&str, &str)]) -> Page {
    who.submit("/ask", &format!("/posts/{post_id}/edit"), fields).await
}

fn question_edit<'a>(body: &'a str, summary: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![("title", TITLE), ("tags", "widgets"), ("body", body), ("reason", summary)]
}

fn post(app: &TestApp, id: i64) -> posts::Post {
    app.with_db(|c| posts::find(c, id).unwrap().unwrap())
}

fn suggestions_of(app: &TestApp, post_id: i64) -> Vec<SuggestedEdit> {
    app.with_db(|c| {
        suggestions_table::table
            .filter(suggestions_table::post_id.eq(post_id))
            .order(suggestions_table::id.asc())
            .select(SuggestedEdit::as_select())
            .load(c)
            .unwrap()
    })
}

fn events_of(app: &TestApp, user_id: i64) -> Vec<NotificationEvent> {
    app.with_db(|c| notifications::page_of(c, user_id, None, 50).unwrap().into_iter().map(|n| n.event).collect())
}

fn audit_actions(app: &TestApp, post_id: i64) -> Vec<String> {
    app.with_db(|c| audit_log::for_target(c, "post", post_id, 20).unwrap().into_iter().map(|e| e.action).collect())
}

async fn below_the_threshold_an_edit_waits_for_review(app: TestApp) {
    let app = with_thresholds(app).await;
    let (fred, _) = member(&app, "fred", Role::Member, 1).await;
    let (wilma, _) = member(&app, "wilma", Role::Member, 999).await;
    let (barney, _) = member(&app, "barney", Role::Member, 5).await;
    let (betty, betty_id) = member(&app, "betty", Role::Member, 1000).await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    let id = question_id(&path);

    // The form says what will happen.
    wilma.get(&format!("/posts/{id}/edit")).await.assert_status(200).assert_contains("Suggest an edit");
    // Bad input is refused and stores nothing.
    suggest(&wilma, id, &question_edit(NEW_BODY, "")).await.assert_status(422).assert_contains("reviewers read");
    suggest(&wilma, id, &question_edit("", "fixed it")).await.assert_status(422);
    suggest(&wilma, id, &question_edit(DETAILS, "nothing really")).await.assert_status(422);
    app.submit("/login", &format!("/posts/{id}/edit"), &question_edit(NEW_BODY, "anonymous")).await.assert_status(303);
    assert!(suggestions_of(&app, id).is_empty());

    let done = suggest(&wilma, id, &question_edit(NEW_BODY, "said which rain")).await;
    done.assert_status(303);
    assert_eq!(done.header("location"), Some(path.as_str()));
    wilma
        .get(&path)
        .await
        .assert_contains("Your edit waits for review")
        .assert_contains("Your suggested edit waits for review");
    fred.get(&path).await.assert_contains("An edit waits for review");
    assert_eq!(post(&app, id).body_markdown, DETAILS, "the post is unchanged");
    let stored = suggestions_of(&app, id);
    assert_eq!(stored.len(), 1);
    assert_eq!((stored[0].status, stored[0].body.as_str()), (SuggestionStatus::Pending, NEW_BODY));
    assert_eq!(stored[0].summary, "said which rain");

    // One suggestion waits per post: another member, or the same one again, is refused.
    suggest(&barney, id, &question_edit("Another take on it, with more words in it.", "mine")).await.assert_status(409);
    wilma.get(&format!("/posts/{id}/edit")).await.assert_status(409).assert_contains("waits for review");
    assert_eq!(suggestions_of(&app, id).len(), 1);

    // At the threshold an edit lands at once, and the author always edits their own.
    let direct = "Betty's clearer wording of the question about the widget and the rain.";
    betty.get(&format!("/posts/{id}/edit")).await.assert_status(200).assert_contains("Save edit");
    suggest(&betty, id, &question_edit(direct, "clearer")).await.assert_status(303);
    let now = post(&app, id);
    assert_eq!((now.body_markdown.as_str(), now.editor_id), (direct, Some(betty_id)));
    assert_eq!(suggestions_of(&app, id).len(), 1, "no suggestion for a direct edit");

    // A suspended member may do neither.
    let (dino, dino_id) = member(&app, "dino", Role::Member, 1).await;
    let other = fred.ask_ok("How do I dry a soaked gadget quickly?", "widgets").await;
    app.with_db(|c| {
        diesel::update(users::table.find(dino_id))
            .set(users::suspended_at.eq(chrono::Utc::now().naive_utc()))
            .execute(c)
    })
    .unwrap();
    let other_id = question_id(&other);
    // Suspension ends the session, so the form sends them to sign in.
    dino.submit("/login", &format!("/posts/{other_id}/edit"), &question_edit(NEW_BODY, "x")).await.assert_status(303);
    assert!(suggestions_of(&app, other_id).is_empty());
}

async fn the_queue_needs_the_review_privilege(app: TestApp) {
    let app = with_thresholds(app).await;
    let (wilma, _) = member(&app, "wilma", Role::Member, 12).await;
    let (rita, _) = member(&app, "rita", Role::Member, 250).await;
    let (stella, _) = member(&app, "stella", Role::Staff, 1).await;
    let queue = "/review/suggested-edits";

    wilma.get(queue).await.assert_status(403).assert_contains("needs 250 reputation; you have 12");
    assert!(!wilma.get("/").await.body.contains(queue), "no link for those who may not review");
    rita.get(queue).await.assert_status(200).assert_contains("No suggested edits wait");
    assert!(rita.get("/").await.body.contains(queue), "the nav leads reviewers to the queue");
    stella.get(queue).await.assert_status(200);
    app.get(queue).await.assert_status(303);
}

async fn approving_applies_the_edit_as_the_suggesters_revision(app: TestApp) {
    let app = with_thresholds(app).await;
    let (fred, _) = member(&app, "fred", Role::Member, 1).await;
    let (wilma, wilma_id) = member(&app, "wilma", Role::Member, 300).await;
    let (rita, rita_id) = member(&app, "rita", Role::Member, 250).await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    let id = question_id(&path);
    let new_title = "Why did my red widget stop working after heavy rain?";
    let fields = [("title", new_title), ("tags", "widgets water"), ("body", NEW_BODY), ("reason", "said which rain")];
    suggest(&wilma, id, &fields).await.assert_status(303);
    let suggestion = suggestions_of(&app, id).remove(0);

    // The queue shows the difference against the post as it is now.
    let page = rita.get("/review/suggested-edits").await;
    page.assert_status(200)
        .assert_contains("said which rain")
        .assert_contains("wilma")
        .assert_contains(&format!("<del>{TITLE}</del> → <ins>{new_title}</ins>"))
        .assert_contains("<del>widgets</del> → <ins>widgets water</ins>")
        .assert_contains(&format!("<del>- {DETAILS}</del>"))
        .assert_contains(&format!("<ins>+ {NEW_BODY}</ins>"));

    // Nobody reviews their own suggestion, and bad ids are refused.
    let approve = format!("/review/suggested-edits/{}/approve", suggestion.id);
    wilma.submit("/review/suggested-edits", &approve, &[]).await.assert_status(403);
    rita.submit("/review/suggested-edits", "/review/suggested-edits/999999/approve", &[]).await.assert_status(404);
    assert_eq!(post(&app, id).body_markdown, DETAILS);

    rita.submit("/review/suggested-edits", &approve, &[]).await.assert_status(303);
    let now = post(&app, id);
    assert_eq!((now.title.as_deref(), now.tags.as_deref()), (Some(new_title), Some("widgets water")));
    assert_eq!((now.body_markdown.as_str(), now.editor_id), (NEW_BODY, Some(wilma_id)));
    let latest = app.with_db(|c| revisions::of_post(c, id).unwrap()).pop().unwrap();
    assert_eq!(latest.editor_id, wilma_id, "the revision is the suggester's");
    assert_eq!(latest.reason.as_deref(), Some("said which rain (suggested edit, approved by rita)"));
    let decided = app.with_db(|c| suggested_edits::find(c, suggestion.id).unwrap().unwrap());
    assert_eq!((decided.status, decided.reviewer_id), (SuggestionStatus::Approved, Some(rita_id)));
    assert!(events_of(&app, wilma_id).contains(&NotificationEvent::EditApproved));
    wilma.get("/notifications").await.assert_contains("rita approved your suggested edit to");
    assert!(audit_actions(&app, id).contains(&"suggested_edit.approve".to_owned()));
    // Once decided, it is decided.
    rita.submit("/review/suggested-edits", &approve, &[]).await.assert_status(409);
    assert!(!rita.get("/review/suggested-edits").await.body.contains("said which rain"));
}

async fn rejecting_leaves_the_post_as_it_was(app: TestApp) {
    let app = with_thresholds(app).await;
    let (fred, _) = member(&app, "fred", Role::Member, 1).await;
    let (wilma, wilma_id) = member(&app, "wilma", Role::Member, 1).await;
    let (moderator, _) = member(&app, "molly", Role::Moderator, 1).await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    let answer = fred.answer(&path, "Dry it for a day in a warm room; mine came back after that.").await;
    suggest(
        &wilma,
        answer,
        &[("body", "Dry it for two days in a warm room, away from the heater."), ("reason", "longer")],
    )
    .await
    .assert_status(303);
    let suggestion = suggestions_of(&app, answer).remove(0);
    let reject = format!("/review/suggested-edits/{}/reject", suggestion.id);

    let queue = moderator.get("/review/suggested-edits").await;
    queue.assert_status(200).assert_contains("an answer to").assert_contains("<ins>+ Dry it for two days");
    moderator
        .submit("/review/suggested-edits", &reject, &[("reason", "other"), ("note", " ")])
        .await
        .assert_status(422);
    moderator.submit("/review/suggested-edits", &reject, &[("reason", "because")]).await.assert_status(422);
    moderator
        .submit("/review/suggested-edits", "/review/suggested-edits/999999/reject", &[("reason", "vandalism")])
        .await
        .assert_status(404);
    assert_eq!(suggestions_of(&app, answer)[0].status, SuggestionStatus::Pending);

    moderator.submit("/review/suggested-edits", &reject, &[("reason", "no-improvement")]).await.assert_status(303);
    assert_eq!(post(&app, answer).body_markdown, "Dry it for a day in a warm room; mine came back after that.");
    let decided = suggestions_of(&app, answer).remove(0);
    assert_eq!(decided.status, SuggestionStatus::Rejected);
    assert_eq!(decided.review_note.as_deref(), Some("It does not improve the post."));
    assert!(events_of(&app, wilma_id).contains(&NotificationEvent::EditRejected));
    assert!(audit_actions(&app, answer).contains(&"suggested_edit.reject".to_owned()));
    // Decided: a new suggestion may wait now.
    suggest(&wilma, answer, &[("body", "Dry it for a day, then try it again."), ("reason", "shorter")])
        .await
        .assert_status(303);
}

async fn stale_locked_and_deleted_suggestions_cannot_be_approved(app: TestApp) {
    let app = with_thresholds(app).await;
    let (fred, _) = member(&app, "fred", Role::Member, 1).await;
    let (wilma, _) = member(&app, "wilma", Role::Member, 1).await;
    let (moderator, _) = member(&app, "molly", Role::Moderator, 1).await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    let id = question_id(&path);
    suggest(&wilma, id, &question_edit(NEW_BODY, "said which rain")).await.assert_status(303);
    let suggestion = suggestions_of(&app, id).remove(0);

    // The author edits meanwhile: the suggestion is stale.
    let authors = "Fred's own update: the widget was the 2019 model, left out in a storm overnight.";
    suggest(&fred, id, &question_edit(authors, "model year")).await.assert_status(303);
    moderator.get("/review/suggested-edits").await.assert_contains("stale");
    let approve = format!("/review/suggested-edits/{}/approve", suggestion.id);
    moderator.submit("/review/suggested-edits", &approve, &[]).await.assert_status(409).assert_contains("stale");
    assert_eq!(post(&app, id).body_markdown, authors);
    moderator
        .submit(
            "/review/suggested-edits",
            &format!("/review/suggested-edits/{}/reject", suggestion.id),
            &[("reason", "changes-meaning")],
        )
        .await
        .assert_status(303);

    // A locked post takes no suggestions, and one waiting from before cannot be approved.
    suggest(&wilma, id, &question_edit(NEW_BODY, "again")).await.assert_status(303);
    let waiting = suggestions_of(&app, id).pop().unwrap();
    moderator.submit(&path, &format!("/posts/{id}/lock"), &[]).await.assert_status(303);
    let approve = format!("/review/suggested-edits/{}/approve", waiting.id);
    moderator.submit("/review/suggested-edits", &approve, &[]).await.assert_status(409).assert_contains("locked");
    let other = fred.ask_ok("How do I dry a soaked gadget quickly?", "widgets").await;
    let other_id = question_id(&other);
    moderator.submit(&other, &format!("/posts/{other_id}/lock"), &[]).await.assert_status(303);
    suggest(&wilma, other_id, &question_edit(NEW_BODY, "locked")).await.assert_status(403);
    assert!(suggestions_of(&app, other_id).is_empty());
    assert_eq!(post(&app, id).body_markdown, authors);

    // A deleted post takes none either, and one waiting from before cannot be approved.
    let third = fred.ask_ok("Can a widget survive a snow storm outside?", "widgets").await;
    let third_id = question_id(&third);
    suggest(&wilma, third_id, &question_edit(NEW_BODY, "about snow")).await.assert_status(303);
    let waiting = suggestions_of(&app, third_id).pop().unwrap();
    moderator.submit(&third, &format!("/posts/{third_id}/delete"), &[]).await.assert_status(303);
    moderator.get("/review/suggested-edits").await.assert_contains("The post was deleted.");
    let approve = format!("/review/suggested-edits/{}/approve", waiting.id);
    moderator.submit("/review/suggested-edits", &approve, &[]).await.assert_status(409).assert_contains("deleted");
    let again = suggest(&wilma, third_id, &question_edit("Yet another wording of the snow question.", "x")).await;
    assert_eq!(again.status.as_u16(), 404, "{}", again.body);
    assert_eq!(post(&app, third_id).body_markdown, DETAILS);
}

async fn a_members_suggestions_are_in_their_data_and_go_with_their_account(app: TestApp) {
    let app = with_thresholds(app).await;
    let (fred, _) = member(&app, "fred", Role::Member, 1).await;
    let (wilma, _) = member(&app, "wilma", Role::Member, 1).await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    let id = question_id(&path);
    suggest(&wilma, id, &question_edit(NEW_BODY, "said which rain")).await.assert_status(303);

    let export = wilma.submit("/settings", "/settings/export", &[]).await;
    export.assert_status(200);
    let data: serde_json::Value = serde_json::from_str(&export.body).unwrap();
    assert_eq!(data["suggested_edits"][0]["post_id"], id);
    assert_eq!(data["suggested_edits"][0]["summary"], "said which rain");
    assert_eq!(data["suggested_edits"][0]["status"], "pending");

    wilma
        .submit("/settings/delete-account", "/settings/delete-account", &[("confirm", "wilma")])
        .await
        .assert_status(303);
    assert!(suggestions_of(&app, id).is_empty(), "nobody applies a deleted member's waiting edit");
    fred.get(&path).await.assert_status(200);
    assert!(!fred.get(&path).await.body.contains("An edit waits for review"));
}

on_both_backends!(
    below_the_threshold_an_edit_waits_for_review,
    the_queue_needs_the_review_privilege,
    approving_applies_the_edit_as_the_suggesters_revision,
    rejecting_leaves_the_post_as_it_was,
    stale_locked_and_deleted_suggestions_cannot_be_approved,
    a_members_suggestions_are_in_their_data_and_go_with_their_account,
);
