//! The `close_votes` table: members' votes to close or reopen a question, until enough of them
//! act together.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::close_votes;
use crate::db::DbConnection;

/// A vote to close a question.
pub const CLOSE: &str = "close";
/// A vote to reopen a closed question.
pub const REOPEN: &str = "reopen";

/// One member's vote.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = close_votes)]
pub struct CloseVote {
    /// Who voted.
    pub user_id: i64,
    /// The reason they chose (close votes), as stored on a closed question.
    pub reason: Option<String>,
    /// The original question, for a duplicate vote.
    pub duplicate_of: Option<i64>,
    /// When.
    pub created_at: NaiveDateTime,
}

/// Records a vote; the caller has checked the member has not voted this way yet.
pub fn insert(
    conn: &mut DbConnection,
    question_id: i64,
    user_id: i64,
    kind: &str,
    reason: Option<&str>,
    duplicate_of: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(close_votes::table)
        .values((
            close_votes::question_id.eq(question_id),
            close_votes::user_id.eq(user_id),
            close_votes::kind.eq(kind),
            close_votes::reason.eq(reason),
            close_votes::duplicate_of.eq(duplicate_of),
            close_votes::created_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// The votes of `kind` on a question, oldest first.
pub fn of_question(conn: &mut DbConnection, question_id: i64, kind: &str) -> QueryResult<Vec<CloseVote>> {
    close_votes::table
        .filter(close_votes::question_id.eq(question_id))
        .filter(close_votes::kind.eq(kind))
        .order(close_votes::created_at.asc())
        .select(CloseVote::as_select())
        .load(conn)
}

/// Removes the votes of `kind` on a question (they acted, or the question changed state).
pub fn clear(conn: &mut DbConnection, question_id: i64, kind: &str) -> QueryResult<()> {
    diesel::delete(
        close_votes::table.filter(close_votes::question_id.eq(question_id)).filter(close_votes::kind.eq(kind)),
    )
    .execute(conn)
    .map(drop)
}
