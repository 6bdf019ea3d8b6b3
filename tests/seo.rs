//! What search engines see: meta tags, canonical URLs, QAPage structured data, status codes and
//! redirects, noindex rules, and HTTP validators for anonymous pages.

use crate::common;

use chrono::Utc;
use diesel::prelude::*;
use guidepost::db::models::search_changes;
use guidepost::db::schema::posts;
use guidepost::roles::Role;
use serde_json::Value;

use common::forum::question_id;
use common::members::PASSWORD;
use common::{Page, TestApp};

const BASE: &str = "http://forum.test";

async fn signed_in(app: &TestApp, username: &str, role: Role) -> TestApp {
    let visitor = app.another_visitor();
    app.create_user(username, role);
    visitor.sign_in(username, PASSWORD).await.assert_status(303);
    visitor
}

async fn ask(member: &TestApp, title: &str, body: &str) -> String {
    let page = member.submit("/ask", "/ask", &[("title", title), ("body", body), ("tags", "widgets")]).await;
    page.assert_status(303);
    page.header("location").unwrap().to_owned()
}

/// The `content` of `<meta name|property="NAME" ...>`.
fn meta(page: &Page, name: &str) -> Option<String> {
    for attr in ["name", "property"] {
        let marker = format!("<meta {attr}=\"{name}\" content=\"");
        if let Some(at) = page.body.find(&marker) {
            let rest = &page.body[at + marker.len()..];
            return Some(rest[..rest.find('"').unwrap()].to_owned());
        }
    }
    None
}

