//! Collecting one page of hits and the number of matches, segment by segment.
//!
//! Matches are counted exactly up to [`COUNT_EXACTLY_UP_TO`] (as Lucene does); past it, work on
//! documents that cannot reach the current page is skipped, and the total becomes a lower bound.
//! By relevance, that skipped work is the prior, the page and the filter check (a phrase's
//! positions above all) of every document whose BM25 score is too low; by a date or votes, it is
//! whole chunks of documents whose keys are too low. Exclusions (deleted questions, `-word`)
//! are applied from a per-segment bitset of the few excluded documents.
//!
//! This module ranks what the query matched; it never decides what matches.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use tantivy::columnar::{Column, ColumnIndex};
use tantivy::query::{EnableScoring, Query, Scorer, Weight};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED};

use crate::error::SearchError;
use crate::phrase::Phrases;

/// Matches counted one by one before ranking starts skipping; past it the total is a lower bound.
pub(crate) const COUNT_EXACTLY_UP_TO: usize = 1_000;

/// The best documents found and how many matched.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    /// Matching documents counted.
    pub total: usize,
    /// True when counting stopped being exhaustive: `total` is then a lower bound.
    pub total_is_lower_bound: bool,
    /// The best `want` documents, best first, with their ranking values.
    pub top: Vec<(f64, DocAddress)>,
}

/// The documents one query must not return, for one segment.
struct Excluded {
    words: Vec<u64>,
}

impl Excluded {
    /// Every document of `reader` that `exclusion` matches.
    fn collect(weight: &dyn Weight, reader: &SegmentReader) -> Result<Option<Excluded>, SearchError> {
        let mut set = Excluded { words: vec![0; (reader.max_doc() as usize).div_ceil(64)] };
        let mut any = false;
        weight.for_each_no_score(reader, &mut |docs: &[DocId]| {
            for &doc in docs {
                set.words[doc as usize / 64] |= 1 << (doc % 64);
                any = true;
            }
        })?;
        Ok(any.then_some(set))
    }

    fn contains(&self, doc: DocId) -> bool {
        self.words[doc as usize / 64] & (1 << (doc % 64)) != 0
    }
}

/// One candidate: ordered by value, then (like tantivy's `TopDocs`) earlier documents first.
/// The value is an `f64` so that a date or vote count used as the key stays exact.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    value: f64,
    address: DocAddress,
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.value.total_cmp(&other.value).then_with(|| other.address.cmp(&self.address))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

/// The best `want` candidates seen so far.
struct Best {
    want: usize,
    heap: BinaryHeap<Reverse<Candidate>>,
}

impl Best {
    fn new(want: usize) -> Best {
        Best { want, heap: BinaryHeap::with_capacity(want + 1) }
    }

    /// True when `candidate` would make the page as it stands.
    fn accepts(&self, candidate: &Candidate) -> bool {
        self.heap.len() < self.want || self.heap.peek().is_some_and(|Reverse(worst)| candidate > worst)
    }

    fn offer(&mut self, candidate: Candidate) {
        if self.heap.len() < self.want {
            self.heap.push(Reverse(candidate));
        } else if self.accepts(&candidate) {
            self.heap.pop();
            self.heap.push(Reverse(candidate));
        }
    }

    /// The value a newcomer must beat, once the page is full.
    fn bar(&self) -> Option<f64> {
        (self.heap.len() >= self.want).then(|| self.heap.peek().map(|Reverse(worst)| worst.value)).flatten()
    }

    fn into_sorted(self) -> Vec<(f64, DocAddress)> {
        let mut top: Vec<Candidate> = self.heap.into_iter().map(|Reverse(c)| c).collect();
        top.sort_unstable_by(|a, b| b.cmp(a));
        top.into_iter().map(|c| (c.value, c.address)).collect()
    }
}

/// Weights for the query and the exclusion, built once for all segments.
fn weights(
    searcher: &Searcher,
    query: &dyn Query,
    exclusion: &dyn Query,
    scoring: bool,
) -> Result<[Box<dyn Weight>; 2], SearchError> {
    let enable = if scoring {
        EnableScoring::enabled_from_searcher(searcher)
    } else {
        EnableScoring::disabled_from_searcher(searcher)
    };
    let weight = query.weight(enable)?;
    let exclusion = exclusion.weight(EnableScoring::disabled_from_searcher(searcher))?;
    Ok([weight, exclusion])
}

