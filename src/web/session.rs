//! Sessions: a signed and encrypted cookie holding the user id and the user's session epoch, so
//! any node that shares the secret key can serve any request. Bumping a user's epoch in the
//! database (password change, "sign out everywhere", suspension) voids every older session.

use actix_session::config::{CookieContentSecurity, PersistentSession, TtlExtensionPolicy};
use actix_session::storage::CookieSessionStore;
use actix_session::{Session, SessionMiddleware};
use actix_web::cookie::{time::Duration, Key, SameSite};

use crate::error::AppError;
use crate::services::actor::Actor;

/// The session cookie's name.
pub const COOKIE: &str = "gp_session";
const USER_ID: &str = "uid";
const EPOCH: &str = "epoch";
const FLASH: &str = "flash";

/// How long a session lasts without activity that rewrites it.
const LIFETIME_DAYS: i64 = 30;

/// The session middleware: private (encrypted and authenticated) cookie, HttpOnly, SameSite=Lax,
/// Secure when the site is served over https.
pub fn middleware(key: Key, https: bool) -> SessionMiddleware<CookieSessionStore> {
    SessionMiddleware::builder(CookieSessionStore::default(), key)
        .cookie_name(COOKIE.to_owned())
        .cookie_content_security(CookieContentSecurity::Private)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_secure(https)
        .session_lifecycle(
            PersistentSession::default()
                .session_ttl(Duration::days(LIFETIME_DAYS))
                .session_ttl_extension_policy(TtlExtensionPolicy::OnStateChanges),
        )
        .build()
}

/// Starts a fresh session for a user (a new cookie, so a planted one is worthless).
pub fn begin(session: &Session, user_id: i64, epoch: i64) -> Result<(), AppError> {
    session.renew();
    session.insert(USER_ID, user_id).map_err(AppError::internal)?;
    session.insert(EPOCH, epoch).map_err(AppError::internal)
}

/// Keeps the current session valid after the user's epoch moved on (password change).
pub fn carry_epoch(session: &Session, epoch: i64) -> Result<(), AppError> {
    session.insert(EPOCH, epoch).map_err(AppError::internal)
}

/// Ends the sign-in; the browser gets a new, empty session (which can still carry a flash).
pub fn end(session: &Session) {
    session.clear();
    session.renew();
}

/// The user id and epoch the session claims, if any.
pub fn claim(session: &Session) -> Option<(i64, i64)> {
    let user_id = session.get::<i64>(USER_ID).ok().flatten()?;
    let epoch = session.get::<i64>(EPOCH).ok().flatten()?;
    Some((user_id, epoch))
}

/// Whether a stored user still honours the session's claim.
pub fn honours(actor: &Actor, epoch: i64) -> bool {
    actor.session_epoch == epoch && !actor.suspended
}

/// Leaves a one-time message for the next page this browser sees.
pub fn flash(session: &Session, message: &str) {
    // Losing a flash message is harmless; the action itself already happened.
    let _ = session.insert(FLASH, message);
}

/// Takes the one-time message, if any.
pub fn take_flash(session: &Session) -> Option<String> {
    session.remove_as::<String>(FLASH).and_then(Result::ok)
}
