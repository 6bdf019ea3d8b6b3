//! Ranking on real data: five small Stack Exchange sites, each with the duplicate links its
//! moderators made. Each duplicate's title is the query; the question it was closed against is
//! the one relevant result. Prints recall@10 and MRR per site (see them with `--nocapture`).
//!
//! The data lives outside the repository, in `shared/data` beside it (or `$GUIDEPOST_DUMPS_DIR`);
//! without it these tests fail rather than pass on nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use guidepost_search::{search, similar, ParsedQuery, QuestionDoc, QuestionStatus, SearchIndex, Sort};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

// The app's import tests read the same dumps; one search rule serves both crates.
#[path = "../../tests/common/dumps.rs"]
mod dumps;
use dumps::data_dir;

/// The sites, in the order the table prints them.
const SITES: [&str; 5] =
    ["se-ai-2016", "se-meta-bicycles", "se-meta-conlang", "se-meta-french", "se-quantumcomputing-2018"];

/// How deep in the results the original must be to count as found.
const CUTOFF: usize = 10;

/// The floors asserted on all sites together: measured, then rounded down with some margin so
/// that a small, justified ranking change does not fail the build, while a real regression does.
const MIN_RECALL: f64 = 0.5;
/// See [`MIN_RECALL`].
const MIN_MRR: f64 = 0.25;
/// The same floors for suggestions ([`similar`]; measured 0.576 and 0.330).
const MIN_SIMILAR_RECALL: f64 = 0.5;
/// See [`MIN_SIMILAR_RECALL`].
const MIN_SIMILAR_MRR: f64 = 0.25;

/// One row of Posts.xml that matters here.
#[derive(Debug, Default)]
struct Post {
    id: u64,
    post_type: u8,
    parent: Option<u64>,
    accepted_answer: Option<u64>,
    title: String,
    body: String,
    tags: Vec<String>,
    author: String,
    created: i64,
    score: i64,
    closed: bool,
}

/// Reads every `<row/>` of a Posts.xml.
fn read_posts(path: &Path) -> Vec<Post> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = Reader::from_str(text);
    let mut posts = Vec::new();
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("{}: bad XML: {e}", path.display())) {
            Event::Empty(row) | Event::Start(row) if row.name().as_ref() == b"row" => posts.push(post(&row)),
            Event::Eof => break,
            _ => {}
        }
    }
    posts
}

/// Reads one row's attributes.
fn post(row: &BytesStart<'_>) -> Post {
    let mut post = Post::default();
    let mut display_name = None;
    let mut user_id = None;
    for attribute in row.attributes() {
        let attribute = attribute.unwrap();
        let value = attribute.normalized_value(XmlVersion::Explicit1_0).unwrap().into_owned();
        match attribute.key.as_ref() {
            b"Id" => post.id = value.parse().unwrap(),
            b"PostTypeId" => post.post_type = value.parse().unwrap(),
            b"ParentId" => post.parent = value.parse().ok(),
            b"AcceptedAnswerId" => post.accepted_answer = value.parse().ok(),
            b"Title" => post.title = value,
            b"Body" => post.body = strip_html(&value),
            b"Tags" => post.tags = value.split(['<', '>', '|']).filter(|t| !t.is_empty()).map(str::to_string).collect(),
            b"Score" => post.score = value.parse().unwrap(),
            b"CreationDate" => post.created = unix_seconds(&value),
            b"ClosedDate" => post.closed = true,
            b"OwnerDisplayName" => display_name = Some(value),
            b"OwnerUserId" => user_id = Some(value),
            _ => {}
        }
    }
    post.author = display_name.or(user_id.map(|id| format!("user{id}"))).unwrap_or_default();
    post
}

