//! Asking, the question page and its canonical URL, answers, acceptance, votes, comments.

use crate::common;

use guidepost::db::models::{posts, tags};
use guidepost::roles::Role;

use common::forum::{question_id, DETAILS};
use common::members::PASSWORD;
use common::TestApp;

const TITLE: &str = "Why did my red widget break in the rain?";

/// The stored text of each revision of a post, oldest first: `None` where it shares the post's.
fn stored_revision_bodies(conn: &mut guidepost::db::DbConnection, post_id: i64) -> Vec<Option<String>> {
    use diesel::prelude::*;
    use guidepost::db::schema::revisions;
    revisions::table
        .filter(revisions::post_id.eq(post_id))
        .order(revisions::id)
        .select(revisions::body_markdown)
        .load(conn)
        .unwrap()
}

async fn signed_in(app: &TestApp, username: &str, role: Role) -> TestApp {
    let visitor = app.another_visitor();
    app.create_user(username, role);
    visitor.sign_in(username, PASSWORD).await.assert_status(303);
    visitor
}

async fn a_member_asks_and_the_page_has_one_canonical_url(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let path = fred.ask_ok(TITLE, "widgets, Rain").await;
    assert_eq!(path, format!("/questions/{}/why-did-my-red-widget-break-in-the-rain", question_id(&path)));
    let id = question_id(&path);

    let visitor = app.another_visitor();
    let page = visitor.get(&path).await;
    page.assert_status(200)
        .assert_contains(&format!("<h1 id=\"question-title\">{TITLE}</h1>"))
        .assert_contains("stopped working after the rain")
        .assert_contains("href=\"/tags/widgets\"")
        .assert_contains("href=\"/tags/rain\"")
        .assert_contains("fred")
        .assert_contains("Viewed 1 time")
        .assert_contains(&format!("<link rel=\"canonical\" href=\"http://forum.test{path}\">"));
    visitor.get(&path).await.assert_contains("Viewed 1 time");
    app.another_visitor().get(&path).await.assert_contains("Viewed 1 time");
    fred.get(&path).await.assert_contains("Viewed 2 times");

    for wrong in [format!("/questions/{id}"), format!("/questions/{id}/some-old-title")] {
        let moved = visitor.get(&wrong).await;
        moved.assert_status(301);
        assert_eq!(moved.header("location"), Some(path.as_str()));
    }
    visitor.get("/questions/999999/nothing").await.assert_status(404);
    visitor.get("/questions/abc").await.assert_status(404);

    let tag = app.with_db(|conn| tags::find_by_name(conn, "widgets").unwrap().unwrap());
    assert_eq!(tag.question_count, 1);
    app.get("/tags").await.assert_status(200).assert_contains("widgets");
    app.get("/tags/widgets").await.assert_status(200).assert_contains(TITLE);
    app.get("/tags/nothing-here").await.assert_status(404);
    app.get("/").await.assert_contains(TITLE);
    app.get("/questions?sort=unanswered").await.assert_contains(TITLE);
}

async fn bad_questions_are_explained_and_change_nothing(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let cases: [(&str, &str, &str, &str); 5] = [
        ("Too short", DETAILS, "widgets", "Use 15 to 150 characters"),
        (TITLE, "Too short to help.", "widgets", "Use 30 to 30000 characters"),
        (TITLE, DETAILS, "", "Give 1 to 5 tags"),
        (TITLE, DETAILS, "a b c d e f", "Give 1 to 5 tags"),
        (TITLE, DETAILS, "rain rain", "is given twice"),
    ];
    for (title, body, tag_text, message) in cases {
        let page = fred.submit("/ask", "/ask", &[("title", title), ("body", body), ("tags", tag_text)]).await;
        page.assert_status(422).assert_contains(message).assert_contains(&format!("value=\"{title}\""));
    }
    let odd_tag = fred.submit("/ask", "/ask", &[("title", TITLE), ("body", DETAILS), ("tags", "what?")]).await;
    odd_tag.assert_status(422).assert_contains("is not a tag");
    let none = app.with_db(|conn| posts::list_questions(conn, posts::QuestionOrder::Newest, 0, 10).unwrap());
    assert!(none.is_empty());

    // Anonymous visitors are sent to sign in; unconfirmed members may not post.
    app.get("/ask").await.assert_status(303);
    let newcomer = app.another_visitor();
    newcomer.sign_up("newcomer").await;
    newcomer.sign_in("newcomer", PASSWORD).await;
    newcomer.ask(TITLE, "widgets").await.assert_status(403).assert_contains("verify your email");
}

