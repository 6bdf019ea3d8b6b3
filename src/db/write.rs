//! Write transactions that wait their turn on SQLite.
//!
//! A SQLite transaction that reads first and writes later (most of ours: check, then change)
//! cannot wait for a concurrent writer: when it tries to upgrade, SQLite answers "database is
//! locked" at once, whatever the busy timeout. Starting write transactions with `BEGIN IMMEDIATE`
//! takes the write lock up front, so a second writer waits (up to the busy timeout) instead of
//! failing. PostgreSQL needs nothing of the sort and gets an ordinary transaction.

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::Error;
use diesel::Connection;

use super::DbConnection;

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
    let began_immediate = match conn {
        DbConnection::Sqlite(inner) => match AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE") {
            Ok(()) => true,
            Err(Error::AlreadyInTransaction) => false,
            Err(e) => return Err(e.into()),
        },
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
