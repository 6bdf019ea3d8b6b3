//! Signed-in sessions: opened at sign-in, checked on every signed-in request, closed at sign-out.
//!
//! The cookie alone (encrypted, carrying the user id and session epoch) cannot be taken back:
//! a copy made before signing out would work until it expired. So each sign-in also gets a row
//! named by a secret only that cookie holds, and signing out deletes the row.

use chrono::{NaiveDateTime, TimeDelta};

use super::tokens;
use super::ServiceResult;
use crate::db::models::sessions;
use crate::db::DbConnection;

/// How long a session lasts unused; the cookie's lifetime is the same.
pub const LIFETIME_DAYS: i64 = 30;

/// A session's last use is written at most this often, so signed-in pages stay reads.
const TOUCH_EVERY: TimeDelta = TimeDelta::hours(24);

/// Opens a session for `user_id` and returns the secret its cookie must carry. Sessions of
/// anyone not seen for [`LIFETIME_DAYS`] are forgotten on the way.
pub fn open(conn: &mut DbConnection, user_id: i64, now: NaiveDateTime) -> ServiceResult<String> {
    sessions::delete_unseen_since(conn, now - TimeDelta::days(LIFETIME_DAYS))?;
    let secret = tokens::generate();
    sessions::insert(conn, user_id, &tokens::digest(&secret), now)?;
    Ok(secret)
}

/// Whether the session of `user_id` named by `secret` is still open; notes its use.
pub fn is_open(conn: &mut DbConnection, user_id: i64, secret: &str, now: NaiveDateTime) -> ServiceResult<bool> {
    let digest = tokens::digest(secret);
    match sessions::last_seen(conn, user_id, &digest)? {
        Some(seen) if seen + TimeDelta::days(LIFETIME_DAYS) <= now => Ok(false),
        Some(seen) => {
            if seen + TOUCH_EVERY <= now {
                sessions::touch(conn, &digest, now)?;
            }
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Closes the session named by `secret` (signing out).
pub fn close(conn: &mut DbConnection, secret: &str) -> ServiceResult<()> {
    sessions::delete(conn, &tokens::digest(secret))?;
    Ok(())
}

/// Closes every session of `user_id` except the one named by `keep` ("sign out everywhere",
/// a new password).
pub fn close_others(conn: &mut DbConnection, user_id: i64, keep: Option<&str>) -> ServiceResult<()> {
    let keep = keep.map(tokens::digest);
    sessions::delete_others(conn, user_id, keep.as_deref())?;
    Ok(())
}
