//! Linking a provider account to the existing account with its address. The provider vouching
//! for the address is not enough (a provider may vouch for any address), so the account proves
//! itself first: its password, typed once in the browser that came back from the provider, or
//! the link mailed to its address.

use chrono::{Duration, NaiveDateTime};
use tera::Context;

use super::{link, ServiceError, ServiceResult};
use crate::changes::ChangeFeed;
use crate::db::models::sso::{self, NewSsoLinkRequest, SsoLinkRequest};
use crate::db::models::users::{self, User};
use crate::db::DbConnection;
use crate::mail::{Letter, Outbox};
use crate::services::tokens;
use crate::sso::ProviderIdentity;

/// How long a link request waits for proof.
pub const REQUEST_LIFETIME: Duration = Duration::hours(1);

fn expired() -> ServiceError {
    ServiceError::Gone(
        "This link request has expired or was already used. Sign in with your provider again.".to_owned(),
    )
}

/// Opens a request to link `identity` to `owner`; returns the secret for the browser's cookie.
pub(super) fn open_request(
    conn: &mut DbConnection,
    owner: &User,
    identity: &ProviderIdentity,
    email: &str,
    now: NaiveDateTime,
) -> ServiceResult<String> {
    let browser_token = tokens::generate();
    sso::insert_link_request(
        conn,
        &NewSsoLinkRequest {
            user_id: owner.id,
            provider: &identity.provider,
            subject: &identity.subject,
            email,
            browser_token_hash: &tokens::digest(&browser_token),
            created_at: now,
            expires_at: now + REQUEST_LIFETIME,
        },
    )?;
    Ok(browser_token)
}

/// The request this browser holds, and the account it would link to.
pub fn request_for_browser(
    conn: &mut DbConnection,
    browser_token: &str,
    now: NaiveDateTime,
) -> ServiceResult<(SsoLinkRequest, User)> {
    let request = sso::link_request_by_browser(conn, &tokens::digest(browser_token), now)?.ok_or_else(expired)?;
    let owner = users::find(conn, request.user_id)?.ok_or_else(expired)?;
    Ok((request, owner))
}

/// Mails the account's address a link that completes the request; a new mail voids the last one.
pub fn mail_link(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    outbox: &Outbox,
    browser_token: &str,
    provider_name: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    feed.write(conn, now, |conn, changes| {
        let (request, owner) = request_for_browser(conn, browser_token, now)?;
        let to = owner.email.clone().ok_or_else(expired)?;
        let mail_token = tokens::generate();
        sso::set_mail_token(conn, request.id, &tokens::digest(&mail_token))?;
        let mut context = Context::new();
        context.insert("username", &owner.username);
        context.insert("provider", provider_name);
        context.insert("path", &format!("/auth/sso/link/{mail_token}"));
        context.insert("minutes", &REQUEST_LIFETIME.num_minutes());
        outbox.queue(
            conn,
            changes,
            Letter { to: &to, subject: format!("Link your {provider_name} account"), template: "sso_link", context },
        )
    })
}

/// The request a mailed token names, for the confirmation page.
pub fn request_for_mail(
    conn: &mut DbConnection,
    mail_token: &str,
    now: NaiveDateTime,
) -> ServiceResult<(SsoLinkRequest, User)> {
    if mail_token.len() != 43 {
        return Err(expired());
    }
    let request = sso::link_request_by_mail(conn, &tokens::digest(mail_token), now)?.ok_or_else(expired)?;
    let owner = users::find(conn, request.user_id)?.ok_or_else(expired)?;
    Ok((request, owner))
}

/// Completes a request whose account proved itself (the caller checked the password, or the
/// mailed token named it): links the identity and returns the account to sign in. The request
/// keeps no claims, so a role claim is followed from the next sign-in on.
pub fn complete(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    request: &SsoLinkRequest,
    provider_name: &str,
    now: NaiveDateTime,
) -> ServiceResult<User> {
    feed.write(conn, now, |conn, changes| {
        if sso::delete_link_request(conn, request.id)? != 1 {
            return Err(expired());
        }
        let owner = users::find(conn, request.user_id)?.ok_or_else(expired)?;
        super::ensure_may_sign_in(&owner)?;
        let identity = ProviderIdentity {
            provider: request.provider.clone(),
            subject: request.subject.clone(),
            username: None,
            display_name: None,
            email: Some(request.email.clone()),
            email_verified: true,
            role: None,
        };
        link(conn, changes, &owner, &identity, provider_name, now)?;
        users::touch_last_seen(conn, owner.id, now)?;
        Ok(owner)
    })
}
