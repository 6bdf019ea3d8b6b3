//! Counting question views once per visitor per hour or so.
//!
//! Each node remembers which (visitor, question) pairs it has counted in the current and the
//! previous time window; a pair is counted when it is in neither. Memory stays bounded by the
//! traffic of two windows. Several nodes may each count a visitor once: a small overcount that
//! a view counter can live with, where a database write per page view could not.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long one window lasts.
const WINDOW: Duration = Duration::from_secs(30 * 60);

struct Windows {
    started: Instant,
    current: HashSet<u64>,
    previous: HashSet<u64>,
}

/// Remembers recent views on this node.
pub struct ViewCounter {
    windows: Mutex<Windows>,
}

impl Default for ViewCounter {
    fn default() -> Self {
        Self {
            windows: Mutex::new(Windows { started: Instant::now(), current: HashSet::new(), previous: HashSet::new() }),
        }
    }
}

impl ViewCounter {
    /// Whether this visitor's view of this question is new and should be counted.
    pub fn is_new_view(&self, visitor: &str, question_id: i64) -> bool {
        let mut hasher = DefaultHasher::new();
        (visitor, question_id).hash(&mut hasher);
        let key = hasher.finish();
        let Ok(mut windows) = self.windows.lock() else {
            return false;
        };
        if windows.started.elapsed() >= WINDOW {
            windows.previous = std::mem::take(&mut windows.current);
            windows.started = Instant::now();
        }
        if windows.previous.contains(&key) {
            windows.current.insert(key);
            return false;
        }
        windows.current.insert(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_visitor_counts_once() {
        let counter = ViewCounter::default();
        assert!(counter.is_new_view("ip:1", 7));
        assert!(!counter.is_new_view("ip:1", 7));
        assert!(counter.is_new_view("ip:2", 7));
        assert!(counter.is_new_view("ip:1", 8));
    }
}
