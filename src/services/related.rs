//! Related questions beside a question page, remembered for a minute per question.
//!
//! The look-up searches the whole index for the question's title; it was a quarter of the CPU
//! time of a question page at 10,000 questions, and its cost grows with the site. A minute is as
//! long as shared caches may keep the anonymous page itself (`max-age=60`), so nobody sees a
//! list older than the page could be anyway. Each node keeps its own entries, in memory, for the
//! most recently viewed questions only.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use guidepost_search::SearchIndex;

use super::recent::Recent;
use super::similar::{self, Suggestion};
use super::ServiceResult;
use crate::db::DbConnection;

/// How long a list is reused.
const FRESH_FOR: Duration = Duration::from_secs(60);
/// Questions remembered at most (a few hundred bytes each).
const CAPACITY: NonZeroUsize = match NonZeroUsize::new(10_000) {
    Some(n) => n,
    None => NonZeroUsize::MIN,
};

/// This node's recently computed related-question lists.
pub type RelatedCache = Recent<i64, Vec<Suggestion>>;

/// A cache of the most recently viewed questions' lists, each reused for a minute.
pub fn new_cache() -> RelatedCache {
    Recent::new(CAPACITY, FRESH_FOR)
}

/// The questions resembling a question's title, from the cache when fresh.
pub fn for_question(
    conn: &mut DbConnection,
    index: &SearchIndex,
    cache: &RelatedCache,
    question_id: i64,
    title: &str,
) -> ServiceResult<Arc<Vec<Suggestion>>> {
    cache.get_or_compute(question_id, 0, || similar::related(conn, index, title, question_id, similar::RELATED_LIMIT))
}
