//! The server's SQLite checkpointer: copies the write-ahead log back into the database file every
//! [`EVERY`], mostly beside the writers instead of inside one of their commits. This process's
//! writers take turns (`write.rs`), and SQLite's automatic checkpoint runs inside the commit that
//! takes the log past 1,000 pages, so with it every other writer waited while one copied
//! megabytes: a node took about a fifth fewer votes.
//!
//! A passive checkpoint takes no writer's lock, so it holds nobody up, but beside writers that
//! never stop it never catches up with them: the log starts again from its beginning only after
//! a checkpoint has copied all of it, and under a votes benchmark it grew by 130 MB a second, to
//! 1.6 GB, every read searching an ever longer log. So each round copies in two steps: first
//! everything beside the writers, then, in the writers' turn ([`super::write::between_writes`]),
//! the few frames they added meanwhile.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::sql_types::Integer;
use diesel::{QueryableByName, RunQueryDsl};

use super::{DbConnection, DbPool};
use crate::background_thread::BackgroundThread;
use crate::search::signal::Bell;

/// How often the log is copied back. At a busy node's few thousand writes a second the log grows
/// by tens of megabytes a second, so a short interval keeps it small.
pub const EVERY: Duration = Duration::from_millis(250);

/// What one checkpoint did, in log frames (pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct Checkpoint {
    /// 1 when the checkpoint could not run at all (another checkpoint held it), else 0.
    #[diesel(sql_type = Integer)]
    pub busy: i32,
    /// Frames in the log.
    #[diesel(sql_type = Integer)]
    pub log: i32,
    /// Frames copied into the database file.
    #[diesel(sql_type = Integer)]
    pub checkpointed: i32,
}

/// Copies what it can of the log back into the database file now, without waiting for anyone.
/// `None` on PostgreSQL, which keeps its own log.
pub fn checkpoint_now(conn: &mut DbConnection) -> diesel::QueryResult<Option<Checkpoint>> {
    match conn {
        DbConnection::Sqlite(lite) => {
            diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result::<Checkpoint>(lite).map(Some)
        }
        DbConnection::Postgresql(_) => Ok(None),
    }
}

/// Copies the log beside the writers, then the rest while they wait (see the module's notes).
fn two_step_checkpoint(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    checkpoint_now(conn)?;
    super::write::between_writes(|| checkpoint_now(conn)).transpose()?;
    Ok(())
}

/// The checkpointer's thread; dropping it stops the thread.
#[derive(Debug)]
pub struct Checkpointer {
    _thread: BackgroundThread,
}

impl Checkpointer {
    /// Starts checkpointing `pool`'s database every [`EVERY`]. The pool's connections should be
    /// opened with [`super::Checkpoints::Background`], or commits go on checkpointing too.
    pub fn start(pool: DbPool) -> std::io::Result<Self> {
        let bell = Arc::new(Bell::default());
        let rung = Arc::clone(&bell);
        let thread = BackgroundThread::spawn("checkpointer", bell, move |stop: &AtomicBool| {
            while !stop.load(Ordering::Relaxed) {
                let done = pool
                    .get()
                    .map_err(|e| e.to_string())
                    .and_then(|mut conn| two_step_checkpoint(&mut conn).map_err(|e| e.to_string()));
                if let Err(e) = done {
                    tracing::warn!(error = %e, "checkpointing the SQLite log failed; retrying");
                }
                rung.wait_after(rung.generation(), EVERY);
            }
        })?;
        Ok(Self { _thread: thread })
    }
}
