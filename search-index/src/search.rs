//! Running a [`ParsedQuery`] against the index: BM25 over weighted fields, filters, a fuzzy
//! second pass for typos, modest priors, and sorting by relevance, date or votes.
//!
//! It reads only; it never writes the index and never sees the database.

use tantivy::columnar::Column;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, Score, Searcher, SegmentReader, Term};

use crate::analyzer::{analyze, analyze_query_words};
use crate::collect::{self, Collected, Ranking, COUNT_EXACTLY_UP_TO};
use crate::error::SearchError;
use crate::index::SearchIndex;
use crate::phrase::Phrases;
use crate::query::{Flag, ParsedQuery};
use crate::schema::{names, Fields};

/// Below this many exact results, a fuzzy pass forgives typos.
const FUZZY_BELOW: usize = 3;
/// Words shorter than this are never fuzzed: too many near neighbours.
const FUZZY_MIN_CHARS: usize = 4;
/// Words at least this long may be two edits away instead of one.
const FUZZY_TWO_EDITS_CHARS: usize = 8;
/// Fuzzy matches score below exact ones.
const FUZZY_WEIGHT: Score = 0.3;
/// The largest page a caller may ask for.
pub const MAX_LIMIT: usize = 100;

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first (BM25 with priors).
    #[default]
    Relevance,
    /// Most recently asked first.
    Newest,
    /// Highest vote score first.
    Votes,
}

/// One matching question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// The question id.
    pub id: u64,
    /// The ranking value: relevance for `Sort::Relevance`, otherwise the sort key.
    pub score: f32,
}

/// A page of results and how many matched in all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchResults {
    /// Number of matching questions; a lower bound when `total_is_lower_bound`.
    pub total: usize,
    /// True when counting stopped early (past a thousand matches, documents that cannot make
    /// the page are skipped rather than counted): show "1,000+" rather than a number.
    pub total_is_lower_bound: bool,
    /// The requested page.
    pub hits: Vec<Hit>,
    /// True when the fuzzy (typo-forgiving) pass produced these results.
    pub fuzzy: bool,
}

/// Text fields and their weights.
fn weighted_fields(f: &Fields) -> [(Field, Score); 5] {
    [(f.title, 3.0), (f.alt_titles, 2.5), (f.best_answers, 1.5), (f.body, 1.0), (f.answers, 0.7)]
}

/// Searches the index; never fails on the query's content, only on index errors.
pub fn search(
    index: &SearchIndex,
    query: &ParsedQuery,
    sort: Sort,
    offset: usize,
    limit: usize,
) -> Result<SearchResults, SearchError> {
    let searcher = index.searcher();
    let fields = index.fields();
    let Some(exact) = build(fields, query, false) else {
        return Ok(SearchResults::default());
    };
    // Without words, every match scores the same: newest first is the useful order.
    let sort = if query.has_text() {
        sort
    } else {
        match sort {
            Sort::Relevance => Sort::Newest,
            other => other,
        }
    };
    let results = run(&searcher, &exact, sort, offset, limit)?;
    if results.total >= FUZZY_BELOW || query.terms.is_empty() {
        return Ok(results);
    }
    let Some(fuzzy) = build(fields, query, true) else {
        return Ok(results);
    };
    let fuzzy_results = run(&searcher, &fuzzy, sort, offset, limit)?;
    if fuzzy_results.total > results.total {
        Ok(SearchResults { fuzzy: true, ..fuzzy_results })
    } else {
        Ok(results)
    }
}

/// A query split for collection: the words that rank, what must match, what must not.
pub(crate) struct Built {
    /// Free words and the words of phrases, one `Should` clause per (word, field), summed.
    /// Without `filter`, they alone decide what matches.
    pub words: Option<Box<dyn Query>>,
    /// Phrases, tags, users and flags: all must match. With it, the words only rank.
    pub filter: Option<Box<dyn Query>>,
    /// The filter less its phrases of several words, which [`Built::phrases`] checks instead.
    pub rest: Option<Box<dyn Query>>,
    /// The phrases of several words, to check one document at a time.
    pub phrases: Phrases,
    /// Deleted questions and excluded words, dropped while collecting.
    pub exclusion: Box<dyn Query>,
}