/// Crude HTML to text: tags become spaces, the common entities their characters.
fn strip_html(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// `2016-08-02T15:39:14.947` (UTC) to unix seconds.
fn unix_seconds(stamp: &str) -> i64 {
    let number = |range: std::ops::Range<usize>| -> i64 { stamp[range].parse().unwrap() };
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let (hour, minute, second) = (number(11..13), number(14..16), number(17..19));
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    days * 86_400 + hour * 3600 + minute * 60 + second
}

/// A site's questions as the app would index them, and its duplicate judgments.
struct Site {
    /// By id, so that indexing order (and so tie-breaking) is the same on every run.
    questions: BTreeMap<u64, QuestionDoc>,
    answers: usize,
    /// (duplicate, original) question ids.
    pairs: Vec<(u64, u64)>,
}

/// Loads one site. Duplicate links are deliberately not used for the index (no `alt_titles`,
/// no `Duplicate` status): they are exactly what the evaluation asks search to find.
fn load(dir: &Path) -> Site {
    let posts = read_posts(&dir.join("Posts.xml"));
    let mut questions: HashMap<u64, (QuestionDoc, Option<u64>)> = HashMap::new();
    for p in posts.iter().filter(|p| p.post_type == 1) {
        let doc = QuestionDoc {
            id: p.id,
            title: p.title.clone(),
            body: p.body.clone(),
            tags: p.tags.clone(),
            author: p.author.clone(),
            created: p.created,
            score: p.score,
            closed: p.closed,
            status: if p.closed { QuestionStatus::Closed } else { QuestionStatus::Open },
            ..QuestionDoc::default()
        };
        questions.insert(p.id, (doc, p.accepted_answer));
    }
    let mut answers = 0;
    for a in posts.iter().filter(|p| p.post_type == 2) {
        let Some((question, accepted)) = a.parent.and_then(|parent| questions.get_mut(&parent)) else {
            continue;
        };
        answers += 1;
        question.answer_count += 1;
        question.answered = true;
        if *accepted == Some(a.id) {
            question.accepted = true;
            question.best_answers.push(a.body.clone());
        } else {
            question.answers.push(a.body.clone());
        }
    }
    let qrels = fs::read_to_string(dir.join("derived_duplicate_qrels.tsv")).unwrap();
    let pairs = qrels
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let mut cells = line.split('\t').map(|cell| cell.trim().parse::<u64>().unwrap());
            (cells.next().unwrap(), cells.next().unwrap())
        })
        .collect();
    Site { questions: questions.into_iter().map(|(id, (doc, _))| (id, doc)).collect(), answers, pairs }
}

/// Recall@10 and MRR@10 of one site.
#[derive(Debug, Default, Clone, Copy)]
struct Score {
    pairs: usize,
    found: usize,
    reciprocal_ranks: f64,
}

impl Score {
    fn recall(&self) -> f64 {
        ratio(self.found as f64, self.pairs)
    }

    fn mrr(&self) -> f64 {
        ratio(self.reciprocal_ranks, self.pairs)
    }
}

fn ratio(sum: f64, count: usize) -> f64 {
    if count == 0 {
        0.0
    } else {
        sum / count as f64
    }
}

/// Asks the index for the questions resembling a title, best first; `duplicate` is the question
/// the title belongs to.
type Ask = fn(&SearchIndex, &str, u64) -> Vec<u64>;

/// The search box: the title typed as a query.
fn by_search(index: &SearchIndex, title: &str, _duplicate: u64) -> Vec<u64> {
    // One more than the cutoff, so that dropping the duplicate itself still leaves ten.
    let results = search(index, &ParsedQuery::parse(title), Sort::Relevance, 0, CUTOFF + 1).unwrap();
    results.hits.iter().map(|hit| hit.id).collect()
}

/// The suggestions under a title being asked, and the related questions beside a question.
fn by_similar(index: &SearchIndex, title: &str, duplicate: u64) -> Vec<u64> {
    similar(index, title, Some(duplicate), CUTOFF).unwrap().iter().map(|hit| hit.id).collect()
}

