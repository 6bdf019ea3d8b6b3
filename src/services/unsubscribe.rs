//! One-click unsubscribe links: a token that proves "this link was mailed to user N" without a
//! session, and the use case that turns notification mail off with it.
//!
//! The token is `N.` followed by an HMAC-SHA256 of the user id under a key derived from the site
//! secret, so it needs no table, survives restarts and is the same on every node. It only ever
//! turns mail off, so a leaked link can do no more than what its owner's mail client offers.

use super::{ServiceError, ServiceResult};
use crate::changes::{AccountChange, Change, ChangeFeed};
use crate::db::models::users::{self, User};
use crate::db::DbConnection;
use crate::domain::MailPreference;
use crate::signing::NumberSigner;

/// Separates this use of the site secret from every other (cookie signing uses the same bytes).
const PURPOSE: &[u8] = b"guidepost unsubscribe token v1";

/// The key unsubscribe tokens are signed with.
#[derive(Clone)]
pub struct UnsubscribeKey(NumberSigner);

impl UnsubscribeKey {
    /// Derives the key from the site's signing secret (e.g. the cookie key's signing half).
    pub fn derive(secret: &[u8]) -> Self {
        Self(NumberSigner::derive(secret, PURPOSE))
    }

    /// The token for a user's unsubscribe link.
    pub fn token(&self, user_id: i64) -> String {
        self.0.token(user_id)
    }

    /// The user id a token was made for, if it is genuine (compared in constant time).
    pub fn verify(&self, token: &str) -> Option<i64> {
        self.0.verify(token)
    }
}

/// The user an unsubscribe token belongs to; a forged token or a removed user is `NotFound`.
pub fn find(conn: &mut DbConnection, key: &UnsubscribeKey, token: &str) -> ServiceResult<User> {
    let user_id = key.verify(token).ok_or(ServiceError::NotFound("Unsubscribe link"))?;
    users::find(conn, user_id)?.ok_or(ServiceError::NotFound("Unsubscribe link"))
}

/// Turns off notification mail for the token's user.
pub fn unsubscribe(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    key: &UnsubscribeKey,
    token: &str,
    now: chrono::NaiveDateTime,
) -> ServiceResult<User> {
    feed.write(conn, now, |conn, changes| {
        let user = find(conn, key, token)?;
        users::set_email_preference(conn, user.id, MailPreference::Never)?;
        changes.push(Change::AccountChanged { user: user.id, what: AccountChange::MailPreference });
        Ok(user)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_for_their_user_and_key() {
        let key = UnsubscribeKey::derive(&[7; 32]);
        let token = key.token(42);
        assert_eq!(key.verify(&token), Some(42));
        assert_eq!(key.verify(&token.replacen("42", "43", 1)), None);
        assert_eq!(UnsubscribeKey::derive(&[8; 32]).verify(&token), None);
        assert_eq!(key.verify("42"), None);
        assert_eq!(key.verify("42.AAAA"), None);
        assert_eq!(key.verify("x.y"), None);
    }
}
