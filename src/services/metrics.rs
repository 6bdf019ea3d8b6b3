//! What the database and this node's search index tell `/metrics` at scrape time: how far the
//! index is behind the change feed, and how much mail waits. Reads only, a few indexed queries.

use chrono::NaiveDateTime;

use super::{ServiceError, ServiceResult};
use crate::db::models::{mail_outbox, search_changes};
use crate::db::DbConnection;
use crate::metrics::{IndexLag, OutboxDepth};
use crate::search::Search;

/// Reads the search feed's position against this node's index cursor, and the outbox's depth.
pub fn sample(conn: &mut DbConnection, search: &Search, now: NaiveDateTime) -> ServiceResult<(IndexLag, OutboxDepth)> {
    // The cursor first: changes written while the queries run then count as lag, never as a
    // cursor ahead of the feed.
    let cursor = search
        .index()
        .cursor()
        .map_err(|e| ServiceError::Internal(format!("reading the search index cursor: {e}")))?
        .map_or(0, |cursor| i64::try_from(cursor).unwrap_or(i64::MAX));
    let newest_change = search_changes::newest_id(conn)?;
    let oldest_waiting =
        search_changes::first_written_after(conn, cursor)?.map(|at| (now - at).to_std().unwrap_or_default());
    let counts = mail_outbox::counts(conn)?;
    let retrying = mail_outbox::retrying(conn)?;
    Ok((
        IndexLag { newest_change, cursor, oldest_waiting },
        OutboxDepth { unsent: counts.pending, retrying, failed: counts.failed },
    ))
}
