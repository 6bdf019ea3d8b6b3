//! Atom feeds: the newest questions, a tag's questions, a question's answers and the official
//! answers; valid XML that a reader unescapes back to the stored text; 404 and 410 like the pages;
//! public caching with ETags; and the pages that point readers at them.

use crate::common;

use actix_web::test::TestRequest;
use diesel::prelude::*;
use guidepost::db::models::posts;
use guidepost::db::schema::posts as posts_table;
use guidepost::roles::Role;

use common::forum::question_id;
use common::members::PASSWORD;
use common::xml::{self, Element};
use common::{Page, TestApp};

const TITLE: &str = "Why did my red widget break in the rain?";
const TRICKY: &str = "Why does <b> & \"quoted\" text break my widget's 'rain' mode?";
const BASE: &str = "http://forum.test";

async fn signed_in(app: &TestApp, username: &str, role: Role) -> TestApp {
    let visitor = app.another_visitor();
    app.create_user(username, role);
    visitor.sign_in(username, PASSWORD).await.assert_status(303);
    visitor
}

fn post(app: &TestApp, id: i64) -> posts::Post {
    app.with_db(|c| posts::find(c, id).unwrap().unwrap())
}

fn delete(app: &TestApp, id: i64) {
    let now = chrono::Utc::now().naive_utc();
    app.with_db(|c| {
        diesel::update(posts_table::table.find(id)).set(posts_table::deleted_at.eq(Some(now))).execute(c).unwrap()
    });
}

