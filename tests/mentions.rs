//! `@username` mentions: linked only for members who exist and only in prose, told once each (at
//! most five per post), never the author, suspended members or anyone while the text is hidden.

use crate::common;

use diesel::prelude::*;
use guidepost::db::models::{comments, posts, users};
use guidepost::db::schema::{mentions, notifications};
use guidepost::domain::MailPreference;
use guidepost::roles::Role;

use common::forum::question_id;
use common::members::{email_of, PASSWORD};
use common::TestApp;

const TITLE: &str = "Why did my red widget break in the rain?";

/// The events of a member's notifications, oldest first.
fn events_of(app: &TestApp, user_id: i64) -> Vec<String> {
    app.with_db(|conn| {
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .order(notifications::id.asc())
            .select(notifications::event)
            .load(conn)
            .unwrap()
    })
}

fn mention_count(app: &TestApp, user_id: i64) -> usize {
    events_of(app, user_id).iter().filter(|e| *e == "mentioned").count()
}

fn mention_rows(app: &TestApp) -> i64 {
    app.with_db(|conn| mentions::table.count().get_result(conn).unwrap())
}

fn link_to(id: i64, name: &str, shown: &str) -> String {
    format!("<a class=\"mention\" href=\"/users/{id}/{name}\" rel=\"nofollow ugc noopener\">@{shown}</a>")
}

fn post_html(app: &TestApp, id: i64) -> String {
    app.with_db(|c| posts::find(c, id).unwrap().unwrap().body_html)
}

async fn ask_with(member: &TestApp, body: &str) -> String {
    let page = member.submit("/ask", "/ask", &[("title", TITLE), ("body", body), ("tags", "widgets")]).await;
    page.assert_status(303);
    page.header("location").unwrap().to_owned()
}

async fn mentions_link_members_who_exist_and_tell_them_once(app: TestApp) {
    // Staff, because a new member's link would hold the question for review (tested below).
    let (fred, fred_id) = app.signed_in_member("fred", Role::Staff).await;
    let (_, ann_id) = app.signed_in_member("ann", Role::Member).await;
    let (_, bob_id) = app.signed_in_member("Bob", Role::Member).await;
    app.with_db(|c| users::set_email_preference(c, bob_id, MailPreference::Never).unwrap());
    let body = "Can @ann or @bob help? I am @fred; not `@ann` in code, not fred@ann.example, \
                not [@ann](https://example.com), and @nobody is nobody.\n\n```\n@bob\n```";
    let path = ask_with(&fred, body).await;
    let id = question_id(&path);

    let html = post_html(&app, id);
    assert!(html.contains(&link_to(ann_id, "ann", "ann")), "{html}");
    assert!(html.contains(&link_to(bob_id, "bob", "bob")), "names match in any case: {html}");
    assert!(html.contains(&link_to(fred_id, "fred", "fred")), "{html}");
    assert!(html.contains("<code>@ann</code>") && html.contains("@nobody is nobody"), "{html}");
    assert!(html.contains("fred@ann.example") && html.contains("<code>@bob\n</code>"), "{html}");
    assert_eq!(html.matches("class=\"mention\"").count(), 3, "{html}");
    app.get(&path).await.assert_status(200).assert_contains(&link_to(ann_id, "ann", "ann"));

    assert_eq!(mention_count(&app, ann_id), 1);
    assert_eq!(mention_count(&app, bob_id), 1, "Bob is told even though he wants no mail");
    assert_eq!(mention_count(&app, fred_id), 0, "nobody is told of mentioning themselves");
    let mail = app.mail_to(&email_of("ann"));
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert!(mail[0].0.contains(TITLE) && mail[0].1.contains(&format!("/questions/{id}")), "{mail:?}");
    assert!(app.mail_to(&email_of("bob")).is_empty(), "Bob chose no mail");

    let ann = app.another_visitor();
    ann.sign_in("ann", PASSWORD).await.assert_status(303);
    ann.get("/notifications").await.assert_status(200).assert_contains("fred mentioned you");
}

async fn an_edit_tells_only_members_newly_mentioned(app: TestApp) {
    let (fred, _) = app.signed_in_member("fred", Role::Member).await;
    let (wilma, _) = app.signed_in_member("wilma", Role::Member).await;
    let (_, ann_id) = app.signed_in_member("ann", Role::Member).await;
    let (_, bob_id) = app.signed_in_member("bob", Role::Member).await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    let answer = wilma.answer(&path, "Dry it for a day, as @ann explained to me last week.").await;
    assert_eq!(mention_count(&app, ann_id), 1);

    let edit = format!("/posts/{answer}/edit");
    let body = "Dry it for a day, as @ann and @bob explained to me last week.";
    wilma.submit(&edit, &edit, &[("body", body), ("reason", "credit bob")]).await.assert_status(303);
    assert_eq!(mention_count(&app, ann_id), 1, "ann was told already");
    assert_eq!(mention_count(&app, bob_id), 1);
    let html = post_html(&app, answer);
    assert!(html.contains(&link_to(ann_id, "ann", "ann")) && html.contains(&link_to(bob_id, "bob", "bob")), "{html}");

    // Taking a mention out and putting it back tells nobody again.
    wilma.submit(&edit, &edit, &[("body", "Dry it for a day, as @bob explained."), ("reason", "r")]).await;
    wilma.submit(&edit, &edit, &[("body", body), ("reason", "again")]).await.assert_status(303);
    assert_eq!((mention_count(&app, ann_id), mention_count(&app, bob_id)), (1, 1));
    assert_eq!(mention_rows(&app), 2);
}

