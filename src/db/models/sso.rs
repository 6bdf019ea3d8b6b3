//! The single sign-on tables: linked identities, sign-ins under way, and links waiting for proof.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{sso_attempts, sso_identities, sso_link_requests};
use crate::db::DbConnection;

/// One provider account linked to a Guidepost account.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = sso_identities)]
pub struct SsoIdentity {
    /// Row id.
    pub id: i64,
    /// The Guidepost account.
    pub user_id: i64,
    /// The provider's id from the configuration.
    pub provider: String,
    /// The provider's name for the person (`sub`).
    pub subject: String,
    /// The address the provider gave when it was linked or last used.
    pub email: Option<String>,
    /// When it was linked.
    pub created_at: NaiveDateTime,
    /// When it last signed someone in.
    pub last_used_at: NaiveDateTime,
}

/// An identity to link.
#[derive(Debug, Insertable)]
#[diesel(table_name = sso_identities)]
pub struct NewSsoIdentity<'a> {
    /// The Guidepost account.
    pub user_id: i64,
    /// The provider's id.
    pub provider: &'a str,
    /// The provider's subject.
    pub subject: &'a str,
    /// The provider's address for the person.
    pub email: Option<&'a str>,
    /// Now.
    pub created_at: NaiveDateTime,
    /// Now.
    pub last_used_at: NaiveDateTime,
}

/// Links an identity.
pub fn insert_identity(conn: &mut DbConnection, identity: &NewSsoIdentity<'_>) -> QueryResult<usize> {
    diesel::insert_into(sso_identities::table).values(identity).execute(conn)
}

/// The identity a provider's subject is linked as, if any.
pub fn find_identity(conn: &mut DbConnection, provider: &str, subject: &str) -> QueryResult<Option<SsoIdentity>> {
    sso_identities::table
        .filter(sso_identities::provider.eq(provider))
        .filter(sso_identities::subject.eq(subject))
        .select(SsoIdentity::as_select())
        .first(conn)
        .optional()
}

/// Notes a sign-in through an identity, and the address the provider gave this time.
pub fn touch_identity(conn: &mut DbConnection, id: i64, email: Option<&str>, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(sso_identities::table.find(id))
        .set((sso_identities::last_used_at.eq(now), sso_identities::email.eq(email)))
        .execute(conn)
}

