//! Search through the real app: the indexer picks up every kind of change, the query language
//! filters, typos are forgiven, no query string can break the page, and searches feed the staff's
//! FAQ gaps. Similar questions while asking, deflections and related questions live here too.

use crate::common;

use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::prelude::*;
use guidepost::db::models::search_changes;
use guidepost::db::schema::{deflections, posts, search_log};
use guidepost::roles::Role;

use common::forum::{question_id, DETAILS};
use common::members::PASSWORD;
use common::{Page, TestApp};

/// How long a test waits for the indexer. The target (and the usual case) is well under a
/// second; the margin only keeps a loaded CI machine from failing the test.
const PATIENCE: Duration = Duration::from_secs(5);

async fn signed_in(app: &TestApp, username: &str, role: Role) -> TestApp {
    let visitor = app.another_visitor();
    app.create_user(username, role);
    visitor.sign_in(username, PASSWORD).await.assert_status(303);
    visitor
}

fn search_path(query: &str) -> String {
    format!("/search?q={}", urlencode(query))
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The number the page reports as its result count.
fn result_count(page: &Page) -> usize {
    let at = page.body.find("class=\"result-count\" role=\"status\">").expect("a result count");
    let rest = &page.body[at + "class=\"result-count\" role=\"status\">".len()..];
    rest.split_whitespace().next().unwrap().parse().unwrap()
}

/// Searches until `wanted` holds for the page, or fails after [`PATIENCE`]; returns the time it took.
async fn eventually(app: &TestApp, query: &str, wanted: impl Fn(&Page) -> bool) -> Duration {
    let started = Instant::now();
    loop {
        let page = app.get(&search_path(query)).await;
        page.assert_status(200);
        if wanted(&page) {
            return started.elapsed();
        }
        assert!(started.elapsed() < PATIENCE, "search for {query:?} never got there; last page:\n{}", page.body);
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The page with search highlighting taken out, so a highlighted title reads as typed.
fn unmarked(page: &Page) -> String {
    page.body.replace("<b>", "").replace("</b>", "")
}

async fn found(app: &TestApp, query: &str, title: &str) -> Duration {
    eventually(app, query, |page| unmarked(page).contains(title)).await
}

async fn gone(app: &TestApp, query: &str, title: &str) {
    eventually(app, query, |page| !unmarked(page).contains(title)).await;
}

async fn ask_with_body(member: &TestApp, title: &str, body: &str, tags: &str) -> String {
    let page = member.submit("/ask", "/ask", &[("title", title), ("body", body), ("tags", tags)]).await;
    page.assert_status(303);
    page.header("location").unwrap().to_owned()
}

async fn new_answers_edits_and_deletions_reach_the_index(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let title = "Printer on the third floor prints blank pages";
    let path = ask_with_body(&fred, title, "Every page comes out white since Monday morning.", "printer").await;
    found(&app, "blank pages", title).await;

    // A word that only the answer holds.
    wilma.answer(&path, "Replace the toner cartridge: the xylographic drum is worn out.").await;
    let took = found(&app, "xylographic", title).await;
    eprintln!("an answer became searchable after {took:?}");

    // An edit replaces the old text: the new word is found, the old one no longer.
    let id = question_id(&path);
    let edit = format!("/posts/{id}/edit");
    let body = "Every page comes out white since the quarterly maintenance visit.";
    fred.submit(&edit, &edit, &[("title", title), ("body", body), ("tags", "printer"), ("reason", "")])
        .await
        .assert_status(303);
    found(&app, "quarterly maintenance", title).await;
    gone(&app, "monday", title).await;

    // A deletion (as moderation does it: soft, recorded as a change) removes it from results.
    app.with_db(|c| {
        let now = Utc::now().naive_utc();
        diesel::update(posts::table.find(id)).set(posts::deleted_at.eq(now)).execute(c).unwrap();
        search_changes::record(c, id, now).unwrap();
    });
    // Outside a write transaction nothing wakes the indexer: this also proves it polls.
    gone(&app, "xylographic", title).await;
}

async fn operators_filter_results(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let staff = signed_in(&app, "stella", Role::Staff).await;
    let printer =
        ask_with_body(&fred, "Printer jams with thick envelopes", "The tray jams on envelopes every time.", "printer")
            .await;
    let parking = ask_with_body(
        &wilma,
        "Visitor parking near the envelope factory",
        "Where can visitors park their cars?",
        "parking",
    )
    .await;
    let badge = ask_with_body(
        &wilma,
        "Lost my door badge yesterday",
        "Who replaces a lost badge for the envelope room?",
        "security",
    )
    .await;
    let answer = fred.answer(&parking, "Visitors park in the north lot, next to the gate house.").await;
    wilma.submit(&parking, &format!("/answers/{answer}/accept"), &[]).await.assert_status(303);
    let id = question_id(&badge);
    staff
        .submit(
            &badge,
            &format!("/questions/{id}/answers"),
            &[("body", "Reception prints a new badge within the hour."), ("official", "1")],
        )
        .await
        .assert_status(303);
    let titles = [
        "Printer jams with thick envelopes",
        "Visitor parking near the envelope factory",
        "Lost my door badge yesterday",
    ];
    let shows = |page: &Page| titles.map(|t| unmarked(page).contains(t));
    eventually(&app, "envelope is:official", |p| shows(p) == [false, false, true]).await;

    for (query, expected) in [
        ("envelope", [true, true, true]),
        ("envelope tag:printer", [true, false, false]),
        ("tag:parking", [false, true, false]),
        ("envelope user:wilma", [false, true, true]),
        ("envelope user:FRED", [true, false, false]),
        ("envelope is:answered", [false, true, true]),
        ("envelope is:unanswered", [true, false, false]),
        ("envelope is:accepted", [false, true, false]),
        ("envelope is:official", [false, false, true]),
        ("envelope -badge", [true, true, false]),
        ("\"thick envelopes\"", [true, false, false]),
        ("\"envelopes thick\"", [false, false, false]),
    ] {
        let page = app.get(&search_path(query)).await;
        page.assert_status(200);
        assert_eq!(shows(&page), expected, "query {query:?}");
        if expected.iter().any(|e| *e) {
            assert_eq!(result_count(&page), expected.iter().filter(|e| **e).count(), "query {query:?}");
        }
    }
    // Highlighted words, badges, and the order by votes all show.
    let page = app.get(&search_path("envelope")).await;
    assert!(page.body.contains("<b>envelope</b>") || page.body.contains("<b>Envelope</b>"), "{}", page.body);
    page.assert_contains("badge official").assert_contains("badge accepted");
    app.get(&format!("{}&sort=newest", search_path("envelope"))).await.assert_status(200);
    app.get(&format!("{}&sort=votes&page=1", search_path("envelope"))).await.assert_status(200);
    let _ = printer;
}

async fn typos_are_forgiven(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let title = "Thermostat ignores the schedule on weekends";
    ask_with_body(&fred, title, "The heating runs all Saturday although the schedule says off.", "heating").await;
    found(&app, "thermostat", title).await;
    let page = app.get(&search_path("thermostta schedulle")).await;
    page.assert_status(200).assert_contains("close spellings");
    assert!(unmarked(&page).contains(title), "{}", page.body);
}

async fn malformed_queries_still_get_a_page(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let title = "Coffee machine descaling every month";
    ask_with_body(&fred, title, "How often should the office coffee machine be descaled?", "kitchen").await;
    found(&app, "coffee", title).await;
    let long = "coffee ".repeat(1_500);
    for raw in [
        "/search?q=%22coffee",
        "/search?q=coffee%22%22%22",
        "/search?q=tag%3A",
        "/search?q=user%3A+is%3A",
        "/search?q=-",
        "/search?q=-%22",
        "/search?q=%00%01coffee%1b%7f",
        "/search?q=%E2%80%AE%F0%9F%98%80",
        "/search?q=coffee&page=abc&sort=sideways",
        "/search?q=coffee&page=-3",
        "/search?q=coffee&page=99999999999999999999",
        "/search?q=((((coffee",
        "/search?q=*:*",
        "/search?q=%5Cu0000",
        "/search",
        "/search?q=",
    ] {
        let page = app.get(raw).await;
        assert_eq!(page.status, 200, "{raw}: {}", page.body);
    }
    let page = app.get(&search_path(&long)).await;
    assert_eq!(page.status, 200);
    assert!(unmarked(&page).contains(title), "{}", page.body);
    // The search page is for people, not for search engines.
    app.get(&search_path("coffee")).await.assert_contains("<meta name=\"robots\" content=\"noindex");
}

async fn searches_without_clicks_become_faq_gaps(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let staff = signed_in(&app, "stella", Role::Staff).await;
    let title = "Expense reports need a manager signature";
    let path = ask_with_body(&fred, title, "Who signs expense reports when my manager is away?", "finance").await;
    found(&app, "expense", title).await;
    // Four people search; the same person again counts once (see the search-log test below).
    for n in 1..=3 {
        app.get_from(&search_path("Parental leave form"), &format!("10.0.0.{n}:4000")).await.assert_status(200);
    }
    app.get(&search_path("parental LEAVE form")).await.assert_status(200);
    app.get(&search_path("Parental Leave Form")).await.assert_status(200);
    // A search that found something and was followed is not a gap.
    let page = app.get(&search_path("expense signature")).await;
    let at = page.body.find("href=\"/search/click/").expect("results link through the click recorder");
    let link: String = page.body[at + 6..].chars().take_while(|c| *c != '"').collect();
    let followed = app.get(&link).await;
    followed.assert_status(303);
    assert_eq!(followed.header("location"), Some(path.as_str()));
    // A search that found something nobody opened is still a gap (the answer was not there).
    app.get(&search_path("expense deadline")).await.assert_status(200);

    let logged: Vec<(String, i32, Option<i64>)> = app.with_db(|c| {
        search_log::table
            .select((search_log::query, search_log::result_count, search_log::clicked_question_id))
            .order(search_log::id)
            .load(c)
            .unwrap()
    });
    // Waiting for the index logged a few "expense" searches first; what matters is what follows.
    let tail = &logged[logged.len() - 6..];
    assert_eq!(tail.iter().filter(|row| row.0 == "parental leave form").count(), 4);
    assert_eq!(tail[0], ("parental leave form".to_owned(), 0, None));
    assert_eq!(tail[4].0, "expense signature");
    assert_eq!(tail[4].2, Some(question_id(&path)));

    fred.get("/staff/gaps").await.assert_status(403);
    let gaps = staff.get("/staff/gaps").await;
    gaps.assert_status(200).assert_contains("parental leave form").assert_contains("expense deadline");
    assert!(!gaps.body.contains(">expense signature<"), "a followed search is not a gap");
    // Four searches for the same words, whatever their case, count together.
    let row = &gaps.body[gaps.body.find("parental leave form</a>").unwrap()..];
    assert!(row.contains("<td>4</td>"), "{row}");
    gaps.assert_contains("<svg");
    // An unknown search or question is a clear 404, not a redirect to nowhere.
    app.get(&format!("/search/click/999999/{}", question_id(&path))).await.assert_status(303);
    app.get("/search/click/1/999999").await.assert_status(404);
    // A click on a search row whose link was not signed here goes on but records nothing.
    let unfollowed = app.with_db(|c| {
        search_log::table
            .filter(search_log::query.eq("expense deadline"))
            .select(search_log::id)
            .first::<i64>(c)
            .unwrap()
    });
    for forged in [unfollowed.to_string(), format!("{unfollowed}.AAAA")] {
        app.get(&format!("/search/click/{forged}/{}", question_id(&path))).await.assert_status(303);
    }
    let clicked: Option<i64> =
        app.with_db(|c| search_log::table.find(unfollowed).select(search_log::clicked_question_id).first(c).unwrap());
    assert_eq!(clicked, None, "a forged click must not turn a gap into an answered search");
}

async fn similar_questions_are_offered_while_asking(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let wilma = signed_in(&app, "wilma", Role::Member).await;
    let title = "How do I reset the office router password?";
    let path = ask_with_body(&fred, title, "The admin password of the router on floor two is lost.", "network").await;
    found(&app, "router", title).await;

    // As JSON, for the script on the ask page.
    let json = app.get(&format!("/questions/similar?title={}", urlencode("reset router password"))).await;
    json.assert_status(200);
    let value: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    let first = &value["questions"][0];
    assert_eq!(first["title"], title);
    assert_eq!(first["path"], path.as_str());
    assert_eq!(first["strong"], true);
    let none = app.get("/questions/similar?title=zz").await;
    assert_eq!(serde_json::from_str::<serde_json::Value>(&none.body).unwrap()["questions"], serde_json::json!([]));

    // Without JavaScript: the first submit of a strongly matching title shows the matches
    // instead of posting; the second posts.
    let wanted = "Resetting the router password in the office";
    let shown = wilma.submit("/ask", "/ask", &[("title", wanted), ("body", DETAILS), ("tags", "network")]).await;
    shown.assert_status(200).assert_contains("These may already answer you").assert_contains(title);
    shown.assert_contains("name=\"similar_checked\" value=\"1\"");
    let count =
        || app.with_db(|c| posts::table.filter(posts::kind.eq("question")).count().get_result::<i64>(c).unwrap());
    assert_eq!(count(), 1, "nothing was posted yet");
    // Opening a suggestion instead of posting is counted as a deflection.
    let link = format!("/ask/suggested/{}?title={}", question_id(&path), urlencode(wanted));
    let opened = wilma.get(&link).await;
    opened.assert_status(303);
    assert_eq!(opened.header("location"), Some(path.as_str()));
    let drafts: Vec<String> = app.with_db(|c| deflections::table.select(deflections::draft_title).load(c).unwrap());
    assert_eq!(drafts, vec![wanted.to_owned()]);
    // Visitors are sent to sign in rather than counted.
    app.another_visitor().get(&link).await.assert_status(303);
    assert_eq!(app.with_db(|c| deflections::table.count().get_result::<i64>(c).unwrap()), 1);
    // Posting anyway, after seeing the suggestions.
    let posted = wilma
        .post_form(
            "/ask",
            &[
                ("csrf_token", &shown.csrf_token().unwrap()),
                ("title", wanted),
                ("body", DETAILS),
                ("tags", "network"),
                ("similar_checked", "1"),
            ],
        )
        .await;
    posted.assert_status(303);
    assert_eq!(count(), 2);
    // A title with only a weak match posts at once.
    let weak = "Which router brand does the café downstairs use?";
    wilma.submit("/ask", "/ask", &[("title", weak), ("body", DETAILS), ("tags", "network")]).await.assert_status(303);

    // Each question page lists related questions, never itself.
    found(&app, "downstairs", weak).await;
    let page = app.get(&path).await;
    page.assert_status(200).assert_contains("Related questions").assert_contains(wanted);
    let related = &page.body[page.body.find("id=\"related-heading\"").unwrap()..];
    assert!(!related.contains(&format!("href=\"{path}\"")), "a question is not related to itself");

    let staff = signed_in(&app, "stella", Role::Staff).await;
    staff.get("/staff/gaps").await.assert_status(200).assert_contains(title);
}

async fn each_searcher_is_logged_once_per_query_though_pages_are_reused(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    fred.ask_ok("Why did my red widget break in the rain?", "widgets").await;
    found(&app, "red widget", "Why did my red widget break in the rain?").await;
    let logged = |app: &TestApp| app.with_db(|c| search_log::table.count().get_result::<i64>(c).unwrap());
    let before = logged(&app);
    for n in 1..=3 {
        app.get_from("/search?q=red+widget", &format!("10.0.1.{n}:4000")).await.assert_status(200);
    }
    assert_eq!(logged(&app), before + 3, "every searcher counts for the staff's FAQ gaps");
    // One client repeating a search is one searcher: the report cannot be skewed by repetition.
    for _ in 0..20 {
        app.get_from("/search?q=red+widget", "10.0.1.1:4000").await.assert_status(200);
    }
    assert_eq!(logged(&app), before + 3, "a repeated search is logged once");
    let first = app.get_from("/search?q=red+widget", "10.0.2.1:4000").await;
    let again = app.get_from("/search?q=red+widget", "10.0.2.1:4000").await;
    let second = app.get_from("/search?q=red+widget", "10.0.2.2:4000").await;
    let log_ids = |page: &common::Page| -> Vec<String> {
        page.body.split("/search/click/").skip(1).map(|rest| rest.split('/').next().unwrap().to_owned()).collect()
    };
    // Each searcher's links carry their own log row, so clicks are not credited to another search.
    let (first, again, second) = (log_ids(&first), log_ids(&again), log_ids(&second));
    assert!(!first.is_empty() && first.len() == second.len());
    assert_eq!(first, again, "a repeat shares its first search's row");
    assert!(first.iter().zip(&second).all(|(a, b)| a != b), "{first:?} {second:?}");
}

on_both_backends!(
    each_searcher_is_logged_once_per_query_though_pages_are_reused,
    new_answers_edits_and_deletions_reach_the_index,
    operators_filter_results,
    typos_are_forgiven,
    malformed_queries_still_get_a_page,
    searches_without_clicks_become_faq_gaps,
    similar_questions_are_offered_while_asking,
);
