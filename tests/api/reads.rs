//! Reading through the API: lists with cursors, one question, tags, search, similar questions,
//! profiles and official answers, with ETags, as anonymous callers.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use actix_web::test::TestRequest;
use guidepost::roles::Role;
use serde_json::Value;

use super::{actor, ask_directly, assert_problem, get_json, send_json, signed_in};
use crate::common::forum::question_id;
use crate::common::TestApp;

on_both_backends!(
    lists_page_by_cursor_with_next_links,
    a_question_reads_as_its_page_shows_it,
    reads_carry_etags_and_answer_304,
    tags_and_their_questions,
    search_uses_the_sites_query_language,
    similar_questions_profiles_and_official_answers,
);

fn titles(body: &Value) -> Vec<String> {
    body["items"].as_array().unwrap().iter().map(|q| q["title"].as_str().unwrap().to_owned()).collect()
}

async fn lists_page_by_cursor_with_next_links(app: TestApp) {
    app.create_user("fred", Role::Member);
    let fred = actor(&app, "fred");
    for n in 0..32 {
        ask_directly(&app, &fred, &format!("How do I reset widget model number {n:02}?"), "widgets");
    }
    let (first, body) = get_json(&app, "/api/v1/questions?sort=newest").await;
    first.assert_status(200);
    assert_eq!(first.header("content-type"), Some("application/json"));
    assert!(first.header("x-request-id").is_some_and(|id| !id.is_empty()), "every response names its request");
    let first_titles = titles(&body);
    assert_eq!(first_titles.len(), 30, "a page holds 30 questions");
    assert_eq!(first_titles[0], "How do I reset widget model number 31?", "newest first");
    let next = body["next"].as_str().expect("a next link").to_owned();
    assert!(next.starts_with("/api/v1/questions?sort=newest&cursor="), "{next}");
    assert_eq!(first.header("link"), Some(format!("<{next}>; rel=\"next\"").as_str()));
    assert_eq!(body["items"][0]["author"]["display_name"], "fred");
    assert_eq!(body["items"][0]["author"]["reputation"], 1);
    assert_eq!(body["items"][0]["author"]["badges"]["gold"], 0);
    assert_eq!(body["items"][0]["tags"], serde_json::json!(["widgets"]));

    let (second, body) = get_json(&app, &next).await;
    second.assert_status(200);
    let second_titles = titles(&body);
    assert_eq!(second_titles, ["How do I reset widget model number 01?", "How do I reset widget model number 00?"]);
    assert!(body["next"].is_null(), "the last page has no next");
    assert!(second.header("link").is_none());
    let all: HashSet<_> = first_titles.iter().chain(&second_titles).collect();
    assert_eq!(all.len(), 32, "no question twice, none missed");

    // Every order of the site is offered; "votes" pages by score.
    for sort in ["active", "votes", "unanswered"] {
        let (page, body) = get_json(&app, &format!("/api/v1/questions?sort={sort}")).await;
        page.assert_status(200);
        assert_eq!(titles(&body).len(), 30, "{sort}");
        let next = body["next"].as_str().unwrap().to_owned();
        assert_eq!(titles(&get_json(&app, &next).await.1).len(), 2, "{sort}");
    }

    // A cursor of one order is refused by another, naming the field.
    let cursor = next.split("cursor=").nth(1).unwrap();
    let (page, body) = get_json(&app, &format!("/api/v1/questions?sort=votes&cursor={cursor}")).await;
    assert_problem(&page, &body, 422);
    assert_eq!(body["errors"][0]["field"], "cursor");
}

