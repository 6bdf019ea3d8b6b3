//! Modest priors on top of BM25: official and accepted answers, votes, and duplicates (whose
//! canonical question should come first).

use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentReader};

use crate::schema::names;

/// Per-segment score tweaker: modest boosts for official/accepted/voted, a penalty for
/// duplicates (the canonical question should come first).
pub(crate) fn priors(segment: &SegmentReader) -> impl FnMut(DocId, Score) -> Score + 'static {
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
pub(crate) const MAX_PRIOR: Score = 1.2 * 1.1 * 1.25;

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
    use super::{prior, MAX_PRIOR};

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
