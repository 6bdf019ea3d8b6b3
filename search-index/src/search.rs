//! Running a [`ParsedQuery`] against the index: BM25 over weighted fields, filters, a fuzzy
//! second pass for typos, modest priors, and sorting by relevance, date or votes.
//!
//! It reads only; it never writes the index and never sees the database.

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Score, Searcher, Term};

use crate::analyzer::{analyze, analyze_query_words};
use crate::collect::{self, Collected, Ranking, COUNT_EXACTLY_UP_TO};
use crate::error::SearchError;
use crate::index::SearchIndex;
use crate::key_order::{self, ChunkMaxima};
use crate::phrase::Phrases;
use crate::priors::{priors, MAX_PRIOR};
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

/// Suggestions skip a word in the long fields (the question's text, its answers) when more than
/// this share of all questions use it there. Such a word's postings are the longest in the index, and its low
/// IDF adds little to a score: at a million synthetic questions, looking up every word of a
/// title everywhere cost 20–50 ms a suggestion list. Titles keep every word.
const COMMON_IN_TEXT: f64 = 0.05;

/// Drops from a suggestion query the (word, long field) pairs [`COMMON_IN_TEXT`] says are too
/// common to be worth their postings.
fn without_common_words(searcher: &Searcher, f: &Fields, built: Built) -> Result<Built, SearchError> {
    if built.word_terms.is_empty() {
        return Ok(built);
    }
    #[expect(clippy::cast_precision_loss, reason = "a share needs no exact count")]
    let docs = searcher.num_docs().max(1) as f64;
    let mut kept: Vec<(Term, Score)> = Vec::new();
    for (term, weight) in built.word_terms {
        let long = [f.body, f.answers, f.best_answers].contains(&term.field());
        #[expect(clippy::cast_precision_loss, reason = "a share needs no exact count")]
        if !long || (searcher.doc_freq(&term)? as f64) / docs <= COMMON_IN_TEXT {
            kept.push((term, weight));
        }
    }
    let clauses: Vec<(Occur, Box<dyn Query>)> = kept
        .iter()
        .map(|(t, weight)| (Occur::Should, Box::new(BoostQuery::new(term(t.clone()), *weight)) as Box<dyn Query>))
        .collect();
    Ok(Built { words: Some(Box::new(BooleanQuery::new(clauses))), word_terms: kept, ..built })
}

/// How much work a search does beyond finding its best hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effort {
    /// A results page: matches counted exactly up to a thousand, every match scored.
    Page,
    /// Suggestions: the best few by relevance, no count, the commonest words of long fields
    /// left out.
    BestOnly,
}

/// Searches the index; never fails on the query's content, only on index errors.
pub fn search(
    index: &SearchIndex,
    query: &ParsedQuery,
    sort: Sort,
    offset: usize,
    limit: usize,
) -> Result<SearchResults, SearchError> {
    search_with(index, query, sort, (offset, limit), Effort::Page)
}

/// The best `limit` questions for `query` by relevance, without a count of all matches: for
/// suggestions beside a question or under a title being typed. At a million questions a
/// title's common words match most of the site; counting and scoring all of them took 20–50 ms
/// a question page, where skipping what cannot make the list takes a fraction of that.
pub fn best_matches(index: &SearchIndex, query: &ParsedQuery, limit: usize) -> Result<Vec<Hit>, SearchError> {
    Ok(search_with(index, query, Sort::Relevance, (0, limit), Effort::BestOnly)?.hits)
}

fn search_with(
    index: &SearchIndex,
    query: &ParsedQuery,
    sort: Sort,
    (offset, limit): (usize, usize),
    effort: Effort,
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
    let exact = match effort {
        Effort::Page => exact,
        Effort::BestOnly => without_common_words(&searcher, fields, exact)?,
    };
    let results = run(&searcher, index.chunk_maxima(), &exact, sort, (offset, limit), effort)?;
    if results.total >= FUZZY_BELOW || query.terms.is_empty() {
        return Ok(results);
    }
    let Some(fuzzy) = build(fields, query, true) else {
        return Ok(results);
    };
    let fuzzy_results = run(&searcher, index.chunk_maxima(), &fuzzy, sort, (offset, limit), effort)?;
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
    /// The (word, field) pairs of `words` with their weights, when every clause is an exact
    /// term (no typo forgiving), so that suggestions can leave the commonest out.
    pub word_terms: Vec<(Term, Score)>,
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
    let word_fields = weighted_fields(f);
    let mut words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut filters: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    // Free words and phrases' words rank alike, stop words dropped from both; only free words
    // are forgiven typos.
    let typed: Vec<String> = query.terms.iter().flat_map(|word| analyze(word)).collect();
    let mut ranked: Vec<String> = Vec::new();
    let mut word_terms: Vec<(Term, Score)> = Vec::new();
    let mut all_exact = true;
    for token in analyze_query_words(query.terms.iter().chain(&query.phrases).map(String::as_str)) {
        if !ranked.contains(&token) {
            let fuzzy = fuzzy && typed.contains(&token);
            all_exact &= !fuzzy;
            word_terms
                .extend(word_fields.iter().map(|&(field, weight)| (Term::from_field_text(field, &token), weight)));
            words.extend(token_queries(&word_fields, &token, fuzzy).into_iter().map(|q| (Occur::Should, q)));
            ranked.push(token);
        }
    }
    let mut phrases = Phrases { fields: word_fields.map(|(field, _)| field).to_vec(), phrases: Vec::new() };
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
        word_terms: if all_exact { word_terms } else { Vec::new() },
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
fn token_queries(fields: &[(Field, Score)], token: &str, fuzzy: bool) -> Vec<Box<dyn Query>> {
    let mut per_field: Vec<Box<dyn Query>> = Vec::new();
    let chars = token.chars().count();
    for &(field, weight) in fields {
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
    let per_field = token_queries(&weighted_fields(f), token, false);
    Box::new(BooleanQuery::new(per_field.into_iter().map(|q| (Occur::Should, q)).collect()))
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
    cache: &ChunkMaxima,
    built: &Built,
    sort: Sort,
    (offset, limit): (usize, usize),
    effort: Effort,
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
            // Suggestions show a few hits and no count: prune as soon as the list is full.
            let count_exactly_up_to = match effort {
                Effort::Page => COUNT_EXACTLY_UP_TO,
                Effort::BestOnly => 0,
            };
            collect::by_relevance(searcher, &ranking, want, (priors, MAX_PRIOR), count_exactly_up_to)?
        }
        (Sort::Relevance | Sort::Newest, _) => {
            key_order::by_key(searcher, cache, matching.as_ref(), exclusion, want, names::CREATED, COUNT_EXACTLY_UP_TO)?
        }
        (Sort::Votes, _) => {
            key_order::by_key(searcher, cache, matching.as_ref(), exclusion, want, names::SCORE, COUNT_EXACTLY_UP_TO)?
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