async fn answers_are_accepted_by_the_asker_and_shown_first(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let barney = signed_in(&app, "barney", Role::Member).await;
    let path = fred.ask_ok(TITLE, "widgets").await;

    let first =
        wilma.answer(&path, "Dry it for a day in a warm room, then replace the seal on the battery cover.").await;
    let second =
        barney.answer(&path, "Water got under the seal; widgets of that year need the newer gasket kit.").await;
    let permalink = app.get(&format!("/a/{second}")).await;
    permalink.assert_status(301);
    assert_eq!(permalink.header("location"), Some(format!("{path}#answer-{second}").as_str()));

    // More votes put an answer first...
    fred.vote(&path, second, "up").await.assert_status(303);
    let page = app.get(&path).await;
    assert!(page.body.find(&format!("id=\"answer-{second}\"")) < page.body.find(&format!("id=\"answer-{first}\"")));
    // ...but the asker's accepted answer comes before it.
    let accepted = fred.submit(&path, &format!("/answers/{first}/accept"), &[]).await;
    accepted.assert_status(303);
    let page = app.get(&path).await;
    page.assert_contains("Accepted answer");
    assert!(page.body.find(&format!("id=\"answer-{first}\"")) < page.body.find(&format!("id=\"answer-{second}\"")));
    assert_eq!(app.with_db(|c| posts::find(c, question_id(&path)).unwrap().unwrap().accepted_answer_id), Some(first));

    wilma.submit(&path, &format!("/answers/{second}/accept"), &[]).await.assert_status(403);
    fred.submit(&path, &format!("/answers/{second}/accept"), &[]).await.assert_status(303);
    assert_eq!(app.with_db(|c| posts::find(c, question_id(&path)).unwrap().unwrap().accepted_answer_id), Some(second));
    fred.submit(&path, &format!("/answers/{second}/accept"), &[]).await.assert_status(303);
    assert_eq!(app.with_db(|c| posts::find(c, question_id(&path)).unwrap().unwrap().accepted_answer_id), None);

    let question = app.with_db(|c| posts::find(c, question_id(&path)).unwrap().unwrap());
    assert_eq!(question.answer_count, 2);
    let short = wilma.submit(&path, &format!("/questions/{}/answers", question.id), &[("body", "Try again.")]).await;
    short.assert_status(422).assert_contains("Use 30 to 30000 characters").assert_contains(">Try again.</textarea>");
}

async fn votes_are_one_per_member_and_never_on_your_own_post(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    let id = question_id(&path);
    let score = || app.with_db(|c| posts::find(c, id).unwrap().unwrap().score);

    fred.vote(&path, id, "up").await.assert_status(403).assert_contains("your own post");
    assert_eq!(score(), 0);
    wilma.vote(&path, id, "up").await.assert_status(303);
    wilma.vote(&path, id, "up").await.assert_status(303);
    assert_eq!(score(), 1, "voting twice counts once");
    wilma.vote(&path, id, "down").await;
    assert_eq!(score(), -1);
    wilma.vote(&path, id, "none").await;
    assert_eq!(score(), 0);
    wilma.vote(&path, id, "sideways").await.assert_status(422);

    let page = wilma.get(&path).await;
    let token = page.csrf_token().unwrap();
    let json = wilma
        .send(
            actix_web::test::TestRequest::post()
                .uri(&format!("/posts/{id}/vote"))
                .insert_header(("Accept", "application/json"))
                .set_form([("value", "up"), ("csrf_token", token.as_str())]),
        )
        .await;
    json.assert_status(200);
    let outcome: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!((outcome["score"].as_i64(), outcome["vote"].as_i64()), (Some(1), Some(1)));

    let anonymous = app.another_visitor();
    let page = anonymous.get(&path).await;
    assert!(!page.body.contains("class=\"vote-form\""), "visitors see the score, not the buttons");
    let refused = anonymous.submit("/login", &format!("/posts/{id}/vote"), &[("value", "up")]).await;
    refused.assert_status(303);
    assert!(refused.header("location").unwrap().starts_with("/login"));
    assert_eq!(score(), 1);
    wilma.vote(&path, 999_999, "up").await.assert_status(404);
}

async fn comments_are_short_and_inline(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    // Staff, because new members may not put links in comments (tests/anti_spam.rs).
    let wilma = signed_in(&app, "wilma", Role::Staff).await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    let id = question_id(&path);
    let action = format!("/posts/{id}/comments");

    wilma
        .submit(&path, &action, &[("body", "Which *model* is it? See `W-40` [specs](https://example.com/specs).")])
        .await
        .assert_status(303);
    let page = app.get(&path).await;
    page.assert_contains("<em>model</em>")
        .assert_contains("<code>W-40</code>")
        .assert_contains("rel=\"nofollow ugc noopener\"");
    assert_eq!(app.with_db(|c| posts::find(c, id).unwrap().unwrap().comment_count), 1);

    wilma.submit(&path, &action, &[("body", "Too short")]).await.assert_status(303);
    wilma.get(&path).await.assert_contains("Comment not added: Use 15 to 600 characters");
    assert_eq!(app.with_db(|c| posts::find(c, id).unwrap().unwrap().comment_count), 1);
}

