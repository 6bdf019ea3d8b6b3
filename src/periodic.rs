//! A job each node runs in the background every so often (the digests, the response target
//! sweep): first at once, then after each interval, always off the async threads (the database
//! is blocking), until the server stops it. A failed or crashed run is logged and tried again at
//! the next interval.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

/// A running periodic job; stop it with [`PeriodicTask::stop`].
pub struct PeriodicTask {
    name: &'static str,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl PeriodicTask {
    /// Starts `job` on the current tokio runtime, named `name` in the logs; it runs at once and
    /// then every `interval`. The job logs its own results and returns why it failed, if it did.
    pub fn start<F>(name: &'static str, interval: Duration, job: F) -> Self
    where
        F: Fn() -> Result<(), String> + Send + Sync + 'static,
    {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(name, interval, Arc::new(job), stopped));
        Self { name, stop, task }
    }

    /// Stops the task, letting a run in progress finish.
    pub async fn stop(self) {
        // Fails only when the task already ended, which is what we want anyway.
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            tracing::error!(task = self.name, error = %e, "a background task ended abnormally");
        }
    }
}

async fn run<F>(name: &'static str, interval: Duration, job: Arc<F>, mut stopped: watch::Receiver<bool>)
where
    F: Fn() -> Result<(), String> + Send + Sync + 'static,
{
    while !*stopped.borrow() {
        let job = Arc::clone(&job);
        match tokio::task::spawn_blocking(move || job()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(task = name, error = %e, "a background run failed; will try again"),
            Err(e) => tracing::error!(task = name, error = %e, "a background run crashed; will try again"),
        }
        tokio::select! {
            _ = stopped.changed() => break,
            () = tokio::time::sleep(interval) => {}
        }
    }
    tracing::info!(task = name, "background task stopped");
}
