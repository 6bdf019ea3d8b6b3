//! Write transactions that wait their turn on SQLite.
//!
//! A SQLite transaction that reads first and writes later (most of ours: check, then change)
//! cannot wait for a concurrent writer: when it tries to upgrade, SQLite answers "database is
//! locked" at once, whatever the busy timeout. Starting write transactions with `BEGIN IMMEDIATE`
//! takes the write lock up front, so a second writer waits (up to the busy timeout) instead of
//! failing. PostgreSQL needs nothing of the sort and gets an ordinary transaction.
//!
//! Waiting is not queueing, though: a SQLite writer that finds the lock taken sleeps and tries
//! again (up to 100 ms between tries), so a job that commits and begins its next batch at once
//! can keep every request out until the busy timeout, which then fails with "database is
//! locked". This process's writers therefore take turns first through one lock that hands itself
//! to a writer that has waited; only another process's writer (the CLI beside a running server)
//! still meets the busy timeout. A thread must not begin a write on a second connection while
//! its first is in a write transaction: it would wait for its own turn.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::{DatabaseErrorKind, Error};
use diesel::{Connection, SqliteConnection};
use parking_lot::{const_mutex, Mutex, MutexGuard};

use super::pool::SQLITE_BUSY_TIMEOUT_MS;
use super::DbConnection;

/// The turn to write to SQLite. parking_lot's lock is eventually fair: about every half
/// millisecond a release hands it to the writer waiting longest, so a job cannot keep it, while
/// other releases let whoever runs take it without a hand-over (a strictly fair lock, handing
/// over at every release, halved the votes a node could take).
static SQLITE_TURN: Mutex<()> = const_mutex(());

/// Waits for this process's turn to write (as long as SQLite's busy timeout, then fails as
/// SQLite would). A connection already in a transaction has its turn, or needs none.
fn take_turn(conn: &mut SqliteConnection) -> Result<Option<MutexGuard<'static, ()>>, Error> {
    let status = <AnsiTransactionManager as TransactionManager<SqliteConnection>>::transaction_manager_status_mut(conn);
    if status.transaction_depth()?.is_some() {
        return Ok(None);
    }
    match wait_for_turn() {
        Some(turn) => Ok(Some(turn)),
        None => Err(Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new(String::from("database is locked: no turn to write within the busy timeout")),
        )),
    }
}

/// The turn, once it comes within SQLite's busy timeout.
fn wait_for_turn() -> Option<MutexGuard<'static, ()>> {
    SQLITE_TURN.try_lock_for(Duration::from_millis(u64::from(SQLITE_BUSY_TIMEOUT_MS)))
}

/// Runs `work` while this process's SQLite writers wait, once their turn comes (within the busy
/// timeout; `None` if it does not). The checkpointer copies the last of the log this way: with
/// no frame added meanwhile, the copy is complete, and the next writer starts the log again from
/// its beginning.
pub fn between_writes<T>(work: impl FnOnce() -> T) -> Option<T> {
    let _turn = wait_for_turn()?;
    Some(work())
}

/// Runs `work` in a transaction that may write; commits on `Ok`, rolls back on `Err`. Nested
/// calls become savepoints of the outer transaction, as with `Connection::transaction`.
///
/// Use cases go through [`crate::changes::ChangeFeed::write`], which wraps this and tells the
/// change's consumers; only bulk loaders (import, seed), whose writes are followed by a full
/// reindex, and bookkeeping no consumer cares about (sessions, tokens) call it directly.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<Error>,
{
    // Held until the transaction ends (dropped on return).
    let mut _turn = None;
    let began_immediate = match conn {
        DbConnection::Sqlite(inner) => {
            _turn = take_turn(inner)?;
            match AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE") {
                Ok(()) => true,
                Err(Error::AlreadyInTransaction) => false,
                Err(e) => return Err(e.into()),
            }
        }
        DbConnection::Postgresql(_) => false,
    };
    if !began_immediate {
        return conn.transaction(work);
    }
    type Manager = <DbConnection as Connection>::TransactionManager;
    match work(conn) {
        Ok(value) => match Manager::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                // A failed COMMIT leaves the transaction open; end it so the connection is usable.
                let _ = Manager::rollback_transaction(conn);
                Err(e.into())
            }
        },
        Err(e) => {
            Manager::rollback_transaction(conn).map_err(E::from)?;
            Err(e)
        }
    }
}