async fn markdown_is_rendered_inert(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let body = "Hello <script>alert(1)</script> and [click](javascript:alert(1)) and <img src=x onerror=alert(1)>\n\n```rust\nfn main() {}\n```";
    let page = fred.submit("/ask", "/ask", &[("title", TITLE), ("body", body), ("tags", "widgets")]).await;
    page.assert_status(303);
    let shown = app.get(page.header("location").unwrap()).await;
    shown.assert_status(200).assert_contains("class=\"language-rust\"");
    assert!(!shown.body.contains("<script>alert"), "script survived");
    assert!(!shown.body.contains("javascript:alert"), "javascript: link survived");
    assert!(!shown.body.contains("onerror"), "event handler survived");
}

async fn posts_are_edited_with_history(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let moderator = signed_in(&app, "mod", Role::Moderator).await;
    let path = fred.ask_ok(TITLE, "widgets rain").await;
    let id = question_id(&path);
    let edit = format!("/posts/{id}/edit");

    // Tests give every privilege at 0 reputation, so wilma may edit too (tests/suggested_edits.rs
    // has her below the threshold); an anonymous visitor is sent to sign in.
    wilma.get(&edit).await.assert_status(200);
    app.another_visitor().get(&edit).await.assert_status(303);
    let new_title = "Why did my red widget stop working after rain?";
    let new_body = format!("{DETAILS}\n\nIt is the 2019 model.");
    let saved = fred
        .submit(
            &edit,
            &edit,
            &[("title", new_title), ("body", &new_body), ("tags", "widgets water"), ("reason", "added the model year")],
        )
        .await;
    saved.assert_status(303);
    assert_eq!(
        saved.header("location"),
        Some(format!("/questions/{id}/why-did-my-red-widget-stop-working-after-rain").as_str())
    );
    let moved = app.get(&path).await;
    moved.assert_status(301);

    let post = app.with_db(|c| posts::find(c, id).unwrap().unwrap());
    assert_eq!(post.tags.as_deref(), Some("widgets water"));
    let counts = app.with_db(|c| {
        ["rain", "water", "widgets"].map(|name| tags::find_by_name(c, name).unwrap().map(|t| t.question_count))
    });
    assert_eq!(counts, [Some(0), Some(1), Some(1)]);

    let unchanged = fred
        .submit(&edit, &edit, &[("title", new_title), ("body", &new_body), ("tags", "widgets water"), ("reason", "")])
        .await;
    unchanged.assert_status(422).assert_contains("Nothing changed.");
    moderator
        .submit(
            &edit,
            &edit,
            &[
                ("title", new_title),
                ("body", &format!("{new_body}\n\nTagged by a moderator.")),
                ("tags", "widgets water"),
                ("reason", "clarity"),
            ],
        )
        .await
        .assert_status(303);

    let history = app.get(&format!("/posts/{id}/revisions")).await;
    history
        .assert_status(200)
        .assert_contains("Version 3")
        .assert_contains("Version 1 (original)")
        .assert_contains("added the model year")
        .assert_contains("<ins>+ It is the 2019 model.</ins>")
        .assert_contains(&format!("<del>{TITLE}</del>"));
    // Only the latest version shares the post's text; each earlier one kept its own copy.
    let bodies = app.with_db(|c| stored_revision_bodies(c, id));
    assert_eq!(bodies, [Some(DETAILS.to_owned()), Some(new_body.clone()), None]);
    let versions = app.with_db(|c| guidepost::db::models::revisions::of_post(c, id).unwrap());
    assert_eq!(versions[2].body_markdown, format!("{new_body}\n\nTagged by a moderator."));
    app.get(&format!("/questions/{id}/x")).await.assert_status(301);
    app.get("/posts/999999/revisions").await.assert_status(404);
}

async fn profiles_list_what_members_asked_and_answered(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let staff = signed_in(&app, "sam", Role::Staff).await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    staff.answer(&path, "Our 2019 widgets need the gasket kit; we replace it for free under warranty.").await;
    let sam_id = app.with_db(|c| guidepost::db::models::users::find_by_username(c, "sam").unwrap().unwrap().id);
    let moved = app.get(&format!("/users/{sam_id}")).await;
    moved.assert_status(301);
    let profile = app.get(moved.header("location").unwrap()).await;
    profile.assert_status(200).assert_contains("Staff").assert_contains(TITLE).assert_contains("gasket kit");
    app.get("/users/999999/nobody").await.assert_status(404);
}