impl Built {
    /// The whole query, words and filter together, for collectors that need one query.
    pub fn matching(&self) -> Box<dyn Query> {
        match (&self.words, &self.filter) {
            (Some(words), Some(filter)) => Box::new(BooleanQuery::with_minimum_required_clauses(
                vec![(Occur::Should, words.box_clone()), (Occur::Must, filter.box_clone())],
                0,
            )),
            (Some(only), None) | (None, Some(only)) => only.box_clone(),
            (None, None) => Box::new(EmptyQuery),
        }
    }
}

/// Builds the tantivy query; `None` when the words analyse to nothing (e.g. only punctuation).
///
/// A phrase filters (its words must appear in that order in one field) and its words rank like
/// free words: ranking by word rather than phrase frequency is what lets the collector skip
/// documents, where checking every phrase position of very common words would take seconds.
pub(crate) fn build(f: &Fields, query: &ParsedQuery, fuzzy: bool) -> Option<Built> {
    let mut words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut filters: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    // Free words and phrases' words rank alike, stop words dropped from both; only free words
    // are forgiven typos.
    let typed: Vec<String> = query.terms.iter().flat_map(|word| analyze(word)).collect();
    let mut ranked: Vec<String> = Vec::new();
    for token in analyze_query_words(query.terms.iter().chain(&query.phrases).map(String::as_str)) {
        if !ranked.contains(&token) {
            let fuzzy = fuzzy && typed.contains(&token);
            words.extend(token_queries(f, &token, fuzzy).into_iter().map(|q| (Occur::Should, q)));
            ranked.push(token);
        }
    }
    let mut phrases = Phrases { fields: weighted_fields(f).map(|(field, _)| field).to_vec(), phrases: Vec::new() };
    let mut phrase_filters: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for phrase in &query.phrases {
        let tokens = analyze(phrase);
        if let Some(q) = phrase_query(f, &tokens) {
            if tokens.len() > 1 {
                phrase_filters.push((Occur::Must, q));
                phrases.phrases.push(tokens);
            } else {
                filters.push((Occur::Must, q));
            }
        }
    }
    if query.has_text() && words.is_empty() {
        return None;
    }
    if !query.has_text() {
        filters.push((Occur::Must, Box::new(AllQuery)));
    }
    for tag in &query.tags {
        filters.push((Occur::Must, filter(term(Term::from_field_text(f.tags, tag)))));
    }
    if !query.users.is_empty() {
        let any_user: Vec<(Occur, Box<dyn Query>)> =
            query.users.iter().map(|user| (Occur::Should, term(Term::from_field_text(f.author, user)))).collect();
        filters.push((Occur::Must, filter(Box::new(BooleanQuery::new(any_user)))));
    }
    for flag in &query.flags {
        let (field, value) = match flag {
            Flag::Answered => (f.answered, true),
            Flag::Unanswered => (f.answered, false),
            Flag::Official => (f.official, true),
            Flag::Accepted => (f.accepted, true),
            Flag::Closed => (f.closed, true),
        };
        filters.push((Occur::Must, filter(term(Term::from_field_bool(field, value)))));
    }
    let deleted = Term::from_field_text(f.status, crate::QuestionStatus::Deleted.as_str());
    let mut excluded: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, term(deleted))];
    for word in &query.excluded {
        for token in analyze(word) {
            for (field, _) in weighted_fields(f) {
                excluded.push((Occur::Should, term(Term::from_field_text(field, &token))));
            }
        }
    }
    let union = |clauses: Vec<(Occur, Box<dyn Query>)>| -> Option<Box<dyn Query>> {
        (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
    };
    let rest = union(filters.iter().map(|(occur, q)| (*occur, q.box_clone())).collect());
    filters.extend(phrase_filters);
    Some(Built {
        words: union(words),
        filter: union(filters),
        rest,
        phrases,
        exclusion: Box::new(BooleanQuery::new(excluded)),
    })
}

/// A scoring term query.
fn term(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
}

