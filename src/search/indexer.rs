//! The indexer: one thread per node that applies `search_changes` to the live index.
//!
//! It wakes the moment a local write commits (the change feed rings its [`Bell`]) and polls for other nodes'
//! writes. Each round reads changes past its high-water mark, re-reads the affected questions,
//! upserts or deletes their documents and commits with a cursor. The stored cursor is the
//! highest change id below which nothing is missing: PostgreSQL hands out ids before commit, so
//! a lower id can become visible after a higher one. Such gaps are re-checked until they appear
//! or [`GAP_PATIENCE`] passes (a rolled-back transaction leaves a gap forever). After a crash the
//! indexer starts again from the stored cursor; re-applying a change is harmless.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use guidepost_search::{SearchError, SearchIndex, Writer};

use super::signal::Bell;
use super::{documents, rebuild, Search};
use crate::background_thread::BackgroundThread;
use crate::db::models::search_changes;
use crate::db::DbPool;

/// How often an idle indexer looks for other nodes' changes.
const POLL_INTERVAL: Duration = Duration::from_millis(300);
/// Changes applied per commit, at most.
const BATCH: i64 = 1_000;
/// How long a missing change id is waited for before it is taken for a rollback.
const GAP_PATIENCE: Duration = Duration::from_secs(30);
/// Gaps wider than this are not tracked id by id (an id sequence jumped).
const MAX_TRACKED_GAP: i64 = 10_000;
/// How often a node prunes old changes.
const PRUNE_EVERY: Duration = Duration::from_secs(600);
/// Changes older than this are pruned; a node offline for longer rebuilds.
const KEEP_CHANGES: TimeDelta = TimeDelta::days(30);
/// The least time between two commits. Each commit writes a segment, merges now and then and
/// makes every node's searches reload; under a stream of writes (dozens a second on a busy
/// site) changes are gathered for this long instead, so a new post is searchable within about
/// a quarter of a second either way.
const COMMIT_SPACING: Duration = Duration::from_millis(250);
/// Pause after a failure before trying again.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Why an indexing round failed; the indexer logs it and tries again.
#[derive(Debug, thiserror::Error)]
pub enum IndexerError {
    /// The database refused a query.
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    /// No database connection could be had.
    #[error("database connection: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// tantivy failed.
    #[error("search index: {0}")]
    Index(#[from] SearchError),
    /// The pointer to the live index could not be read.
    #[error("search folder: {0}")]
    Io(#[from] std::io::Error),
}

/// The running indexer; dropping it stops the thread.
#[derive(Debug)]
pub struct Indexer {
    _thread: BackgroundThread,
}

impl Indexer {
    /// Starts the indexer thread for this node's live index.
    /// `bell` is rung after each commit that changed something searchable.
    pub fn start(pool: DbPool, search: Search, bell: Arc<Bell>) -> std::io::Result<Indexer> {
        let waker = Arc::clone(&bell);
        let thread = BackgroundThread::spawn("search-indexer", waker, move |stop| run(&pool, &search, &bell, stop))?;
        Ok(Indexer { _thread: thread })
    }
}

fn run(pool: &DbPool, search: &Search, bell: &Bell, stop: &AtomicBool) {
    let stopped = || stop.load(Ordering::Relaxed);
    while !stopped() {
        let outcome = Follower::open(pool, search, &stopped).and_then(|follower| match follower {
            Some(mut follower) => follower.follow(pool, search, bell, &stopped),
            None => Ok(()),
        });
        if let Err(e) = outcome {
            tracing::warn!(error = %e, "search indexing failed; retrying");
            bell.wait_after(bell.generation(), RETRY_AFTER);
        }
    }
}

/// The indexer's hold on one index folder.
struct Follower {
    name: String,
    writer: Writer,
    /// The highest change id read so far.
    high: i64,
    /// The cursor stored with the last commit.
    committed: i64,
    /// Change ids below `high` not seen yet, with when they were first missed.
    gaps: BTreeMap<i64, Instant>,
    last_prune: Option<Instant>,
    last_commit: Option<Instant>,
}

impl Follower {
    /// Takes the writer of the live index (switching to a newly published one first), and
    /// rebuilds it from the database when it has no cursor or fell behind the pruned changes.
    /// `None` when stopped during a rebuild.
    fn open(pool: &DbPool, search: &Search, stopped: &dyn Fn() -> bool) -> Result<Option<Follower>, IndexerError> {
        let location = search.location();
        if let Some(published) = location.current()? {
            if published != search.live_name() {
                let index = SearchIndex::open_or_create(&location.path_of(&published))?;
                tracing::info!(index = %published, "switched to the newly built search index");
                search.switch_to(published.clone(), index);
                location.remove_all_but(&published);
            }
        }
        let index = search.index();
        let name = search.live_name();
        let mut writer = index.writer()?;
        let mut conn = pool.get()?;
        let pruned = search_changes::pruned_through(&mut conn)?;
        let stored = index.cursor()?.and_then(|c| i64::try_from(c).ok());
        let cursor = match stored {
            Some(cursor) if cursor >= pruned => cursor,
            _ => {
                let started = Instant::now();
                tracing::info!(index = %name, "building the search index from the database");
                let Some((cursor, questions)) =
                    rebuild::fill(&mut conn, &mut writer, Utc::now().naive_utc(), stopped, &mut |_| {})?
                else {
                    return Ok(None);
                };
                tracing::info!(questions, seconds = started.elapsed().as_secs_f32(), "search index built");
                i64::try_from(cursor).unwrap_or(0)
            }
        };
        Ok(Some(Follower {
            name,
            writer,
            high: cursor,
            committed: cursor,
            gaps: BTreeMap::new(),
            last_prune: None,
            last_commit: None,
        }))
    }

    /// Applies changes until stopped, or until another index folder is published.
    fn follow(
        &mut self,
        pool: &DbPool,
        search: &Search,
        bell: &Bell,
        stopped: &dyn Fn() -> bool,
    ) -> Result<(), IndexerError> {
        while !stopped() {
            if let Some(rest) = self.last_commit.map(|at| COMMIT_SPACING.saturating_sub(at.elapsed())) {
                std::thread::sleep(rest);
            }
            let seen = bell.generation();
            if self.step(pool)? > 0 {
                continue;
            }
            if search.location().current()?.is_some_and(|published| published != self.name) {
                return Ok(());
            }
            self.prune_now_and_then(pool);
            bell.wait_after(seen, POLL_INTERVAL);
        }
        Ok(())
    }

    /// One round: read new changes (and gaps that filled in), apply them, commit. Returns how
    /// many questions it re-indexed.
    fn step(&mut self, pool: &DbPool) -> Result<usize, IndexerError> {
        let mut conn = pool.get()?;
        let rows = search_changes::after(&mut conn, self.high, BATCH)?;
        let now = Instant::now();
        let mut questions = BTreeSet::new();
        for (id, question_id) in rows {
            if id - self.high > 1 && id - self.high <= MAX_TRACKED_GAP {
                self.gaps.extend((self.high + 1..id).map(|missing| (missing, now)));
            }
            self.high = id;
            questions.insert(question_id);
        }
        if !self.gaps.is_empty() {
            let missing: Vec<i64> = self.gaps.keys().copied().collect();
            for chunk in missing.chunks(500) {
                for (id, question_id) in search_changes::with_ids(&mut conn, chunk)? {
                    self.gaps.remove(&id);
                    questions.insert(question_id);
                }
            }
            self.gaps.retain(|_, first_missed| now.duration_since(*first_missed) < GAP_PATIENCE);
        }
        let safe = self.gaps.keys().next().map_or(self.high, |first_gap| first_gap - 1);
        if questions.is_empty() && safe == self.committed {
            return Ok(0);
        }
        let ids: Vec<i64> = questions.into_iter().collect();
        let docs = documents::load(&mut conn, &ids)?;
        drop(conn);
        let mut present = docs.iter().map(|doc| doc.id).peekable();
        for &id in &ids {
            let id = id.unsigned_abs();
            if present.peek() == Some(&id) {
                present.next();
            } else {
                self.writer.delete(id);
            }
        }
        for doc in &docs {
            self.writer.upsert(doc)?;
        }
        self.writer.commit_with_cursor(u64::try_from(safe).unwrap_or(0))?;
        self.committed = safe;
        self.last_commit = Some(Instant::now());
        Ok(ids.len())
    }

    /// Deletes changes older than [`KEEP_CHANGES`], every [`PRUNE_EVERY`].
    fn prune_now_and_then(&mut self, pool: &DbPool) {
        if self.last_prune.is_some_and(|at| at.elapsed() < PRUNE_EVERY) {
            return;
        }
        self.last_prune = Some(Instant::now());
        let cutoff = Utc::now().naive_utc() - KEEP_CHANGES;
        match pool.get().map_err(IndexerError::from).and_then(|mut c| Ok(search_changes::prune(&mut c, cutoff)?)) {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "pruned old search changes"),
            Err(e) => tracing::warn!(error = %e, "could not prune old search changes"),
        }
    }
}
