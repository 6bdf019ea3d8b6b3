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

/// Refreshes PostgreSQL's planner statistics after a bulk load (seed, import). Without them the
/// planner guessed that the most used tag of a 100,000-question site had 717 questions (it had
/// 24,889) and read its page by scanning every tagging and sorting: 140 ms instead of 2 ms.
/// Autovacuum gets there eventually where it runs, but a site should be fast the moment the load
/// ends. SQLite keeps no statistics unless asked, and our queries are written for that planner
/// (see `models::sitemaps`), so it is left alone.
pub fn analyze_after_bulk_load(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    use diesel::RunQueryDsl as _;
    if let DbConnection::Postgresql(_) = conn {
        diesel::sql_query("ANALYZE").execute(conn)?;
    }
    Ok(())
}