/// What a relevance search ranks, filters and drops.
pub(crate) struct Ranking<'a> {
    /// The words, one `Should` clause per (word, field), summed.
    pub words: &'a dyn Query,
    /// Everything that must match, phrases included.
    pub filter: Option<&'a dyn Query>,
    /// The filter less the phrases of several words.
    pub rest: Option<&'a dyn Query>,
    /// Those phrases, checked one document at a time.
    pub phrases: &'a Phrases,
    /// What must not be returned.
    pub exclusion: &'a dyn Query,
}

/// The best `want` documents by BM25 of `words` times a per-document prior, which must lie in
/// `0.0..=max_prior`, so that documents whose best possible value is too low are passed over.
/// Matches are counted exactly up to `count_exactly_up_to` ([`COUNT_EXACTLY_UP_TO`] in use).
///
/// With a `filter`, a segment is first walked along the filter (every match counted and scored)
/// until the count is reached; from there the words propose only documents that could make the
/// page, and the filter (`rest`, then the phrases) is checked for those alone. A filter document
/// the words miss scores zero, so it could never make the page once counting has stopped.
pub(crate) fn by_relevance<P, F>(
    searcher: &Searcher,
    ranking: &Ranking<'_>,
    want: usize,
    (priors, max_prior): (P, Score),
    count_exactly_up_to: usize,
) -> Result<Collected, SearchError>
where
    P: Fn(&SegmentReader) -> F,
    F: FnMut(DocId, Score) -> Score,
{
    let [words, exclusion] = weights(searcher, ranking.words, ranking.exclusion, true)?;
    let unscored = |q: &dyn Query| q.weight(EnableScoring::disabled_from_searcher(searcher));
    let filter = ranking.filter.map(unscored).transpose()?;
    let rest = ranking.rest.map(unscored).transpose()?;
    let mut best = Best::new(want.max(1));
    let mut total = 0usize;
    let mut pruning = false;
    // Scores are never negative, so this lets every match through.
    let everything: Score = -1.0;
    // Until enough are counted, take every match; then only those that could make the page.
    let threshold = |best: &Best, total: usize| match best.bar() {
        #[expect(clippy::cast_possible_truncation, reason = "a relevance bar is an f32 widened to f64")]
        Some(bar) if total >= count_exactly_up_to => Some(bar as Score / max_prior),
        _ => None,
    };
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let segment_ord = u32::try_from(ord).unwrap_or(u32::MAX);
        let excluded = Excluded::collect(exclusion.as_ref(), reader)?;
        let alive = reader.alive_bitset();
        let gone = |doc| alive.is_some_and(|a| a.is_deleted(doc)) || excluded.as_ref().is_some_and(|e| e.contains(doc));
        let mut prior = priors(reader);
        let mut candidate = |doc: DocId, score: Score| Candidate {
            value: f64::from(prior(doc, score)),
            address: DocAddress { segment_ord, doc_id: doc },
        };
        // Without a filter every document the words propose matches; with one, walk it first.
        let mut from: DocId = 0;
        if let Some(filter) = filter.as_ref() {
            let mut filter = filter.scorer(reader, 1.0)?;
            let mut scorer = Some(words.scorer(reader, 1.0)?);
            let mut doc = filter.doc();
            while doc != TERMINATED && threshold(&best, total).is_none() {
                if !gone(doc) {
                    let score = scorer.as_mut().map_or(0.0, |scorer| {
                        if scorer.doc() < doc {
                            scorer.seek(doc);
                        }
                        if scorer.doc() == doc {
                            scorer.score()
                        } else {
                            0.0
                        }
                    });
                    total += 1;
                    best.offer(candidate(doc, score));
                }
                doc = filter.advance();
            }
            if doc == TERMINATED {
                continue;
            }
            from = doc;
        }
        let mut rest = rest.as_ref().map(|weight| weight.scorer(reader, 1.0)).transpose()?;
        let mut phrases =
            if ranking.phrases.phrases.is_empty() { None } else { Some(ranking.phrases.in_segment(reader)?) };
        let start = threshold(&best, total);
        pruning |= start.is_some();
        above(words.scorer(reader, 1.0)?.as_mut(), start.unwrap_or(everything), &mut |doc, score| {
            let current = threshold(&best, total);
            if doc < from || gone(doc) {
                return current.unwrap_or(everything);
            }
            let proposed = candidate(doc, score);
            // Once counting has stopped, check the (costly) filter only for would-be hits.
            if current.is_some() && !best.accepts(&proposed) {
                return current.unwrap_or(everything);
            }
            let passes = rest.as_mut().is_none_or(|rest| {
                if rest.doc() < doc {
                    rest.seek(doc);
                }
                rest.doc() == doc
            }) && phrases.as_mut().is_none_or(|phrases| phrases.matches(doc));
            if passes {
                total += 1;
                best.offer(proposed);
            }
            let next = threshold(&best, total);
            pruning |= next.is_some();
            next.unwrap_or(everything)
        });
    }
    Ok(Collected { total, total_is_lower_bound: pruning, top: best.into_sorted() })
}

