//! Signing in with a username or email address and a password.

use chrono::NaiveDateTime;

use super::passwords::{self, Verified};
use super::{ServiceError, ServiceResult};
use crate::db::models::users::{self, User};
use crate::db::{write_transaction, DbConnection};

/// The one message for every failed sign-in, so it never tells whether an account exists.
pub const FAILED: &str = "That username or email and password do not match an account.";

/// The account a sign-in names (by username, or by email address when it has an `@`), if any.
pub fn find_account(conn: &mut DbConnection, login: &str) -> ServiceResult<Option<User>> {
    let login = login.trim();
    let user = if login.contains('@') {
        users::find_by_email(conn, &login.to_lowercase())?
    } else {
        users::find_by_username(conn, login)?
    };
    Ok(user)
}

/// Checks a password against the account found (argon2: CPU work, done without a database
/// connection). Without an account or a password, spends the time a real check takes, so
/// timing does not reveal missing accounts.
pub fn check_password(account: Option<&User>, password: &str) -> ServiceResult<Verified> {
    match account.and_then(|u| u.password_hash.as_deref()) {
        Some(stored) => passwords::verify(password, stored),
        None => {
            passwords::verify_dummy(password);
            Ok(Verified::No)
        }
    }
}

/// Finishes a sign-in whose password was right: refuses a suspended account, stores an
/// upgraded hash, notes the visit. `verified` is what [`check_password`] said.
pub fn complete(conn: &mut DbConnection, user: User, verified: Verified, now: NaiveDateTime) -> ServiceResult<User> {
    match verified {
        Verified::No => Err(ServiceError::invalid("login", FAILED)),
        verified => {
            if user.suspended_at.is_some() {
                return Err(ServiceError::Forbidden(
                    "This account is suspended. Contact the site's staff if you think this is a mistake.".to_owned(),
                ));
            }
            // One transaction: on SQLite it waits its turn with the other writers.
            write_transaction(conn, |conn| {
                if let Verified::YesRehashed(hash) = verified {
                    users::upgrade_password_hash(conn, user.id, &hash)?;
                }
                users::touch_last_seen(conn, user.id, now)
            })?;
            Ok(user)
        }
    }
}