async fn a_post_tells_at_most_five_members(app: TestApp) {
    let (fred, _) = app.signed_in_member("fred", Role::Member).await;
    let mut ids = Vec::new();
    for n in 1..=7 {
        ids.push(app.create_user(&format!("member{n}"), Role::Member));
    }
    let body = "Thanks @member1 @member2 @member1 @member3 @member4 @member5 @member6 @member7 all.";
    let path = fred.ask_ok(TITLE, "widgets").await;
    let answer = fred.answer(&path, body).await;
    let told: Vec<usize> = ids.iter().map(|id| mention_count(&app, *id)).collect();
    assert_eq!(told, [1, 1, 1, 1, 1, 0, 0], "the first five distinct members mentioned");
    let html = post_html(&app, answer);
    assert_eq!(html.matches("class=\"mention\"").count(), 8, "every existing name is linked: {html}");

    // The cap is for the post's whole life: an edit cannot tell two more.
    let edit = format!("/posts/{answer}/edit");
    let more = format!("{body} And @member6 again.");
    fred.submit(&edit, &edit, &[("body", &more), ("reason", "more")]).await.assert_status(303);
    assert_eq!(mention_count(&app, ids[5]), 0);
}

async fn hidden_text_tells_nobody_until_it_is_public(app: TestApp) {
    let (fred, _) = app.signed_in_member("fred", Role::Member).await;
    let (newbie, _) = app.signed_in_member("newbie", Role::Member).await;
    let (mona, _) = app.signed_in_member("mona", Role::Moderator).await;
    let (_, ann_id) = app.signed_in_member("ann", Role::Member).await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    let qid = question_id(&path);

    // A new member's link holds the answer for review: linked, but nobody told yet.
    let body = "@ann showed me https://widgets.example/rain-fix which fixed mine.";
    let held = newbie.submit(&path, &format!("/questions/{qid}/answers"), &[("body", body)]).await;
    held.assert_status(303);
    let answer: i64 = held.header("location").unwrap().rsplit("#answer-").next().unwrap().parse().unwrap();
    assert!(app.with_db(|c| posts::find(c, answer).unwrap().unwrap().held_reason.is_some()));
    assert!(post_html(&app, answer).contains(&link_to(ann_id, "ann", "ann")));
    assert_eq!(mention_count(&app, ann_id), 0, "nobody is told of a held answer");

    mona.submit("/mod/review", &format!("/mod/review/{answer}"), &[("decision", "approve")]).await.assert_status(303);
    assert_eq!(mention_count(&app, ann_id), 1, "told once it is public");

    // A held question likewise.
    let asked = newbie
        .submit(
            "/ask",
            "/ask",
            &[
                ("title", "How do I reset the widget clock after a power cut?"),
                ("body", "@ann wrote https://widgets.example/clock but it did not work for me."),
                ("tags", "widgets"),
            ],
        )
        .await;
    asked.assert_status(303);
    let held_qid = question_id(asked.header("location").unwrap());
    assert_eq!(mention_count(&app, ann_id), 1);
    mona.submit("/mod/review", &format!("/mod/review/{held_qid}"), &[("decision", "approve")]).await.assert_status(303);
    assert_eq!(mention_count(&app, ann_id), 2);
}

async fn suspended_members_are_not_told(app: TestApp) {
    let (fred, _) = app.signed_in_member("fred", Role::Member).await;
    let (_, sue_id) = app.signed_in_member("sue", Role::Member).await;
    let now = chrono::Utc::now().naive_utc();
    app.with_db(|c| users::set_suspension(c, sue_id, Some((now, "spam"))).unwrap());
    let path = fred.ask_ok(TITLE, "widgets").await;
    let answer = fred.answer(&path, "As @sue said, dry it in a warm room for a whole day.").await;
    assert_eq!(mention_count(&app, sue_id), 0);
    assert!(app.mail_to(&email_of("sue")).is_empty());
    assert_eq!(mention_rows(&app), 0);
    // Her name still links to her profile.
    assert!(post_html(&app, answer).contains(&link_to(sue_id, "sue", "sue")));
}

async fn comments_mention_too(app: TestApp) {
    let (fred, fred_id) = app.signed_in_member("fred", Role::Member).await;
    let (_, ann_id) = app.signed_in_member("ann", Role::Member).await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    let qid = question_id(&path);
    let action = format!("/posts/{qid}/comments");
    fred.submit(&path, &action, &[("body", "@ann could you look at this? `@ann` and @fred")]).await.assert_status(303);
    let comment = app.with_db(|c| comments::on_posts(c, &[qid]).unwrap().pop().unwrap());
    assert_eq!(
        comment.body_html,
        format!(
            "{} could you look at this? <code>@ann</code> and {}",
            link_to(ann_id, "ann", "ann"),
            link_to(fred_id, "fred", "fred")
        )
    );
    assert_eq!(mention_count(&app, ann_id), 1);
    assert_eq!(mention_count(&app, fred_id), 0);
    let rows: Vec<(Option<i64>, Option<i64>)> =
        app.with_db(|c| mentions::table.select((mentions::post_id, mentions::comment_id)).load(c).unwrap());
    assert_eq!(rows, [(None, Some(comment.id))]);
    app.get(&path).await.assert_contains(&link_to(ann_id, "ann", "ann"));
}

on_both_backends!(
    mentions_link_members_who_exist_and_tell_them_once,
    an_edit_tells_only_members_newly_mentioned,
    a_post_tells_at_most_five_members,
    hidden_text_tells_nobody_until_it_is_public,
    suspended_members_are_not_told,
    comments_mention_too,
);