/// Documents per chunk when ordering by a key: the unit of work that can be skipped whole.
const CHUNK: u32 = 4096;

/// The best `want` documents by an i64 fast field, highest first.
///
/// Each segment is split into chunks of [`CHUNK`] documents and the key's largest value in
/// each is read from the column. The chunk with the highest key is walked first, then the others
/// in order, skipping those that can no longer make the page. Questions are indexed roughly in
/// the order they are asked, so for dates the first chunk nearly always fills the page and
/// the rest of the segment is skipped; for votes few chunks are. Matches are counted exactly up
/// to `count_exactly_up_to`.
pub(crate) fn by_key(
    searcher: &Searcher,
    query: &dyn Query,
    exclusion: &dyn Query,
    want: usize,
    field: &str,
    count_exactly_up_to: usize,
) -> Result<Collected, SearchError> {
    let [weight, exclusion] = weights(searcher, query, exclusion, false)?;
    let mut best = Best::new(want.max(1));
    let mut total = 0usize;
    let mut lower_bound = false;
    // Newest segments first: their keys raise the bar that lets older ones be skipped whole.
    let readers = searcher.segment_readers();
    for (ord, reader) in readers.iter().enumerate().rev() {
        let segment_ord = u32::try_from(ord).unwrap_or(u32::MAX);
        let column = reader.fast_fields().i64(field)?;
        let excluded = Excluded::collect(exclusion.as_ref(), reader)?;
        let alive = reader.alive_bitset();
        let gone = |doc| alive.is_some_and(|a| a.is_deleted(doc)) || excluded.as_ref().is_some_and(|e| e.contains(doc));
        #[expect(clippy::cast_precision_loss, reason = "dates and votes are far below 2^53")]
        let key = |doc: DocId| column.first(doc).map_or(f64::NEG_INFINITY, |value| value as f64);
        let chunks = chunk_maxima(&column, reader.max_doc());
        // First the chunk with the highest key, on its own: for dates it usually fills the page.
        let first = (0..chunks.len()).max_by(|&a, &b| chunks[a].total_cmp(&chunks[b]).then(b.cmp(&a)));
        if let Some(c) = first.filter(|&c| best.bar().is_none_or(|bar| chunks[c] >= bar)) {
            let (start, end) = chunk_range(c, reader.max_doc());
            let mut scorer = weight.scorer(reader, 1.0)?;
            walk(scorer.as_mut(), start, end, &mut |doc| {
                if !gone(doc) {
                    total += 1;
                    best.offer(Candidate { value: key(doc), address: DocAddress { segment_ord, doc_id: doc } });
                }
                true
            });
        }
        // Then the rest in order, with one scorer: a chunk whose largest key is below the bar
        // (strictly: a tie could still win on an earlier address) is only counted, and only
        // while the count is exact.
        let mut scorer = weight.scorer(reader, 1.0)?;
        for c in (0..chunks.len()).filter(|&c| Some(c) != first) {
            let (start, end) = chunk_range(c, reader.max_doc());
            let skip = best.bar().is_some_and(|bar| chunks[c] < bar);
            if skip && total >= count_exactly_up_to {
                lower_bound = true;
                continue;
            }
            walk(scorer.as_mut(), start, end, &mut |doc| {
                if !gone(doc) {
                    total += 1;
                    if !skip {
                        best.offer(Candidate { value: key(doc), address: DocAddress { segment_ord, doc_id: doc } });
                    }
                }
                let go_on = !skip || total < count_exactly_up_to;
                lower_bound |= !go_on;
                go_on
            });
        }
    }
    Ok(Collected { total, total_is_lower_bound: lower_bound, top: best.into_sorted() })
}

