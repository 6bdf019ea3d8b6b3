//! Running a [`ParsedQuery`] against the index: BM25 over weighted fields, filters, a fuzzy
//! second pass for typos, modest priors, and sorting by relevance, date or votes.
//!
//! It reads only; it never writes the index and never sees the database.

use tantivy::collector::{Count, TopDocs};
use tantivy::columnar::Column;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, Order, Score, Searcher, SegmentReader, Term};

use crate::analyzer::analyze;
use crate::error::SearchError;
use crate::index::SearchIndex;
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
    /// Number of matching questions.
    pub total: usize,
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
    let results = run(&searcher, exact.as_ref(), sort, offset, limit)?;
    if results.total >= FUZZY_BELOW || query.terms.is_empty() {
        return Ok(results);
    }
    let Some(fuzzy) = build(fields, query, true) else {
        return Ok(results);
    };
    let fuzzy_results = run(&searcher, fuzzy.as_ref(), sort, offset, limit)?;
    if fuzzy_results.total > results.total {
        Ok(SearchResults { fuzzy: true, ..fuzzy_results })
    } else {
        Ok(results)
    }
}

/// Builds the tantivy query; `None` when the words analyse to nothing (e.g. only punctuation).
pub(crate) fn build(f: &Fields, query: &ParsedQuery, fuzzy: bool) -> Option<Box<dyn Query>> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut has_text_clause = false;
    for word in &query.terms {
        for token in analyze(word) {
            clauses.push((Occur::Should, token_query(f, &token, fuzzy)));
            has_text_clause = true;
        }
    }
    for phrase in &query.phrases {
        if let Some(q) = phrase_query(f, &analyze(phrase)) {
            clauses.push((Occur::Must, q));
            has_text_clause = true;
        }
    }
    if query.has_text() && !has_text_clause {
        return None;
    }
    if !query.has_text() {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    for word in &query.excluded {
        for token in analyze(word) {
            for (field, _) in weighted_fields(f) {
                clauses.push((Occur::MustNot, term(Term::from_field_text(field, &token))));
            }
        }
    }
    for tag in &query.tags {
        clauses.push((Occur::Must, filter(term(Term::from_field_text(f.tags, tag)))));
    }
    if !query.users.is_empty() {
        let any_user: Vec<(Occur, Box<dyn Query>)> =
            query.users.iter().map(|user| (Occur::Should, term(Term::from_field_text(f.author, user)))).collect();
        clauses.push((Occur::Must, filter(Box::new(BooleanQuery::new(any_user)))));
    }
    for flag in &query.flags {
        let (field, value) = match flag {
            Flag::Answered => (f.answered, true),
            Flag::Unanswered => (f.answered, false),
            Flag::Official => (f.official, true),
            Flag::Accepted => (f.accepted, true),
            Flag::Closed => (f.closed, true),
        };
        clauses.push((Occur::Must, filter(term(Term::from_field_bool(field, value)))));
    }
    let deleted = Term::from_field_text(f.status, crate::QuestionStatus::Deleted.as_str());
    clauses.push((Occur::MustNot, term(deleted)));
    Some(Box::new(BooleanQuery::new(clauses)))
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
fn token_query(f: &Fields, token: &str, fuzzy: bool) -> Box<dyn Query> {
    let mut per_field: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let chars = token.chars().count();
    for (field, weight) in weighted_fields(f) {
        let t = Term::from_field_text(field, token);
        per_field.push((Occur::Should, Box::new(BoostQuery::new(term(t.clone()), weight))));
        if fuzzy && chars >= FUZZY_MIN_CHARS {
            let distance = if chars >= FUZZY_TWO_EDITS_CHARS { 2 } else { 1 };
            let q = FuzzyTermQuery::new(t, distance, true);
            per_field.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), weight * FUZZY_WEIGHT))));
        }
    }
    Box::new(BooleanQuery::new(per_field))
}

/// A phrase that must appear in at least one text field; a one-word phrase is just that word.
fn phrase_query(f: &Fields, tokens: &[String]) -> Option<Box<dyn Query>> {
    match tokens {
        [] => None,
        [single] => Some(token_query(f, single, false)),
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
    query: &dyn Query,
    sort: Sort,
    offset: usize,
    limit: usize,
) -> Result<SearchResults, SearchError> {
    // TopDocs refuses a limit of zero; ask for one and drop it.
    let page = TopDocs::with_limit(limit.clamp(1, MAX_LIMIT)).and_offset(offset);
    let (total, ranked): (usize, Vec<(f32, DocAddress)>) = match sort {
        Sort::Relevance => searcher.search(query, &(Count, page.tweak_score(priors)))?,
        Sort::Newest => by_field(searcher, query, page, names::CREATED)?,
        Sort::Votes => by_field(searcher, query, page, names::SCORE)?,
    };
    let mut hits = Vec::with_capacity(ranked.len());
    for (score, address) in ranked.into_iter().take(limit) {
        let ids = searcher.segment_reader(address.segment_ord).fast_fields().u64(names::ID)?;
        if let Some(id) = ids.first(address.doc_id) {
            hits.push(Hit { id, score });
        }
    }
    Ok(SearchResults { total, hits, fuzzy: false })
}

/// Orders by an i64 fast field, newest or highest first.
fn by_field(
    searcher: &Searcher,
    query: &dyn Query,
    page: TopDocs,
    field: &str,
) -> Result<(usize, Vec<(f32, DocAddress)>), SearchError> {
    let (total, ranked) = searcher.search(query, &(Count, page.order_by_fast_field::<i64>(field, Order::Desc)))?;
    // The key becomes the hit's score; precision loss on huge values only affects display.
    #[expect(clippy::cast_precision_loss, reason = "the key is informative only")]
    let ranked = ranked.into_iter().map(|(key, addr)| (key as f32, addr)).collect();
    Ok((total, ranked))
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
    use super::prior;

    #[test]
    fn priors_are_modest() {
        assert!((prior(false, false, false, 0) - 1.0).abs() < f32::EPSILON);
        assert!(prior(true, true, false, 100) < 1.7);
        assert!(prior(true, false, false, 0) > prior(false, true, false, 0));
        assert!(prior(false, false, true, 0) < 1.0);
        assert!(prior(false, false, false, -3) < 1.0);
    }
}
