//! This node's copy of the effective settings, and the thread that keeps it in step with the
//! database: every [`POLL_EVERY`] it reads one number, the settings' generation, and re-reads the
//! settings only when that number moved. The node that saves a change reloads at once, so its
//! own next page shows it; every other node follows within a poll.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use crate::background_thread::BackgroundThread;
use crate::config::Config;
use crate::db::models::site_settings as rows;
use crate::db::{DbConnection, DbPool};
use crate::domain::SettingName;
use crate::search::signal::Bell;

use super::SiteSettings;

/// How often a node looks for changes saved on other nodes; changes must show everywhere
/// within 5 seconds, and the look is one primary-key read.
pub const POLL_EVERY: Duration = Duration::from_secs(1);

/// The effective settings of this node, shared by every request.
#[derive(Debug)]
pub struct LiveSettings {
    /// The operator's values, which stored values are applied over.
    operator: SiteSettings,
    current: RwLock<Arc<SiteSettings>>,
}

impl LiveSettings {
    /// The operator's settings, until the first read of the database.
    pub fn new(config: &Config) -> Self {
        let operator = SiteSettings::from_config(config);
        // -1: no generation read yet, so the first look always loads the stored values.
        let first = SiteSettings { generation: -1, ..operator.clone() };
        Self { operator, current: RwLock::new(Arc::new(first)) }
    }

    /// The settings in effect now; cheap (an `Arc` clone under a read lock).
    pub fn current(&self) -> Arc<SiteSettings> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The operator's value of every setting, without the admin's changes.
    pub fn operator(&self) -> &SiteSettings {
        &self.operator
    }

    /// Reads the settings' generation and, when it moved, the settings; true when they changed.
    pub fn refresh(&self, conn: &mut DbConnection) -> diesel::QueryResult<bool> {
        let generation = rows::generation(conn)?;
        if generation == self.current().generation {
            return Ok(false);
        }
        self.reload(conn)?;
        Ok(true)
    }

    /// Re-reads the stored settings now (after this node saved a change).
    pub fn reload(&self, conn: &mut DbConnection) -> diesel::QueryResult<()> {
        let mut settings = self.read(conn)?;
        settings.render_pages();
        let settings = Arc::new(settings);
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        // A slower reader must not put back an older snapshot than one already taken.
        if settings.generation >= current.generation {
            *current = settings;
        }
        Ok(())
    }

    /// The settings as the database holds them now, without their pages rendered: what a change
    /// compares against inside its transaction.
    pub fn read(&self, conn: &mut DbConnection) -> diesel::QueryResult<SiteSettings> {
        let (generation, stored) = rows::snapshot(conn)?;
        let stored: BTreeMap<SettingName, String> = stored
            .into_iter()
            .filter_map(|row| SettingName::from_stored(&row.name).map(|name| (name, row.value)))
            .collect();
        Ok(self.operator.with_stored(&stored, generation))
    }
}

/// The running follower thread; dropping it stops the thread.
#[derive(Debug)]
pub struct SettingsFollower {
    _thread: BackgroundThread,
}

impl SettingsFollower {
    /// Loads the settings once (so the first request sees them), then follows them in a thread.
    pub fn start(pool: DbPool, live: Arc<LiveSettings>) -> std::io::Result<Self> {
        let bell = Arc::new(Bell::default());
        look(&pool, &live, &mut true);
        let waker = Arc::clone(&bell);
        let thread = BackgroundThread::spawn("site-settings", bell, move |stop| {
            let mut healthy = true;
            while !stop.load(Ordering::Relaxed) {
                waker.wait_after(waker.generation(), POLL_EVERY);
                if !stop.load(Ordering::Relaxed) {
                    look(&pool, &live, &mut healthy);
                }
            }
        })?;
        Ok(Self { _thread: thread })
    }
}

/// One look at the database; a failure is logged once until a look succeeds again (the
/// database being away shows in `/readyz` and every request, not in a line a second here).
fn look(pool: &DbPool, live: &LiveSettings, healthy: &mut bool) {
    let outcome =
        pool.get().map_err(|e| e.to_string()).and_then(|mut conn| live.refresh(&mut conn).map_err(|e| e.to_string()));
    match outcome {
        Ok(changed) => {
            if changed {
                tracing::debug!(generation = live.current().generation, "site settings reloaded");
            }
            *healthy = true;
        }
        Err(error) if *healthy => {
            tracing::warn!(%error, "site settings could not be read; keeping the last ones");
            *healthy = false;
        }
        Err(_) => {}
    }
}
