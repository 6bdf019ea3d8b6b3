//! The ask box for product pages (`/embed/ask`): existing questions with their official answers
//! for the title typed (the page the form and the script both read), a deflection counted when
//! one is opened, and the hand-over to the full ask page with the title and tags filled in.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use guidepost::db::schema::deflections;
use guidepost::roles::Role;

use super::{answered, signed_in, urlencode, TITLE};
use crate::common::{Page, TestApp};

/// The ask box for `title`, once the indexer has the question it should find (or fails).
async fn ask_box_finding(app: &TestApp, title: &str, wanted: &str) -> Page {
    let started = Instant::now();
    loop {
        let page = app.get(&format!("/embed/ask?tags=routers+wifi&title={}", urlencode(title))).await;
        page.assert_status(200);
        if page.body.contains(wanted) {
            return page;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "the ask box never found {wanted:?}:\n{}", page.body);
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

fn deflections(app: &TestApp) -> Vec<(i64, String)> {
    app.with_db(|c| deflections::table.select((deflections::question_id, deflections::draft_title)).load(c).unwrap())
}

async fn the_ask_box_suggests_answered_questions_and_counts_deflections(app: TestApp) {
    let forum = answered(&app).await;
    let typed = "forgot my router password";

    // Empty, it is just the form, and sets no cookie (it is framed on another site).
    let empty = app.get("/embed/ask?tags=routers").await;
    empty.assert_status(200).assert_contains(r#"<label for="ask-box-title">Your question</label>"#);
    empty.assert_contains(r#"name="tags" value="routers""#);
    assert!(empty.header("set-cookie").is_none());
    assert!(!empty.body.contains("Ask the community"), "nothing typed, nothing to hand over");
    // A theme the host fixed goes through the form with the title; one it does not know, nowhere.
    let dark = app.get("/embed/ask?tags=routers&theme=dark").await;
    dark.assert_contains(r#"<html lang="en" class="theme-dark">"#).assert_contains(r#"name="theme" value="dark""#);
    let odd = app.get("/embed/ask?tags=routers&theme=%22%3E%3Cscript%3E").await;
    odd.assert_status(200);
    assert!(!odd.body.contains("name=\"theme\"") && !odd.body.contains("<script>"), "{}", odd.body);

    // Typed (as the form sends it without JavaScript, and the script as one types).
    let found = ask_box_finding(&app, typed, TITLE).await;
    found.assert_contains("These may already answer you").assert_contains("Official answer");
    found.assert_contains("Hold the reset button for ten seconds");
    assert!(found.header("set-cookie").is_none());
    let opened = format!("/embed/ask/opened/{}?title={}", forum.question, urlencode(typed));
    found.assert_contains(&format!(r#"href="{}""#, opened.replace('&', "&amp;")));
    let hand_over = format!("/ask?title={}&amp;tags=routers+wifi", urlencode(typed));
    found.assert_contains(&format!(r#"href="{hand_over}""#)).assert_contains("None of these? Ask the community");

    // Opening the suggestion counts a deflection, as on /ask, and goes to the question.
    assert!(deflections(&app).is_empty());
    let went = app.get(&opened).await;
    went.assert_status(303);
    assert_eq!(went.header("location"), Some(forum.path.as_str()));
    assert_eq!(deflections(&app), vec![(forum.question, typed.to_owned())]);
    // A question that is not there counts nothing.
    app.get("/embed/ask/opened/999999?title=x").await.assert_status(404);
    app.get("/embed/ask/opened/nope").await.assert_status(404);
    assert_eq!(deflections(&app).len(), 1);

    // A title nothing resembles says so and still hands over.
    let nothing = app.get("/embed/ask?title=zzzz+qqqq+xxxx").await;
    nothing
        .assert_status(200)
        .assert_contains("No existing question matches yet.")
        .assert_contains("Ask the community");

    // The hand-over: the full ask page, signed in, with the title and tags filled in.
    let member = signed_in(&app, "wilma", Role::Member).await;
    let form = member.get(&format!("/ask?title={}&tags=routers+wifi", urlencode(typed))).await;
    form.assert_status(200).assert_contains(&format!(r#"value="{typed}""#)).assert_contains(r#"value="routers wifi""#);
    // An anonymous customer signs in first and comes back to the same filled-in form.
    let customer = app.another_visitor().get(&format!("/ask?title={}&tags=routers", urlencode(typed))).await;
    customer.assert_status(303);
    assert!(customer.header("location").unwrap().starts_with("/login?next=%2Fask%3Ftitle%3D"), "{customer:?}");
}

async fn the_ask_box_costs_a_search_from_the_budget(app: TestApp) {
    let app = app.restart_with(&[("GUIDEPOST_HEAVY_REQUESTS_PER_MINUTE", "2")]).await;
    let visitor = app.another_visitor();
    // The bare form costs nothing; each look-up costs one.
    for _ in 0..3 {
        visitor.get("/embed/ask").await.assert_status(200);
    }
    visitor.get("/embed/ask?title=router+password+reset").await.assert_status(200);
    visitor.get("/embed/ask?title=router+password+lost").await.assert_status(200);
    let refused = visitor.get("/embed/ask?title=router+password+gone").await;
    refused.assert_status(429);
    assert!(refused.header("retry-after").is_some());
}

crate::on_both_backends!(
    the_ask_box_suggests_answered_questions_and_counts_deflections,
    the_ask_box_costs_a_search_from_the_budget
);
