//! Collecting one page of hits and the number of matches, segment by segment.
//!
//! By relevance it ranks with block-max WAND: once [`COUNT_EXACTLY_UP_TO`] matches have been
//! counted, documents that cannot reach the current page are skipped unscored, so the total
//! becomes a lower bound (as Lucene and Elasticsearch do). By a fast field every match is
//! visited and counted. Exclusions (deleted questions, `-word`) are applied here from a
//! per-segment bitset rather than inside the query, since any must-not clause would turn WAND off.
//!
//! This module ranks what the query matched; it never decides what matches.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader};

use crate::error::SearchError;

/// Matches counted one by one before ranking starts skipping; past it the total is a lower bound.
pub(crate) const COUNT_EXACTLY_UP_TO: usize = 10_000;

/// The best documents found and how many matched.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    /// Matching documents counted.
    pub total: usize,
    /// True when counting stopped being exhaustive: `total` is then a lower bound.
    pub total_is_lower_bound: bool,
    /// The best `want` documents, best first, with their ranking values.
    pub top: Vec<(Score, DocAddress)>,
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
#[derive(Debug, Clone, Copy)]
struct Candidate {
    value: Score,
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

    fn offer(&mut self, candidate: Candidate) {
        if self.heap.len() < self.want {
            self.heap.push(Reverse(candidate));
        } else if self.heap.peek().is_some_and(|Reverse(worst)| candidate > *worst) {
            self.heap.pop();
            self.heap.push(Reverse(candidate));
        }
    }

    /// The value a newcomer must beat, once the page is full.
    fn bar(&self) -> Option<Score> {
        (self.heap.len() >= self.want).then(|| self.heap.peek().map(|Reverse(worst)| worst.value)).flatten()
    }

    fn into_sorted(self) -> Vec<(Score, DocAddress)> {
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

/// The best `want` documents by BM25 times a per-document prior, which must lie in
/// `0.0..=max_prior` so that WAND can skip documents whose best possible score is too low.
/// Matches are counted exactly up to `count_exactly_up_to` ([`COUNT_EXACTLY_UP_TO`] in use).
pub(crate) fn by_relevance<P, F>(
    searcher: &Searcher,
    (query, exclusion): (&dyn Query, &dyn Query),
    want: usize,
    (priors, max_prior): (P, Score),
    count_exactly_up_to: usize,
) -> Result<Collected, SearchError>
where
    P: Fn(&SegmentReader) -> F,
    F: FnMut(DocId, Score) -> Score,
{
    let [weight, exclusion] = weights(searcher, query, exclusion, true)?;
    let mut best = Best::new(want.max(1));
    let mut total = 0usize;
    let mut pruning = false;
    // Scores are never negative, so this lets every match through.
    let everything: Score = -1.0;
    // Until enough are counted, take every match; then only those that could make the page.
    let threshold = |best: &Best, total: usize| match best.bar() {
        Some(bar) if total >= count_exactly_up_to => Some(bar / max_prior),
        _ => None,
    };
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let segment_ord = u32::try_from(ord).unwrap_or(u32::MAX);
        let excluded = Excluded::collect(exclusion.as_ref(), reader)?;
        let alive = reader.alive_bitset();
        let mut prior = priors(reader);
        let start = threshold(&best, total);
        pruning |= start.is_some();
        weight.for_each_pruning(start.unwrap_or(everything), reader, &mut |doc, score| {
            let gone = alive.is_some_and(|a| a.is_deleted(doc)) || excluded.as_ref().is_some_and(|e| e.contains(doc));
            if !gone {
                total += 1;
                let value = prior(doc, score);
                best.offer(Candidate { value, address: DocAddress { segment_ord, doc_id: doc } });
            }
            let next = threshold(&best, total);
            pruning |= next.is_some();
            next.unwrap_or(everything)
        })?;
    }
    Ok(Collected { total, total_is_lower_bound: pruning, top: best.into_sorted() })
}

/// The best `want` documents by a per-document key (e.g. a date), every match counted.
pub(crate) fn by_key<K, F>(
    searcher: &Searcher,
    query: &dyn Query,
    exclusion: &dyn Query,
    want: usize,
    keys: K,
) -> Result<Collected, SearchError>
where
    K: Fn(&SegmentReader) -> Result<F, SearchError>,
    F: FnMut(DocId) -> Score,
{
    let [weight, exclusion] = weights(searcher, query, exclusion, false)?;
    let mut best = Best::new(want.max(1));
    let mut total = 0usize;
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let segment_ord = u32::try_from(ord).unwrap_or(u32::MAX);
        let excluded = Excluded::collect(exclusion.as_ref(), reader)?;
        let alive = reader.alive_bitset();
        let mut key = keys(reader)?;
        weight.for_each_no_score(reader, &mut |docs: &[DocId]| {
            for &doc in docs {
                if alive.is_some_and(|a| a.is_deleted(doc)) || excluded.as_ref().is_some_and(|e| e.contains(doc)) {
                    continue;
                }
                total += 1;
                best.offer(Candidate { value: key(doc), address: DocAddress { segment_ord, doc_id: doc } });
            }
        })?;
    }
    Ok(Collected { total, total_is_lower_bound: false, top: best.into_sorted() })
}

#[cfg(test)]
mod tests {
    use super::{Best, Candidate};
    use tantivy::DocAddress;

    fn c(value: f32, doc: u32) -> Candidate {
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
