//! Serial voting: one member upvoting another's posts in a run (a friend, or a second account)
//! inflates reputation that others are meant to grant. A sweep finds pairs with too many upvotes
//! in a day, reverses that reputation (the votes stay on the posts, as a vote's score is the
//! readers' business) and records it in the moderation log.

use std::time::Duration;

use chrono::NaiveDateTime;

use crate::db::models::reputation;
use crate::db::{DbConnection, DbPool};
use crate::periodic::PeriodicTask;
use crate::services::{audit, ServiceError, ServiceResult};

/// Upvotes from one member to another within [`WINDOW_HOURS`] that count as a run.
pub const RUN_LENGTH: i64 = 5;

/// The window a run is counted in.
pub const WINDOW_HOURS: i64 = 24;

/// How often each node sweeps; pairs found by two nodes at once are reversed once (the rows are
/// updated only while unreversed, and the audit entry follows the rows actually reversed).
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(15 * 60);

/// One pair whose run was reversed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReversedRun {
    /// Who voted.
    pub voter: i64,
    /// Whose posts.
    pub author: i64,
    /// Ledger rows reversed.
    pub votes: usize,
}

/// Finds and reverses runs in the last [`WINDOW_HOURS`], each pair in its own transaction.
pub fn sweep(conn: &mut DbConnection, now: NaiveDateTime) -> ServiceResult<Vec<ReversedRun>> {
    let since = now - chrono::Duration::hours(WINDOW_HOURS);
    let mut reversed = Vec::new();
    for (voter, author, _) in reputation::vote_runs(conn, since, RUN_LENGTH)? {
        let run = crate::db::write_transaction(conn, |conn| -> ServiceResult<ReversedRun> {
            let votes = reputation::reverse_run(conn, voter, author, since, now)?;
            if votes > 0 {
                reputation::recompute_total(conn, author, now.date().and_time(chrono::NaiveTime::MIN))?;
                let detail = format!("{votes} upvotes from member #{voter} within {WINDOW_HOURS} hours reversed");
                audit::record_automatic(conn, "reputation.serial_voting", ("user", author), Some(&detail), now)?;
            }
            Ok(ReversedRun { voter, author, votes })
        })?;
        if run.votes > 0 {
            reversed.push(run);
        }
    }
    Ok(reversed)
}

/// Starts the sweep on the current tokio runtime; it first runs at once.
pub fn start(pool: DbPool) -> PeriodicTask {
    PeriodicTask::start("serial voting", SWEEP_INTERVAL, move || {
        let mut conn = pool.get().map_err(|e| format!("{e:#}"))?;
        let reversed = sweep(&mut conn, chrono::Utc::now().naive_utc()).map_err(|e: ServiceError| format!("{e:#}"))?;
        for run in reversed {
            tracing::info!(voter = run.voter, author = run.author, votes = run.votes, "serial voting reversed");
        }
        Ok(())
    })
}
