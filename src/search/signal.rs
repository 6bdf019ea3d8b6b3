//! Waking indexers the moment a write transaction that touched search commits.
//!
//! [`note_pending`] is called inside the transaction, on the thread running it; the transaction's
//! successful end calls [`wake_if_pending`]. Waking before the commit would be useless (the
//! indexer would find nothing yet), and waking after a rollback would be noise. The signal is
//! process-wide: every indexer in the process wakes and looks at its own database, which is
//! harmless when there is one (production) and cheap when there are many (tests).

use std::cell::Cell;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

thread_local! {
    static PENDING: Cell<bool> = const { Cell::new(false) };
}

/// A generation counter: waiters sleep until it moves.
static GENERATION: Mutex<u64> = Mutex::new(0);
static MOVED: Condvar = Condvar::new();

/// Marks the current thread's open transaction as having written a search change.
pub fn note_pending() {
    PENDING.with(|pending| pending.set(true));
}

/// Forgets a pending change, e.g. when its transaction rolled back.
pub fn discard_pending() {
    PENDING.with(|pending| pending.set(false));
}

/// Wakes every indexer if the transaction that just committed on this thread wrote a change.
pub fn wake_if_pending() {
    if PENDING.with(|pending| pending.replace(false)) {
        wake_all();
    }
}

/// Wakes every indexer (also used to make them notice a stop request).
pub fn wake_all() {
    let mut generation = GENERATION.lock().unwrap_or_else(PoisonError::into_inner);
    *generation = generation.wrapping_add(1);
    MOVED.notify_all();
}

/// The current generation; pass it to [`wait_after`] to sleep until something changes.
pub fn generation() -> u64 {
    *GENERATION.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Sleeps until the generation moves past `seen`, or `timeout` passes.
pub fn wait_after(seen: u64, timeout: Duration) {
    let guard = GENERATION.lock().unwrap_or_else(PoisonError::into_inner);
    // Whether it woke or timed out, the caller looks at the database next either way.
    let _ = MOVED.wait_timeout_while(guard, timeout, |generation| *generation == seen);
}