/// A filter: must match, adds nothing to the score.
fn filter(query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, 0.0))
}

/// One analysed word, looked up in every text field with its weight (and fuzzily if asked).
fn token_queries(f: &Fields, token: &str, fuzzy: bool) -> Vec<Box<dyn Query>> {
    let mut per_field: Vec<Box<dyn Query>> = Vec::new();
    let chars = token.chars().count();
    for (field, weight) in weighted_fields(f) {
        let t = Term::from_field_text(field, token);
        per_field.push(Box::new(BoostQuery::new(term(t.clone()), weight)));
        if fuzzy && chars >= FUZZY_MIN_CHARS {
            let distance = if chars >= FUZZY_TWO_EDITS_CHARS { 2 } else { 1 };
            let q = FuzzyTermQuery::new(t, distance, true);
            per_field.push(Box::new(BoostQuery::new(Box::new(q), weight * FUZZY_WEIGHT)));
        }
    }
    per_field
}

/// One analysed word in any text field.
fn token_query(f: &Fields, token: &str) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(token_queries(f, token, false).into_iter().map(|q| (Occur::Should, q)).collect()))
}

/// A phrase that must appear in at least one text field; a one-word phrase is just that word.
fn phrase_query(f: &Fields, tokens: &[String]) -> Option<Box<dyn Query>> {
    match tokens {
        [] => None,
        [single] => Some(token_query(f, single)),
        _ => {
            let per_field = weighted_fields(f)
                .into_iter()
                .map(|(field, weight)| {
                    let terms = tokens.iter().map(|t| Term::from_field_text(field, t)).collect();
                    let q: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(PhraseQuery::new(terms)), weight));
                    (Occur::Should, q)
                })
                .collect();
            Some(Box::new(BooleanQuery::new(per_field)))
        }
    }
}

/// Collects one page and the total for `query` in the requested order.
fn run(
    searcher: &Searcher,
    built: &Built,
    sort: Sort,
    offset: usize,
    limit: usize,
) -> Result<SearchResults, SearchError> {
    let limit = limit.min(MAX_LIMIT);
    let want = offset.saturating_add(limit);
    let matching = built.matching();
    let exclusion = built.exclusion.as_ref();
    let collected = match (sort, &built.words) {
        (Sort::Relevance, Some(words)) => {
            let ranking = Ranking {
                words: words.as_ref(),
                filter: built.filter.as_deref(),
                rest: built.rest.as_deref(),
                phrases: &built.phrases,
                exclusion,
            };
            collect::by_relevance(searcher, &ranking, want, (priors, MAX_PRIOR), COUNT_EXACTLY_UP_TO)?
        }
        (Sort::Relevance | Sort::Newest, _) => {
            collect::by_key(searcher, matching.as_ref(), exclusion, want, names::CREATED, COUNT_EXACTLY_UP_TO)?
        }
        (Sort::Votes, _) => {
            collect::by_key(searcher, matching.as_ref(), exclusion, want, names::SCORE, COUNT_EXACTLY_UP_TO)?
        }
    };
    let Collected { total, total_is_lower_bound, top } = collected;
    let mut hits = Vec::with_capacity(limit);
    for (score, address) in top.into_iter().skip(offset).take(limit) {
        let ids = searcher.segment_reader(address.segment_ord).fast_fields().u64(names::ID)?;
        if let Some(id) = ids.first(address.doc_id) {
            // For dates and votes the key becomes the hit's score: informative only.
            #[expect(clippy::cast_possible_truncation, reason = "an f32 is enough to show a score")]
            hits.push(Hit { id, score: score as f32 });
        }
    }
    Ok(SearchResults { total, total_is_lower_bound, hits, fuzzy: false })
}

