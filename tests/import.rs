//! Importing the real Stack Exchange dumps in ../shared/data: counts checked against the files,
//! a second import that changes nothing, a truncated file that fails cleanly, and imported pages
//! that render with their attribution.

use crate::common;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use diesel::prelude::*;
use guidepost::db::schema::{comments, post_sources, posts, revisions, tags, users, watches};
use guidepost::import::{self, Silent, Summary};
use quick_xml::events::Event;

use common::dumps::data_dir;
use common::TestApp;

/// The dumps and the site each comes from.
const DUMPS: [(&str, &str); 5] = [
    ("se-meta-conlang", "conlang.meta.stackexchange.com"),
    ("se-ai-2016", "ai.stackexchange.com"),
    ("se-meta-bicycles", "bicycles.meta.stackexchange.com"),
    ("se-meta-french", "french.meta.stackexchange.com"),
    ("se-quantumcomputing-2018", "quantumcomputing.stackexchange.com"),
];

/// Every `<row>` of a dump file as attribute maps, read independently of the importer.
fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let Ok(text) = std::fs::read_to_string(path) else { return Vec::new() };
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut out = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Empty(e) if e.name().as_ref() == b"row" => out.push(
                e.attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        (
                            String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                            a.normalized_value(quick_xml::XmlVersion::Explicit1_0).unwrap().into_owned(),
                        )
                    })
                    .collect(),
            ),
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// What the files say an import must produce.
#[derive(Debug, PartialEq, Eq)]
struct Expected {
    questions: u64,
    answers: u64,
    comments: u64,
    accepted: u64,
    duplicates: u64,
    watches: u64,
}

fn expected(dir: &Path) -> Expected {
    let posts = rows(&dir.join("Posts.xml"));
    let kind = |r: &HashMap<String, String>| r.get("PostTypeId").cloned().unwrap_or_default();
    let id = |r: &HashMap<String, String>, k: &str| r.get(k).and_then(|v| v.parse::<i64>().ok());
    let questions: HashSet<i64> = posts.iter().filter(|r| kind(r) == "1").filter_map(|r| id(r, "Id")).collect();
    let answers: HashMap<i64, i64> = posts
        .iter()
        .filter(|r| kind(r) == "2")
        .filter_map(|r| Some((id(r, "Id")?, id(r, "ParentId")?)))
        .filter(|(_, parent)| questions.contains(parent))
        .collect();
    let accepted = posts
        .iter()
        .filter(|r| kind(r) == "1")
        .filter(
            |r| matches!((id(r, "Id"), id(r, "AcceptedAnswerId")), (Some(q), Some(a)) if answers.get(&a) == Some(&q)),
        )
        .count() as u64;
    let comments = rows(&dir.join("Comments.xml"))
        .iter()
        .filter(|r| id(r, "PostId").is_some_and(|p| questions.contains(&p) || answers.contains_key(&p)))
        .count() as u64;
    let duplicates: HashSet<i64> = rows(&dir.join("PostLinks.xml"))
        .iter()
        .filter(|r| r.get("LinkTypeId").map(String::as_str) == Some("3"))
        .filter_map(|r| Some((id(r, "PostId")?, id(r, "RelatedPostId")?)))
        .filter(|(d, o)| d != o && questions.contains(d) && questions.contains(o))
        .map(|(d, _)| d)
        .collect();
    // Askers watch their questions (the Community bot, -1, does not), and members the questions
    // they starred (vote type 5); each pair once, and only listed members.
    let members: HashSet<i64> = rows(&dir.join("Users.xml")).iter().filter_map(|r| id(r, "Id")).collect();
    let askers = posts
        .iter()
        .filter(|r| kind(r) == "1")
        .filter_map(|r| Some((id(r, "OwnerUserId")?, id(r, "Id")?)))
        .filter(|&(asker, _)| asker > 0);
    let starred = rows(&dir.join("Votes.xml"))
        .into_iter()
        .filter(|r| r.get("VoteTypeId").map(String::as_str) == Some("5"))
        .filter_map(|r| Some((id(&r, "UserId")?, id(&r, "PostId")?)));
    let watches: HashSet<(i64, i64)> = askers
        .chain(starred)
        .filter(|(user, question)| members.contains(user) && questions.contains(question))
        .collect();
    Expected {
        questions: questions.len() as u64,
        answers: answers.len() as u64,
        comments,
        accepted,
        duplicates: duplicates.len() as u64,
        watches: watches.len() as u64,
    }
}

