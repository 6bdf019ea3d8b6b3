//! The `sessions` table: one row per signed-in browser, named by the digest of a secret that
//! only the browser's (encrypted) session cookie holds.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::sessions;
use crate::db::DbConnection;

/// Records a new session of `user_id`.
pub fn insert(conn: &mut DbConnection, user_id: i64, token_hash: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::user_id.eq(user_id),
            sessions::token_hash.eq(token_hash),
            sessions::created_at.eq(now),
            sessions::last_seen_at.eq(now),
        ))
        .execute(conn)
}

/// When the session named by `token_hash` of `user_id` was last seen, if it is still open.
pub fn last_seen(conn: &mut DbConnection, user_id: i64, token_hash: &str) -> QueryResult<Option<NaiveDateTime>> {
    sessions::table
        .filter(sessions::token_hash.eq(token_hash))
        .filter(sessions::user_id.eq(user_id))
        .select(sessions::last_seen_at)
        .first(conn)
        .optional()
}

/// Notes that the session was used at `now`.
pub fn touch(conn: &mut DbConnection, token_hash: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(sessions::table.filter(sessions::token_hash.eq(token_hash)))
        .set(sessions::last_seen_at.eq(now))
        .execute(conn)
}

/// Ends one session.
pub fn delete(conn: &mut DbConnection, token_hash: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(token_hash))).execute(conn)
}

/// Ends every session of a user but the one named by `keep` (if any).
pub fn delete_others(conn: &mut DbConnection, user_id: i64, keep: Option<&str>) -> QueryResult<usize> {
    let of_user = sessions::table.filter(sessions::user_id.eq(user_id));
    match keep {
        Some(keep) => diesel::delete(of_user.filter(sessions::token_hash.ne(keep))).execute(conn),
        None => diesel::delete(of_user).execute(conn),
    }
}

/// Forgets sessions not seen since `cutoff` (their cookies have expired too).
pub fn delete_unseen_since(conn: &mut DbConnection, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::last_seen_at.lt(cutoff))).execute(conn)
}
