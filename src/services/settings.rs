//! A member's own settings: display name, email address, password, and signing out everywhere.

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::passwords::{self, Verified};
use super::{accounts, sign_up, ServiceError, ServiceResult};
use crate::changes::{AccountChange, Change, ChangeFeed};
use crate::db::models::auth_tokens::{self, TokenPurpose};
use crate::db::models::users::{self, User};
use crate::db::DbConnection;
use crate::mail::Outbox;

/// Longest display name, in characters.
pub const MAX_DISPLAY_NAME: usize = 50;

/// Changes the name shown on the actor's posts.
pub fn set_display_name(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    name: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let length = name.chars().count();
    if !(2..=MAX_DISPLAY_NAME).contains(&length) {
        return Err(ServiceError::invalid("display_name", format!("Use 2 to {MAX_DISPLAY_NAME} characters.")));
    }
    if name.chars().any(char::is_control) {
        return Err(ServiceError::invalid("display_name", "Use letters, digits and punctuation only."));
    }
    feed.write(conn, now, |conn, changes| {
        users::set_display_name(conn, actor.id, &name)?;
        changes.push(Change::AccountChanged { user: actor.id, what: AccountChange::Profile });
        Ok(())
    })
}

/// Starts an address change: the new address gets a verification link and becomes the account's
/// address only once that link is followed. Needs the current password.
pub fn change_email(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    outbox: &Outbox,
    actor: &Actor,
    new_email: &str,
    current_password: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let email = accounts::normalize_email(new_email)?;
    let user = check_password(conn, actor, current_password)?;
    if user.email.as_deref() == Some(email.as_str()) {
        return Err(ServiceError::invalid("email", "This is already your address."));
    }
    feed.write(conn, now, |conn, changes| {
        if users::email_taken(conn, &email)? {
            // Say nothing about the other account; the link simply never arrives there.
            return Ok(());
        }
        auth_tokens::retire_all(conn, user.id, TokenPurpose::VerifyEmail, now)?;
        sign_up::queue_verification(conn, changes, outbox, &user, &email, now)
    })
}

/// Changes the password; every other session ends. Returns the new session epoch, which the
/// current session (named by `keep`) must carry to stay signed in.
pub fn change_password(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    keep: &str,
    current_password: &str,
    new_password: &str,
    now: NaiveDateTime,
) -> ServiceResult<i64> {
    let user = check_password(conn, actor, current_password)?;
    passwords::check_rules("new_password", new_password, &user.username)?;
    let hash = passwords::hash(new_password)?;
    feed.write(conn, now, |conn, changes| {
        users::set_password(conn, user.id, &hash)?;
        super::sessions::close_others(conn, user.id, Some(keep))?;
        changes.push(Change::AccountChanged { user: user.id, what: AccountChange::Password });
        Ok(users::find(conn, user.id)?.ok_or(ServiceError::NotFound("User"))?.session_epoch)
    })
}

/// Ends every session of the actor but the current one (named by `keep`); returns the new
/// epoch for the current session.
pub fn sign_out_everywhere(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    keep: &str,
    now: NaiveDateTime,
) -> ServiceResult<i64> {
    feed.write(conn, now, |conn, changes| {
        super::sessions::close_others(conn, actor.id, Some(keep))?;
        changes.push(Change::AccountChanged { user: actor.id, what: AccountChange::SignedOutEverywhere });
        Ok(users::bump_session_epoch(conn, actor.id)?)
    })
}

fn check_password(conn: &mut DbConnection, actor: &Actor, password: &str) -> ServiceResult<User> {
    let user = users::find(conn, actor.id)?.ok_or(ServiceError::NotFound("User"))?;
    let stored = user.password_hash.clone().unwrap_or_default();
    match passwords::verify(password, &stored)? {
        Verified::No => Err(ServiceError::invalid("current_password", "Your current password is not right.")),
        _ => Ok(user),
    }
}
