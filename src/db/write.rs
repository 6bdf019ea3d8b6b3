//! Write transactions that wait their turn on SQLite.
//!
//! A SQLite transaction that reads first and writes later (most of ours: check, then change)
//! cannot wait for a concurrent writer: when it tries to upgrade, SQLite answers "database is
//! locked" at once, whatever the busy timeout. Starting write transactions with `BEGIN IMMEDIATE`
//! takes the write lock up front, so a second writer waits (up to the busy timeout) instead of
//! failing. PostgreSQL needs nothing of the sort and gets an ordinary transaction.

use std::sync::atomic::{AtomicU64, Ordering};

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::Error;
use diesel::Connection;

use super::DbConnection;

/// Runs `work` in a transaction that may write; commits on `Ok`, rolls back on `Err`. Nested
/// calls become savepoints of the outer transaction, as with `Connection::transaction`.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<Error>,
{
    let began_immediate = match conn {
        DbConnection::Sqlite(inner) => match AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE") {
            Ok(()) => true,
            Err(Error::AlreadyInTransaction) => false,
            Err(e) => return Err(e.into()),
        },
        DbConnection::Postgresql(_) => false,
    };
    if !began_immediate {
        return finish(conn.transaction(work));
    }
    type Manager = <DbConnection as Connection>::TransactionManager;
    match work(conn) {
        Ok(value) => match Manager::commit_transaction(conn) {
            Ok(()) => finish(Ok(value)),
            Err(e) => {
                // A failed COMMIT leaves the transaction open; end it so the connection is usable.
                let _ = Manager::rollback_transaction(conn);
                finish(Err(e.into()))
            }
        },
        Err(e) => {
            crate::search::signal::discard_pending();
            Manager::rollback_transaction(conn).map_err(E::from)?;
            Err(e)
        }
    }
}

/// Write transactions committed by this process; see [`write_generation`].
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// A number that grows whenever a write transaction of this process commits: whatever was read
/// or rendered under an older number may be out of date (the page cache keys on it).
pub fn write_generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

/// Wakes the indexers after a commit that wrote search changes; forgets them after a rollback.
fn finish<T, E>(outcome: Result<T, E>) -> Result<T, E> {
    match outcome {
        Ok(_) => {
            GENERATION.fetch_add(1, Ordering::AcqRel);
            crate::search::signal::wake_if_pending()
        }
        Err(_) => crate::search::signal::discard_pending(),
    }
    outcome
}