fn imported(summary: &Summary) -> Expected {
    Expected {
        questions: summary.questions,
        answers: summary.answers,
        comments: summary.comments,
        accepted: summary.accepted,
        duplicates: summary.duplicates,
        watches: summary.watches,
    }
}

/// Row counts of the tables an import writes.
fn table_counts(app: &TestApp) -> [i64; 7] {
    app.with_db(|c| {
        [
            posts::table.count().get_result(c).unwrap(),
            comments::table.count().get_result(c).unwrap(),
            users::table.count().get_result(c).unwrap(),
            tags::table.count().get_result(c).unwrap(),
            post_sources::table.count().get_result(c).unwrap(),
            revisions::table.count().get_result(c).unwrap(),
            watches::table.count().get_result(c).unwrap(),
        ]
    })
}

async fn every_dump_imports_with_the_files_counts(app: TestApp) {
    let data = data_dir();
    for (folder, site) in DUMPS {
        let dir = data.join(folder);
        let summary = app.with_db(|c| import::import(c, &dir, site, &mut Silent).unwrap());
        assert_eq!(imported(&summary), expected(&dir), "{folder}");
        assert!(summary.skipped_other_posts > 0, "{folder}: tag wikis are skipped and counted");
        let in_db: (i64, i64, i64, i64) = app.with_db(|c| {
            let of_site = post_sources::table.filter(post_sources::source_site.eq(site)).select(post_sources::post_id);
            let mine = || posts::table.filter(posts::id.eq_any(of_site));
            (
                mine().filter(posts::kind.eq("question")).count().get_result(c).unwrap(),
                mine().filter(posts::kind.eq("answer")).count().get_result(c).unwrap(),
                mine().filter(posts::accepted_answer_id.is_not_null()).count().get_result(c).unwrap(),
                mine().filter(posts::close_reason.eq("duplicate")).count().get_result(c).unwrap(),
            )
        });
        let want = expected(&dir);
        assert_eq!(
            in_db,
            (want.questions as i64, want.answers as i64, want.accepted as i64, want.duplicates as i64),
            "{folder}"
        );
    }

    // PostgreSQL's planner has statistics of the imported rows; SQLite keeps none.
    if app.with_db(|c| matches!(c, guidepost::db::DbConnection::Postgresql(_))) {
        let analyzed: i64 = app.with_db(|c| {
            diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "(SELECT COUNT(*) FROM pg_stats WHERE schemaname = current_schema() \
                 AND tablename = 'posts' AND attname = 'question_id')",
            ))
            .get_result(c)
            .unwrap()
        });
        assert_eq!(analyzed, 1, "the import ends with ANALYZE");
    }

    // A second run of every dump changes nothing.
    let before = table_counts(&app);
    for (folder, site) in DUMPS {
        let again = app.with_db(|c| import::import(c, &data.join(folder), site, &mut Silent).unwrap());
        assert_eq!(
            imported(&again),
            Expected { questions: 0, answers: 0, comments: 0, accepted: 0, duplicates: 0, watches: 0 },
            "{folder}"
        );
        assert!(again.already_imported > 0);
        assert_eq!(again.tags, 0);
    }
    assert_eq!(table_counts(&app), before);

    // Every tag the dumps list exists once (sites share some names), and no other tag appeared.
    let listed: HashSet<String> = DUMPS
        .iter()
        .flat_map(|(folder, _)| rows(&data.join(folder).join("Tags.xml")))
        .filter_map(|r| r.get("TagName").map(|t| t.to_lowercase()))
        .collect();
    let stored: HashSet<String> =
        app.with_db(|c| tags::table.select(tags::name).load(c).unwrap()).into_iter().collect();
    assert_eq!(stored, listed);

    // Counters were recomputed: a question's answer count matches its answers.
    let mismatched: i64 = app.with_db(|c| {
        diesel::sql_query(
            "SELECT COUNT(*) AS n FROM posts q WHERE q.kind = 'question' AND q.answer_count <> \
             (SELECT COUNT(*) FROM posts a WHERE a.question_id = q.id AND a.kind = 'answer')",
        )
        .get_result::<Count>(c)
        .unwrap()
        .n
    });
    assert_eq!(mismatched, 0);

    // Imported pages render, with their attribution, and French text survives intact.
    let (id, slug): (i64, Option<String>) = app.with_db(|c| {
        posts::table
            .inner_join(post_sources::table)
            .filter(post_sources::source_site.eq("french.meta.stackexchange.com"))
            .filter(posts::kind.eq("question"))
            .filter(posts::answer_count.gt(0))
            .order(posts::id)
            .select((posts::id, posts::slug))
            .first(c)
            .unwrap()
    });
    let page = app.get(&format!("/questions/{id}/{}", slug.unwrap())).await;
    page.assert_status(200).assert_contains("Originally posted on french.meta.stackexchange.com by ");
    page.assert_contains("https://french.meta.stackexchange.com/q/").assert_contains("licensed CC BY-SA");
    page.assert_contains("https://french.meta.stackexchange.com/a/");
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

