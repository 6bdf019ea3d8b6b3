//! Official answers: who may give them, how they are shown and ordered, endorsing, withdrawing,
//! reviewing, and the staff queue they empty.

use crate::common;

use guidepost::db::models::{audit_log, posts};
use guidepost::roles::Role;
use guidepost::services::question_page;

use common::forum::question_id;
use common::members::PASSWORD;
use common::TestApp;

const TITLE: &str = "Why did my red widget break in the rain?";
const OFFICIAL: &str = "Widgets made before 2020 need the sealed battery cover; we send one free of charge.";

async fn signed_in(app: &TestApp, username: &str, role: Role) -> TestApp {
    let visitor = app.another_visitor();
    app.create_user(username, role);
    visitor.sign_in(username, PASSWORD).await.assert_status(303);
    visitor
}

fn question(app: &TestApp, path: &str) -> posts::Post {
    app.with_db(|c| posts::find(c, question_id(path)).unwrap().unwrap())
}

async fn post_officially(visitor: &TestApp, path: &str, body: &str) -> guidepost::db::models::posts::Post {
    let id = question_id(path);
    let page = visitor.submit(path, &format!("/questions/{id}/answers"), &[("body", body), ("official", "1")]).await;
    page.assert_status(303);
    let answer_id: i64 = page.header("location").unwrap().trim_start_matches("/a/").parse().unwrap();
    visitor.with_db(|c| posts::find(c, answer_id).unwrap().unwrap())
}

async fn only_staff_answer_officially_and_it_shows_first(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let barney = signed_in(&app, "barney", Role::Member).await;
    let sam = signed_in(&app, "sam", Role::Staff).await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    let id = question_id(&path);

    // A member's "official" answer is refused and changes nothing.
    let refused =
        wilma.submit(&path, &format!("/questions/{id}/answers"), &[("body", OFFICIAL), ("official", "1")]).await;
    refused.assert_status(403).assert_contains("Only staff");
    assert_eq!(question(&app, &path).answer_count, 0);
    assert!(!wilma.get(&path).await.body.contains("Post as official answer"), "members are not offered the box");
    assert!(sam.get(&path).await.body.contains("name=\"official\" value=\"1\" checked"), "staff get it, checked");

    let accepted = wilma.answer(&path, "Dry it in a warm room for a day and the power light comes back on.").await;
    let popular =
        barney.answer(&path, "Replace the gasket behind the battery cover; it costs a few euros online.").await;
    fred.vote(&path, popular, "up").await;
    wilma.vote(&path, popular, "up").await;
    fred.submit(&path, &format!("/answers/{accepted}/accept"), &[]).await.assert_status(303);
    let official = post_officially(&sam, &path, OFFICIAL).await;
    assert_eq!(official.official_kind.map(|s| s.as_str()), Some("authored"));

    let page = app.get(&path).await;
    page.assert_contains("Official answer").assert_contains("Given by").assert_contains("last reviewed on");
    let at = |id: i64| page.body.find(&format!("id=\"answer-{id}\"")).unwrap();
    assert!(at(official.id) < at(accepted) && at(accepted) < at(popular), "official, accepted, then by score");

    let q = question(&app, &path);
    assert!(q.has_official);
    assert!(q.first_official_at.is_some() && q.first_answer_at.is_some());
    app.get("/questions?sort=newest").await.assert_contains("Officially answered");
    // Structured data: the asker's choice wins; without one, the newest official answer.
    let page_data = app.with_db(|c| question_page::load(c, guidepost::domain::QuestionId(id), None).unwrap());
    assert_eq!(page_data.structured_accepted_answer_id, Some(accepted));
    fred.submit(&path, &format!("/answers/{accepted}/accept"), &[]).await;
    let page_data = app.with_db(|c| question_page::load(c, guidepost::domain::QuestionId(id), None).unwrap());
    assert_eq!(page_data.structured_accepted_answer_id, Some(official.id));
}

