//! The `mentions` table (who was told of a mention in which post or comment), the look-up of
//! mentioned names, and storing a body once its mentions are linked.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::users::User;
use crate::db::schema::{comments, mentions, posts, users};
use crate::db::DbConnection;

/// What a mention was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MentionedIn {
    /// A question or an answer.
    Post(i64),
    /// A comment.
    Comment(i64),
}

/// The accounts, not deleted, whose lower-cased usernames are among `keys`.
pub fn members_named(conn: &mut DbConnection, keys: &[String]) -> QueryResult<Vec<User>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    users::table
        .filter(users::username_key.eq_any(keys))
        .filter(users::deleted_at.is_null())
        .select(User::as_select())
        .load(conn)
}

/// The members already told of a mention in `place`.
pub fn told(conn: &mut DbConnection, place: MentionedIn) -> QueryResult<Vec<i64>> {
    let query = mentions::table.select(mentions::user_id).into_boxed();
    match place {
        MentionedIn::Post(id) => query.filter(mentions::post_id.eq(id)).load(conn),
        MentionedIn::Comment(id) => query.filter(mentions::comment_id.eq(id)).load(conn),
    }
}

/// Records that `user_id` was told of a mention in `place`.
pub fn insert(conn: &mut DbConnection, place: MentionedIn, user_id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    let (post_id, comment_id) = match place {
        MentionedIn::Post(id) => (Some(id), None),
        MentionedIn::Comment(id) => (None, Some(id)),
    };
    diesel::insert_into(mentions::table)
        .values((
            mentions::post_id.eq(post_id),
            mentions::comment_id.eq(comment_id),
            mentions::user_id.eq(user_id),
            mentions::created_at.eq(now),
        ))
        .execute(conn)
}

/// Stores the body HTML of `place` with its mentions linked.
pub fn set_html(conn: &mut DbConnection, place: MentionedIn, html: &str) -> QueryResult<usize> {
    match place {
        MentionedIn::Post(id) => diesel::update(posts::table.find(id)).set(posts::body_html.eq(html)).execute(conn),
        MentionedIn::Comment(id) => {
            diesel::update(comments::table.find(id)).set(comments::body_html.eq(html)).execute(conn)
        }
    }
}
