//! The digest task: once an hour it queues a digest for every member who chose daily mail
//! and is due one (see `services::notifications::send_daily_digests`), then the weekly digest of
//! watched topics for those due one (`services::topic_digest`), then wakes the mail worker.
//! It only queues; the mail worker sends.

use std::time::Duration;

use tokio::sync::watch;

use super::Outbox;
use crate::db::DbPool;
use crate::services::{notifications, topic_digest};

/// How often the task looks for members due a digest.
pub const CHECK_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// The background digest task; stop it with [`DigestTask::stop`].
pub struct DigestTask {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl DigestTask {
    /// Starts the task on the current tokio runtime; it first runs at once.
    pub fn start(pool: DbPool, outbox: Outbox) -> Self {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(pool, outbox, stopped));
        Self { stop, task }
    }

    /// Stops the task, letting a run in progress finish.
    pub async fn stop(self) {
        // Fails only when the task already ended, which is what we want anyway.
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "the digest task ended abnormally");
        }
    }
}

async fn run(pool: DbPool, outbox: Outbox, mut stopped: watch::Receiver<bool>) {
    while !*stopped.borrow() {
        let (pool, job_outbox) = (pool.clone(), outbox.clone());
        // The database is blocking: keep it off the async threads.
        let run = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let now = chrono::Utc::now().naive_utc();
            let daily = notifications::send_daily_digests(&mut conn, &job_outbox, now);
            // The weekly topic digest rides on the same hourly wake-up, whatever the daily run did.
            let weekly = topic_digest::send_weekly_digests(&mut conn, &job_outbox, now);
            daily.and_then(|daily| weekly.map(|weekly| daily + weekly)).map_err(|e| e.to_string())
        });
        match run.await {
            Ok(Ok(0)) => {}
            Ok(Ok(sent)) => {
                tracing::info!(sent, "digests queued");
                outbox.wake();
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "daily digests failed; will try again"),
            Err(e) => tracing::error!(error = %e, "the daily digest run crashed; will try again"),
        }
        tokio::select! {
            _ = stopped.changed() => break,
            () = tokio::time::sleep(CHECK_INTERVAL) => {}
        }
    }
    tracing::info!("digest task stopped");
}
