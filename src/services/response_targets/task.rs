//! The background task that runs the response target sweep about once a minute on each node,
//! off the async threads; stopped with the server.

use std::time::Duration;

use super::sweep;
use crate::db::DbPool;
use crate::mail::Outbox;
use crate::periodic::PeriodicTask;

/// How often the sweep runs.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// Starts the sweep on the current tokio runtime; it first runs at once.
pub fn start(pool: DbPool, outbox: Outbox) -> PeriodicTask {
    PeriodicTask::start("response targets", SWEEP_INTERVAL, move || {
        let swept = sweep::sweep(&pool, &outbox, chrono::Utc::now().naive_utc()).map_err(|e| format!("{e:#}"))?;
        if swept != sweep::Swept::default() {
            tracing::info!(nearing = swept.nearing, breached = swept.breached, "response target alerts sent");
        }
        Ok(())
    })
}