/// Per-segment score tweaker: modest boosts for official/accepted/voted, a penalty for
/// duplicates (the canonical question should come first).
fn priors(segment: &SegmentReader) -> impl FnMut(DocId, Score) -> Score + 'static {
    let ff = segment.fast_fields();
    let official = ff.bool(names::OFFICIAL).ok();
    let accepted = ff.bool(names::ACCEPTED).ok();
    let duplicate = ff.bool(names::DUPLICATE).ok();
    let votes = ff.i64(names::SCORE).ok();
    move |doc: DocId, score: Score| {
        let flag = |column: &Option<Column<bool>>| column.as_ref().and_then(|c| c.first(doc)).unwrap_or(false);
        let votes = votes.as_ref().and_then(|c| c.first(doc)).unwrap_or(0);
        score * prior(flag(&official), flag(&accepted), flag(&duplicate), votes)
    }
}

/// The largest multiplier [`prior`] can return; the collector needs the bound to skip safely.
const MAX_PRIOR: Score = 1.2 * 1.1 * 1.25;

/// The multiplier applied to a BM25 score.
fn prior(official: bool, accepted: bool, duplicate: bool, votes: i64) -> Score {
    let mut factor = 1.0;
    if official {
        factor *= 1.2;
    }
    if accepted {
        factor *= 1.1;
    }
    // Strong on purpose: the canonical question carries each duplicate's title in
    // `alt_titles`, so it matches whatever the duplicate matches and should come first; BM25
    // also under-scores that sparse field (its average length is tiny), hence not 0.6.
    if duplicate {
        factor *= 0.25;
    }
    #[expect(clippy::cast_precision_loss, reason = "votes are small; a log damps them anyway")]
    let votes = votes as f32;
    if votes > 0.0 {
        factor *= 1.0 + 0.05 * votes.ln_1p().min(5.0);
    } else if votes < 0.0 {
        factor *= 0.9;
    }
    factor
}

#[cfg(test)]
mod tests {
    use super::{build, prior, priors, Collected, MAX_PRIOR};
    use crate::collect::{by_key, by_relevance, Ranking};
    use crate::schema::names;
    use crate::{ParsedQuery, QuestionDoc, QuestionStatus, SearchIndex};

    /// Skipping chunks by their largest key must not change the page, for dates or votes.
    #[test]
    fn skipping_chunks_by_key_equals_visiting_all() {
        let index = SearchIndex::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        let mut expected: Vec<(i64, i64, u64)> = Vec::new();
        for id in 0..10_000_u64 {
            // In date order, as questions are asked, with ties; every 97th is an old question
            // re-indexed after an edit, which keeps its date but lands at the end.
            let created =
                if id % 97 == 0 { i64::try_from(id * 7_919 % 13).unwrap() } else { i64::try_from(id / 2).unwrap() };
            let score = i64::try_from(id * 31 % 1_009).unwrap() - 100;
            let title = if id % 3 == 0 { "red widget" } else { "blue widget" };
            writer.upsert(&QuestionDoc { id, title: title.into(), created, score, ..QuestionDoc::default() }).unwrap();
            if id % 3 == 0 {
                expected.push((created, score, id));
            }
        }
        writer.commit_with_cursor(1).unwrap();
        let searcher = index.searcher();
        let built = build(index.fields(), &ParsedQuery::parse("red"), false).unwrap();
        let (query, exclusion) = (built.matching(), built.exclusion);
        for (field, pick) in [(names::CREATED, 0), (names::SCORE, 1)] {
            let skipping = by_key(&searcher, query.as_ref(), exclusion.as_ref(), 30, field, 100).unwrap();
            let everything = by_key(&searcher, query.as_ref(), exclusion.as_ref(), 30, field, usize::MAX).unwrap();
            assert_eq!(skipping.top, everything.top, "{field}");
            assert_eq!(everything.total, expected.len());
            assert!(!everything.total_is_lower_bound);
            assert!(skipping.total <= everything.total);
            if field == names::CREATED {
                assert!(skipping.total >= 100 && skipping.total < everything.total && skipping.total_is_lower_bound);
            }
            let key = |e: &(i64, i64, u64)| if pick == 0 { e.0 } else { e.1 };
            let mut by_hand = expected.clone();
            by_hand.sort_by_key(|e| std::cmp::Reverse(key(e)));
            let top_keys: Vec<f64> = skipping.top.iter().map(|(value, _)| *value).collect();
            #[expect(clippy::cast_precision_loss, reason = "small test values")]
            let hand_keys: Vec<f64> = by_hand.iter().take(30).map(|e| key(e) as f64).collect();
            assert_eq!(top_keys, hand_keys, "{field}");
        }
    }

