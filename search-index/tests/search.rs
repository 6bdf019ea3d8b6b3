//! End-to-end search over a dozen small, realistic questions.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use guidepost_search::{
    search, ParsedQuery, QuestionDoc, QuestionStatus, SearchError, SearchIndex, SearchResults, Sort, SCHEMA_VERSION,
};

fn q(id: u64, title: &str, body: &str, tags: &[&str], author: &str) -> QuestionDoc {
    QuestionDoc {
        id,
        title: title.into(),
        body: body.into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        author: author.into(),
        created: 1_700_000_000 + i64::try_from(id).unwrap() * 3600,
        ..QuestionDoc::default()
    }
}

fn forum() -> Vec<QuestionDoc> {
    let mut docs = vec![
        q(
            1,
            "Why did my red widget break in the rain?",
            "I left it outside overnight and it broke.",
            &["widgets", "rain"],
            "fred",
        ),
        q(2, "How do I paint a widget?", "Which paint works on a blue widget?", &["widgets", "paint"], "ann"),
        q(3, "Café opening hours", "When does the café in building 3 open?", &["office"], "bob"),
        q(4, "Widget keeps breaking when wet", "Every time it gets wet it stops.", &["widgets"], "dave"),
        q(5, "Deleted widget question", "spam spam", &["widgets"], "spammer"),
        q(6, "Umbrella recommendations for heavy rain", "My umbrella broke in the storm.", &["rain"], "carol"),
        q(7, "Office parking rules", "Who may use the visitor spots?", &["parking"], "bob"),
        q(8, "Widget warranty claims", "Does the warranty cover rain damage?", &["widgets", "warranty"], "Fred"),
        q(9, "Printer jams on the second floor", "Paper jams every morning.", &["printer"], "erin"),
        q(10, "Printer toner replacement", "Where do we keep spare toner?", &["printer"], "erin"),
        q(11, "Conference room booking", "Is there parking near the conference room?", &["rooms"], "ann"),
        q(12, "Where is the first aid kit?", "Someone cut a finger on a widget.", &["safety"], "gus"),
    ];
    docs[0].answers = vec!["Dry it with a towel.".into()];
    docs[0].best_answers = vec!["Widgets are not waterproof; keep them indoors.".into()];
    docs[0].alt_titles = vec!["Widget keeps breaking when wet".into()];
    docs[0].answered = true;
    docs[0].accepted = true;
    docs[0].answer_count = 2;
    docs[0].score = 12;
    docs[1].best_answers = vec!["Use the café primer before painting.".into()];
    docs[1].answered = true;
    docs[1].official = true;
    docs[1].answer_count = 1;
    docs[1].score = 3;
    docs[3].status = QuestionStatus::Duplicate;
    docs[3].closed = true;
    docs[4].status = QuestionStatus::Deleted;
    docs[7].answers = vec!["Claims go through facilities.".into()];
    docs[7].answered = true;
    docs[7].official = true;
    docs[7].answer_count = 1;
    docs[7].score = -1;
    docs[8].closed = true;
    docs[8].status = QuestionStatus::Closed;
    docs
}

fn forum_index() -> SearchIndex {
    let index = SearchIndex::in_memory().unwrap();
    let mut writer = index.writer().unwrap();
    for doc in forum() {
        writer.upsert(&doc).unwrap();
    }
    writer.commit_with_cursor(1).unwrap();
    index
}

fn find(index: &SearchIndex, query: &str) -> SearchResults {
    search(index, &ParsedQuery::parse(query), Sort::Relevance, 0, 20).unwrap()
}

fn ids(index: &SearchIndex, query: &str) -> Vec<u64> {
    find(index, query).hits.iter().map(|h| h.id).collect()
}

fn sorted(mut v: Vec<u64>) -> Vec<u64> {
    v.sort_unstable();
    v
}

#[test]
fn stemming_matches_word_forms() {
    let index = forum_index();
    let found = ids(&index, "breaks");
    assert!(found.contains(&1), "{found:?}");
    assert!(found.contains(&4), "{found:?}");
    assert!(ids(&index, "painting").contains(&2));
}

#[test]
fn ascii_folding_matches_accents() {
    let index = forum_index();
    assert_eq!(ids(&index, "cafe")[0], 3);
    assert_eq!(ids(&index, "CAFÉ")[0], 3);
}