async fn a_question_reads_as_its_page_shows_it(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let sam = signed_in(&app, "sam", Role::Staff).await;
    let path = fred.ask_ok("Why did my red widget break in the rain?", "widgets rain").await;
    let id = question_id(&path);
    let community = wilma.answer(&path, "Dry it in a warm room for a day and the *power light* comes back.").await;
    let official_page = sam
        .submit(
            &path,
            &format!("/questions/{id}/answers"),
            &[("body", "Widgets before 2020 need the sealed cover."), ("official", "1")],
        )
        .await;
    official_page.assert_status(303);
    fred.submit(&path, &format!("/posts/{community}/comments"), &[("body", "Thanks, that worked for me too.")])
        .await
        .assert_status(303);

    let (page, body) = get_json(&app, &format!("/api/v1/questions/{id}")).await;
    page.assert_status(200);
    assert_eq!(body["id"], id);
    assert_eq!(body["title"], "Why did my red widget break in the rain?");
    assert_eq!(body["path"], path);
    let tags: HashSet<&str> = body["tags"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert_eq!(tags, HashSet::from(["rain", "widgets"]));
    assert!(body["question"]["body_markdown"].as_str().unwrap().contains("red widget outside overnight"));
    let answers = body["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0]["official"], true, "the official answer comes first");
    assert_eq!(answers[0]["official_kind"], "authored");
    assert_eq!(answers[0]["author"]["display_name"], "sam");
    assert_eq!(answers[1]["id"], community);
    assert_eq!(answers[1]["body_markdown"], "Dry it in a warm room for a day and the *power light* comes back.");
    assert!(answers[1]["body_html"].as_str().unwrap().contains("<em>power light</em>"), "{}", answers[1]["body_html"]);
    assert_eq!(answers[1]["comments"][0]["body_markdown"], "Thanks, that worked for me too.");
    assert_eq!(answers[1]["comments"][0]["author"]["display_name"], "fred");
    assert!(body["closed"].is_null());
    assert_eq!(body["locked"], false);

    let (missing, body) = get_json(&app, "/api/v1/questions/999999").await;
    assert_problem(&missing, &body, 404);
}

async fn reads_carry_etags_and_answer_304(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let path = fred.ask_ok("Why did my red widget break in the rain?", "widgets").await;
    let id = question_id(&path);
    let url = format!("/api/v1/questions/{id}");
    let first = app.get(&url).await;
    first.assert_status(200);
    let etag = first.header("etag").expect("an ETag").to_owned();
    assert!(first.header("cache-control").is_some_and(|c| c.starts_with("public")), "anonymous reads are public");
    assert!(first.header("vary").is_some_and(|v| v.contains("Authorization")));

    let again = app.send(TestRequest::get().uri(&url).insert_header(("If-None-Match", etag.clone()))).await;
    again.assert_status(304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));

    wilma.answer(&path, "Dry it in a warm room for a day and the power light comes back.").await;
    let (changed, body) =
        send_json(&app, TestRequest::get().uri(&url).insert_header(("If-None-Match", etag.clone()))).await;
    changed.assert_status(200);
    assert_ne!(changed.header("etag"), Some(etag.as_str()), "a new answer changes the ETag");
    assert_eq!(body["answers"].as_array().unwrap().len(), 1);
}

async fn tags_and_their_questions(app: TestApp) {
    app.create_user("fred", Role::Member);
    let fred = actor(&app, "fred");
    let first = ask_directly(&app, &fred, "How do I reset a blue widget after a power cut?", "widgets power");
    let second = ask_directly(&app, &fred, "Which gasket fits the older widget covers?", "widgets");
    ask_directly(&app, &fred, "Where can I download the printer driver for Linux?", "printers");

    let (page, body) = get_json(&app, "/api/v1/tags").await;
    page.assert_status(200);
    let tags = body["items"].as_array().unwrap();
    assert_eq!(tags[0]["name"], "widgets", "most used first");
    assert_eq!(tags[0]["question_count"], 2);
    assert_eq!(tags[0]["path"], "/tags/widgets");
    assert_eq!(tags.len(), 3);
    assert!(body["next"].is_null());
    let (_, filtered) = get_json(&app, "/api/v1/tags?filter=pr").await;
    assert_eq!(filtered["items"].as_array().unwrap().len(), 1);
    assert_eq!(filtered["items"][0]["name"], "printers");

    let (page, body) = get_json(&app, "/api/v1/tags/widgets/questions").await;
    page.assert_status(200);
    let ids: Vec<i64> = body["items"].as_array().unwrap().iter().map(|q| q["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [second, first], "a tag's questions, newest first");
    let (_, same) = get_json(&app, "/api/v1/questions?tag=widgets").await;
    assert_eq!(same["items"], body["items"], "?tag= lists the same questions");

    let (missing, body) = get_json(&app, "/api/v1/tags/nosuchtag/questions").await;
    assert_problem(&missing, &body, 404);
    let (refused, body) = get_json(&app, "/api/v1/questions?tag=widgets&sort=votes").await;
    assert_problem(&refused, &body, 422);
    assert_eq!(body["errors"][0]["field"], "sort");
}

/// Polls the API's search until `wanted` holds (the indexer runs beside the requests).
async fn search_until(app: &TestApp, query: &str, wanted: impl Fn(&Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        let (page, body) = get_json(app, &format!("/api/v1/search?q={}", urlencode(query))).await;
        page.assert_status(200);
        if wanted(&body) {
            return body;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "search never found what was wanted: {body}");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn search_uses_the_sites_query_language(app: TestApp) {
    app.create_user("fred", Role::Member);
    let fred = actor(&app, "fred");
    let widget = ask_directly(&app, &fred, "Why does the xylophone widget hum at night?", "widgets");
    ask_directly(&app, &fred, "Why does the xylophone printer hum at night?", "printers");
    let body = search_until(&app, "xylophone", |b| b["items"].as_array().is_some_and(|i| i.len() == 2)).await;
    assert_eq!(body["total"], 2);
    assert!(body["items"][0]["title_html"].as_str().unwrap().contains("<b>"), "matches are marked: {body}");
    assert!(body["next"].is_null());
    let tagged =
        search_until(&app, "xylophone tag:widgets", |b| b["items"].as_array().is_some_and(|i| i.len() == 1)).await;
    assert_eq!(tagged["items"][0]["question"]["id"], widget);
    let nothing = search_until(&app, "xylophone -hum", |_| true).await;
    assert_eq!(nothing["total"], 0);
    // A malformed query never errors, as on the site.
    let (page, _) = get_json(&app, "/api/v1/search?q=%22unclosed%20tag%3A").await;
    page.assert_status(200);
    let (bad, body) = get_json(&app, "/api/v1/search?q=x&cursor=bm9wZQ").await;
    assert_problem(&bad, &body, 422);
    assert_eq!(body["errors"][0]["field"], "cursor");
}

async fn similar_questions_profiles_and_official_answers(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let sam = signed_in(&app, "sam", Role::Staff).await;
    let path = fred.ask_ok("Why did my red widget break in the rain?", "widgets").await;
    let id = question_id(&path);
    sam.submit(
        &path,
        &format!("/questions/{id}/answers"),
        &[("body", "Widgets before 2020 need the sealed cover."), ("official", "1")],
    )
    .await
    .assert_status(303);

    let started = Instant::now();
    loop {
        let (page, body) = get_json(&app, "/api/v1/questions/similar?title=red%20widget%20broke%20in%20rain").await;
        page.assert_status(200);
        if body["items"].as_array().is_some_and(|i| !i.is_empty()) {
            assert_eq!(body["items"][0]["id"], id);
            assert_eq!(body["items"][0]["official"], true);
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no similar question found: {body}");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }

    let fred_id = actor(&app, "fred").id;
    let (page, body) = get_json(&app, &format!("/api/v1/users/{fred_id}")).await;
    page.assert_status(200);
    assert_eq!(body["username"], "fred");
    assert_eq!(body["role"], "member");
    assert_eq!(body["questions"][0]["id"], id);
    let (missing, body) = get_json(&app, "/api/v1/users/999999").await;
    assert_problem(&missing, &body, 404);

    let (page, body) = get_json(&app, "/api/v1/official-answers").await;
    page.assert_status(200);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["author"], "sam");
    assert!(items[0]["title"].as_str().unwrap().contains("Why did my red widget break in the rain?"));
    assert!(items[0]["body_html"].as_str().unwrap().contains("sealed cover"));
}
