//! A deleted question takes its answers out of reach: no revision pages, no profile listing, no
//! voting, commenting, flagging or editing on them.

use guidepost::roles::Role;

use crate::common::forum::question_id;
use crate::common::{Page, TestApp};
use crate::hardening::{count_posts, signed_in};

/// A member's public profile, after its canonical redirect.
async fn profile(app: &TestApp, user_id: i64) -> Page {
    let page = app.get(&format!("/users/{user_id}")).await;
    match page.header("location") {
        Some(canonical) if page.status.is_redirection() => app.get(canonical).await,
        _ => page,
    }
}

async fn answers_of_a_deleted_question_are_out_of_reach(app: TestApp) {
    let (fred, _) = signed_in(&app, "fred", Role::Member).await;
    let (wilma, wilma_id) = signed_in(&app, "wilma", Role::Member).await;
    let (barney, _) = signed_in(&app, "barney", Role::Member).await;
    let (moderator, _) = signed_in(&app, "moira", Role::Moderator).await;
    let title = "Why does the blue gadget hum at night?";
    let path = fred.ask_ok(title, "gadgets").await;
    let answer = wilma.answer(&path, "The transformer hums when the mains frequency drifts at night.").await;
    profile(&app, wilma_id).await.assert_status(200).assert_contains(title);
    let id = question_id(&path);
    moderator.submit(&path, &format!("/posts/{id}/delete"), &[("reason", "off topic")]).await.assert_status(303);
    app.get(&path).await.assert_status(410);

    app.get(&format!("/posts/{answer}/revisions")).await.assert_status(404);
    let profile = profile(&app, wilma_id).await;
    profile.assert_status(200);
    assert!(!profile.body.contains(title), "the profile still lists the deleted question:\n{}", profile.body);

    let before = count_posts(&app);
    // Any page with a form gives the visitor a token; the question page itself is gone.
    let acts = [
        (format!("/posts/{answer}/vote"), vec![("value", "up")]),
        (format!("/posts/{answer}/comments"), vec![("body", "Is the transformer the original one?")]),
        (format!("/posts/{answer}/flag"), vec![("reason", "spam"), ("note", "")]),
        (
            format!("/posts/{answer}/edit"),
            vec![("body", "The transformer hums when the mains frequency drifts, mostly at night."), ("reason", "")],
        ),
    ];
    for (action, fields) in acts {
        let page = barney.submit("/ask", &action, &fields).await;
        assert_eq!(page.status.as_u16(), 404, "{action} answered {}:\n{}", page.status, page.body);
    }
    wilma.get(&format!("/posts/{answer}/edit")).await.assert_status(404);
    let page =
        wilma.submit("/ask", &format!("/posts/{answer}/edit"), &[("body", "Edited after the question went.")]).await;
    page.assert_status(404);
    assert_eq!(count_posts(&app), before);
    let (score, comments): (i32, i32) = app.with_db(|c| {
        use diesel::prelude::*;
        use guidepost::db::schema::posts::dsl;
        dsl::posts.find(answer).select((dsl::score, dsl::comment_count)).first(c).unwrap()
    });
    assert_eq!((score, comments), (0, 0), "a vote or comment landed on an answer of a deleted question");
}

crate::on_both_backends!(answers_of_a_deleted_question_are_out_of_reach);
