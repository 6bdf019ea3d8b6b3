//! The background task that runs the response target sweep about once a minute on each node,
//! off the async threads; stopped with the server.

use std::time::Duration;

use tokio::sync::watch;

use super::sweep;
use crate::db::DbPool;
use crate::mail::Outbox;

/// How often the sweep runs.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// The running sweep; stop it with [`ResponseTargetTask::stop`].
pub struct ResponseTargetTask {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl ResponseTargetTask {
    /// Starts the task on the current tokio runtime; it first runs at once.
    pub fn start(pool: DbPool, outbox: Outbox) -> Self {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(pool, outbox, stopped));
        Self { stop, task }
    }

    /// Stops the task, letting a sweep in progress finish.
    pub async fn stop(self) {
        // Fails only when the task already ended, which is what we want anyway.
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "the response target task ended abnormally");
        }
    }
}

async fn run(pool: DbPool, outbox: Outbox, mut stopped: watch::Receiver<bool>) {
    while !*stopped.borrow() {
        let (pool, outbox) = (pool.clone(), outbox.clone());
        // The database is blocking: keep it off the async threads.
        let run = tokio::task::spawn_blocking(move || {
            sweep::sweep(&pool, &outbox, chrono::Utc::now().naive_utc()).map_err(|e| format!("{e:#}"))
        });
        match run.await {
            Ok(Ok(swept)) if swept != sweep::Swept::default() => {
                tracing::info!(nearing = swept.nearing, breached = swept.breached, "response target alerts sent");
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "the response target sweep failed; will try again"),
            Err(e) => tracing::error!(error = %e, "the response target sweep crashed; will try again"),
        }
        tokio::select! {
            _ = stopped.changed() => break,
            () = tokio::time::sleep(SWEEP_INTERVAL) => {}
        }
    }
    tracing::info!("response target task stopped");
}
