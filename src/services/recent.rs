//! A node's short memory of results that are costly to compute and asked for again and again:
//! related questions, search results pages, similar titles. Each entry is kept for a fixed time
//! and carries a tag (a generation number of whatever it was computed from); a different tag
//! makes it stale at once. Least recently used entries go first when the memory is full.

use std::hash::Hash;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lru::LruCache;

/// An entry: when it was computed, under which tag, and the value.
type Entry<V> = (Instant, u64, Arc<V>);

/// Recent results by key, each fresh for a while.
pub struct Recent<K: Hash + Eq, V> {
    entries: Mutex<LruCache<K, Entry<V>>>,
    fresh_for: Duration,
}

impl<K: Hash + Eq, V> Recent<K, V> {
    /// A memory of `capacity` entries, each fresh for `fresh_for`.
    pub fn new(capacity: NonZeroUsize, fresh_for: Duration) -> Self {
        Self { entries: Mutex::new(LruCache::new(capacity)), fresh_for }
    }

    /// The value for `key` if it was computed under `tag` less than `fresh_for` before `now`.
    pub fn get(&self, key: &K, tag: u64, now: Instant) -> Option<Arc<V>> {
        self.get_within(key, tag, Duration::ZERO, now)
    }

    /// [`Recent::get`], also taking a value of another tag computed less than `grace` before `now`.
    fn get_within(&self, key: &K, tag: u64, grace: Duration, now: Instant) -> Option<Arc<V>> {
        // A poisoned lock only means another thread panicked mid-update: compute again.
        let mut entries = self.entries.lock().ok()?;
        match entries.get(key) {
            Some((at, made_under, value)) => {
                let age = now.duration_since(*at);
                (age < grace || (*made_under == tag && age < self.fresh_for)).then(|| Arc::clone(value))
            }
            None => None,
        }
    }

    /// Remembers a value computed at `now` under `tag`.
    pub fn put(&self, key: K, tag: u64, value: Arc<V>, now: Instant) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.put(key, (now, tag, value));
        }
    }

    /// The value for `key`, computed by `compute` (and remembered) unless a fresh one is known.
    pub fn get_or_compute<E>(&self, key: K, tag: u64, compute: impl FnOnce() -> Result<V, E>) -> Result<Arc<V>, E> {
        self.get_or_compute_within(key, tag, Duration::ZERO, compute)
    }

    /// [`Recent::get_or_compute`] for values that may lag what changed by `grace`: one computed
    /// less than `grace` ago is reused whatever its tag.
    pub fn get_or_compute_within<E>(
        &self,
        key: K,
        tag: u64,
        grace: Duration,
        compute: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        let now = Instant::now();
        if let Some(value) = self.get_within(&key, tag, grace, now) {
            return Ok(value);
        }
        let value = Arc::new(compute()?);
        self.put(key, tag, Arc::clone(&value), now);
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_reused_while_fresh_and_of_the_same_tag() {
        let recent: Recent<i64, &str> = Recent::new(NonZeroUsize::MIN.saturating_add(1), Duration::from_secs(60));
        let start = Instant::now();
        assert!(recent.get(&1, 0, start).is_none());
        recent.put(1, 0, Arc::new("first"), start);
        assert_eq!(recent.get(&1, 0, start + Duration::from_secs(59)).as_deref(), Some(&"first"));
        assert!(recent.get(&1, 0, start + Duration::from_secs(60)).is_none(), "a minute old is stale");
        assert!(recent.get(&1, 1, start).is_none(), "another tag is stale");
        // Within a grace, another tag is accepted; past it, only the same tag.
        let second = Duration::from_secs(1);
        assert_eq!(recent.get_within(&1, 1, second, start + Duration::from_millis(999)).as_deref(), Some(&"first"));
        assert!(recent.get_within(&1, 1, second, start + second).is_none());
        assert!(recent.get_within(&1, 0, second, start + second).is_some());
    }

    #[test]
    fn the_least_recently_used_entry_is_forgotten_first() {
        let recent: Recent<i64, &str> = Recent::new(NonZeroUsize::MIN.saturating_add(1), Duration::from_secs(60));
        let now = Instant::now();
        recent.put(1, 0, Arc::new("one"), now);
        recent.put(2, 0, Arc::new("two"), now);
        assert!(recent.get(&1, 0, now).is_some());
        recent.put(3, 0, Arc::new("three"), now);
        assert!(recent.get(&2, 0, now).is_none(), "2 was used least recently");
        assert!(recent.get(&1, 0, now).is_some() && recent.get(&3, 0, now).is_some());
    }

    #[test]
    fn a_failed_computation_is_not_remembered() {
        let recent: Recent<&str, u32> = Recent::new(NonZeroUsize::MIN, Duration::from_secs(60));
        assert!(recent.get_or_compute("k", 0, || Err::<u32, ()>(())).is_err());
        assert_eq!(*recent.get_or_compute("k", 0, || Ok::<u32, ()>(7)).unwrap(), 7);
        assert_eq!(*recent.get_or_compute("k", 0, || Ok::<u32, ()>(8)).unwrap(), 7);
    }
}
