//! What the crash left, checked: every acknowledged post on its page and found by search, and
//! nothing half-written in the database.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use guidepost::db::schema::{comments, post_tags, posts, revisions, search_changes, tags, watches};

use super::{Acknowledged, Kind, CATCH_UP, SHARED_WORD};
use crate::common::cli::{HttpReply, HttpVisitor};
use crate::common::TestDb;

/// Every acknowledged post is on its question's page.
pub(crate) fn assert_on_their_pages(port: u16, acknowledged: &[Acknowledged]) {
    let mut by_question: BTreeMap<i64, (String, Vec<&Acknowledged>)> = BTreeMap::new();
    for post in acknowledged {
        by_question.entry(post.question.id).or_insert_with(|| (post.question.path.clone(), Vec::new())).1.push(post);
    }
    let mut visitor = HttpVisitor::new(port);
    for (path, posts) in by_question.values() {
        let page = visitor.get(path).unwrap();
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        for post in posts {
            assert!(
                page.body.contains(&post.word),
                "acknowledged {:?} {} is missing from {path}",
                post.kind,
                post.word
            );
        }
    }
}

/// The question ids a search results page links to.
fn result_ids(page: &HttpReply) -> Vec<i64> {
    page.body
        .split("<h2><a href=\"")
        .skip(1)
        .filter_map(|rest| {
            let href = &rest[..rest.find('"')?];
            let id = match href.strip_prefix("/search/click/") {
                // `/search/click/{token}/{question}`
                Some(click) => click.rsplit('/').next()?,
                None => href.strip_prefix("/questions/")?.split('/').next()?,
            };
            id.parse().ok()
        })
        .collect()
}

/// The result count the search page reports for `word`, and whether it is exact.
fn count_found(visitor: &mut HttpVisitor, word: &str) -> (usize, bool) {
    let page = visitor.get(&format!("/search?q={word}")).unwrap();
    assert_eq!(page.status, 200, "{}", page.body);
    let marker = "role=\"status\">";
    let at = page.body.find(marker).expect("a result count");
    let shown = page.body[at + marker.len()..].split_whitespace().next().unwrap();
    (shown.trim_end_matches('+').parse().unwrap(), !shown.ends_with('+'))
}

