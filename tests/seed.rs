//! `guidepost seed`: a synthetic site whose counters add up, that renders, and that is the same
//! every time for the same seed.

use crate::common;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use guidepost::db::schema::{comments, post_tags, posts, tags, users};
use guidepost::db::DbConnection;
use guidepost::seed::{self, SeedOptions};

use common::cli::{guidepost, run, text};
use common::{TestApp, TestDb};

const OPTIONS: SeedOptions = SeedOptions { questions: 300, answers_per_question: 3, seed: 42 };

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count_where(app: &TestApp, sql: &str) -> i64 {
    app.with_db(|c| diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {sql}")).get_result::<Count>(c).unwrap().n)
}

async fn a_seeded_site_adds_up_and_renders(app: TestApp) {
    let summary = app.with_db(|c| seed::seed(c, OPTIONS, &mut |_| {}).unwrap());
    assert_eq!(summary.questions, 300);
    let (questions, answers, comment_rows, members): (i64, i64, i64, i64) = app.with_db(|c| {
        (
            posts::table.filter(posts::kind.eq("question")).count().get_result(c).unwrap(),
            posts::table.filter(posts::kind.eq("answer")).count().get_result(c).unwrap(),
            comments::table.count().get_result(c).unwrap(),
            users::table.count().get_result(c).unwrap(),
        )
    });
    assert_eq!((questions, answers, comment_rows), (300, summary.answers as i64, summary.comments as i64));
    assert_eq!(members, summary.users as i64);
    assert!((600..=1_200).contains(&answers), "about three answers a question: {answers}");
    // Over about three years, none of it in the future.
    let (first, last): (Option<NaiveDateTime>, Option<NaiveDateTime>) = app.with_db(|c| {
        let posted = posts::table.select((diesel::dsl::min(posts::created_at), diesel::dsl::max(posts::created_at)));
        posted.first(c).unwrap()
    });
    let (first, last) = (first.unwrap(), last.unwrap());
    let latest_comment: Option<NaiveDateTime> =
        app.with_db(|c| comments::table.select(diesel::dsl::max(comments::created_at)).first(c).unwrap());
    let now = Utc::now().naive_utc();
    assert!(last <= now && latest_comment.unwrap() <= now, "seeded in the future: {last}, {latest_comment:?}");
    assert!((last - first).num_days() > 2 * 365, "spread over years: {first} to {last}");
    // Every kept counter agrees with the rows it counts.
    for broken in [
        "posts q WHERE q.kind = 'question' AND q.answer_count <> (SELECT COUNT(*) FROM posts a WHERE a.question_id = q.id)",
        "posts p WHERE p.comment_count <> (SELECT COUNT(*) FROM comments c WHERE c.post_id = p.id)",
        "tags t WHERE t.question_count <> (SELECT COUNT(*) FROM post_tags pt WHERE pt.tag_id = t.id)",
        "posts q WHERE q.accepted_answer_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM posts a WHERE a.id = q.accepted_answer_id AND a.question_id = q.id)",
        "posts q WHERE q.kind = 'question' AND q.has_official <> EXISTS (SELECT 1 FROM posts a WHERE a.question_id = q.id AND a.official_kind IS NOT NULL)",
        "posts p WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.post_id = p.id)",
        // Time runs as on a real site: questions in the order of their ids, answers after their
        // question, comments after their post, members joining before they post.
        "posts q WHERE q.kind = 'question' AND EXISTS (SELECT 1 FROM posts p WHERE p.kind = 'question' AND p.id < q.id AND p.created_at > q.created_at)",
        "posts a JOIN posts q ON q.id = a.question_id WHERE a.created_at < q.created_at",
        "posts q WHERE q.kind = 'question' AND q.last_activity_at < q.created_at",
        "comments c JOIN posts p ON p.id = c.post_id WHERE c.created_at < p.created_at",
        "posts p JOIN users u ON u.id = p.author_id WHERE u.created_at > p.created_at",
    ] {
        assert_eq!(count_where(&app, broken), 0, "{broken}");
    }
    // Realistic shapes: accepted and official answers, code blocks, skewed tags.
    assert!(count_where(&app, "posts WHERE accepted_answer_id IS NOT NULL") > 50);
    assert!(count_where(&app, "posts WHERE official_kind IS NOT NULL") > 5);
    assert!(count_where(&app, "posts WHERE body_html LIKE '%<pre %'") > 50);
    let busiest: i64 = app.with_db(|c| {
        tags::table.select(diesel::dsl::max(tags::question_count)).first::<Option<i32>>(c).unwrap().unwrap().into()
    });
    let tagged: i64 = app.with_db(|c| post_tags::table.count().get_result(c).unwrap());
    assert!(busiest * 20 > tagged, "one tag carries a good share: {busiest} of {tagged}");
    // PostgreSQL's planner knows the new rows (without statistics it scanned every tagging for
    // a popular tag's page); SQLite keeps none.
    if app.with_db(|c| matches!(c, DbConnection::Postgresql(_))) {
        let analyzed =
            "pg_stats WHERE schemaname = current_schema() AND tablename = 'post_tags' AND attname = 'tag_id'";
        assert_eq!(count_where(&app, analyzed), 1, "the seed ends with ANALYZE");
    }

    // Pages render, and new rows get fresh ids after the seeded ones.
    let (id, slug): (i64, Option<String>) = app.with_db(|c| {
        posts::table
            .filter(posts::kind.eq("question"))
            .order(posts::answer_count.desc())
            .select((posts::id, posts::slug))
            .first(c)
            .unwrap()
    });
    app.get(&format!("/questions/{id}/{}", slug.unwrap())).await.assert_status(200);
    app.get("/questions?sort=votes").await.assert_status(200);
    let fred = app.another_visitor();
    app.create_user("fred", guidepost::roles::Role::Member);
    fred.sign_in("fred", common::members::PASSWORD).await.assert_status(303);
    fred.ask_ok("A brand new question after seeding the site", "widget").await;
}

async fn the_same_seed_gives_the_same_site(app: TestApp) {
    let other = TestApp::start(TestDb::sqlite()).await;
    let titles = |app: &TestApp| -> Vec<(Option<String>, i32, Option<String>)> {
        app.with_db(|c| {
            seed::seed(c, SeedOptions { questions: 50, ..OPTIONS }, &mut |_| {}).unwrap();
            posts::table.order(posts::id).select((posts::title, posts::score, posts::tags)).load(c).unwrap()
        })
    };
    assert_eq!(titles(&app), titles(&other));
}

on_both_backends!(a_seeded_site_adds_up_and_renders, the_same_seed_gives_the_same_site);

#[test]
fn the_seed_command_reports_and_indexes() {
    // A fresh install: seeding applies the migrations itself, like `serve`.
    let db = TestDb::sqlite();
    let output =
        run(&mut guidepost(&db, &["seed", "--questions", "120", "--answers-per-question", "2", "--seed", "7"]));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("seeded 120 questions"), "{stdout}");
    assert!(stdout.contains("indexed 120 questions"), "{stdout}");
    let refused = run(&mut guidepost(&db, &["seed", "--questions", "many"]));
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("--questions"), "{}", text(&refused.stderr));
}
