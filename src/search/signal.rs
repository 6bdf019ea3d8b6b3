//! How a node's indexer learns that there is work: a bell the change feed rings after a commit
//! that changed something searchable, and that the indexer's own stop request rings too.
//!
//! Each application state owns one; nothing here is process-wide, so several sites in one process
//! (the tests) wake only their own indexers. Changes made by other nodes or by the CLI arrive by
//! polling the database instead.

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

/// A generation counter that sleepers wait on until it moves.
#[derive(Debug, Default)]
pub struct Bell {
    generation: Mutex<u64>,
    moved: Condvar,
}

impl Bell {
    /// Wakes everyone waiting.
    pub fn ring(&self) {
        let mut generation = self.generation.lock().unwrap_or_else(PoisonError::into_inner);
        *generation = generation.wrapping_add(1);
        self.moved.notify_all();
    }

    /// The current generation; pass it to [`Bell::wait_after`] to sleep until the bell rings.
    pub fn generation(&self) -> u64 {
        *self.generation.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sleeps until the generation moves past `seen`, or `timeout` passes.
    pub fn wait_after(&self, seen: u64, timeout: Duration) {
        let guard = self.generation.lock().unwrap_or_else(PoisonError::into_inner);
        // Whether it woke or timed out, the caller looks at the database next either way.
        let _ = self.moved.wait_timeout_while(guard, timeout, |generation| *generation == seen);
    }
}
