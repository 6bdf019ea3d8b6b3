//! Filling an index from the database, question by question in id order.
//!
//! Used when an index is absent, stale or of an older schema, and by `guidepost reindex`.

use chrono::{NaiveDateTime, TimeDelta};
use guidepost_search::Writer;

use super::documents;
use super::indexer::IndexerError;
use crate::db::models::{search_changes, search_documents};
use crate::db::DbConnection;

/// Questions read from the database per round trip.
const CHUNK: i64 = 500;

/// How long a write transaction may plausibly stay open. Changes younger than this at the start
/// of a rebuild are applied again afterwards: one that was still uncommitted when the rebuild
/// read the database is then not lost.
pub const SETTLE: TimeDelta = TimeDelta::seconds(30);

/// Reads every question into `writer` and commits; returns the cursor stored with the commit
/// and the number of questions. Stops early (without committing) when `stop` says so.
pub fn fill(
    conn: &mut DbConnection,
    writer: &mut Writer,
    now: NaiveDateTime,
    stop: &dyn Fn() -> bool,
    progress: &mut dyn FnMut(u64),
) -> Result<Option<(u64, u64)>, IndexerError> {
    let cursor = search_changes::settled_through(conn, now - SETTLE)?;
    writer.clear()?;
    let mut after = 0;
    let mut done = 0_u64;
    loop {
        if stop() {
            writer.rollback()?;
            return Ok(None);
        }
        let ids = search_documents::question_ids_after(conn, after, CHUNK)?;
        let Some(&last) = ids.last() else { break };
        for doc in documents::load(conn, &ids)? {
            writer.add(&doc)?;
        }
        after = last;
        let chunk = ids.len() as u64;
        done += chunk;
        progress(chunk);
    }
    let cursor = u64::try_from(cursor).unwrap_or(0);
    writer.commit_with_cursor(cursor)?;
    Ok(Some((cursor, done)))
}
