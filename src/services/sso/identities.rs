//! A member's linked providers, as Settings lists them, and unlinking one without leaving the
//! account with no way in.

use chrono::NaiveDateTime;

use super::{ServiceError, ServiceResult};
use crate::changes::{AccountChange, Change, ChangeFeed};
use crate::db::models::sso::{self, SsoIdentity};
use crate::db::models::users::{self, User};
use crate::db::DbConnection;
use crate::roles::Role;

/// What signing in to an account may use, besides the identity being judged.
#[derive(Debug, Clone, Copy)]
pub struct WaysIn<'a> {
    /// Password sign-in is on for members.
    pub password_sign_in: bool,
    /// The providers configured now (an identity at a removed provider is no way in).
    pub providers: &'a [&'a str],
}

/// Whether something besides identity `without` could sign `user` in: a password they may use
/// (admins keep the CLI's break-glass link even in SSO-only mode), or another identity at a
/// provider configured now.
pub fn other_way_in(user: &User, linked: &[SsoIdentity], without: i64, ways: WaysIn<'_>) -> bool {
    let other_identities =
        linked.iter().filter(|i| i.id != without && ways.providers.contains(&i.provider.as_str())).count();
    let password = user.password_hash.is_some() && (ways.password_sign_in || user.role == Role::Admin);
    other_identities > 0 || password
}

/// The member's linked identities.
pub fn list(conn: &mut DbConnection, user_id: i64) -> ServiceResult<Vec<SsoIdentity>> {
    Ok(sso::identities_of(conn, user_id)?)
}

/// Unlinks one of the member's identities, unless nothing else could sign them in: a password
/// they may use, or another identity at a configured provider.
pub fn remove(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    user_id: i64,
    identity_id: i64,
    ways: WaysIn<'_>,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    feed.write(conn, now, |conn, changes| {
        let user = users::find(conn, user_id)?.ok_or(ServiceError::NotFound("User"))?;
        let linked = sso::identities_of(conn, user_id)?;
        if !linked.iter().any(|i| i.id == identity_id) {
            return Err(ServiceError::NotFound("Linked account"));
        }
        if !other_way_in(&user, &linked, identity_id, ways) {
            return Err(ServiceError::Conflict(
                "This is your only way to sign in. Link another provider first, or set a password (Settings → Password).".to_owned(),
            ));
        }
        sso::delete_identity(conn, user_id, identity_id)?;
        changes.push(Change::AccountChanged { user: user_id, what: AccountChange::SignInMethods });
        Ok(())
    })
}
