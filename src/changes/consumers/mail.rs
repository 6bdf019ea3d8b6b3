//! The mail worker is woken the moment mail may be waiting, rather than at its next poll.

use crate::changes::{Change, Consumer};
use crate::mail::Outbox;

/// Wakes this process's mail worker after a commit that may have queued mail.
#[derive(Clone)]
pub struct WakeMailWorker {
    outbox: Outbox,
}

impl WakeMailWorker {
    /// Wakes the worker `outbox` belongs to.
    pub fn new(outbox: Outbox) -> Self {
        Self { outbox }
    }
}

impl Consumer for WakeMailWorker {
    fn committed(&self, changes: &[Change]) {
        if changes.iter().any(Change::may_queue_mail) {
            self.outbox.wake();
        }
    }
}
