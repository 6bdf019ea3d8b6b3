//! The cheapest question a database can answer.

use diesel::connection::SimpleConnection;
use diesel::QueryResult;

use crate::db::DbConnection;

/// Runs `SELECT 1`; an error means the database is not answering.
pub fn ping(conn: &mut DbConnection) -> QueryResult<()> {
    conn.batch_execute("SELECT 1")
}