/// The documents of chunk `c`, as a half-open range.
fn chunk_range(c: usize, max_doc: DocId) -> (DocId, DocId) {
    let start = u32::try_from(c).unwrap_or(u32::MAX).saturating_mul(CHUNK);
    (start, start.saturating_add(CHUNK).min(max_doc))
}

/// The largest key in each chunk; without one value per document, no chunk can be ruled out.
fn chunk_maxima(column: &Column<i64>, max_doc: DocId) -> Vec<f64> {
    let chunks = max_doc.div_ceil(CHUNK) as usize;
    if !matches!(column.index, ColumnIndex::Full) {
        return vec![f64::INFINITY; chunks];
    }
    let mut buffer = vec![0i64; CHUNK as usize];
    (0..chunks)
        .map(|c| {
            let (start, end) = chunk_range(c, max_doc);
            let values = &mut buffer[..(end - start) as usize];
            column.values.get_range(u64::from(start), values);
            #[expect(clippy::cast_precision_loss, reason = "dates and votes are far below 2^53")]
            values.iter().max().map_or(f64::NEG_INFINITY, |&max| max as f64)
        })
        .collect()
}

/// Calls `callback` for each document of `scorer` scoring above `threshold`, which the callback
/// then resets. Unlike tantivy's block-max WAND, this scores every match, but in the buffered
/// union's fast batches; for the many-word queries of common words people type, WAND's per
/// document pivoting costs far more than it skips.
fn above(scorer: &mut dyn Scorer, mut threshold: Score, callback: &mut dyn FnMut(DocId, Score) -> Score) {
    let mut doc = scorer.doc();
    while doc != TERMINATED {
        let score = scorer.score();
        if score > threshold {
            threshold = callback(doc, score);
        }
        doc = scorer.advance();
    }
}

/// Calls `visit` for each match of `scorer` in `start..end` until it returns false; the scorer
/// must not be past `start`.
fn walk(scorer: &mut dyn Scorer, start: DocId, end: DocId, visit: &mut dyn FnMut(DocId) -> bool) {
    let mut doc = scorer.doc();
    if doc < start {
        doc = scorer.seek(start);
    }
    while doc < end {
        if !visit(doc) {
            break;
        }
        doc = scorer.advance();
    }
}

#[cfg(test)]
mod tests {
    use super::{Best, Candidate};
    use tantivy::DocAddress;

    fn c(value: f64, doc: u32) -> Candidate {
        Candidate { value, address: DocAddress { segment_ord: 0, doc_id: doc } }
    }

    #[test]
    fn keeps_the_best_and_breaks_ties_by_address() {
        let mut best = Best::new(3);
        for (value, doc) in [(1.0, 0), (5.0, 1), (3.0, 2), (5.0, 3), (0.5, 4), (4.0, 5)] {
            best.offer(c(value, doc));
        }
        assert_eq!(best.bar(), Some(4.0));
        let docs: Vec<u32> = best.into_sorted().into_iter().map(|(_, a)| a.doc_id).collect();
        assert_eq!(docs, vec![1, 3, 5]);
    }

    #[test]
    fn no_bar_until_the_page_is_full() {
        let mut best = Best::new(2);
        best.offer(c(1.0, 0));
        assert_eq!(best.bar(), None);
        best.offer(c(2.0, 1));
        assert_eq!(best.bar(), Some(1.0));
    }
}
