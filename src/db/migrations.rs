//! The embedded schema migrations, one folder per change and backend.
//!
//! `migrations/sqlite/` and `migrations/postgres/` hold folders of the same names; each backend
//! runs its own copy through diesel's harness on the inner connection.

use diesel::migration::MigrationVersion;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::DbConnection;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Errors from the migration harness, which reports them as boxed trait objects.
pub type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// Applies every pending migration; returns the versions applied (empty when up to date).
pub fn run_pending(conn: &mut DbConnection) -> Result<Vec<String>, MigrationError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE)?,
        DbConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES)?,
    };
    Ok(versions(applied))
}

/// Reverts every applied migration, newest first; used by the round-trip test and never by `serve`.
pub fn revert_all(conn: &mut DbConnection) -> Result<Vec<String>, MigrationError> {
    let reverted = match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE)?,
        DbConnection::Postgresql(c) => c.revert_all_migrations(POSTGRES)?,
    };
    Ok(versions(reverted))
}

/// Reverts the newest applied migration; returns its version. For tests that fill a table in an
/// older schema and then check what a migration makes of it; never used by `serve`.
pub fn revert_last(conn: &mut DbConnection) -> Result<String, MigrationError> {
    let reverted = match conn {
        DbConnection::Sqlite(c) => c.revert_last_migration(SQLITE)?,
        DbConnection::Postgresql(c) => c.revert_last_migration(POSTGRES)?,
    };
    Ok(reverted.to_string())
}

/// Names of migrations embedded in the binary but not yet applied.
pub fn pending(conn: &mut DbConnection) -> Result<Vec<String>, MigrationError> {
    Ok(match conn {
        DbConnection::Sqlite(c) => c.pending_migrations(SQLITE)?.iter().map(|m| m.name().to_string()).collect(),
        DbConnection::Postgresql(c) => c.pending_migrations(POSTGRES)?.iter().map(|m| m.name().to_string()).collect(),
    })
}

fn versions(list: Vec<MigrationVersion<'_>>) -> Vec<String> {
    list.into_iter().map(|v| v.to_string()).collect()
}
