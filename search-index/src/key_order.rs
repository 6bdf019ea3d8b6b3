//! Ordering by a date or by votes: chunks of documents skipped by their largest key.
//!
//! Each segment is split into chunks of [`CHUNK`] documents, and the key's largest value in each
//! is read from the column once per segment and kept in a [`ChunkMaxima`] cache (segments never
//! change). The chunk with the highest key is walked first, then the others in order, skipping
//! those that can no longer make the page. Questions are indexed roughly in the order they are
//! asked, so for dates the first chunk nearly always fills the page and the rest is skipped; for
//! votes few chunks are. It ranks what the query matched; it never decides what matches.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::columnar::{Column, ColumnIndex};
use tantivy::index::SegmentId;
use tantivy::query::{Query, Scorer};
use tantivy::{DocAddress, DocId, Searcher};

use crate::collect::{weights, Best, Candidate, Collected, Excluded};
use crate::error::SearchError;

/// Chunk maxima by segment and field name.
type Known = HashMap<(SegmentId, String), Arc<[f64]>>;

/// The largest key of each chunk, per segment and field, for the life of the index.
#[derive(Debug, Default)]
pub(crate) struct ChunkMaxima {
    known: Mutex<Known>,
}

impl ChunkMaxima {
    /// The maxima of `field` in the segment, computed on first use.
    fn get(&self, segment: SegmentId, field: &str, column: &Column<i64>, max_doc: DocId) -> Arc<[f64]> {
        let key = (segment, field.to_string());
        if let Some(known) = self.known.lock().unwrap_or_else(PoisonError::into_inner).get(&key) {
            return Arc::clone(known);
        }
        let maxima: Arc<[f64]> = chunk_maxima(column, max_doc).into();
        self.known.lock().unwrap_or_else(PoisonError::into_inner).insert(key, Arc::clone(&maxima));
        maxima
    }

    /// Forgets segments the searcher no longer has (merged away or deleted).
    fn forget_all_but(&self, searcher: &Searcher) {
        let live: Vec<SegmentId> = searcher.segment_readers().iter().map(|r| r.segment_id()).collect();
        self.known.lock().unwrap_or_else(PoisonError::into_inner).retain(|(segment, _), _| live.contains(segment));
    }
}

/// Documents per chunk when ordering by a key: the unit of work that can be skipped whole.
const CHUNK: u32 = 4096;

/// The best `want` documents by an i64 fast field, highest first; matches are counted exactly
/// up to `count_exactly_up_to`.
pub(crate) fn by_key(
    searcher: &Searcher,
    cache: &ChunkMaxima,
    query: &dyn Query,
    exclusion: &dyn Query,
    want: usize,
    field: &str,
    count_exactly_up_to: usize,
) -> Result<Collected, SearchError> {
    cache.forget_all_but(searcher);
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
        let chunks = cache.get(reader.segment_id(), field, &column, reader.max_doc());
        // First the chunk with the highest key, on its own: for dates it usually fills the page.
        let first = (0..chunks.len())
            .max_by(|&a, &b| chunks[a].total_cmp(&chunks[b]).then(b.cmp(&a)))
            .filter(|&c| best.bar().is_none_or(|bar| chunks[c] >= bar));
        if let Some(c) = first {
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
        // Then the others in order, with one scorer: a chunk whose largest key is below the bar
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
    use super::{by_key, ChunkMaxima};
    use crate::schema::names;
    use crate::search::build;
    use crate::{ParsedQuery, QuestionDoc, SearchIndex};

    /// Skipping chunks by their largest key must not change the page, for dates or votes.
    #[test]
    fn skipping_chunks_by_key_equals_visiting_all() {
        let index = SearchIndex::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        let mut expected: Vec<(i64, i64, u64)> = Vec::new();
        for id in 0..10_000_u64 {
            // Two segments: the newer one's keys must let the older one's be skipped, not lost.
            if id == 6_000 {
                writer.commit_with_cursor(1).unwrap();
            }
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
        let cache = ChunkMaxima::default();
        let built = build(index.fields(), &ParsedQuery::parse("red"), false).unwrap();
        let (query, exclusion) = (built.matching(), built.exclusion);
        for (field, pick) in [(names::CREATED, 0), (names::SCORE, 1)] {
            let skipping = by_key(&searcher, &cache, query.as_ref(), exclusion.as_ref(), 30, field, 100).unwrap();
            let everything =
                by_key(&searcher, &ChunkMaxima::default(), query.as_ref(), exclusion.as_ref(), 30, field, usize::MAX)
                    .unwrap();
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
}
