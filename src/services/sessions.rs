//! Signed-in sessions: opened at sign-in, checked on every signed-in request, closed at sign-out.
//!
//! The cookie alone (encrypted, carrying the user id and session epoch) cannot be taken back:
//! a copy made before signing out would work until it expired. So each sign-in also gets a row
//! named by a secret only that cookie holds, and signing out deletes the row.
//!
//! Each write here is a transaction of its own, even a single statement: on SQLite that makes
//! it wait its turn with this process's other writers (`db::write`) instead of polling for the
//! lock, which a busy job could keep from it until the busy timeout.

use chrono::{NaiveDateTime, TimeDelta};

use super::tokens;
use super::ServiceResult;
use crate::db::models::sessions;
use crate::db::{write_transaction, DbConnection};

/// How long a session lasts unused; the cookie's lifetime is the same.
pub const LIFETIME_DAYS: i64 = 30;

/// A session's last use is written at most this often, so signed-in pages stay reads.
const TOUCH_EVERY: TimeDelta = TimeDelta::hours(24);

/// Opens a session for `user_id` and returns the secret its cookie must carry. Sessions of
/// anyone not seen for [`LIFETIME_DAYS`] are forgotten on the way.
pub fn open(conn: &mut DbConnection, user_id: i64, now: NaiveDateTime) -> ServiceResult<String> {
    let secret = tokens::generate();
    write_transaction(conn, |conn| {
        sessions::delete_unseen_since(conn, now - TimeDelta::days(LIFETIME_DAYS))?;
        sessions::insert(conn, user_id, &tokens::digest(&secret), now)
    })?;
    Ok(secret)
}

/// Whether the session of `user_id` named by `secret` is still open; notes its use.
pub fn is_open(conn: &mut DbConnection, user_id: i64, secret: &str, now: NaiveDateTime) -> ServiceResult<bool> {
    let digest = tokens::digest(secret);
    match sessions::last_seen(conn, user_id, &digest)? {
        Some(seen) if seen + TimeDelta::days(LIFETIME_DAYS) <= now => Ok(false),
        Some(seen) => {
            if seen + TOUCH_EVERY <= now {
                write_transaction(conn, |conn| sessions::touch(conn, &digest, now))?;
            }
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Closes the session named by `secret` (signing out).
pub fn close(conn: &mut DbConnection, secret: &str) -> ServiceResult<()> {
    let digest = tokens::digest(secret);
    write_transaction(conn, |conn| sessions::delete(conn, &digest))?;
    Ok(())
}

/// Closes every session of `user_id` except the one named by `keep` ("sign out everywhere",
/// a new password).
pub fn close_others(conn: &mut DbConnection, user_id: i64, keep: Option<&str>) -> ServiceResult<()> {
    let keep = keep.map(tokens::digest);
    write_transaction(conn, |conn| sessions::delete_others(conn, user_id, keep.as_deref()))?;
    Ok(())
}

/// What a session cookie stands for on this request, read in one go.
pub struct Resumed {
    /// The member the cookie names, if the account still exists.
    pub actor: Option<super::actor::Actor>,
    /// Whether the session's row is still open (see [`is_open`]).
    pub open: bool,
    /// The member's unread notifications, for the header badge.
    pub unread: i64,
}

/// Reads back the member and session a cookie names. The caller still checks `open` and the
/// cookie's epoch: a void session must end in the cookie too, which only the web layer can do.
pub fn resume(conn: &mut DbConnection, user_id: i64, secret: &str, now: NaiveDateTime) -> ServiceResult<Resumed> {
    // A deleted account's row stays (anonymised), but no cookie may resume it.
    let user = crate::db::models::users::find(conn, user_id)?.filter(|u| u.deleted_at.is_none());
    let open = user.is_some() && is_open(conn, user_id, secret, now)?;
    // One indexed count (`notifications_unread`) rides along with the user look-up.
    let unread = crate::db::models::notifications::unread_count(conn, user_id)?;
    Ok(Resumed { actor: user.map(|u| super::actor::Actor::from_user(&u)), open, unread })
}
