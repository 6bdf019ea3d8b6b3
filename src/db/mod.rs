//! The database layer: one connection type over SQLite and PostgreSQL, the pool, the embedded
//! migrations, the schema and the models that own every SQL statement.
//!
//! Nothing here knows about HTTP. Backend-specific SQL stays inside the model function that needs
//! it, as a `match` on [`DbConnection`], with a comment saying why.

mod connection;
pub mod migrations;
pub mod models;
pub mod pool;
pub mod schema;
mod write;

pub use connection::DbConnection;
pub use pool::{connect, DbPool, PooledConn};
pub use write::{write_generation, write_transaction};

/// Runs a multi-row INSERT on the concrete connection: diesel's `MultiConnection` cannot batch.
macro_rules! insert_many {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c),
            $crate::db::DbConnection::Postgresql(c) => diesel::insert_into($table).values($rows).execute(c),
        }
    };
}
pub(crate) use insert_many;
