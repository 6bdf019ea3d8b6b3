//! The `votes` table: one vote per member per post.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::votes;
use crate::db::DbConnection;

/// A member's current vote on a post: +1, -1, or `None`.
pub fn find(conn: &mut DbConnection, user_id: i64, post_id: i64) -> QueryResult<Option<i32>> {
    // Without LIMIT, for the reason given at `posts::find`.
    Ok(votes::table.find((user_id, post_id)).select(votes::value).load(conn)?.pop())
}

/// The member's votes on several posts, as (post id, value).
pub fn of_user_on(conn: &mut DbConnection, user_id: i64, post_ids: &[i64]) -> QueryResult<Vec<(i64, i32)>> {
    votes::table
        .filter(votes::user_id.eq(user_id))
        .filter(votes::post_id.eq_any(post_ids))
        .select((votes::post_id, votes::value))
        .load(conn)
}

/// The votes of any of `user_ids` on any of `post_ids`, as (user id, post id, value).
pub fn of_users_on(conn: &mut DbConnection, user_ids: &[i64], post_ids: &[i64]) -> QueryResult<Vec<(i64, i64, i32)>> {
    votes::table
        .filter(votes::user_id.eq_any(user_ids))
        .filter(votes::post_id.eq_any(post_ids))
        .select((votes::user_id, votes::post_id, votes::value))
        .load(conn)
}

/// Records, changes or withdraws (`value` 0) a vote. The caller adjusts the post's score.
pub fn set(conn: &mut DbConnection, user_id: i64, post_id: i64, value: i32, now: NaiveDateTime) -> QueryResult<()> {
    let existing = find(conn, user_id, post_id)?;
    match (existing, value) {
        (None, 0) => {}
        (None, v) => {
            diesel::insert_into(votes::table)
                .values((
                    votes::user_id.eq(user_id),
                    votes::post_id.eq(post_id),
                    votes::value.eq(v),
                    votes::created_at.eq(now),
                ))
                .execute(conn)?;
        }
        (Some(_), 0) => {
            diesel::delete(votes::table.find((user_id, post_id))).execute(conn)?;
        }
        (Some(_), v) => {
            diesel::update(votes::table.find((user_id, post_id)))
                .set((votes::value.eq(v), votes::created_at.eq(now)))
                .execute(conn)?;
        }
    }
    Ok(())
}
