//! "Forgot password": mailing a one-hour, single-use reset link.

use chrono::{Duration, NaiveDateTime};
use tera::Context;

use super::{accounts, tokens, ServiceResult};
use crate::changes::ChangeFeed;
use crate::db::models::auth_tokens::{self, TokenPurpose};
use crate::db::models::users;
use crate::db::DbConnection;
use crate::mail::{Letter, Outbox};

/// How long a reset link stays valid.
pub const RESET_LINK_LIFETIME: Duration = Duration::hours(1);

/// Mails a reset link if an account has this address; does the same visible nothing otherwise,
/// so the answer never tells whether the address has an account.
pub fn request(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    outbox: &Outbox,
    email: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let Ok(email) = accounts::normalize_email(email) else {
        return Ok(());
    };
    feed.write(conn, now, |conn, changes| {
        let Some(user) = users::find_by_email(conn, &email)? else {
            return Ok(());
        };
        if user.suspended_at.is_some() {
            return Ok(());
        }
        auth_tokens::retire_all(conn, user.id, TokenPurpose::ResetPassword, now)?;
        let token = tokens::issue(conn, user.id, TokenPurpose::ResetPassword, None, now, RESET_LINK_LIFETIME)?;
        let mut context = Context::new();
        context.insert("username", &user.username);
        context.insert("path", &format!("/password/reset/{token}"));
        context.insert("minutes", &RESET_LINK_LIFETIME.num_minutes());
        outbox.queue(
            conn,
            changes,
            Letter { to: &email, subject: "Reset your password".to_owned(), template: "reset_password", context },
        )
    })
}
