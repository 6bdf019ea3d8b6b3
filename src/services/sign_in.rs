//! Signing in with a username or email address and a password.

use chrono::NaiveDateTime;

use super::passwords::{self, Verified};
use super::{ServiceError, ServiceResult};
use crate::db::models::users::{self, User};
use crate::db::DbConnection;

/// The one message for every failed sign-in, so it never tells whether an account exists.
pub const FAILED: &str = "That username or email and password do not match an account.";

/// Checks the credentials; on success returns the user (and upgrades an outdated hash).
pub fn authenticate(conn: &mut DbConnection, login: &str, password: &str, now: NaiveDateTime) -> ServiceResult<User> {
    let login = login.trim();
    let user = if login.contains('@') {
        users::find_by_email(conn, &login.to_lowercase())?
    } else {
        users::find_by_username(conn, login)?
    };
    let Some((user, stored)) = user.and_then(|u| u.password_hash.clone().map(|h| (u, h))) else {
        // Spend the time a real check takes, so timing does not reveal missing accounts.
        passwords::verify_dummy(password);
        return Err(ServiceError::invalid("login", FAILED));
    };
    match passwords::verify(password, &stored)? {
        Verified::No => Err(ServiceError::invalid("login", FAILED)),
        verified => {
            if user.suspended_at.is_some() {
                return Err(ServiceError::Forbidden(
                    "This account is suspended. Contact the site's staff if you think this is a mistake.".to_owned(),
                ));
            }
            if let Verified::YesRehashed(hash) = verified {
                users::upgrade_password_hash(conn, user.id, &hash)?;
            }
            users::touch_last_seen(conn, user.id, now)?;
            Ok(user)
        }
    }
}