async fn staff_endorse_withdraw_and_review_with_an_audit_trail(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let sam = signed_in(&app, "sam", Role::Staff).await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    let answer = wilma.answer(&path, "The 2019 widgets need the newer gasket; ask support for one.").await;

    wilma.submit(&path, &format!("/answers/{answer}/endorse"), &[]).await.assert_status(403);
    assert!(!question(&app, &path).has_official);

    sam.submit(&path, &format!("/answers/{answer}/endorse"), &[]).await.assert_status(303);
    assert!(question(&app, &path).has_official);
    app.get(&path).await.assert_contains("Official answer").assert_contains("Endorsed by");
    sam.submit(&path, &format!("/answers/{answer}/endorse"), &[]).await.assert_status(409);

    let before = app.with_db(|c| posts::find(c, answer).unwrap().unwrap().reviewed_at).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    sam.submit(&path, &format!("/answers/{answer}/review"), &[]).await.assert_status(303);
    let after = app.with_db(|c| posts::find(c, answer).unwrap().unwrap().reviewed_at).unwrap();
    assert!(after > before);

    sam.submit(&path, &format!("/answers/{answer}/withdraw-official"), &[]).await.assert_status(303);
    assert!(!question(&app, &path).has_official);
    assert!(!app.get(&path).await.body.contains("Official answer"));
    sam.submit(&path, &format!("/answers/{answer}/review"), &[]).await.assert_status(409);

    let log = app.with_db(|c| audit_log::for_target(c, "post", answer, 10).unwrap());
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["answer.withdraw", "answer.review", "answer.endorse"]);
}

async fn the_staff_queue_empties_as_official_answers_arrive(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let sam = signed_in(&app, "sam", Role::Staff).await;
    let older = fred.ask_ok(TITLE, "widgets").await;
    let newer = fred.ask_ok("How do I reset the clock on my blue gadget?", "gadgets").await;
    for _ in 0..3 {
        app.another_visitor().get(&newer).await;
    }

    let queue = sam.get("/staff/queue").await;
    queue.assert_status(200).assert_contains(TITLE).assert_contains("waiting");
    assert!(queue.body.find(TITLE) < queue.body.find("blue gadget"), "oldest first");
    let by_views = sam.get("/staff/queue?sort=views").await;
    assert!(by_views.body.find("blue gadget") < by_views.body.find(TITLE), "most viewed first");
    let tagged = sam.get("/staff/queue?tag=gadgets").await;
    assert!(tagged.body.contains("blue gadget") && !tagged.body.contains(TITLE));

    post_officially(&sam, &older, OFFICIAL).await;
    let queue = sam.get("/staff/queue").await;
    assert!(!queue.body.contains(TITLE), "an officially answered question leaves the queue");
    assert!(queue.body.contains("blue gadget"));

    fred.get("/staff/queue").await.assert_status(403);
    app.another_visitor().get("/staff/queue").await.assert_status(303);
}

on_both_backends!(
    only_staff_answer_officially_and_it_shows_first,
    staff_endorse_withdraw_and_review_with_an_audit_trail,
    the_staff_queue_empties_as_official_answers_arrive,
);

async fn watchers_hear_of_official_answers_once(app: TestApp) {
    use diesel::prelude::*;
    use guidepost::db::schema::notifications::dsl;

    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let sam = signed_in(&app, "sam", Role::Staff).await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    let events = || -> Vec<String> {
        app.with_db(|c| dsl::notifications.order(dsl::id.asc()).select(dsl::event).load::<String>(c).unwrap())
    };

    post_officially(&sam, &path, OFFICIAL).await;
    assert_eq!(events(), ["official_answer"], "one event for the asker, none for the staff member");
    assert_eq!(fred.mail_to("fred@example.com").iter().filter(|(s, _)| s.contains(TITLE)).count(), 1);

    let community = wilma.answer(&path, "Dry it in a warm room for a day and the power light comes back on.").await;
    sam.submit(&path, &format!("/answers/{community}/endorse"), &[]).await.assert_status(303);
    assert_eq!(events(), ["official_answer", "answer", "official_answer"]);
}

on_both_backends!(watchers_hear_of_official_answers_once);
