//! The badge job as a background task on each node: every [`INTERVAL`] it does the waiting
//! checks, and every [`EXPERTS_REFRESH`] it recomputes every tag's experts so the window slides.
//! Nodes share the work through the checks' row locks; a crashed run leaves its checks for the
//! next one.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};

use crate::db::models::experts;
use crate::db::DbPool;
use crate::periodic::PeriodicTask;

/// How often the job looks for checks.
pub const INTERVAL: Duration = Duration::from_secs(30);
/// How often every tag's experts are recomputed.
pub const EXPERTS_REFRESH: Duration = Duration::from_secs(6 * 60 * 60);

/// Starts the job on the current tokio runtime; it first runs at once, with a full experts
/// refresh only when the stored standings are older than [`EXPERTS_REFRESH`]: a restart, or
/// several nodes starting together, need not recompute every tag (seconds of work on a large
/// site, beside the first visitors).
pub fn start(pool: DbPool) -> PeriodicTask {
    let last_full: Mutex<Option<NaiveDateTime>> = Mutex::new(None);
    let refresh = TimeDelta::from_std(EXPERTS_REFRESH).unwrap_or(TimeDelta::MAX);
    PeriodicTask::start("badges", INTERVAL, move || {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        let mut last = last_full.lock().map_err(|e| e.to_string())?;
        if last.is_none() {
            *last = experts::oldest_computed_at(&mut conn).map_err(|e| e.to_string())?;
        }
        let now = chrono::Utc::now().naive_utc();
        let all_experts = last.is_none_or(|at| now - at >= refresh);
        let summary = super::run(&mut conn, now, all_experts, &mut |_| {}).map_err(|e| e.to_string())?;
        if all_experts {
            *last = Some(now);
        }
        if summary.awarded > 0 {
            tracing::info!(checked = summary.checked, awarded = summary.awarded, "badges awarded");
        }
        Ok(())
    })
}
