//! Single sign-on use cases: remembering a sign-in under way, and what a provider's verified
//! identity means here: the account it is linked to, a new member, or a link that must first be
//! proven by the existing account with the same address. Roles follow the provider's claim when
//! the configuration says so, audited; admin is never given or taken by a claim.

pub mod identities;
pub mod linking;
mod usernames;

use chrono::{Duration, NaiveDateTime};

use super::{audit, sign_up, tokens, ServiceError, ServiceResult};
use crate::changes::{AccountChange, Change, ChangeFeed, Changes};
use crate::db::models::sso::{self, NewSsoIdentity, SsoAttempt};
use crate::db::models::users::{self, NewUser, User};
use crate::db::DbConnection;
use crate::mail::Outbox;
use crate::roles::Role;
use crate::sso::{AuthorizationStart, ProviderIdentity};

/// How long a sign-in may spend at the provider before its return is refused.
pub const ATTEMPT_LIFETIME: Duration = Duration::minutes(15);

/// What a provider's identity led to.
#[derive(Debug)]
pub enum Outcome {
    /// Signed in to the linked (or newly made) account.
    SignedIn(Box<User>),
    /// An account with the provider's verified address exists and must prove itself first;
    /// the browser keeps `browser_token` (in a cookie) to finish the link.
    LinkNeeded {
        /// The secret naming the link request in this browser.
        browser_token: String,
    },
    /// A new member would have no address, and this site needs one to let members post.
    EmailMissing,
}

/// Remembers a sign-in under way, by the digest of its state.
pub fn remember_attempt(
    conn: &mut DbConnection,
    provider: &str,
    start: &AuthorizationStart,
    linking_user: Option<i64>,
    return_to: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    sso::insert_attempt(
        conn,
        &SsoAttempt {
            state_hash: tokens::digest(&start.state),
            provider: provider.to_owned(),
            nonce: start.nonce.clone(),
            pkce_verifier: start.pkce_verifier.clone(),
            user_id: linking_user,
            return_to: return_to.to_owned(),
            created_at: now,
            expires_at: now + ATTEMPT_LIFETIME,
        },
    )?;
    Ok(())
}

/// Takes the sign-in a returning `state` names, once: a second return with the same state (a
/// replayed code), a forged state, or one that expired finds nothing.
pub fn take_attempt(
    conn: &mut DbConnection,
    provider: &str,
    state: &str,
    now: NaiveDateTime,
) -> ServiceResult<Option<SsoAttempt>> {
    // States are 22 random characters or so; refuse nonsense before touching the database.
    if state.is_empty() || state.len() > 200 {
        return Ok(None);
    }
    let attempt = sso::take_attempt(conn, &tokens::digest(state), now)?;
    Ok(attempt.filter(|a| a.provider == provider))
}

/// Signs in with a verified provider identity: its linked account; else, when the provider
/// vouches for an address an account already has, a link request that account must prove;
/// else a new member (refused without an address when `email_required`: members must confirm
/// one before they post).
pub fn sign_in(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    outbox: &Outbox,
    identity: &ProviderIdentity,
    provider_name: &str,
    email_required: bool,
    now: NaiveDateTime,
) -> ServiceResult<Outcome> {
    feed.write(conn, now, |conn, changes| {
        if let Some(linked) = sso::find_identity(conn, &identity.provider, &identity.subject)? {
            let user = users::find(conn, linked.user_id)?.ok_or(ServiceError::NotFound("User"))?;
            ensure_may_sign_in(&user)?;
            sso::touch_identity(conn, linked.id, identity.email.as_deref(), now)?;
            users::touch_last_seen(conn, user.id, now)?;
            let user = follow_role(conn, changes, user, identity, provider_name, now)?;
            return Ok(Outcome::SignedIn(Box::new(user)));
        }
        if let (Some(email), true) = (&identity.email, identity.email_verified) {
            if let Some(owner) = users::find_by_email(conn, email)? {
                ensure_may_sign_in(&owner)?;
                let browser_token = linking::open_request(conn, &owner, identity, email, now)?;
                return Ok(Outcome::LinkNeeded { browser_token });
            }
        }
        if email_required && identity.email.is_none() {
            return Ok(Outcome::EmailMissing);
        }
        let user = create_member(conn, changes, outbox, identity, now)?;
        let user = follow_role(conn, changes, user, identity, provider_name, now)?;
        Ok(Outcome::SignedIn(Box::new(user)))
    })
}