/// Indexes a site in memory and asks for each duplicate's original by the duplicate's title.
fn evaluate(site: &Site, ask: Ask, ranks: &mut String) -> Score {
    let index = SearchIndex::in_memory().unwrap();
    let mut writer = index.writer().unwrap();
    for question in site.questions.values() {
        writer.upsert(question).unwrap();
    }
    writer.commit_with_cursor(1).unwrap();
    assert_eq!(index.num_docs(), site.questions.len() as u64);

    let mut score = Score::default();
    for &(duplicate, original) in &site.pairs {
        let query = &site.questions.get(&duplicate).expect("judged duplicates are in the dump").title;
        assert!(site.questions.contains_key(&original), "judged original {original} is in the dump");
        let rank = ask(&index, query, duplicate)
            .into_iter()
            .filter(|&id| id != duplicate)
            .take(CUTOFF)
            .position(|id| id == original);
        score.pairs += 1;
        if let Some(rank) = rank {
            score.found += 1;
            score.reciprocal_ranks += 1.0 / (rank + 1) as f64;
        }
        let rank = rank.map_or_else(|| "-".to_string(), |r| (r + 1).to_string());
        let original = &site.questions[&original].title;
        writeln!(ranks, "  {rank:>2}  {query:?} -> {original:?}").unwrap();
    }
    score
}

#[test]
fn duplicate_titles_find_their_originals() {
    let total = evaluate_all("search", by_search);
    assert!(total.recall() >= MIN_RECALL, "recall@10 {:.3} fell below {MIN_RECALL}", total.recall());
    assert!(total.mrr() >= MIN_MRR, "MRR {:.3} fell below {MIN_MRR}", total.mrr());
}

#[test]
fn duplicate_titles_are_suggested_with_their_originals() {
    let total = evaluate_all("similar", by_similar);
    assert!(total.recall() >= MIN_SIMILAR_RECALL, "recall@10 {:.3} fell below {MIN_SIMILAR_RECALL}", total.recall());
    assert!(total.mrr() >= MIN_SIMILAR_MRR, "MRR {:.3} fell below {MIN_SIMILAR_MRR}", total.mrr());
}

/// Evaluates every site with `ask`, prints the table and ranks, and returns the total.
fn evaluate_all(name: &str, ask: Ask) -> Score {
    let dir = data_dir();
    let mut table =
        String::from("| site | questions | answers | pairs | recall@10 | MRR@10 |\n|---|---:|---:|---:|---:|---:|\n");
    let mut ranks = String::from("Rank of the original for each duplicate's title (- = not in the top 10):\n");
    let mut total = Score::default();
    for name in SITES {
        let site = load(&dir.join(name));
        assert!(!site.questions.is_empty() && site.answers > 0, "{name}: no posts read");
        assert!(!site.pairs.is_empty(), "{name}: no duplicate judgments read");
        let score = evaluate(&site, ask, &mut ranks);
        writeln!(
            table,
            "| {name} | {} | {} | {} | {:.3} | {:.3} |",
            site.questions.len(),
            site.answers,
            score.pairs,
            score.recall(),
            score.mrr()
        )
        .unwrap();
        total.pairs += score.pairs;
        total.found += score.found;
        total.reciprocal_ranks += score.reciprocal_ranks;
    }
    writeln!(table, "| **all** | | | {} | {:.3} | {:.3} |", total.pairs, total.recall(), total.mrr()).unwrap();
    println!("\n{name}: duplicate title -> original, top {CUTOFF} (duplicate itself dropped):\n\n{table}\n{ranks}");
    total
}

#[test]
fn dump_rows_parse_into_questions_and_answers() {
    let site = load(&data_dir().join("se-meta-conlang"));
    // Counts from the folder's README.txt.
    assert_eq!(site.questions.len(), 54);
    assert_eq!(site.answers, 115);
    assert!(site.questions.values().all(|q| !q.title.is_empty()));
    assert!(site.questions.values().all(|q| !q.body.contains("<p>")), "HTML is stripped");
    assert!(site.questions.values().any(|q| q.accepted && !q.best_answers.is_empty()));
}

#[test]
fn creation_dates_become_unix_seconds() {
    assert_eq!(unix_seconds("1970-01-01T00:00:00.000"), 0);
    assert_eq!(unix_seconds("2016-08-02T15:39:14.947"), 1_470_152_354);
    assert_eq!(unix_seconds("2000-03-01T00:00:00"), 951_868_800);
}
