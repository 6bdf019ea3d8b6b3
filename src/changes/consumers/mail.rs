//! The mail worker is woken the moment a use case queued mail, rather than at its next poll.
//! (Watchers' notification mail wakes it from [`super::notifications`], which knows when it wrote
//! some.)

use crate::changes::{Change, Consumer};
use crate::mail::Outbox;

/// Wakes this process's mail worker after a commit that queued mail.
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
        if changes.contains(&Change::MailQueued) {
            self.outbox.wake();
        }
    }
}
