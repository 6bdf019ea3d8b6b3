//! What search engines read: robots.txt, the sitemap index, the questions files (split at 50,000
//! URLs) and the tags file.

use crate::common;

use std::collections::HashSet;
use std::time::Instant;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use guidepost::db::schema::posts;
use guidepost::roles::Role;

use common::forum::question_id;
use common::members::PASSWORD;
use common::xml::{self, Element};
use common::{Page, TestApp};

const BASE: &str = "http://forum.test";

async fn signed_in(app: &TestApp, username: &str, role: Role) -> TestApp {
    let visitor = app.another_visitor();
    app.create_user(username, role);
    visitor.sign_in(username, PASSWORD).await.assert_status(303);
    visitor
}

fn iso(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Fetches a sitemap file or the index and checks what every sitemap response carries.
async fn sitemap(app: &TestApp, path: &str, root: &str) -> Element {
    let page: Page = app.get(path).await;
    page.assert_status(200);
    assert_eq!(page.header("content-type"), Some("application/xml; charset=utf-8"));
    assert_eq!(page.header("cache-control"), Some("public, max-age=3600"));
    assert!(page.header("set-cookie").is_none(), "a publicly cached response must not set cookies");
    let doc = xml::parse(&page.body);
    assert_eq!(doc.name, root);
    assert_eq!(doc.attr("xmlns"), Some("http://www.sitemaps.org/schemas/sitemap/0.9"));
    doc
}

/// The `<loc>`s of a document's `<url>` or `<sitemap>` entries.
fn locs<'a>(doc: &'a Element, entry: &str) -> Vec<&'a str> {
    doc.all(entry).map(|e| e.text_of("loc")).collect()
}

/// Whether robots.txt lets a crawler fetch `path`, by RFC 9309: the longest matching rule wins,
/// `Allow` on a tie; `$` anchors the end.
fn allowed(robots: &str, path: &str) -> bool {
    let mut best: Option<(usize, bool)> = None;
    for line in robots.lines() {
        let (allow, pattern) = match (line.strip_prefix("Allow: "), line.strip_prefix("Disallow: ")) {
            (Some(pattern), _) => (true, pattern),
            (None, Some(pattern)) => (false, pattern),
            _ => continue,
        };
        let matches = match pattern.strip_suffix('$') {
            Some(exact) => path == exact,
            None => path.starts_with(pattern),
        };
        let better = best.is_none_or(|(length, was_allow)| {
            pattern.len() > length || (pattern.len() == length && allow && !was_allow)
        });
        if matches && better {
            best = Some((pattern.len(), allow));
        }
    }
    best.is_none_or(|(_, allow)| allow)
}

async fn robots_txt_opens_public_pages_and_names_the_sitemap(app: TestApp) {
    let page = app.get("/robots.txt").await;
    page.assert_status(200)
        .assert_contains("User-agent: *\n")
        .assert_contains("\nSitemap: http://forum.test/sitemap.xml\n");
    assert_eq!(page.header("content-type"), Some("text/plain; charset=utf-8"));
    let open = [
        "/",
        "/questions/12/why-did-my-widget-break",
        "/questions/12",
        "/a/40",
        "/tags",
        "/tags?page=2",
        "/tags/c%23",
        "/users/3/fred",
        "/feeds/questions.atom",
        "/feeds/tags/rain.atom",
        "/sitemap.xml",
        "/sitemaps/questions-1.xml",
        "/assets/css/site.css?v=1",
        "/about",
        "/theme.css?accent=8a2be2",
        "/cards/questions/12.png",
        "/cards/answers/40.png",
        "/oembed?url=http%3A%2F%2Fforum.test%2Fa%2F40",
    ];
    let closed = [
        "/?sort=votes",
        "/questions",
        "/questions/similar?title=widget",
        "/search?q=widget",
        "/search/click/1/2",
        "/ask",
        "/ask/suggested/3",
        "/embed/questions/12",
        "/embed/ask?tags=x",
        "/embed/ask/opened/3",
        "/login",
        "/signup",
        "/settings",
        "/staff",
        "/staff/queue",
        "/admin/users",
        "/posts/4/edit",
        "/posts/4/revisions",
        "/notifications",
        "/password/forgot",
        "/verify-email/abc",
        "/unsubscribe/abc",
        "/preview",
        "/healthz",
    ];
    for path in open {
        assert!(allowed(&page.body, path), "{path} should be open:\n{}", page.body);
    }
    for path in closed {
        assert!(!allowed(&page.body, path), "{path} should be closed:\n{}", page.body);
    }
}