fn canonical(page: &Page) -> String {
    let marker = "<link rel=\"canonical\" href=\"";
    let at = page.body.find(marker).expect("a canonical link");
    let rest = &page.body[at + marker.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

fn json_ld(page: &Page) -> Option<Value> {
    let marker = "<script type=\"application/ld+json\">";
    let at = page.body.find(marker)?;
    let rest = &page.body[at + marker.len()..];
    let end = rest.find("</script>").expect("the block ends");
    Some(serde_json::from_str(&rest[..end]).expect("valid JSON-LD"))
}

fn noindex(page: &Page) -> bool {
    page.body.contains("<meta name=\"robots\" content=\"noindex")
}

async fn every_page_describes_itself(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let body =
        format!("My **red widget** stopped <b>working</b> after the storm. {}", "It was left outside. ".repeat(12));
    let path = ask(&fred, "Why did my red widget break in the rain?", &body).await;
    let page = app.get(&path).await;
    page.assert_status(200);
    assert!(page.body.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"), "{}", &page.body[..60]);
    page.assert_contains("<title>Why did my red widget break in the rain? — Guidepost</title>");
    let description = meta(&page, "description").unwrap();
    assert!(description.starts_with("My red widget stopped working after the storm."), "{description}");
    assert!(description.chars().count() <= 160 && description.chars().count() > 100, "{description}");
    assert!(!description.contains('<') && !description.contains("**"), "{description}");
    assert_eq!(canonical(&page), format!("{BASE}{path}"));
    assert_eq!(meta(&page, "og:title").as_deref(), Some("Why did my red widget break in the rain?"));
    assert_eq!(meta(&page, "og:type").as_deref(), Some("article"));
    assert_eq!(meta(&page, "og:url"), Some(format!("{BASE}{path}")));
    assert_eq!(meta(&page, "og:description"), Some(description.clone()));
    assert_eq!(meta(&page, "og:site_name").as_deref(), Some("Guidepost"));
    // The share card (tests/embeds/share_cards.rs) unfurls a question as a large image.
    assert_eq!(meta(&page, "twitter:card").as_deref(), Some("summary_large_image"));
    let card = format!("{BASE}/cards/questions/{}.png", crate::common::forum::question_id(&path));
    assert_eq!(meta(&page, "og:image"), Some(card.clone()));
    assert_eq!(meta(&page, "twitter:image"), Some(card));
    assert_eq!(meta(&page, "twitter:title").as_deref(), Some("Why did my red widget break in the rain?"));
    // One h1, then h2s for the sections.
    assert_eq!(page.body.matches("<h1").count(), 1);

    let tag = app.get("/tags/widgets").await;
    tag.assert_status(200);
    assert_eq!(canonical(&tag), format!("{BASE}/tags/widgets"));
    assert!(meta(&tag, "description").unwrap().starts_with("1 questions about widgets"));
    assert_eq!(meta(&tag, "og:title").as_deref(), Some("Questions about widgets"));
    let home = app.get("/").await;
    assert_eq!(canonical(&home), format!("{BASE}/"));
    assert_eq!(meta(&home, "og:type").as_deref(), Some("website"));
}

async fn question_pages_carry_qa_structured_data(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let stella = signed_in(&app, "stella", Role::Staff).await;
    // Titles are plain text, so this one reaches the JSON as typed and must not end the script.
    let sneaky = "Widget shows </script><script>alert(1)</script> & stops";
    let body = "The display shows that line & then *nothing* happens.";
    let path = ask(&fred, sneaky, body).await;
    let id = question_id(&path);
    let community = wilma.answer(&path, "Reset it by holding the button for ten seconds, then it works.").await;
    let official = stella
        .submit(
            &path,
            &format!("/questions/{id}/answers"),
            &[("body", "Firmware 2.1 fixes this display bug; update from the app."), ("official", "1")],
        )
        .await;
    official.assert_status(303);
    let official: i64 = official.header("location").unwrap().trim_start_matches("/a/").parse().unwrap();
    wilma.vote(&path, id, "up").await.assert_status(303);
    let comment = format!("/posts/{community}/comments");
    fred.submit(&path, &comment, &[("body", "Holding the button worked for me, thanks!")]).await.assert_status(303);

    let page = app.get(&path).await;
    let raw = &page.body[page.body.find("application/ld+json").unwrap()..];
    assert!(!raw[..raw.find("</script>").unwrap()].contains('<'), "user text cannot break out of the script");
    let data = json_ld(&page).expect("QAPage JSON-LD");
    assert_eq!(data["@context"], "https://schema.org");
    assert_eq!(data["@type"], "QAPage");
    let q = &data["mainEntity"];
    assert_eq!(q["@type"], "Question");
    assert_eq!(q["name"], sneaky);
    assert_eq!(q["text"], "The display shows that line & then nothing happens.", "the full text, as plain text");
    assert_eq!(q["answerCount"], 2);
    assert_eq!(q["upvoteCount"], 1);
    assert_eq!(q["url"], format!("{BASE}{path}"));
    for field in ["datePublished", "dateModified"] {
        let date = q[field].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(date).is_ok(), "{field}: {date}");
    }
    assert_eq!(q["author"]["@type"], "Person");
    assert_eq!(q["author"]["name"], "fred");
    assert!(q["author"]["url"].as_str().unwrap().starts_with(&format!("{BASE}/users/")));
    assert_eq!(q["commentCount"], 0);
    // Nobody accepted an answer: the newest official answer stands in.
    let accepted = &q["acceptedAnswer"];
    assert_eq!(accepted["@type"], "Answer");
    assert_eq!(accepted["url"], format!("{BASE}{path}#answer-{official}"));
    assert_eq!(accepted["text"], "Firmware 2.1 fixes this display bug; update from the app.");
    assert_eq!(accepted["author"]["name"], "stella");
    let suggested = q["suggestedAnswer"].as_array().unwrap();
    assert_eq!(suggested.len(), 1);
    let other = &suggested[0];
    assert_eq!(other["url"], format!("{BASE}{path}#answer-{community}"));
    assert_eq!(other["upvoteCount"], 0);
    assert_eq!(other["commentCount"], 1);
    assert_eq!(other["comment"][0]["@type"], "Comment");
    assert_eq!(other["comment"][0]["text"], "Holding the button worked for me, thanks!");
    assert_eq!(other["comment"][0]["author"]["name"], "fred");
    for answer in [accepted, other] {
        for field in ["datePublished", "dateModified", "text", "upvoteCount"] {
            assert!(!answer[field].is_null(), "{field} missing");
        }
    }

    // The asker's choice wins over the official answer.
    fred.submit(&path, &format!("/answers/{community}/accept"), &[]).await.assert_status(303);
    let data = json_ld(&app.get(&path).await).unwrap();
    assert_eq!(data["mainEntity"]["acceptedAnswer"]["url"], format!("{BASE}{path}#answer-{community}"));
    assert_eq!(data["mainEntity"]["suggestedAnswer"][0]["url"], format!("{BASE}{path}#answer-{official}"));

    // Pages that accept no answers carry none.
    app.with_db(|c| {
        diesel::update(posts::table.find(id)).set(posts::locked_at.eq(Utc::now().naive_utc())).execute(c).unwrap()
    });
    assert!(json_ld(&app.get(&path).await).is_none(), "a locked question takes no answers");
}

fn close_as_duplicate(app: &TestApp, duplicate: i64, canonical: i64) {
    app.with_db(|c| {
        let now = Utc::now().naive_utc();
        diesel::update(posts::table.find(duplicate))
            .set((posts::closed_at.eq(now), posts::close_reason.eq("duplicate"), posts::duplicate_of_id.eq(canonical)))
            .execute(c)
            .unwrap();
        search_changes::record(c, duplicate, now).unwrap();
        search_changes::record(c, canonical, now).unwrap();
    });
}

async fn status_codes_and_redirects(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let body = "It stopped after a night in the rain and the light only blinks.";
    let original = ask(&fred, "Why did my red widget break in the rain?", body).await;
    let answer = wilma.answer(&original, "Dry it for a day in a warm room; mine came back after that.").await;
    let id = question_id(&original);

    // Wrong or missing slug, and answer permalinks: 301 to the canonical URL.
    for wrong in [format!("/questions/{id}"), format!("/questions/{id}/some-old-title")] {
        let moved = app.get(&wrong).await;
        moved.assert_status(301);
        assert_eq!(moved.header("location"), Some(original.as_str()));
    }
    let permalink = app.get(&format!("/a/{answer}")).await;
    permalink.assert_status(301);
    assert_eq!(permalink.header("location"), Some(format!("{original}#answer-{answer}").as_str()));

    // Unknown pages are real 404s, never a 200 "not found".
    for missing in [
        "/questions/999999",
        "/questions/999999/gone",
        "/questions/abc",
        "/a/999999",
        "/no/such/page",
        "/tags/nope",
        "/users/999999",
    ] {
        assert_eq!(app.get(missing).await.status, 404, "{missing}");
    }

    // A duplicate shows where the answers are; anonymous visitors go straight there while it
    // has no answers of its own.
    let duplicate = ask(&wilma, "Red widget dead after a rainy night, what now?", body).await;
    let dup_id = question_id(&duplicate);
    close_as_duplicate(&app, dup_id, id);
    let moved = app.get(&duplicate).await;
    moved.assert_status(301);
    assert_eq!(moved.header("location"), Some(original.as_str()));
    let seen = fred.get(&duplicate).await;
    seen.assert_status(200).assert_contains("This question already has an answer here:");
    seen.assert_contains(&format!("href=\"{original}\""));
    assert_eq!(canonical(&seen), format!("{BASE}{original}"), "a duplicate names its canonical question");
    assert!(json_ld(&seen).is_none());
    let canonical_page = app.get(&original).await;
    canonical_page.assert_contains("Also asked as").assert_contains(&format!("href=\"{duplicate}\""));
    // New answers go to the canonical question.
    let refused = fred
        .submit(
            &duplicate,
            &format!("/questions/{dup_id}/answers"),
            &[("body", "Try rice, it absorbs the water overnight.")],
        )
        .await;
    refused.assert_status(403);
    // Once it has an answer of its own, anonymous visitors may read it (with the banner).
    app.with_db(|c| diesel::update(posts::table.find(dup_id)).set(posts::answer_count.eq(0)).execute(c).unwrap());

    // Deleted: 410 with a helpful page.
    app.with_db(|c| {
        diesel::update(posts::table.find(id)).set(posts::deleted_at.eq(Utc::now().naive_utc())).execute(c).unwrap()
    });
    let gone = app.get(&original).await;
    gone.assert_status(410).assert_contains("This question was deleted.").assert_contains("action=\"/search\"");
    assert!(noindex(&gone));
}

async fn noindex_where_search_engines_have_no_business(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let staff = signed_in(&app, "stella", Role::Staff).await;
    for path in ["/search?q=widget", "/login", "/signup", "/password/forgot"] {
        assert!(noindex(&app.get(path).await), "{path}");
    }
    for path in ["/settings", "/ask", "/notifications"] {
        assert!(noindex(&fred.get(path).await), "{path}");
    }
    for path in ["/staff", "/staff/queue", "/staff/gaps"] {
        assert!(noindex(&staff.get(path).await), "{path}");
    }
    for path in ["/", "/questions", "/tags"] {
        assert!(!noindex(&app.get(path).await), "{path}");
    }
    let path =
        ask(&fred, "Is the red widget waterproof at all?", "The box says splash-proof but the manual says nothing.")
            .await;
    assert!(!noindex(&app.get(&path).await), "a new question is indexable");
    let id = question_id(&path);
    wilma.vote(&path, id, "down").await.assert_status(303);
    assert!(noindex(&app.get(&path).await), "no answers and a negative score");
    wilma.answer(&path, "It is splash-proof only: keep it out of standing water.").await;
    assert!(!noindex(&app.get(&path).await), "an answer makes it worth finding again");
}

async fn anonymous_pages_revalidate_with_etags(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let path =
        ask(&fred, "Does the red widget work below freezing?", "Mine slows down when it is minus five outside.").await;
    let id = question_id(&path);
    let anonymous = app.another_visitor();
    let etag_of = |page: &Page| page.header("etag").expect("an ETag").to_owned();
    for list in [path.as_str(), "/", "/questions", "/tags/widgets"] {
        let first = anonymous.get(list).await;
        first.assert_status(200);
        assert_eq!(first.header("cache-control"), Some("public, max-age=60, stale-while-revalidate=60"), "{list}");
        assert_eq!(first.header("vary"), Some("Cookie"));
        assert!(first.header("set-cookie").is_none(), "{list}: a shared page sets no cookie");
        let tag = etag_of(&first);
        let again = anonymous
            .send(actix_web::test::TestRequest::get().uri(list).insert_header(("If-None-Match", tag.as_str())))
            .await;
        again.assert_status(304);
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), Some(tag.as_str()));
    }
    let before = etag_of(&anonymous.get(&path).await);
    let answer = wilma.answer(&path, "Keep it in an inside pocket; the battery loses charge in the cold.").await;
    let after_answer = etag_of(&anonymous.get(&path).await);
    assert_ne!(before, after_answer, "a new answer changes the validator");
    fred.vote(&path, answer, "up").await.assert_status(303);
    let after_vote = etag_of(&anonymous.get(&path).await);
    assert_ne!(after_answer, after_vote, "a vote changes the validator");
    let stale = anonymous
        .send(actix_web::test::TestRequest::get().uri(&path).insert_header(("If-None-Match", before.as_str())))
        .await;
    stale.assert_status(200);

    // Signed-in pages are private and carry no shared validator.
    let mine = fred.get(&path).await;
    assert_eq!(mine.header("cache-control"), Some("private, no-cache"));
    assert!(mine.header("etag").is_none());
    // A page with a form carries the visitor's own token: private, and it sets the cookie.
    let login = app.another_visitor().get("/login").await;
    assert_eq!(login.header("cache-control"), Some("private, no-cache"));
    assert!(login.header("set-cookie").is_some_and(|c| c.starts_with("gp_csrf=")));
    let _ = id;
}

on_both_backends!(
    every_page_describes_itself,
    question_pages_carry_qa_structured_data,
    status_codes_and_redirects,
    noindex_where_search_engines_have_no_business,
    anonymous_pages_revalidate_with_etags,
);
