//! The database layer: one connection type over SQLite and PostgreSQL, the pool, the embedded
//! migrations, the schema and the models that own every SQL statement.
//!
//! Nothing here knows about HTTP. Backend-specific SQL stays inside the model function that needs
//! it, as a `match` on [`DbConnection`], with a comment saying why.

pub(crate) mod bulk_load;
pub mod checkpointer;
mod connection;
pub mod migrations;
pub mod models;
pub mod pool;
pub mod schema;
mod write;

pub use connection::{DbConnection, MultiBackend};
pub use pool::{connect, connect_with, Checkpoints, DbPool, PooledConn};
pub use write::write_transaction;

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

/// Inserts every row of a slice of rows that own their values (`'static`): 500 a statement, and
/// what is left over in statements of 50, 5 and then 1 row. Every statement then has one of four
/// fixed shapes, which diesel prepares once per connection and reuses (fixed-size arrays; a
/// slice of any length, or rows that borrow, are parsed and planned again each time). In a
/// bulk load, parsing each batch's leftover rows as one statement of whatever length they came
/// to was a fifth of the time a seed took. Evaluates to a `QueryResult<()>`.
macro_rules! insert_all {
    ($conn:expr, $table:expr, $rows:expr) => {
        (|| -> diesel::QueryResult<()> {
            let rest = $crate::db::insert_all!(@sized $conn, $table, &$rows[..], 500);
            let rest = $crate::db::insert_all!(@sized $conn, $table, rest, 50);
            let rest = $crate::db::insert_all!(@sized $conn, $table, rest, 5);
            let _ = $crate::db::insert_all!(@sized $conn, $table, rest, 1);
            Ok(())
        })()
    };
    (@sized $conn:expr, $table:expr, $rows:expr, $size:expr) => {{
        let mut parts = $rows.chunks_exact($size);
        for part in &mut parts {
            match <&[_; $size]>::try_from(part) {
                Ok(full) => $crate::db::insert_many!($conn, $table, full)?,
                // Unreachable (`chunks_exact`), but harmless: the same rows, unprepared.
                Err(_) => $crate::db::insert_many!($conn, $table, part)?,
            };
        }
        parts.remainder()
    }};
}
pub(crate) use insert_all;