async fn an_empty_site_lists_only_the_tags_file(app: TestApp) {
    let index = sitemap(&app, "/sitemap.xml", "sitemapindex").await;
    assert_eq!(locs(&index, "sitemap"), [format!("{BASE}/sitemaps/tags.xml")]);
    let tags = sitemap(&app, "/sitemaps/tags.xml", "urlset").await;
    assert_eq!(locs(&tags, "url"), [format!("{BASE}/"), format!("{BASE}/tags")], "never an empty urlset");
    for missing in
        ["questions-1", "questions-0", "questions-01", "questions-x", "questions-", "questions-99999999999999999999"]
    {
        app.get(&format!("/sitemaps/{missing}.xml")).await.assert_status(404);
    }
}

async fn a_small_site_lists_its_questions_and_tags(app: TestApp) {
    let fred = signed_in(&app, "fred", Role::Member).await;
    let first = fred.ask_ok("Why did my red widget break in the rain?", "widgets").await;
    let gone = fred.ask_ok("A question that is deleted before anyone reads it", "widgets").await;
    let sharp = fred.ask_ok("Why does the widget SDK for C# crash at start?", "c# widgets").await;
    let now = chrono::Utc::now().naive_utc();
    app.with_db(|c| {
        diesel::update(posts::table.find(question_id(&gone))).set(posts::deleted_at.eq(Some(now))).execute(c).unwrap()
    });
    let activity: Vec<NaiveDateTime> = app.with_db(|c| {
        posts::table
            .filter(posts::id.eq_any([question_id(&first), question_id(&sharp)]))
            .order(posts::id)
            .select(posts::last_activity_at)
            .load(c)
            .unwrap()
    });
    let newest = iso(*activity.iter().max().unwrap());

    let index = sitemap(&app, "/sitemap.xml", "sitemapindex").await;
    let files: Vec<&Element> = index.all("sitemap").collect();
    assert_eq!(
        locs(&index, "sitemap"),
        [format!("{BASE}/sitemaps/questions-1.xml"), format!("{BASE}/sitemaps/tags.xml")]
    );
    for file in files {
        assert_eq!(file.text_of("lastmod"), newest);
    }

    let questions = sitemap(&app, "/sitemaps/questions-1.xml", "urlset").await;
    assert_eq!(locs(&questions, "url"), [format!("{BASE}{first}"), format!("{BASE}{sharp}")]);
    let dates: Vec<String> = questions.all("url").map(|u| u.text_of("lastmod").to_owned()).collect();
    assert_eq!(dates, activity.iter().map(|at| iso(*at)).collect::<Vec<_>>());
    app.get("/sitemaps/questions-2.xml").await.assert_status(404);

    let tags = sitemap(&app, "/sitemaps/tags.xml", "urlset").await;
    let expected =
        [format!("{BASE}/"), format!("{BASE}/tags"), format!("{BASE}/tags/widgets"), format!("{BASE}/tags/c%23")];
    assert_eq!(locs(&tags, "url"), expected, "most used tags first, names percent-encoded");
    for url in &expected[2..] {
        app.get(url.trim_start_matches(BASE)).await.assert_status(200);
    }
}

