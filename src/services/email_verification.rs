//! Proving an email address by following a mailed link, and asking for a new link.

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::{sign_up, tokens, ServiceError, ServiceResult};
use crate::changes::{AccountChange, Change, ChangeFeed};
use crate::db::models::auth_tokens::{self, TokenPurpose};
use crate::db::models::users::{self, User};
use crate::db::DbConnection;
use crate::mail::Outbox;

/// Marks the address named in the token as the user's proven address.
pub fn verify(conn: &mut DbConnection, feed: &ChangeFeed, token: &str, now: NaiveDateTime) -> ServiceResult<User> {
    feed.write(conn, now, |conn, changes| {
        let stored = tokens::find_valid(conn, token, TokenPurpose::VerifyEmail, now)?;
        let email =
            stored.email.clone().ok_or_else(|| ServiceError::Internal("verify token without address".into()))?;
        if !auth_tokens::mark_used(conn, stored.id, now)? {
            return Err(ServiceError::Gone("This link was already used.".to_owned()));
        }
        // Someone else may have claimed the address since the link was sent.
        if let Some(other) = users::find_by_email(conn, &email)? {
            if other.id != stored.user_id {
                return Err(ServiceError::Conflict("Another account now uses this address.".to_owned()));
            }
        }
        users::set_verified_email(conn, stored.user_id, &email, now)?;
        auth_tokens::retire_all(conn, stored.user_id, TokenPurpose::VerifyEmail, now)?;
        changes.push(Change::AccountChanged { user: stored.user_id, what: AccountChange::Email });
        users::find(conn, stored.user_id)?.ok_or(ServiceError::NotFound("User"))
    })
}

/// Mails a fresh verification link to the actor's current, unproven address.
pub fn resend(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    outbox: &Outbox,
    actor: &Actor,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    feed.write(conn, now, |conn, changes| {
        let user = users::find(conn, actor.id)?.ok_or(ServiceError::NotFound("User"))?;
        let email = match (&user.email, user.email_verified_at) {
            (Some(email), None) => email.clone(),
            _ => return Err(ServiceError::Conflict("Your address is already verified.".to_owned())),
        };
        auth_tokens::retire_all(conn, user.id, TokenPurpose::VerifyEmail, now)?;
        sign_up::queue_verification(conn, changes, outbox, &user, &email, now)
    })
}