/// Links a provider identity to a signed-in member who asked for it from Settings.
pub fn link_to_signed_in(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    user_id: i64,
    identity: &ProviderIdentity,
    provider_name: &str,
    now: NaiveDateTime,
) -> ServiceResult<User> {
    feed.write(conn, now, |conn, changes| {
        let user = users::find(conn, user_id)?.ok_or(ServiceError::NotFound("User"))?;
        ensure_may_sign_in(&user)?;
        link(conn, changes, &user, identity, provider_name, now)?;
        follow_role(conn, changes, user, identity, provider_name, now)
    })
}

/// Links `identity` to `user`, refusing one already linked to someone else; inside a write.
pub(crate) fn link(
    conn: &mut DbConnection,
    changes: &mut Changes,
    user: &User,
    identity: &ProviderIdentity,
    provider_name: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    match sso::find_identity(conn, &identity.provider, &identity.subject)? {
        Some(existing) if existing.user_id == user.id => Ok(()),
        Some(_) => Err(ServiceError::Conflict(format!(
            "This {provider_name} account is already linked to another account here. Sign in with it to use that account."
        ))),
        None => {
            record_identity(conn, user.id, identity, now)?;
            changes.push(Change::AccountChanged { user: user.id, what: AccountChange::SignInMethods });
            Ok(())
        }
    }
}

/// Links the identity's provider account to `user_id`.
fn record_identity(
    conn: &mut DbConnection,
    user_id: i64,
    identity: &ProviderIdentity,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    sso::insert_identity(
        conn,
        &NewSsoIdentity {
            user_id,
            provider: &identity.provider,
            subject: &identity.subject,
            email: identity.email.as_deref(),
            created_at: now,
            last_used_at: now,
        },
    )?;
    Ok(())
}

/// Refuses suspended and deleted accounts, with the words the password sign-in uses.
pub(crate) fn ensure_may_sign_in(user: &User) -> ServiceResult<()> {
    if user.deleted_at.is_some() {
        return Err(ServiceError::Gone("This account was deleted.".to_owned()));
    }
    if user.suspended_at.is_some() {
        return Err(ServiceError::Forbidden(
            "This account is suspended. Contact the site's staff if you think this is a mistake.".to_owned(),
        ));
    }
    Ok(())
}

/// A new member from a provider identity: a unique username from the claim, the address
/// verified only when the provider says so (and kept off when another account has it).
fn create_member(
    conn: &mut DbConnection,
    changes: &mut Changes,
    outbox: &Outbox,
    identity: &ProviderIdentity,
    now: NaiveDateTime,
) -> ServiceResult<User> {
    let username = usernames::unique(conn, identity)?;
    let display_name = identity
        .display_name
        .as_deref()
        .map(|name| name.chars().take(60).collect::<String>())
        .unwrap_or_else(|| username.clone());
    let email = match &identity.email {
        Some(email) if super::accounts::normalize_email(email).is_ok() && !users::email_taken(conn, email)? => {
            Some(email.clone())
        }
        _ => None,
    };
    let verified = email.is_some() && identity.email_verified;
    let id = users::insert(
        conn,
        &NewUser {
            username: &username,
            username_key: &username.to_lowercase(),
            display_name: &display_name,
            email: email.as_deref(),
            password_hash: None,
            role: Role::Member,
            email_verified_at: verified.then_some(now),
            created_at: now,
        },
    )?;
    let user = users::find(conn, id)?.ok_or(ServiceError::NotFound("User"))?;
    changes.push(Change::AccountCreated { user: user.id });
    record_identity(conn, user.id, identity, now)?;
    users::touch_last_seen(conn, user.id, now)?;
    if let (Some(email), false) = (&email, verified) {
        sign_up::queue_verification(conn, changes, outbox, &user, email, now)?;
    }
    Ok(user)
}

/// Sets the role the provider's claim grants, when roles follow this provider: staff or
/// moderator, or member when the claim no longer holds either. Admins are left alone.
fn follow_role(
    conn: &mut DbConnection,
    changes: &mut Changes,
    user: User,
    identity: &ProviderIdentity,
    provider_name: &str,
    now: NaiveDateTime,
) -> ServiceResult<User> {
    let Some(wanted) = identity.role else { return Ok(user) };
    if user.role == Role::Admin || user.role == wanted || wanted == Role::Admin {
        return Ok(user);
    }
    users::set_role(conn, user.id, wanted)?;
    changes.push(Change::AccountChanged { user: user.id, what: AccountChange::Role });
    let detail = format!("{} -> {wanted} (from {provider_name} at sign-in)", user.role);
    audit::record_automatic(conn, "user.role", ("user", user.id), Some(&detail), now)?;
    users::find(conn, user.id)?.ok_or(ServiceError::NotFound("User"))
}
