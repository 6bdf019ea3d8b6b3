//! What a member did lately, for the anti-spam rules: when they last posted, commented and voted
//! (the rate limits count those times) and how many of their posts are visible (a new member's
//! links wait for review). Reads only; the rules themselves live in `services::anti_spam`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{comments, posts, votes};
use crate::db::DbConnection;
use crate::domain::PostKind;

/// When the member posted questions or answers (`kind`) after `since`, newest first, at most `limit`.
pub fn post_times(
    conn: &mut DbConnection,
    author_id: i64,
    kind: PostKind,
    since: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<NaiveDateTime>> {
    posts::table
        .filter(posts::author_id.eq(author_id))
        .filter(posts::created_at.gt(since))
        .filter(posts::kind.eq(kind))
        .order(posts::created_at.desc())
        .limit(limit)
        .select(posts::created_at)
        .load(conn)
}

/// When the member commented after `since`, newest first, at most `limit`.
pub fn comment_times(
    conn: &mut DbConnection,
    author_id: i64,
    since: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<NaiveDateTime>> {
    comments::table
        .filter(comments::author_id.eq(author_id))
        .filter(comments::created_at.gt(since))
        .order(comments::created_at.desc())
        .limit(limit)
        .select(comments::created_at)
        .load(conn)
}

/// When the member voted after `since`, newest first, at most `limit`.
pub fn vote_times(
    conn: &mut DbConnection,
    user_id: i64,
    since: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<NaiveDateTime>> {
    votes::table
        .filter(votes::user_id.eq(user_id))
        .filter(votes::created_at.gt(since))
        .order(votes::created_at.desc())
        .limit(limit)
        .select(votes::created_at)
        .load(conn)
}

/// How many of the member's posts are visible, counting no further than `limit`.
pub fn visible_posts_up_to(conn: &mut DbConnection, author_id: i64, limit: i64) -> QueryResult<usize> {
    // Loads at most `limit` ids rather than counting every post: the rule only asks whether the
    // member has reached the threshold.
    let visible: Vec<i64> = posts::table
        .filter(posts::author_id.eq(author_id))
        .filter(posts::deleted_at.is_null())
        .limit(limit)
        .select(posts::id)
        .load(conn)?;
    Ok(visible.len())
}