    /// Skipping work once the count is capped must not change the page.
    #[test]
    fn pruned_ranking_equals_exhaustive_ranking() {
        let words = ["rain", "widget", "paint", "red", "blue", "storm", "office", "printer", "toner", "desk"];
        let index = SearchIndex::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        let mut seed = 7_u64;
        let mut next = move |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            usize::try_from((seed >> 33) % n).unwrap()
        };
        for id in 0..3_000 {
            let mut text = |len: u64| (0..len).map(|_| words[next(10)]).collect::<Vec<_>>().join(" ");
            let doc = QuestionDoc {
                id,
                title: text(6),
                body: if id % 7 == 0 { format!("{} zebra", text(40)) } else { text(40) },
                answers: vec![text(20)],
                tags: vec![["common", "rare"][usize::from(next(10) == 0)].to_string()],
                score: i64::try_from(next(40)).unwrap() - 5,
                accepted: next(3) == 0,
                official: next(10) == 0,
                status: if next(20) == 0 { QuestionStatus::Deleted } else { QuestionStatus::Open },
                ..QuestionDoc::default()
            };
            writer.upsert(&doc).unwrap();
        }
        writer.commit_with_cursor(1).unwrap();
        let searcher = index.searcher();
        let mut skipped_some = false;
        let queries = [
            "rain",
            "red widget",
            "storm printer desk toner",
            "paint -zebra",
            "office \"red blue\"",
            "\"red blue\"",
            "tag:common rain",
            "tag:rare rain",
            "is:accepted storm widget -zebra",
        ];
        for text in queries {
            let built = build(index.fields(), &ParsedQuery::parse(text), false).unwrap();
            let ranking = Ranking {
                words: built.words.as_deref().unwrap(),
                filter: built.filter.as_deref(),
                rest: built.rest.as_deref(),
                phrases: &built.phrases,
                exclusion: built.exclusion.as_ref(),
            };
            let pruned = by_relevance(&searcher, &ranking, 25, (priors, MAX_PRIOR), 30).unwrap();
            let exhaustive = by_relevance(&searcher, &ranking, 25, (priors, MAX_PRIOR), usize::MAX).unwrap();
            // A score summed in another order may differ in its last bits.
            let addresses = |c: &Collected| c.top.iter().map(|(_, address)| *address).collect::<Vec<_>>();
            assert_eq!(addresses(&pruned), addresses(&exhaustive), "{text}");
            for ((a, _), (b, _)) in pruned.top.iter().zip(&exhaustive.top) {
                assert!((a - b).abs() <= 1e-5 * b.abs(), "{text}: {a} vs {b}");
            }
            assert!(!exhaustive.total_is_lower_bound, "{text}");
            assert!(pruned.total <= exhaustive.total, "{text}");
            assert_eq!(pruned.total_is_lower_bound, exhaustive.total > 30, "{text}");
            skipped_some |= pruned.total < exhaustive.total;
        }
        assert!(skipped_some, "nothing was skipped: the test no longer tests skipping");
    }

    #[test]
    fn max_prior_bounds_every_prior() {
        for official in [false, true] {
            for accepted in [false, true] {
                for votes in [i64::MIN, -1, 0, 1, 150, 10_000, i64::MAX] {
                    assert!(prior(official, accepted, false, votes) <= MAX_PRIOR);
                }
            }
        }
        assert!((prior(true, true, false, i64::MAX) - MAX_PRIOR).abs() < 1e-6);
    }

    #[test]
    fn priors_are_modest() {
        assert!((prior(false, false, false, 0) - 1.0).abs() < f32::EPSILON);
        assert!(prior(true, true, false, 100) < 1.7);
        assert!(prior(true, false, false, 0) > prior(false, true, false, 0));
        assert!(prior(false, false, true, 0) < 1.0);
        assert!(prior(false, false, false, -3) < 1.0);
    }
}