async fn a_truncated_dump_fails_cleanly_and_can_be_resumed(app: TestApp) {
    let data = data_dir().join("se-ai-2016");
    let copy = tempfile::tempdir().unwrap();
    for file in ["Users.xml", "Tags.xml", "Comments.xml", "PostLinks.xml"] {
        std::fs::copy(data.join(file), copy.path().join(file)).unwrap();
    }
    let posts_xml = std::fs::read(data.join("Posts.xml")).unwrap();
    // Cut in the middle of a row, well past the first batch.
    std::fs::write(copy.path().join("Posts.xml"), &posts_xml[..posts_xml.len() * 2 / 3]).unwrap();
    let error =
        app.with_db(|c| import::import(c, copy.path(), "ai.stackexchange.com", &mut Silent).unwrap_err()).to_string();
    assert!(error.starts_with("Posts.xml, line "), "{error}");
    assert!(error.contains("not well-formed") || error.contains("truncated"), "{error}");
    // Whole batches only: every post has its attribution and its first revision.
    let [posts_n, _, _, _, sources_n, revisions_n, _] = table_counts(&app);
    assert!(posts_n > 0 && posts_n < 1_170, "{posts_n}");
    assert_eq!(posts_n, sources_n);
    assert_eq!(posts_n, revisions_n);
    // Running the complete dump afterwards finishes the job, with the files' counts.
    app.with_db(|c| import::import(c, &data, "ai.stackexchange.com", &mut Silent).unwrap());
    let total: i64 = app.with_db(|c| posts::table.count().get_result(c).unwrap());
    let want = expected(&data);
    assert_eq!(total, (want.questions + want.answers) as i64);

    // A folder without Posts.xml is refused with a clear message.
    let empty = tempfile::tempdir().unwrap();
    let refused = app.with_db(|c| import::import(c, empty.path(), "x.example", &mut Silent).unwrap_err()).to_string();
    assert!(refused.contains("no Posts.xml"), "{refused}");
}

on_both_backends!(every_dump_imports_with_the_files_counts, a_truncated_dump_fails_cleanly_and_can_be_resumed);