fn iso(at: chrono::NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Fetches a feed as an anonymous reader and checks what every feed response carries.
async fn atom(app: &TestApp, path: &str) -> (Page, Element) {
    let page = app.another_visitor().get(path).await;
    page.assert_status(200);
    assert_eq!(page.header("content-type"), Some("application/atom+xml; charset=utf-8"));
    assert_eq!(page.header("cache-control"), Some("public, max-age=300"));
    assert!(page.header("etag").is_some_and(|e| e.starts_with('"') && e.len() == 34), "a strong ETag");
    assert!(page.header("set-cookie").is_none(), "a publicly cached response must not set cookies");
    let feed = xml::parse(&page.body);
    assert_eq!(feed.name, "feed");
    assert_eq!(feed.attr("xmlns"), Some("http://www.w3.org/2005/Atom"));
    assert_eq!(feed.text_of("id"), feed.link("self"));
    assert!(chrono::DateTime::parse_from_rfc3339(feed.text_of("updated")).is_ok());
    for entry in feed.all("entry") {
        for field in ["id", "title", "published", "updated", "content"] {
            entry.one(field);
        }
        assert!(!entry.one("author").text_of("name").is_empty());
        assert_eq!(entry.one("content").attr("type"), Some("html"));
        assert!(entry.link("alternate").starts_with(BASE));
    }
    (page, feed)
}

async fn the_newest_questions_feed_round_trips_titles_and_html(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let first = fred.ask_ok(TITLE, "widgets").await;
    let body = "Running `a < b && c` in the widget shell prints *nothing* & then it stops after the rain.";
    let page = fred.submit("/ask", "/ask", &[("title", TRICKY), ("body", body), ("tags", "widgets rain")]).await;
    let tricky = page.assert_status(303).header("location").unwrap().to_owned();
    let gone = fred.ask_ok("A question that is deleted before anyone reads it", "widgets").await;
    delete(&app, question_id(&gone));

    let (page, feed) = atom(&app, "/feeds/questions.atom").await;
    assert_eq!(feed.text_of("id"), format!("{BASE}/feeds/questions.atom"));
    assert_eq!(feed.text_of("title"), "Guidepost: newest questions");
    assert_eq!(feed.link("alternate"), format!("{BASE}/questions?sort=newest"));
    let entries: Vec<&Element> = feed.all("entry").collect();
    assert_eq!(entries.len(), 2, "newest first, the deleted question left out");

    let stored = post(&app, question_id(&tricky));
    let newest = entries[0];
    assert_eq!(newest.text_of("title"), TRICKY, "the title comes back exactly");
    assert_eq!(newest.text_of("content"), stored.body_html, "the stored HTML comes back exactly");
    assert!(stored.body_html.contains("<code>a &lt; b &amp;&amp; c</code>"));
    assert!(page.body.contains("&lt;b&gt; &amp; &quot;quoted&quot;"), "escaped once in the document");
    assert_eq!(newest.text_of("id"), format!("{BASE}/questions/{}", stored.id));
    assert_eq!(newest.link("alternate"), format!("{BASE}{tricky}"));
    assert_eq!(newest.one("author").text_of("name"), "fred");
    assert_eq!(newest.text_of("published"), iso(stored.created_at));
    assert_eq!(newest.text_of("updated"), iso(stored.created_at));
    assert_eq!(feed.text_of("updated"), iso(stored.created_at));
    let tags: Vec<&str> = newest.all("category").filter_map(|c| c.attr("term")).collect();
    assert_eq!(tags, ["widgets", "rain"]);
    assert_eq!(entries[1].link("alternate"), format!("{BASE}{first}"));

    for path in ["/", "/questions"] {
        app.get(path)
            .await
            .assert_contains(
                r#"<link rel="alternate" type="application/atom+xml" title="Guidepost: newest questions" href="/feeds/questions.atom">"#,
            )
            .assert_contains(r#"href="/feeds/official.atom""#);
    }
}

async fn feeds_revalidate_with_their_etag(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    fred.ask_ok(TITLE, "widgets").await;
    let (page, _) = atom(&app, "/feeds/questions.atom").await;
    let etag = page.header("etag").unwrap().to_owned();

    let conditional =
        |tag: String| TestRequest::get().uri("/feeds/questions.atom").insert_header(("If-None-Match", tag));
    let unchanged = app.send(conditional(etag.clone())).await;
    unchanged.assert_status(304);
    assert!(unchanged.body.is_empty());
    assert_eq!(unchanged.header("etag"), Some(etag.as_str()));
    assert_eq!(unchanged.header("cache-control"), Some("public, max-age=300"));
    app.send(conditional(format!("\"elsewhere\", W/{etag}"))).await.assert_status(304);
    app.send(conditional("\"elsewhere\"".to_owned())).await.assert_status(200);

    fred.ask_ok("How do I reset a widget after it got wet?", "widgets").await;
    let changed = app.send(conditional(etag.clone())).await;
    changed.assert_status(200);
    assert_ne!(changed.header("etag"), Some(etag.as_str()), "a new question makes a new ETag");
}

async fn a_tag_feed_lists_that_tags_questions(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let widgets = fred.ask_ok(TITLE, "widgets").await;
    let sharp = fred.ask_ok("Why does the widget SDK for C# crash at start?", "c# widgets").await;

    let (_, feed) = atom(&app, "/feeds/tags/c%23.atom").await;
    assert_eq!(feed.text_of("id"), format!("{BASE}/feeds/tags/c%23.atom"));
    assert_eq!(feed.link("alternate"), format!("{BASE}/tags/c%23"));
    assert_eq!(feed.text_of("title"), "Guidepost: questions tagged c#");
    let links: Vec<&str> = feed.all("entry").map(|e| e.link("alternate")).collect();
    assert_eq!(links, [format!("{BASE}{sharp}")]);

    let (_, feed) = atom(&app, "/feeds/tags/Widgets.atom").await;
    let links: Vec<&str> = feed.all("entry").map(|e| e.link("alternate")).collect();
    assert_eq!(links, [format!("{BASE}{sharp}"), format!("{BASE}{widgets}")]);

    app.get("/feeds/tags/nothing-here.atom").await.assert_status(404);
    app.get("/tags/c%23").await.assert_status(200).assert_contains(
        r#"<link rel="alternate" type="application/atom+xml" title="Guidepost: questions tagged c#" href="/feeds/tags/c%23.atom">"#,
    );
}

async fn a_question_feed_lists_its_answers_and_goes_with_it(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let barney = signed_in(&app, "barney", Role::Member).await;
    let path = fred.ask_ok(TITLE, "widgets").await;
    let id = question_id(&path);
    let path_feed = format!("/feeds/questions/{id}.atom");

    let (_, empty) = atom(&app, &path_feed).await;
    assert_eq!(empty.all("entry").count(), 0);
    assert_eq!(empty.text_of("updated"), iso(post(&app, id).created_at), "unanswered: as old as the question");

    let older = wilma.answer(&path, "Dry it for a day in a warm room, then replace the seal on the cover.").await;
    let newer = barney.answer(&path, "Water got under the seal; widgets of that year need the newer gasket.").await;
    let (_, feed) = atom(&app, &path_feed).await;
    assert_eq!(feed.text_of("title"), format!("Answers to: {TITLE}"));
    assert_eq!(feed.link("alternate"), format!("{BASE}{path}"));
    let entries: Vec<&Element> = feed.all("entry").collect();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].text_of("id"), format!("{BASE}/a/{newer}"));
    assert_eq!(entries[0].text_of("title"), format!("Answer by barney: {TITLE}"));
    assert_eq!(entries[0].link("alternate"), format!("{BASE}{path}#answer-{newer}"));
    assert_eq!(entries[0].text_of("content"), post(&app, newer).body_html);
    assert_eq!(entries[1].link("alternate"), format!("{BASE}{path}#answer-{older}"));
    assert_eq!(feed.text_of("updated"), entries[0].text_of("updated"));

    app.get("/feeds/questions/999999.atom").await.assert_status(404);
    app.get("/feeds/questions/abc.atom").await.assert_status(404);
    app.get(&format!("/feeds/questions/{older}.atom")).await.assert_status(404);
    delete(&app, id);
    app.get(&path_feed).await.assert_status(410);
    app.get(&path).await.assert_status(410);
}