/// A member's linked identities, oldest first.
pub fn identities_of(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<SsoIdentity>> {
    sso_identities::table
        .filter(sso_identities::user_id.eq(user_id))
        .order(sso_identities::id.asc())
        .select(SsoIdentity::as_select())
        .load(conn)
}

/// Unlinks one of a member's identities; 0 when it is not theirs.
pub fn delete_identity(conn: &mut DbConnection, user_id: i64, id: i64) -> QueryResult<usize> {
    diesel::delete(sso_identities::table.filter(sso_identities::id.eq(id)).filter(sso_identities::user_id.eq(user_id)))
        .execute(conn)
}

/// Unlinks every identity of an account (account deletion).
pub fn delete_identities_of(conn: &mut DbConnection, user_id: i64) -> QueryResult<usize> {
    diesel::delete(sso_identities::table.filter(sso_identities::user_id.eq(user_id))).execute(conn)
}

/// A sign-in under way.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sso_attempts)]
pub struct SsoAttempt {
    /// SHA-256 of the state parameter, hex.
    pub state_hash: String,
    /// The provider's id.
    pub provider: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier the code exchange proves itself with.
    pub pkce_verifier: String,
    /// The member linking a provider, or `None` for a sign-in.
    pub user_id: Option<i64>,
    /// Where to go afterwards (a path on this site).
    pub return_to: String,
    /// When it started.
    pub created_at: NaiveDateTime,
    /// When it stops being honoured.
    pub expires_at: NaiveDateTime,
}

/// Records a sign-in under way, dropping any that have expired.
pub fn insert_attempt(conn: &mut DbConnection, attempt: &SsoAttempt) -> QueryResult<usize> {
    diesel::delete(sso_attempts::table.filter(sso_attempts::expires_at.lt(attempt.created_at))).execute(conn)?;
    diesel::insert_into(sso_attempts::table).values(attempt).execute(conn)
}

/// Takes the sign-in a state names: found and deleted together, so only one caller on any node
/// gets it. `None` when unknown, already taken, or expired.
pub fn take_attempt(conn: &mut DbConnection, state_hash: &str, now: NaiveDateTime) -> QueryResult<Option<SsoAttempt>> {
    let Some(attempt) = sso_attempts::table.find(state_hash).select(SsoAttempt::as_select()).first(conn).optional()?
    else {
        return Ok(None);
    };
    let taken = diesel::delete(sso_attempts::table.find(state_hash)).execute(conn)? == 1;
    Ok((taken && attempt.expires_at > now).then_some(attempt))
}

/// A provider account waiting to be linked.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sso_link_requests)]
pub struct SsoLinkRequest {
    /// Row id.
    pub id: i64,
    /// The existing account with the provider's address.
    pub user_id: i64,
    /// The provider's id.
    pub provider: String,
    /// The provider's subject.
    pub subject: String,
    /// The address the provider vouched for.
    pub email: String,
    /// SHA-256 of the token in the browser's cookie.
    pub browser_token_hash: String,
    /// SHA-256 of the mailed token, once one was mailed.
    pub mail_token_hash: Option<String>,
    /// When it was made.
    pub created_at: NaiveDateTime,
    /// When it stops being honoured.
    pub expires_at: NaiveDateTime,
}

/// A link request to record.
#[derive(Debug, Insertable)]
#[diesel(table_name = sso_link_requests)]
pub struct NewSsoLinkRequest<'a> {
    /// The existing account.
    pub user_id: i64,
    /// The provider's id.
    pub provider: &'a str,
    /// The provider's subject.
    pub subject: &'a str,
    /// The vouched-for address.
    pub email: &'a str,
    /// SHA-256 of the browser's token.
    pub browser_token_hash: &'a str,
    /// Now.
    pub created_at: NaiveDateTime,
    /// When it expires.
    pub expires_at: NaiveDateTime,
}

/// Records a link request, dropping expired ones.
pub fn insert_link_request(conn: &mut DbConnection, request: &NewSsoLinkRequest<'_>) -> QueryResult<usize> {
    diesel::delete(sso_link_requests::table.filter(sso_link_requests::expires_at.lt(request.created_at)))
        .execute(conn)?;
    diesel::insert_into(sso_link_requests::table).values(request).execute(conn)
}

/// The unexpired link request the browser's token names.
pub fn link_request_by_browser(
    conn: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<SsoLinkRequest>> {
    sso_link_requests::table
        .filter(sso_link_requests::browser_token_hash.eq(token_hash))
        .filter(sso_link_requests::expires_at.gt(now))
        .select(SsoLinkRequest::as_select())
        .first(conn)
        .optional()
}

/// The unexpired link request a mailed token names.
pub fn link_request_by_mail(
    conn: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<SsoLinkRequest>> {
    sso_link_requests::table
        .filter(sso_link_requests::mail_token_hash.eq(token_hash))
        .filter(sso_link_requests::expires_at.gt(now))
        .select(SsoLinkRequest::as_select())
        .first(conn)
        .optional()
}

/// Notes the token mailed for a request (a new mail replaces the last one's token).
pub fn set_mail_token(conn: &mut DbConnection, id: i64, token_hash: &str) -> QueryResult<usize> {
    diesel::update(sso_link_requests::table.find(id))
        .set(sso_link_requests::mail_token_hash.eq(token_hash))
        .execute(conn)
}

/// Deletes a request once used; 1 for the one caller that used it.
pub fn delete_link_request(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(sso_link_requests::table.find(id)).execute(conn)
}

/// Drops every link request waiting on an account (account deletion).
pub fn delete_link_requests_of(conn: &mut DbConnection, user_id: i64) -> QueryResult<usize> {
    diesel::delete(sso_link_requests::table.filter(sso_link_requests::user_id.eq(user_id))).execute(conn)
}