/// Questions (every 997th deleted) straight into the database in statements of 1,000 rows, each
/// followed by a few answers so that questions do not own the whole id space.
fn insert_questions(app: &TestApp, author: i64, count: usize) {
    let start = NaiveDateTime::parse_from_str("2026-01-01 00:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
    let at = |i: usize, days: usize| {
        (start + chrono::Duration::seconds(i as i64) + chrono::Duration::days(days as i64)).format("%Y-%m-%d %H:%M:%S")
    };
    app.with_db(|conn| {
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            for batch in (0..count).collect::<Vec<_>>().chunks(1_000) {
                let rows: Vec<String> = batch
                    .iter()
                    .map(|&i| {
                        let deleted = if i % 997 == 996 { format!("'{}'", at(i, 1)) } else { "NULL".to_owned() };
                        format!(
                            "('question', NULL, {author}, 'Bulk question {i}', 'bulk-question-{i}', 'bulk', \
                             'Bulk question text {i}', '<p>Bulk question text {i}</p>', '{}', '{}', {deleted})",
                            at(i, 0),
                            at(i, i % 7)
                        )
                    })
                    .collect();
                let answers: Vec<String> = (0..20)
                    .map(|_| {
                        format!(
                            "('answer', (SELECT MIN(id) FROM posts), {author}, NULL, NULL, NULL, 'An answer', \
                             '<p>An answer</p>', '{0}', '{0}', NULL)",
                            at(batch[0], 0)
                        )
                    })
                    .collect();
                for values in [rows, answers] {
                    diesel::sql_query(format!(
                        "INSERT INTO posts (kind, question_id, author_id, title, slug, tags, body_markdown, body_html, \
                         created_at, last_activity_at, deleted_at) VALUES {}",
                        values.join(", ")
                    ))
                    .execute(conn)?;
                }
            }
            Ok(())
        })
        .unwrap()
    });
}

async fn more_than_50_000_questions_are_split_into_two_files(app: TestApp) {
    let author = app.create_user("importer", Role::Member);
    let started = Instant::now();
    insert_questions(&app, author, 51_500);
    let live: Vec<(i64, Option<String>, NaiveDateTime)> = app.with_db(|c| {
        posts::table
            .filter(posts::kind.eq("question"))
            .filter(posts::deleted_at.is_null())
            .order(posts::id)
            .select((posts::id, posts::slug, posts::last_activity_at))
            .load(c)
            .unwrap()
    });
    assert_eq!(live.len(), 51_500 - 51);
    eprintln!("inserted 51,500 questions in {:?}", started.elapsed());

    let index = sitemap(&app, "/sitemap.xml", "sitemapindex").await;
    let names = [1, 2].map(|n| format!("{BASE}/sitemaps/questions-{n}.xml"));
    assert_eq!(locs(&index, "sitemap"), [names[0].as_str(), names[1].as_str(), &format!("{BASE}/sitemaps/tags.xml")]);

    let started = Instant::now();
    let first = sitemap(&app, "/sitemaps/questions-1.xml", "urlset").await;
    eprintln!("questions-1.xml (50,000 URLs) fetched and parsed in {:?}", started.elapsed());
    let second = sitemap(&app, "/sitemaps/questions-2.xml", "urlset").await;
    app.get("/sitemaps/questions-3.xml").await.assert_status(404);
    let (first_urls, second_urls) = (locs(&first, "url"), locs(&second, "url"));
    assert_eq!(first_urls.len(), 50_000);
    assert_eq!(second_urls.len(), live.len() - 50_000);

    // Every listed URL is exactly one live question's canonical URL, in id order, each once.
    let listed: Vec<&str> = first_urls.iter().chain(&second_urls).copied().collect();
    assert_eq!(listed.iter().collect::<HashSet<_>>().len(), listed.len(), "no URL twice");
    let expected: Vec<String> =
        live.iter().map(|(id, slug, _)| format!("{BASE}/questions/{id}/{}", slug.as_deref().unwrap())).collect();
    assert!(listed == expected, "the files list exactly the live questions, in id order");
    let dates: Vec<&str> = first.all("url").chain(second.all("url")).map(|u| u.text_of("lastmod")).collect();
    assert!(dates.iter().zip(&live).all(|(listed, (_, _, at))| *listed == iso(*at)), "lastmod is the last activity");
    for (file, block) in index.all("sitemap").zip([&live[..50_000], &live[50_000..]]) {
        let newest = block.iter().map(|(_, _, at)| *at).max().unwrap();
        assert_eq!(file.text_of("lastmod"), iso(newest), "a file's lastmod is its newest activity");
    }

    // A sample resolves through the app: the first, every 1,000th and the last.
    let sample = (0..listed.len()).step_by(1_000).chain([50_000 - 1, 50_000, listed.len() - 1]);
    for at in sample {
        let path = listed[at].trim_start_matches(BASE);
        app.get(path).await.assert_status(200);
    }
}

