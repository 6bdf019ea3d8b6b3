//! The administrators' way in while password sign-in is off (single sign-on only): a link the
//! CLI prints, good once for fifteen minutes, that opens a password form for that admin alone.
//! The password form is not public, so there is nothing for a guesser to aim at, and an admin
//! can still get in when the identity provider is down.

use chrono::{Duration, NaiveDateTime};

use super::{tokens, ServiceError, ServiceResult};
use crate::db::models::break_glass::{self as links, BreakGlassLink};
use crate::db::models::users::{self, User};
use crate::db::DbConnection;

/// How long a break-glass link works.
pub const LINK_LIFETIME: Duration = Duration::minutes(15);

/// Issues a link for the admin named `login` (username or address); returns the secret.
pub fn issue(conn: &mut DbConnection, login: &str, now: NaiveDateTime) -> ServiceResult<String> {
    let user = super::sign_in::find_account(conn, login)?.ok_or(ServiceError::NotFound("User"))?;
    if user.role != crate::roles::Role::Admin || user.deleted_at.is_some() || user.suspended_at.is_some() {
        return Err(ServiceError::Forbidden(format!("{} is not an active administrator.", user.username)));
    }
    if user.password_hash.is_none() {
        return Err(ServiceError::Forbidden(format!(
            "{} has no password to sign in with; `guidepost user invite` prints a link to choose one.",
            user.username
        )));
    }
    let token = tokens::generate();
    links::insert(conn, user.id, &tokens::digest(&token), now, now + LINK_LIFETIME)?;
    Ok(token)
}

fn expired() -> ServiceError {
    ServiceError::Gone("This link is invalid, already used or expired. Ask for a new one.".to_owned())
}

/// The admin a link is for, while it is unused and unexpired.
pub fn holder(conn: &mut DbConnection, token: &str, now: NaiveDateTime) -> ServiceResult<(BreakGlassLink, User)> {
    // Links are 43 characters; refuse anything else before touching the database.
    if token.len() != 43 {
        return Err(expired());
    }
    let stored = links::find_valid(conn, &tokens::digest(token), now)?.ok_or_else(expired)?;
    let user = users::find(conn, stored.user_id)?.ok_or_else(expired)?;
    if user.role != crate::roles::Role::Admin {
        return Err(expired());
    }
    Ok((stored, user))
}

/// Spends the link once its password was right; only one use can win.
pub fn spend(conn: &mut DbConnection, token_id: i64, now: NaiveDateTime) -> ServiceResult<()> {
    if !links::mark_used(conn, token_id, now)? {
        return Err(ServiceError::Gone("This link was already used. Ask for a new one.".to_owned()));
    }
    Ok(())
}