async fn the_official_feed_lists_official_answers_newest_first(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let sam = signed_in(&app, "sam", Role::Staff).await;
    let first = fred.ask_ok(TITLE, "widgets").await;
    let second = fred.ask_ok("How do I reset a widget after it got wet?", "widgets").await;

    let official = "Widgets made before 2020 need the sealed battery cover; we send one free of charge.";
    let page = sam
        .submit(
            &first,
            &format!("/questions/{}/answers", question_id(&first)),
            &[("body", official), ("official", "1")],
        )
        .await;
    let authored: i64 = page.assert_status(303).header("location").unwrap().trim_start_matches("/a/").parse().unwrap();
    let community = wilma.answer(&second, "Hold the reset button for ten seconds while it is switched off.").await;
    wilma.answer(&first, "Mine came back after a day on the radiator, for what it is worth.").await;
    sam.submit(&second, &format!("/answers/{community}/endorse"), &[]).await.assert_status(303);

    let (_, feed) = atom(&app, "/feeds/official.atom").await;
    assert_eq!(feed.text_of("title"), "Guidepost: official answers");
    let entries: Vec<&Element> = feed.all("entry").collect();
    assert_eq!(entries.len(), 2, "only official answers");
    assert_eq!(entries[0].text_of("title"), "Official answer: How do I reset a widget after it got wet?");
    assert_eq!(entries[0].link("alternate"), format!("{BASE}{second}#answer-{community}"));
    assert_eq!(entries[0].one("author").text_of("name"), "wilma");
    let endorsed = post(&app, community);
    assert_eq!(entries[0].text_of("published"), iso(endorsed.official_at.unwrap()), "when it became official");
    assert_eq!(entries[1].text_of("title"), format!("Official answer: {TITLE}"));
    assert_eq!(entries[1].link("alternate"), format!("{BASE}{first}#answer-{authored}"));
    assert_eq!(entries[1].one("author").text_of("name"), "sam");

    delete(&app, question_id(&second));
    let (_, feed) = atom(&app, "/feeds/official.atom").await;
    let links: Vec<&str> = feed.all("entry").map(|e| e.link("alternate")).collect();
    assert_eq!(links, [format!("{BASE}{first}#answer-{authored}")], "a deleted question takes its answers along");
}

on_both_backends!(
    the_newest_questions_feed_round_trips_titles_and_html,
    feeds_revalidate_with_their_etag,
    a_tag_feed_lists_that_tags_questions,
    a_question_feed_lists_its_answers_and_goes_with_it,
    the_official_feed_lists_official_answers_newest_first,
);
