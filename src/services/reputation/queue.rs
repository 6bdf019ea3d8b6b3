//! Votes' reputation, applied by a job a moment after the vote instead of in it. A vote is the
//! forum's most frequent write, and on SQLite every page its transaction touches is read again
//! after each commit: granting in the vote (ledger row and its indexes, the author's kept total,
//! the badge check) made voting a third slower. The vote now leaves one queue row; the job applies
//! a batch of them per transaction (`vote_batch`), each pair (post, voter) once, from the vote as
//! it stands then, so a vote changed twice before the job ran is applied once, and running a batch
//! twice grants nothing twice. The job also leaves the badge check for each answer voted on.
//!
//! Reputation therefore trails a vote by about [`GATHER`] on the voting node, and by up to
//! [`POLL_EVERY`] more on the others; the ledger row is dated when it was applied, so the day's
//! cap counts the day it lands.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;

use super::{vote_batch, Rules};
use crate::background_thread::BackgroundThread;
use crate::db::models::{badges, reputation_queue};
use crate::db::{write_transaction, DbConnection, DbPool};
use crate::search::signal::Bell;
use crate::services::ServiceResult;
use crate::site_settings::LiveSettings;

/// Votes applied per transaction: two seconds of a busy node's votes. A batch's statements are
/// the same however many votes it holds, and each b-tree page it touches is read once, so the
/// bigger the batch the less a vote costs; 5,000 keeps each `IN` list and insert well inside the
/// backends' parameter limits.
pub const BATCH: i64 = 5000;
/// How often a node looks for votes without being woken: those queued by other nodes or the CLI,
/// and a batch that failed.
pub const POLL_EVERY: Duration = Duration::from_secs(2);
/// How long the job lets votes gather after being woken: under load, one transaction then
/// applies thousands of votes. Measured at 100k questions on SQLite, votes ran 23 % slower than
/// before reputation with 100 ms, 12 % with 1 s and 5–15 % with 2 s; a member's reputation
/// trailing a vote by two seconds is the price.
pub const GATHER: Duration = Duration::from_secs(2);

/// Applies every waiting vote, a batch per transaction; `progress` hears how many each batch
/// applied. Returns how many were applied.
pub fn apply_pending(
    conn: &mut DbConnection,
    rules: Rules,
    now: NaiveDateTime,
    progress: &mut dyn FnMut(u64),
) -> ServiceResult<u64> {
    let mut applied = 0;
    loop {
        let done = write_transaction(conn, |conn| one_batch(conn, rules, now))?;
        if done == 0 {
            return Ok(applied);
        }
        progress(done);
        applied += done;
    }
}

/// Applies up to [`BATCH`] waiting votes in the caller's transaction.
fn one_batch(conn: &mut DbConnection, rules: Rules, now: NaiveDateTime) -> ServiceResult<u64> {
    reputation_queue::lock_applier(conn)?;
    let queued = reputation_queue::oldest(conn, BATCH)?;
    if queued.is_empty() {
        return Ok(0);
    }
    let pairs: BTreeSet<(i64, i64)> = queued.iter().map(|q| (q.post_id, q.voter_id)).collect();
    let answers = vote_batch::apply(conn, rules, &pairs, now)?;
    // An answer's score earns its author badges and tag scores.
    badges::record_post_checks(conn, &answers, now)?;
    let ids: Vec<i64> = queued.iter().map(|q| q.id).collect();
    reputation_queue::delete(conn, &ids)?;
    Ok(queued.len() as u64)
}

/// The job on a node: applies waiting votes [`GATHER`] after the change feed rings its bell for a
/// vote, and every [`POLL_EVERY`] besides. Dropping it stops the thread.
#[derive(Debug)]
pub struct ReputationWorker {
    bell: Arc<Bell>,
    _thread: BackgroundThread,
}

impl ReputationWorker {
    /// Starts the job's thread; the daily cap is read through `settings` for each batch.
    pub fn start(pool: DbPool, settings: Arc<LiveSettings>) -> std::io::Result<Self> {
        let bell = Arc::new(Bell::default());
        let rung = Arc::clone(&bell);
        let thread = BackgroundThread::spawn("reputation", Arc::clone(&bell), move |stop: &AtomicBool| {
            while !stop.load(Ordering::Relaxed) {
                let seen = rung.generation();
                if let Err(e) = apply_now(&pool, &settings) {
                    tracing::warn!(error = %e, "applying votes' reputation failed; retrying soon");
                }
                rung.wait_after(seen, POLL_EVERY);
                std::thread::sleep(GATHER);
            }
        })?;
        Ok(Self { bell, _thread: thread })
    }

    /// The bell that wakes the job; the change feed rings it after a vote commits.
    pub fn bell(&self) -> Arc<Bell> {
        Arc::clone(&self.bell)
    }
}

/// One round of the job.
fn apply_now(pool: &DbPool, settings: &LiveSettings) -> Result<(), String> {
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let rules = Rules { daily_cap: settings.current().moderation.reputation_daily_cap };
    let now = chrono::Utc::now().naive_utc();
    apply_pending(&mut conn, rules, now, &mut |_| {}).map(drop).map_err(|e| e.to_string())
}
