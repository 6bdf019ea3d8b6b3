//! The `search_changes` table: the queue each node's indexer tails, and its pruning mark.
//!
//! A row says only "this question's search document may have changed"; the indexer re-reads the
//! question, so applying a row twice is harmless.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{search_changes, search_state};
use crate::db::DbConnection;

/// Notes, inside the caller's transaction, that a question's search document must be refreshed.
///
/// Written by the change feed's search consumer (`changes::consumers::search`), which wakes this
/// node's indexer after the commit.
pub fn record(conn: &mut DbConnection, question_id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(search_changes::table)
        .values((search_changes::question_id.eq(question_id), search_changes::created_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// Changes with an id above `after`, oldest first: `(change id, question id)`.
pub fn after(conn: &mut DbConnection, after: i64, limit: i64) -> QueryResult<Vec<(i64, i64)>> {
    search_changes::table
        .filter(search_changes::id.gt(after))
        .order(search_changes::id)
        .limit(limit)
        .select((search_changes::id, search_changes::question_id))
        .load(conn)
}

/// The given changes, where they exist by now: `(change id, question id)`.
pub fn with_ids(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    search_changes::table
        .filter(search_changes::id.eq_any(ids))
        .select((search_changes::id, search_changes::question_id))
        .load(conn)
}

/// The highest change id written before `before`: a point every transaction that wrote a lower
/// id has long finished with, so a rebuild may start its cursor there.
pub fn settled_through(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<i64> {
    let max: Option<i64> = search_changes::table
        .filter(search_changes::created_at.lt(before))
        .select(diesel::dsl::max(search_changes::id))
        .first(conn)?;
    Ok(max.unwrap_or(0))
}

/// The highest change id ever pruned; an index whose cursor is below it missed changes.
pub fn pruned_through(conn: &mut DbConnection) -> QueryResult<i64> {
    search_state::table.find(1).select(search_state::pruned_through).first(conn)
}

/// Deletes changes written before `before` and raises the pruned mark; returns rows deleted.
pub fn prune(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    // Most rounds find nothing to prune. Looking first, outside a write transaction, spares them
    // SQLite's write lock and a commit, which would count as a write and make every page copy on
    // this node stale (each node prunes once as it starts, too).
    if settled_through(conn, before)? == 0 {
        return Ok(0);
    }
    crate::db::write_transaction(conn, |conn| {
        let through = settled_through(conn, before)?;
        if through == 0 {
            return Ok(0);
        }
        let deleted = diesel::delete(search_changes::table.filter(search_changes::id.le(through))).execute(conn)?;
        diesel::update(search_state::table.find(1).filter(search_state::pruned_through.lt(through)))
            .set(search_state::pruned_through.eq(through))
            .execute(conn)?;
        Ok(deleted)
    })
}

/// The newest change id, 0 when the table is empty; one step down the primary key.
pub fn newest_id(conn: &mut DbConnection) -> QueryResult<i64> {
    let max: Option<i64> = search_changes::table.select(diesel::dsl::max(search_changes::id)).first(conn)?;
    Ok(max.unwrap_or(0))
}

/// When the oldest change past `cursor` was written, if there is one; by the primary key, so a
/// long backlog costs what a short one does.
pub fn first_written_after(conn: &mut DbConnection, cursor: i64) -> QueryResult<Option<NaiveDateTime>> {
    search_changes::table
        .filter(search_changes::id.gt(cursor))
        .order(search_changes::id)
        .select(search_changes::created_at)
        .first(conn)
        .optional()
}
