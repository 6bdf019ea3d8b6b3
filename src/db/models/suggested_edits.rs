//! The `suggested_edits` table: edits of others' posts that wait for a reviewer, and the
//! verdicts given on them. At most one suggestion per post is pending (a partial unique index).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::suggested_edits;
use crate::db::DbConnection;
use crate::domain::SuggestionStatus;

/// A stored suggestion.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = suggested_edits)]
pub struct SuggestedEdit {
    /// Row id.
    pub id: i64,
    /// The question or answer it would change.
    pub post_id: i64,
    /// Who suggested it.
    pub author_id: i64,
    /// The new title (questions only).
    pub title: Option<String>,
    /// The new tags, separated by spaces (questions only).
    pub tags: Option<String>,
    /// The new Markdown.
    pub body: String,
    /// Why, in the suggester's words.
    pub summary: String,
    /// The post's latest revision when it was suggested.
    pub base_revision_id: Option<i64>,
    /// Pending, approved or rejected.
    pub status: SuggestionStatus,
    /// Who decided.
    pub reviewer_id: Option<i64>,
    /// The reviewer's reason, for a rejection.
    pub review_note: Option<String>,
    /// When it was suggested.
    pub created_at: NaiveDateTime,
    /// When it was decided.
    pub reviewed_at: Option<NaiveDateTime>,
}

/// A suggestion to store.
#[derive(Debug, Insertable)]
#[diesel(table_name = suggested_edits)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewSuggestedEdit<'a> {
    /// The post.
    pub post_id: i64,
    /// The suggester.
    pub author_id: i64,
    /// The new title (questions only).
    pub title: Option<&'a str>,
    /// The new tags (questions only).
    pub tags: Option<&'a str>,
    /// The new Markdown.
    pub body: &'a str,
    /// Why.
    pub summary: &'a str,
    /// The post's latest revision now.
    pub base_revision_id: Option<i64>,
    /// Always pending when stored.
    pub status: SuggestionStatus,
    /// When.
    pub created_at: NaiveDateTime,
}

/// Stores a pending suggestion; `None` when one already waits on the post (the unique index
/// refused it). Runs in its own savepoint, so the refusal leaves the caller's transaction usable
/// (PostgreSQL aborts a transaction at a failed statement).
pub fn insert(conn: &mut DbConnection, new: &NewSuggestedEdit<'_>) -> QueryResult<Option<i64>> {
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(suggested_edits::table).values(new).returning(suggested_edits::id).get_result(conn)
    });
    match inserted {
        Ok(id) => Ok(Some(id)),
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// One suggestion.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<SuggestedEdit>> {
    suggested_edits::table.find(id).select(SuggestedEdit::as_select()).first(conn).optional()
}

/// The suggestion waiting on a post, if any.
pub fn pending_on(conn: &mut DbConnection, post_id: i64) -> QueryResult<Option<SuggestedEdit>> {
    suggested_edits::table
        .filter(suggested_edits::post_id.eq(post_id))
        .filter(suggested_edits::status.eq(SuggestionStatus::Pending))
        .select(SuggestedEdit::as_select())
        .first(conn)
        .optional()
}

/// Which of these posts have a suggestion waiting, with its suggester.
pub fn pending_on_posts(conn: &mut DbConnection, post_ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    suggested_edits::table
        .filter(suggested_edits::post_id.eq_any(post_ids))
        .filter(suggested_edits::status.eq(SuggestionStatus::Pending))
        .select((suggested_edits::post_id, suggested_edits::author_id))
        .load(conn)
}

/// A member's own pending suggestions, newest first.
pub fn pending_by(conn: &mut DbConnection, author_id: i64, limit: i64) -> QueryResult<Vec<SuggestedEdit>> {
    suggested_edits::table
        .filter(suggested_edits::author_id.eq(author_id))
        .filter(suggested_edits::status.eq(SuggestionStatus::Pending))
        .order(suggested_edits::id.desc())
        .limit(limit)
        .select(SuggestedEdit::as_select())
        .load(conn)
}

/// How many suggestions wait (the queue index answers it).
pub fn count_pending(conn: &mut DbConnection) -> QueryResult<i64> {
    suggested_edits::table.filter(suggested_edits::status.eq(SuggestionStatus::Pending)).count().get_result(conn)
}

/// One page of the queue: pending suggestions, oldest first.
pub fn oldest_pending(conn: &mut DbConnection, offset: i64, limit: i64) -> QueryResult<Vec<SuggestedEdit>> {
    suggested_edits::table
        .filter(suggested_edits::status.eq(SuggestionStatus::Pending))
        .order((suggested_edits::created_at.asc(), suggested_edits::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(SuggestedEdit::as_select())
        .load(conn)
}

/// Records a verdict on a pending suggestion; returns 0 when it was no longer pending (another
/// reviewer was first).
pub fn decide(
    conn: &mut DbConnection,
    id: i64,
    status: SuggestionStatus,
    reviewer_id: i64,
    note: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(suggested_edits::table.find(id))
        .filter(suggested_edits::status.eq(SuggestionStatus::Pending))
        .set((
            suggested_edits::status.eq(status),
            suggested_edits::reviewer_id.eq(reviewer_id),
            suggested_edits::review_note.eq(note),
            suggested_edits::reviewed_at.eq(at),
        ))
        .execute(conn)
}

/// Every suggestion a member made, oldest first (their data export).
pub fn by_author(conn: &mut DbConnection, author_id: i64) -> QueryResult<Vec<SuggestedEdit>> {
    suggested_edits::table
        .filter(suggested_edits::author_id.eq(author_id))
        .order(suggested_edits::id.asc())
        .select(SuggestedEdit::as_select())
        .load(conn)
}

/// Withdraws a member's waiting suggestions (their account is deleted: nobody should apply them
/// later); decided ones stay, as their revisions do.
pub fn withdraw_pending_by(conn: &mut DbConnection, author_id: i64) -> QueryResult<usize> {
    diesel::delete(
        suggested_edits::table
            .filter(suggested_edits::author_id.eq(author_id))
            .filter(suggested_edits::status.eq(SuggestionStatus::Pending)),
    )
    .execute(conn)
}
