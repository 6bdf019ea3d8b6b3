//! A thread a node runs beside its requests (the search indexer, the site settings follower, the
//! page notice listener) for as long as its owner lives: dropping the owner sets the stop flag,
//! rings the bell the thread sleeps on, and waits for the thread to finish its round.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::search::signal::Bell;

/// A running background thread; dropping it stops the thread.
#[derive(Debug)]
pub struct BackgroundThread {
    name: &'static str,
    stop: Arc<AtomicBool>,
    bell: Arc<Bell>,
    thread: Option<JoinHandle<()>>,
}

impl BackgroundThread {
    /// Runs `body` on a thread named `name`. The body returns once the flag it is given is set,
    /// and sleeps on `bell` between rounds, so that stopping wakes it at once.
    pub fn spawn<F>(name: &'static str, bell: Arc<Bell>, body: F) -> std::io::Result<Self>
    where
        F: FnOnce(&AtomicBool) + Send + 'static,
    {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new().name(name.into()).spawn(move || body(&flag))?;
        Ok(Self { name, stop, bell, thread: Some(thread) })
    }
}

impl Drop for BackgroundThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.bell.ring();
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!(thread = self.name, "a background thread panicked");
            }
        }
    }
}