on_both_backends!(
    a_member_asks_and_the_page_has_one_canonical_url,
    bad_questions_are_explained_and_change_nothing,
    answers_are_accepted_by_the_asker_and_shown_first,
    votes_are_one_per_member_and_never_on_your_own_post,
    comments_are_short_and_inline,
    markdown_is_rendered_inert,
    posts_are_edited_with_history,
    profiles_list_what_members_asked_and_answered,
);

async fn lists_page_by_cursor_without_gaps_or_repeats(app: TestApp) {
    use guidepost::services::actor::Actor;
    use guidepost::services::policy::PostingPolicy;
    use guidepost::services::questions::{self, Ask};

    let id = app.create_user("fred", Role::Member);
    let start = chrono::Utc::now().naive_utc();
    app.with_feed(|conn, feed| {
        let actor = Actor::from_user(&guidepost::db::models::users::find(conn, id).unwrap().unwrap());
        let policy = PostingPolicy {
            require_verified_email: true,
            allow_images: true,
            moderation: common::NO_POSTING_LIMITS,
            privileges: guidepost::domain::Privileges::of(&common::NO_POSTING_LIMITS),
        };
        for n in 0..65 {
            let ask = Ask {
                title: format!("Question number {n:03} about widgets"),
                body: DETAILS.into(),
                tags: "widgets".into(),
            };
            // Every ten questions share a timestamp, so the id must break ties.
            questions::ask(
                conn,
                feed,
                &actor,
                policy,
                ask.prepare(&policy).unwrap(),
                start + chrono::Duration::seconds(n / 10),
            )
            .unwrap();
        }
    });

    for base in ["/questions?sort=newest&", "/tags/widgets?"] {
        let mut seen: Vec<String> = Vec::new();
        let mut url = base.trim_end_matches(['?', '&']).to_owned();
        let mut pages = Vec::new();
        loop {
            let page = app.get(&url).await;
            page.assert_status(200);
            let titles: Vec<String> =
                page.body.match_indices("Question number ").map(|(at, _)| page.body[at..at + 19].to_owned()).collect();
            pages.push(titles.clone());
            seen.extend(titles);
            let Some(at) = page.body.find("rel=\"next\" href=\"") else { break };
            let rest = &page.body[at + 17..];
            url = rest[..rest.find('"').unwrap()].replace("&amp;", "&");
        }
        assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [30, 30, 5], "{base}");
        let mut expected: Vec<String> = (0..65).rev().map(|n| format!("Question number {n:03}")).collect();
        assert_eq!(seen, expected, "{base}: newest first, each once");

        // "Previous" from the last page gives back the middle page exactly.
        let last = app.get(&url).await;
        let at = last.body.find("rel=\"prev\" href=\"").expect("a previous link");
        let rest = &last.body[at + 17..];
        let prev = app.get(&rest[..rest.find('"').unwrap()].replace("&amp;", "&")).await;
        let titles: Vec<String> =
            prev.body.match_indices("Question number ").map(|(at, _)| prev.body[at..at + 19].to_owned()).collect();
        expected.truncate(60);
        assert_eq!(titles, expected[30..60], "{base}");
    }
    app.get("/questions?sort=votes&after=garbage").await.assert_status(200);
    app.get("/questions?page=3").await.assert_status(200).assert_contains("Question number 004");
}

on_both_backends!(lists_page_by_cursor_without_gaps_or_repeats);

async fn previews_render_without_posting(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let ask = fred
        .submit(
            "/ask",
            "/ask",
            &[("title", TITLE), ("body", "**Bold** <script>x</script>"), ("tags", "widgets"), ("preview", "1")],
        )
        .await;
    ask.assert_status(200)
        .assert_contains("<strong>Bold</strong>")
        .assert_contains("value=\"Why did my red widget break in the rain?\"");
    assert!(!ask.body.contains("<script>x"));
    let path = fred.ask_ok(TITLE, "widgets").await;
    let id = question_id(&path);
    let preview = wilma
        .submit(&path, &format!("/questions/{id}/answers"), &[("body", "Try *drying* it first."), ("preview", "1")])
        .await;
    preview.assert_status(200).assert_contains("<em>drying</em>").assert_contains(">Try *drying* it first.</textarea>");
    assert_eq!(app.with_db(|c| posts::find(c, id).unwrap().unwrap().answer_count), 0);

    let live = wilma.submit(&path, "/preview", &[("body", "# Title\n\n[x](javascript:alert(1))")]).await;
    live.assert_status(200).assert_contains("<h3>Title</h3>");
    assert!(!live.body.contains("javascript:"));
    assert!(!live.body.contains("<html"), "a fragment, not a page");
}

on_both_backends!(previews_render_without_posting);
