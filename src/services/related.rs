//! Related questions beside a question page, remembered for a minute per question.
//!
//! The look-up searches the whole index for the question's title; it was a quarter of the CPU
//! time of a question page at 10,000 questions, and its cost grows with the site. A minute is as
//! long as shared caches may keep the anonymous page itself (`max-age=60`), so nobody sees a
//! list older than the page could be anyway. Each node keeps its own entries, in memory, for the
//! most recently viewed questions only.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use guidepost_search::SearchIndex;
use lru::LruCache;

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

/// A question's list, and when it was computed.
type Entry = (Instant, Arc<Vec<Suggestion>>);

/// This node's recently computed related-question lists.
pub struct RelatedCache {
    entries: Mutex<LruCache<i64, Entry>>,
    fresh_for: Duration,
}

impl Default for RelatedCache {
    fn default() -> Self {
        Self::new(CAPACITY, FRESH_FOR)
    }
}

impl RelatedCache {
    /// A cache of `capacity` lists, each reused for `fresh_for`.
    pub fn new(capacity: NonZeroUsize, fresh_for: Duration) -> Self {
        Self { entries: Mutex::new(LruCache::new(capacity)), fresh_for }
    }

    fn get(&self, question_id: i64, now: Instant) -> Option<Arc<Vec<Suggestion>>> {
        // A poisoned lock only means another thread panicked mid-update: look the list up again.
        let mut entries = self.entries.lock().ok()?;
        match entries.get(&question_id) {
            Some((at, list)) if now.duration_since(*at) < self.fresh_for => Some(Arc::clone(list)),
            _ => None,
        }
    }

    fn put(&self, question_id: i64, list: Arc<Vec<Suggestion>>, now: Instant) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.put(question_id, (now, list));
        }
    }
}

/// The questions resembling a question's title, from the cache when fresh.
pub fn for_question(
    conn: &mut DbConnection,
    index: &SearchIndex,
    cache: &RelatedCache,
    question_id: i64,
    title: &str,
) -> ServiceResult<Arc<Vec<Suggestion>>> {
    let now = Instant::now();
    if let Some(list) = cache.get(question_id, now) {
        return Ok(list);
    }
    let list = Arc::new(similar::related(conn, index, title, question_id, similar::RELATED_LIMIT)?);
    cache.put(question_id, Arc::clone(&list), now);
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(title: &str) -> Arc<Vec<Suggestion>> {
        Arc::new(vec![Suggestion {
            id: 7,
            title: title.to_owned(),
            path: "/questions/7/x".to_owned(),
            answer_count: 1,
            accepted: false,
            official: false,
            strong: false,
        }])
    }

    #[test]
    fn lists_are_reused_while_fresh_then_looked_up_again() {
        let cache = RelatedCache::new(NonZeroUsize::MIN.saturating_add(1), Duration::from_secs(60));
        let start = Instant::now();
        assert!(cache.get(1, start).is_none());
        cache.put(1, list("first"), start);
        let hit = cache.get(1, start + Duration::from_secs(59)).map(|l| l[0].title.clone());
        assert_eq!(hit.as_deref(), Some("first"));
        assert!(cache.get(1, start + Duration::from_secs(60)).is_none(), "a minute old is stale");
    }

    #[test]
    fn the_least_recently_viewed_question_is_forgotten_first() {
        let cache = RelatedCache::new(NonZeroUsize::MIN.saturating_add(1), Duration::from_secs(60));
        let now = Instant::now();
        cache.put(1, list("one"), now);
        cache.put(2, list("two"), now);
        assert!(cache.get(1, now).is_some());
        cache.put(3, list("three"), now);
        assert!(cache.get(2, now).is_none(), "2 was viewed least recently");
        assert!(cache.get(1, now).is_some() && cache.get(3, now).is_some());
    }
}
