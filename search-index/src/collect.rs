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
pub(crate) struct Excluded {
    words: Vec<u64>,
}

impl Excluded {
    /// Every document of `reader` that `exclusion` matches.
    pub(crate) fn collect(weight: &dyn Weight, reader: &SegmentReader) -> Result<Option<Excluded>, SearchError> {
        // Made only once something is excluded: most segments exclude nothing, and zeroing a
        // bitset for each of a million documents on every search showed in profiles.
        let mut set: Option<Excluded> = None;
        weight.for_each_no_score(reader, &mut |docs: &[DocId]| {
            let set = set.get_or_insert_with(|| Excluded { words: vec![0; (reader.max_doc() as usize).div_ceil(64)] });
            for &doc in docs {
                set.words[doc as usize / 64] |= 1 << (doc % 64);
            }
        })?;
        Ok(set)
    }

    pub(crate) fn contains(&self, doc: DocId) -> bool {
        self.words[doc as usize / 64] & (1 << (doc % 64)) != 0
    }
}

/// One candidate: ordered by value, then (like tantivy's `TopDocs`) earlier documents first.
/// The value is an `f64` so that a date or vote count used as the key stays exact.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub value: f64,
    pub address: DocAddress,
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
pub(crate) struct Best {
    want: usize,
    heap: BinaryHeap<Reverse<Candidate>>,
}

impl Best {
    pub(crate) fn new(want: usize) -> Best {
        Best { want, heap: BinaryHeap::with_capacity(want + 1) }
    }

    /// True when `candidate` would make the page as it stands.
    fn accepts(&self, candidate: &Candidate) -> bool {
        self.heap.len() < self.want || self.heap.peek().is_some_and(|Reverse(worst)| candidate > worst)
    }

    pub(crate) fn offer(&mut self, candidate: Candidate) {
        if self.heap.len() < self.want {
            self.heap.push(Reverse(candidate));
        } else if self.accepts(&candidate) {
            self.heap.pop();
            self.heap.push(Reverse(candidate));
        }
    }

    /// The value a newcomer must beat, once the page is full.
    pub(crate) fn bar(&self) -> Option<f64> {
        (self.heap.len() >= self.want).then(|| self.heap.peek().map(|Reverse(worst)| worst.value)).flatten()
    }

    pub(crate) fn into_sorted(self) -> Vec<(f64, DocAddress)> {
        let mut top: Vec<Candidate> = self.heap.into_iter().map(|Reverse(c)| c).collect();
        top.sort_unstable_by(|a, b| b.cmp(a));
        top.into_iter().map(|c| (c.value, c.address)).collect()
    }
}

/// Weights for the query and the exclusion, built once for all segments.
pub(crate) fn weights(
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
            let mut scorer = words.scorer(reader, 1.0)?;
            let mut doc = filter.doc();
            while doc != TERMINATED && threshold(&best, total).is_none() {
                if !gone(doc) {
                    if scorer.doc() < doc {
                        scorer.seek(doc);
                    }
                    let score = if scorer.doc() == doc { scorer.score() } else { 0.0 };
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

#[cfg(test)]
mod tests {
    use super::{by_relevance, Best, Candidate, Collected, Ranking};
    use crate::priors::{priors, MAX_PRIOR};
    use crate::search::build;
    use crate::{ParsedQuery, QuestionDoc, QuestionStatus, SearchIndex};
    use tantivy::DocAddress;

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
            // Two segments, so that the bar carries from one to the next.
            if id == 1_800 {
                writer.commit_with_cursor(1).unwrap();
            }
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
