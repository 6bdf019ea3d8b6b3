//! The `comments` table.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::comments;
use crate::db::DbConnection;
use crate::domain::HeldReason;

/// A stored comment.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct Comment {
    /// Row id.
    pub id: i64,
    /// The question or answer it is on.
    pub post_id: i64,
    /// Who wrote it.
    pub author_id: i64,
    /// The inline-Markdown source.
    pub body_markdown: String,
    /// The rendered, sanitised HTML.
    pub body_html: String,
    /// When it was written.
    pub created_at: NaiveDateTime,
    /// Set when deleted.
    pub deleted_at: Option<NaiveDateTime>,
    /// Set while hidden for a moderator's review (`flags`: it reached the spam-flag threshold).
    pub held_reason: Option<HeldReason>,
}

/// Inserts a comment and returns its id.
pub fn insert(
    conn: &mut DbConnection,
    post_id: i64,
    author_id: i64,
    markdown: &str,
    html: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(comments::table)
        .values((
            comments::post_id.eq(post_id),
            comments::author_id.eq(author_id),
            comments::body_markdown.eq(markdown),
            comments::body_html.eq(html),
            comments::created_at.eq(now),
        ))
        .returning(comments::id)
        .get_result(conn)
}

/// The comments on several posts that are not deleted, oldest first.
pub fn on_posts(conn: &mut DbConnection, post_ids: &[i64]) -> QueryResult<Vec<Comment>> {
    comments::table
        .filter(comments::post_id.eq_any(post_ids))
        .filter(comments::deleted_at.is_null())
        .order((comments::post_id.asc(), comments::id.asc()))
        .select(Comment::as_select())
        .load(conn)
}

/// A comment by id, deleted or not.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Comment>> {
    comments::table.find(id).select(Comment::as_select()).first(conn).optional()
}

/// The comments on several posts, deleted ones included (for moderators), oldest first.
pub fn on_posts_including_deleted(conn: &mut DbConnection, post_ids: &[i64]) -> QueryResult<Vec<Comment>> {
    comments::table
        .filter(comments::post_id.eq_any(post_ids))
        .order((comments::post_id.asc(), comments::id.asc()))
        .select(Comment::as_select())
        .load(conn)
}

/// Hides a comment (`deleted_at` set, with `held` when it waits for review) or shows it (both
/// cleared). The caller keeps the post's comment count in step.
pub fn set_visibility(
    conn: &mut DbConnection,
    id: i64,
    deleted_at: Option<NaiveDateTime>,
    held: Option<HeldReason>,
) -> QueryResult<usize> {
    diesel::update(comments::table.find(id))
        .set((comments::deleted_at.eq(deleted_at), comments::held_reason.eq(held)))
        .execute(conn)
}

/// A member's comments that are visible or held for review (not deleted by a moderator).
pub fn visible_or_held_by(conn: &mut DbConnection, author_id: i64) -> QueryResult<Vec<Comment>> {
    comments::table
        .filter(comments::author_id.eq(author_id))
        .filter(comments::deleted_at.is_null().or(comments::held_reason.is_not_null()))
        .select(Comment::as_select())
        .load(conn)
}