on_both_backends!(
    robots_txt_opens_public_pages_and_names_the_sitemap,
    an_empty_site_lists_only_the_tags_file,
    a_small_site_lists_its_questions_and_tags,
    more_than_50_000_questions_are_split_into_two_files,
);

/// Timings at a million questions, for the README and reviews (release build; the data takes a
/// minute to insert): `cargo test --release --test suite sitemaps:: -- --ignored --nocapture`.
async fn measure_a_million_questions(app: TestApp) {
    use guidepost::services::sitemaps;
    let backend = app.with_db(|c| c.backend_name());
    let author = app.create_user("importer", Role::Member);
    let started = Instant::now();
    insert_questions(&app, author, 1_000_000);
    eprintln!("[{}] inserted 1,000,000 questions in {:?}", backend, started.elapsed());
    app.with_db(|c| {
        let analyze = if c.backend_name() == "postgres" { "VACUUM ANALYZE posts" } else { "ANALYZE" };
        diesel::sql_query(analyze).execute(c).unwrap()
    });
    // The statements of `db::models::sitemaps`, as each backend runs them.
    let from = if backend == "sqlite" { "posts INDEXED BY questions_by_id" } else { "posts" };
    let questions = "kind = 'question' AND deleted_at IS NULL";
    for query in [
        format!(
            "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS position FROM {from} WHERE {questions}) \
             numbered WHERE position % 50000 = 1 ORDER BY id"
        ),
        format!("SELECT COUNT(*), MAX(last_activity_at) FROM {from} WHERE {questions} AND id >= 1 AND id < 50000"),
        format!(
            "SELECT id, slug, last_activity_at FROM {from} WHERE {questions} AND id > 500000 AND id <= 550000 \
             ORDER BY id LIMIT 5000"
        ),
    ] {
        eprintln!("[{backend}] {query}\n{}", explain(&app, &query));
    }
    for _ in 0..2 {
        let started = Instant::now();
        let count: i64 = app
            .with_db(|c| {
                posts::table
                    .filter(posts::kind.eq("question"))
                    .filter(posts::deleted_at.is_null())
                    .count()
                    .get_result(c)
            })
            .unwrap();
        eprintln!("[{}] COUNT(*) of {count} questions: {:?}", backend, started.elapsed());
        let started = Instant::now();
        let plan = app.with_db(|c| sitemaps::plan(c).unwrap());
        eprintln!("[{}] plan of {} files: {:?}", backend, plan.file_count(), started.elapsed());
    }
    for path in ["/sitemap.xml", "/sitemaps/questions-1.xml", "/sitemaps/questions-20.xml", "/sitemaps/questions-1.xml"]
    {
        let started = Instant::now();
        let page = app.get(path).await;
        page.assert_status(200);
        eprintln!("[{}] GET {path}: {} bytes in {:?}", backend, page.body.len(), started.elapsed());
    }
}

/// The planner's plan for a query, as text.
fn explain(app: &TestApp, query: &str) -> String {
    use diesel::sql_types::Text;
    #[derive(QueryableByName)]
    struct Sqlite {
        #[diesel(sql_type = Text)]
        detail: String,
    }
    #[derive(QueryableByName)]
    struct Postgres {
        #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
        line: String,
    }
    app.with_db(|c| {
        let lines: Vec<String> = if c.backend_name() == "postgres" {
            let rows: Vec<Postgres> = diesel::sql_query(format!("EXPLAIN ANALYZE {query}")).load(c).unwrap();
            rows.into_iter().map(|r| r.line).collect()
        } else {
            let rows: Vec<Sqlite> = diesel::sql_query(format!("EXPLAIN QUERY PLAN {query}")).load(c).unwrap();
            rows.into_iter().map(|r| r.detail).collect()
        };
        lines.join("\n")
    })
}

mod measure_a_million_questions {
    #[actix_web::test]
    #[ignore = "a measurement, not a check: takes minutes"]
    async fn sqlite() {
        super::measure_a_million_questions(crate::common::TestApp::start(crate::common::TestDb::sqlite()).await).await;
    }

    #[actix_web::test]
    #[ignore = "a measurement, not a check: takes minutes"]
    async fn postgres() {
        if let Some(db) = crate::common::TestDb::postgres() {
            super::measure_a_million_questions(crate::common::TestApp::start(db).await).await;
        }
    }
}