#[test]
fn phrase_requires_adjacent_words() {
    let index = forum_index();
    assert_eq!(ids(&index, r#""red widget""#), vec![1]);
    assert!(ids(&index, r#""widget red""#).is_empty());
}

#[test]
fn exclusion_removes_matches() {
    let index = forum_index();
    let found = ids(&index, "widget -rain");
    assert!(!found.contains(&1) && !found.contains(&8), "{found:?}");
    assert!(found.contains(&2), "{found:?}");
    let only_excluded = ids(&index, "-widget");
    assert!(only_excluded.contains(&3) && !only_excluded.contains(&2));
}

#[test]
fn tag_user_and_flag_filters() {
    let index = forum_index();
    assert_eq!(ids(&index, "tag:paint"), vec![2]);
    assert_eq!(ids(&index, "widget tag:Warranty"), vec![8]);
    assert_eq!(sorted(ids(&index, "user:FRED")), vec![1, 8]);
    assert_eq!(sorted(ids(&index, "user:fred user:ann tag:paint")), vec![2]);
    assert_eq!(sorted(ids(&index, "is:official")), vec![2, 8]);
    assert_eq!(ids(&index, "is:accepted"), vec![1]);
    assert_eq!(sorted(ids(&index, "is:closed")), vec![4, 9]);
    assert_eq!(sorted(ids(&index, "is:answered widget")), vec![1, 2, 8]);
    let unanswered = ids(&index, "is:unanswered");
    assert!(unanswered.contains(&3) && !unanswered.contains(&1));
}

#[test]
fn deleted_questions_never_appear() {
    let index = forum_index();
    assert!(!ids(&index, "deleted spam").contains(&5));
    assert!(!ids(&index, "").contains(&5));
    assert_eq!(find(&index, "").total, 11);
}

#[test]
fn typo_is_forgiven_by_fuzzy_pass() {
    let index = forum_index();
    let results = find(&index, "widgte");
    assert!(results.fuzzy);
    let found: Vec<u64> = results.hits.iter().map(|h| h.id).collect();
    assert!(found.contains(&2) && found.contains(&8), "{found:?}");
    assert!(!find(&index, "widget").fuzzy);
}

#[test]
fn title_outweighs_body() {
    let index = forum_index();
    assert_eq!(ids(&index, "parking"), vec![7, 11]);
}

#[test]
fn duplicate_titles_lead_to_the_canonical_question() {
    let index = forum_index();
    let found = ids(&index, "keeps breaking when wet");
    let canonical = found.iter().position(|&id| id == 1).unwrap();
    let duplicate = found.iter().position(|&id| id == 4).unwrap();
    assert!(canonical < duplicate, "{:?}", find(&index, "keeps breaking when wet"));
}

#[test]
fn sorting_and_paging() {
    let index = forum_index();
    let newest = search(&index, &ParsedQuery::parse("tag:widgets"), Sort::Newest, 0, 10).unwrap();
    let newest: Vec<u64> = newest.hits.iter().map(|h| h.id).collect();
    assert_eq!(newest, vec![8, 4, 2, 1]);
    let votes = search(&index, &ParsedQuery::parse("tag:widgets"), Sort::Votes, 0, 10).unwrap();
    let votes: Vec<u64> = votes.hits.iter().map(|h| h.id).collect();
    assert_eq!(votes, vec![1, 2, 4, 8]);
    let page = search(&index, &ParsedQuery::parse("tag:widgets"), Sort::Newest, 1, 2).unwrap();
    assert_eq!(page.total, 4);
    assert_eq!(page.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![4, 2]);
    let none = search(&index, &ParsedQuery::parse("widget"), Sort::Relevance, 0, 0).unwrap();
    assert!(none.hits.is_empty() && none.total > 0);
}

#[test]
fn malformed_queries_never_error() {
    let index = forum_index();
    for query in ["\"", "-", "is:pinned", "???", "tag:", "\"red widget", "-\"", "::"] {
        search(&index, &ParsedQuery::parse(query), Sort::Relevance, 0, 10).unwrap();
    }
    assert!(ids(&index, "\"red widget").contains(&1));
}

#[test]
fn upsert_replaces_old_text() {
    let index = forum_index();
    let mut writer = index.writer().unwrap();
    let mut doc = forum()[6].clone();
    doc.title = "Bicycle storage".into();
    writer.upsert(&doc).unwrap();
    writer.commit_with_cursor(2).unwrap();
    assert_eq!(ids(&index, "parking"), vec![11]);
    assert_eq!(ids(&index, "bicycle"), vec![7]);
    assert_eq!(index.cursor().unwrap(), Some(2));
}

#[test]
fn reopening_from_disk_keeps_documents_and_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index");
    {
        let index = SearchIndex::open_or_create(&path).unwrap();
        assert_eq!(index.cursor().unwrap(), None);
        let mut writer = index.writer().unwrap();
        for doc in forum() {
            writer.upsert(&doc).unwrap();
        }
        writer.commit_with_cursor(42).unwrap();
    }
    let index = SearchIndex::open_or_create(&path).unwrap();
    assert_eq!(index.cursor().unwrap(), Some(42));
    assert_eq!(ids(&index, "cafe")[0], 3);
}

#[test]
fn schema_version_mismatch_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index");
    drop(SearchIndex::open_or_create(&path).unwrap());
    std::fs::write(path.join("guidepost-schema-version"), "0").unwrap();
    match SearchIndex::open_or_create(&path) {
        Err(SearchError::SchemaChanged { found, expected }) => {
            assert_eq!(found, Some(0));
            assert_eq!(expected, SCHEMA_VERSION);
        }
        other => panic!("expected SchemaChanged, got {other:?}"),
    }
    std::fs::remove_file(path.join("guidepost-schema-version")).unwrap();
    assert!(matches!(SearchIndex::open_or_create(&path), Err(SearchError::SchemaChanged { found: None, .. })));
    let index = SearchIndex::recreate(&path).unwrap();
    assert_eq!(index.num_docs(), 0);
    drop(index);
    assert!(SearchIndex::open_or_create(&path).is_ok());
}

#[test]
fn changes_are_invisible_until_committed() {
    let index = forum_index();
    let mut writer = index.writer().unwrap();
    writer.upsert(&q(20, "Kettle descaling", "", &[], "gus")).unwrap();
    assert!(ids(&index, "kettle").is_empty());
    writer.commit_with_cursor(3).unwrap();
    assert_eq!(ids(&index, "kettle"), vec![20]);
    writer.delete(20);
    assert_eq!(ids(&index, "kettle"), vec![20]);
    writer.commit_with_cursor(4).unwrap();
    assert!(ids(&index, "kettle").is_empty());
}

#[test]
fn only_one_writer_at_a_time() {
    let index = forum_index();
    let writer = index.writer().unwrap();
    assert!(index.writer().is_err());
    drop(writer);
    assert!(index.writer().is_ok());
}

#[test]
fn best_answers_outweigh_ordinary_answers() {
    let index = SearchIndex::in_memory().unwrap();
    let mut writer = index.writer().unwrap();
    let mut ordinary = q(1, "Lost badge", "I lost my badge.", &[], "ann");
    ordinary.answers = vec!["Ask reception for a temporary pass.".into()];
    let mut best = q(2, "Forgot badge", "I forgot my badge.", &[], "bob");
    best.best_answers = vec!["Ask reception for a temporary pass.".into()];
    writer.upsert(&ordinary).unwrap();
    writer.upsert(&best).unwrap();
    writer.commit_with_cursor(1).unwrap();
    assert_eq!(ids(&index, "reception"), vec![2, 1]);
}

#[test]
fn question_words_do_not_match_on_their_own() {
    let index = forum_index();
    // "how", "do", "i", "the" are in most questions; only "paint" says what this one is about.
    assert_eq!(ids(&index, "How do I paint the widget?")[0], 2);
    assert!(!ids(&index, "how do I paint").contains(&12), "'Where is the first aid kit?' shares only 'the'");
    // A query of nothing but such words still searches with them.
    assert!(ids(&index, "where is the").contains(&12));
}

#[test]
fn stop_words_inside_phrases_still_count() {
    let index = forum_index();
    assert_eq!(ids(&index, r#""in the rain""#), vec![1]);
    assert!(ids(&index, r#""the in rain""#).is_empty());
}

#[test]
fn small_totals_are_exact() {
    let index = forum_index();
    let results = find(&index, "widget");
    assert!(!results.total_is_lower_bound);
    assert_eq!(results.total, results.hits.len());
}
