//! The `reputation_queue` table: votes whose reputation the reputation job has yet to apply.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{posts, reputation_queue};
use crate::db::DbConnection;

/// A waiting vote: who voted on which post. What the vote is now, the job reads from `votes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable)]
pub struct QueuedVote {
    /// Row id.
    pub id: i64,
    /// The post voted on.
    pub post_id: i64,
    /// Who voted.
    pub voter_id: i64,
}

/// The PostgreSQL advisory lock the job holds while it applies a batch (its value spells "repu").
const APPLIER_LOCK: i64 = 0x7265_7075;

/// Leaves a vote for the job.
pub fn record(conn: &mut DbConnection, post_id: i64, voter_id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(reputation_queue::table)
        .values((
            reputation_queue::post_id.eq(post_id),
            reputation_queue::voter_id.eq(voter_id),
            reputation_queue::created_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Makes this transaction the only one applying queued votes until it ends. Two nodes applying
/// votes of one pair at once would each take back nothing and grant once; on SQLite the write
/// lock already serialises them.
pub fn lock_applier(conn: &mut DbConnection) -> QueryResult<()> {
    match conn {
        DbConnection::Postgresql(pg) => {
            diesel::sql_query(format!("SELECT pg_advisory_xact_lock({APPLIER_LOCK})")).execute(pg).map(drop)
        }
        DbConnection::Sqlite(_) => Ok(()),
    }
}

/// The oldest `limit` waiting votes.
pub fn oldest(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<QueuedVote>> {
    reputation_queue::table
        .order(reputation_queue::id)
        .limit(limit)
        .select((reputation_queue::id, reputation_queue::post_id, reputation_queue::voter_id))
        .load(conn)
}

/// Deletes votes that were applied.
pub fn delete(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<usize> {
    diesel::delete(reputation_queue::table.filter(reputation_queue::id.eq_any(ids))).execute(conn)
}

/// How many votes wait.
pub fn pending(conn: &mut DbConnection) -> QueryResult<i64> {
    reputation_queue::table.count().get_result(conn)
}

/// What the job needs of a post voted on (or of an answer's question): not its body, which a
/// batch of thousands of votes would otherwise hold in memory.
#[derive(Debug, Clone, Copy, Queryable, Selectable)]
#[diesel(table_name = posts)]
pub struct VotedPost {
    /// Row id.
    pub id: i64,
    /// Who wrote it.
    pub author_id: i64,
    /// For answers: the question.
    pub question_id: Option<i64>,
    /// Set when it was deleted.
    pub deleted_at: Option<NaiveDateTime>,
}

/// The posts `ids` that exist, deleted or not, in no particular order.
pub fn voted_posts(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<VotedPost>> {
    posts::table.filter(posts::id.eq_any(ids)).select(VotedPost::as_select()).load(conn)
}