/// Polls search until the shared word finds every question in the database (acknowledged or
/// not) and each acknowledged question and answer is found under its own word. Returns how long
/// the first took (the index catching up after the restart) and how many passes the second.
pub(crate) fn assert_found_by_search(
    port: u16,
    acknowledged: &[Acknowledged],
    questions_in_db: usize,
) -> (Duration, usize) {
    let started = Instant::now();
    let mut visitor = HttpVisitor::new(port);
    loop {
        let counted = count_found(&mut visitor, SHARED_WORD);
        if counted == (questions_in_db, true) {
            break;
        }
        assert!(
            started.elapsed() < CATCH_UP,
            "after {CATCH_UP:?} search counts {counted:?} of the {questions_in_db} questions in the database"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let caught_up = started.elapsed();
    // Comments are not part of the search documents. An answer to an older question reaches the
    // index with its question's document, which may come a round later.
    let mut pending: Vec<&Acknowledged> = acknowledged.iter().filter(|p| p.kind != Kind::Comment).collect();
    let mut passes = 0;
    while !pending.is_empty() {
        assert!(
            passes == 0 || started.elapsed() < CATCH_UP,
            "after {CATCH_UP:?} search still misses {} acknowledged posts, e.g. {:?}",
            pending.len(),
            pending[0]
        );
        if passes > 0 {
            std::thread::sleep(Duration::from_millis(250));
        }
        passes += 1;
        pending.retain(|post| {
            let page = visitor.get(&format!("/search?q={}", post.word)).unwrap();
            assert_eq!(page.status, 200, "{}", page.body);
            !result_ids(&page).contains(&post.question.id)
        });
    }
    (caught_up, passes)
}

/// Checks, straight in the database, that every post the crash left is whole: acknowledged or
/// not. Returns how many questions there are.
pub(crate) fn assert_nothing_half_written(db: &TestDb) -> usize {
    let pool = guidepost::db::connect(&db.url, 1).unwrap();
    let conn = &mut pool.get().unwrap();
    let questions: Vec<(i64, i64, Option<String>, i32, i32)> = posts::table
        .filter(posts::kind.eq("question"))
        .select((posts::id, posts::author_id, posts::tags, posts::answer_count, posts::comment_count))
        .load(conn)
        .unwrap();
    let answers: Vec<(i64, Option<i64>, i32)> = posts::table
        .filter(posts::kind.eq("answer"))
        .select((posts::id, posts::question_id, posts::comment_count))
        .load(conn)
        .unwrap();
    let revised: HashSet<i64> = revisions::table.select(revisions::post_id).load(conn).unwrap().into_iter().collect();
    let tagged: Vec<(i64, i64)> = post_tags::table.select((post_tags::post_id, post_tags::tag_id)).load(conn).unwrap();
    let tag_counts: Vec<(i64, String, i32)> =
        tags::table.select((tags::id, tags::name, tags::question_count)).load(conn).unwrap();
    let commented: Vec<i64> = comments::table.select(comments::post_id).load(conn).unwrap();
    let changed: HashSet<i64> =
        search_changes::table.select(search_changes::question_id).load(conn).unwrap().into_iter().collect();
    let watched: HashSet<(i64, i64)> =
        watches::table.select((watches::user_id, watches::question_id)).load(conn).unwrap().into_iter().collect();

    let tags_of = tally(tagged.iter().map(|(post, _)| *post));
    let uses_of_tag = tally(tagged.iter().map(|(_, tag)| *tag));
    let answers_of = tally(answers.iter().filter_map(|(_, question, _)| *question));
    let comments_on = tally(commented.iter().copied());

    let mut problems = Vec::new();
    for (id, author, tag_text, answer_count, comment_count) in &questions {
        let tags_named = tag_text.as_deref().unwrap_or_default().split_whitespace().count();
        if !revised.contains(id) {
            problems.push(format!("question {id} has no revision"));
        }
        if tags_of.get(id).copied().unwrap_or(0) != tags_named {
            problems.push(format!("question {id} names {tags_named} tags but has {:?} tag rows", tags_of.get(id)));
        }
        if !changed.contains(id) {
            problems.push(format!("question {id} has no search change"));
        }
        if !watched.contains(&(*author, *id)) {
            problems.push(format!("question {id} is not watched by its asker"));
        }
        let answers = answers_of.get(id).copied().unwrap_or(0);
        if usize::try_from(*answer_count).ok() != Some(answers) {
            problems.push(format!("question {id} counts {answer_count} answers but has {answers}"));
        }
        let comments = comments_on.get(id).copied().unwrap_or(0);
        if usize::try_from(*comment_count).ok() != Some(comments) {
            problems.push(format!("question {id} counts {comment_count} comments but has {comments}"));
        }
    }
    let question_ids: HashSet<i64> = questions.iter().map(|q| q.0).collect();
    for (id, question, comment_count) in &answers {
        if !revised.contains(id) {
            problems.push(format!("answer {id} has no revision"));
        }
        if !question.is_some_and(|q| question_ids.contains(&q)) {
            problems.push(format!("answer {id} belongs to no question ({question:?})"));
        }
        let comments = comments_on.get(id).copied().unwrap_or(0);
        if usize::try_from(*comment_count).ok() != Some(comments) {
            problems.push(format!("answer {id} counts {comment_count} comments but has {comments}"));
        }
    }
    for (id, name, question_count) in &tag_counts {
        let uses = uses_of_tag.get(id).copied().unwrap_or(0);
        if usize::try_from(*question_count).ok() != Some(uses) {
            problems.push(format!("tag {name} counts {question_count} questions but is on {uses}"));
        }
    }
    assert!(problems.is_empty(), "the crash left half-written posts:\n{}", problems.join("\n"));
    questions.len()
}

/// How often each id occurs.
fn tally(ids: impl Iterator<Item = i64>) -> HashMap<i64, usize> {
    let mut counts = HashMap::new();
    ids.for_each(|id| *counts.entry(id).or_default() += 1);
    counts
}

/// The Markdown of every post and every comment in the database.
pub(crate) struct StoredText {
    posts: Vec<String>,
    comments: Vec<String>,
}

impl StoredText {
    pub(crate) fn read(db: &TestDb) -> Self {
        let pool = guidepost::db::connect(&db.url, 1).unwrap();
        let conn = &mut pool.get().unwrap();
        Self {
            posts: posts::table.select(posts::body_markdown).load(conn).unwrap(),
            comments: comments::table.select(comments::body_markdown).load(conn).unwrap(),
        }
    }

    /// Whether a post (or comment) holding `word` is stored.
    pub(crate) fn holds(&self, kind: Kind, word: &str) -> bool {
        let texts = if kind == Kind::Comment { &self.comments } else { &self.posts };
        texts.iter().any(|text| text.contains(word))
    }
}
