//! Sessions: a signed and encrypted cookie holding the user id, the user's session epoch and the
//! secret naming the session's row (see [`crate::services::sessions`]), so any node that shares
//! the secret key can serve any request. Bumping a user's epoch in the database (password
//! change, "sign out everywhere", suspension) voids every older session; deleting the row
//! (signing out) voids this one, copies of the cookie included.

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
const SECRET: &str = "sid";
const FLASH: &str = "flash";
const PROVIDER: &str = "sso";

use crate::services::sessions::LIFETIME_DAYS;

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

/// Starts a fresh session for a user (a new cookie, so a planted one is worthless); `secret`
/// names the session's row.
pub fn begin(session: &Session, user_id: i64, epoch: i64, secret: &str) -> Result<(), AppError> {
    session.renew();
    session.insert(USER_ID, user_id).map_err(AppError::internal)?;
    session.insert(EPOCH, epoch).map_err(AppError::internal)?;
    session.insert(SECRET, secret).map_err(AppError::internal)
}

/// Notes the identity provider the session was signed in through, for signing out there too.
pub fn note_provider(session: &Session, provider: &str) -> Result<(), AppError> {
    session.insert(PROVIDER, provider).map_err(AppError::internal)
}

/// The identity provider the session was signed in through, if any.
pub fn provider(session: &Session) -> Option<String> {
    session.get::<String>(PROVIDER).ok().flatten()
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

/// What a session cookie claims: who, under which epoch, and the secret naming its row.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The signed-in user.
    pub user_id: i64,
    /// The user's session epoch when the session began.
    pub epoch: i64,
    /// Names the session's row; never logged.
    pub secret: String,
}

/// What the session claims, if it is a signed-in one.
pub fn claim(session: &Session) -> Option<Claim> {
    let user_id = session.get::<i64>(USER_ID).ok().flatten()?;
    let epoch = session.get::<i64>(EPOCH).ok().flatten()?;
    // A cookie from before sessions had rows names none, and is not honoured.
    let secret = session.get::<String>(SECRET).ok().flatten()?;
    Some(Claim { user_id, epoch, secret })
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
