//! The digest task: once an hour it queues a digest for every member who chose daily mail
//! and is due one (see `services::notifications::send_daily_digests`), then the weekly digest of
//! watched topics for those due one (`services::topic_digest`), then wakes the mail worker.
//! It only queues; the mail worker sends.

use std::time::Duration;

use super::Outbox;
use crate::db::DbPool;
use crate::periodic::PeriodicTask;
use crate::services::{notifications, topic_digest};

/// How often the task looks for members due a digest.
pub const CHECK_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// Starts the digest task on the current tokio runtime; it first runs at once.
pub fn start(pool: DbPool, outbox: Outbox) -> PeriodicTask {
    PeriodicTask::start("digests", CHECK_INTERVAL, move || {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        let now = chrono::Utc::now().naive_utc();
        let daily = notifications::send_daily_digests(&mut conn, &outbox, now);
        // The weekly topic digest rides on the same hourly wake-up, whatever the daily run did.
        let weekly = topic_digest::send_weekly_digests(&mut conn, &outbox, now);
        let sent = daily.and_then(|daily| weekly.map(|weekly| daily + weekly)).map_err(|e| e.to_string())?;
        if sent > 0 {
            tracing::info!(sent, "digests queued");
            outbox.wake();
        }
        Ok(())
    })
}
