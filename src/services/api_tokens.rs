//! Personal API tokens: made and revoked by their member in Settings, listed and revoked by
//! admins, and checked on every API request that carries one.
//!
//! A token is shown once, when it is made; only its SHA-256 is stored, like every other secret
//! handed to a member (a token carries 256 random bits, so a fast digest is as strong as a slow
//! one). Every token action is audited in the transaction that performs it.

use chrono::{NaiveDateTime, TimeDelta};
use serde::Serialize;

use super::actor::Actor;
use super::{audit, tokens, ServiceError, ServiceResult};
use crate::changes::ChangeFeed;
use crate::db::models::api_tokens::{self as rows, ApiToken, NewApiToken};
use crate::db::{write_transaction, DbConnection};
use crate::domain::ApiScope;

/// What every token starts with, so secret scanners and people can recognise one.
pub const PREFIX: &str = "gpt_";
/// Characters of a token kept in the clear, to tell tokens apart in lists.
const SHOWN_CHARACTERS: usize = PREFIX.len() + 6;
/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 60;
/// The most tokens that work at once per member: enough for every integration, few enough to
/// keep the Settings list readable.
pub const MAX_ACTIVE: usize = 25;
/// The longest expiry a member may choose, in days.
pub const MAX_EXPIRY_DAYS: i64 = 3650;
/// A token's last use is written at most this often, so API reads stay reads.
const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(1);
/// The audit log's actions.
const CREATED: &str = "api_token.create";
const REVOKED: &str = "api_token.revoke";
/// The audit log's target kind.
pub const TARGET_KIND: &str = "api_token";

/// The Settings form for a new token.
#[derive(Debug, Clone, Default)]
pub struct NewToken {
    /// The member's name for it.
    pub name: String,
    /// The scopes asked for, as their words.
    pub scopes: Vec<String>,
    /// Days until it stops working; `None` for never.
    pub expires_in_days: Option<i64>,
}

/// A token as lists show it: never the secret.
#[derive(Debug, Clone, Serialize)]
pub struct TokenView {
    /// Row id.
    pub id: i64,
    /// The member's name for it.
    pub name: String,
    /// Its first characters, followed by an ellipsis in pages.
    pub prefix: String,
    /// Its scopes.
    pub scopes: Vec<ApiScope>,
    /// When it was made.
    pub created_at: NaiveDateTime,
    /// When it stops working, if ever.
    pub expires_at: Option<NaiveDateTime>,
    /// When a request last used it.
    pub last_used_at: Option<NaiveDateTime>,
    /// When it was revoked.
    pub revoked_at: Option<NaiveDateTime>,
    /// Whether it still opens the API.
    pub active: bool,
    /// Its member's username (admins' list).
    pub owner: Option<String>,
}

impl TokenView {
    fn of(token: ApiToken, owner: Option<String>, now: NaiveDateTime) -> Self {
        let active = token.revoked_at.is_none() && token.expires_at.is_none_or(|at| at > now);
        Self {
            id: token.id,
            scopes: ApiScope::parse_list(&token.scopes),
            name: token.name,
            prefix: token.prefix,
            created_at: token.created_at,
            expires_at: token.expires_at,
            last_used_at: token.last_used_at,
            revoked_at: token.revoked_at,
            active,
            owner,
        }
    }
}

/// A program's credentials, as an API request presents them.
#[derive(Debug, Clone)]
pub struct Bearer {
    /// The token's row id.
    pub token_id: i64,
    /// The member the program acts for.
    pub actor: Actor,
    /// What the token allows.
    pub scopes: Vec<ApiScope>,
}

/// The same refusal for every kind of bad token: unknown, revoked, expired or its member gone.
fn refused() -> ServiceError {
    ServiceError::Unauthenticated
}

/// Checks a presented token; notes its use (at most once a minute).
pub fn authenticate(conn: &mut DbConnection, secret: &str, now: NaiveDateTime) -> ServiceResult<Bearer> {
    // Tokens are the prefix and 43 characters; anything else never reaches the database.
    if secret.len() != PREFIX.len() + 43 || !secret.starts_with(PREFIX) {
        return Err(refused());
    }
    let Some((token, user)) = rows::find_by_hash(conn, &tokens::digest(secret))? else {
        return Err(refused());
    };
    let expired = token.expires_at.is_some_and(|at| at <= now);
    if token.revoked_at.is_some() || expired || user.deleted_at.is_some() {
        return Err(refused());
    }
    if token.last_used_at.is_none_or(|at| at + TOUCH_EVERY <= now) {
        // A transaction of its own, so on SQLite it waits its turn with the other writers.
        write_transaction(conn, |conn| rows::touch(conn, token.id, now))?;
    }
    Ok(Bearer { token_id: token.id, actor: Actor::from_user(&user), scopes: ApiScope::parse_list(&token.scopes) })
}

/// The member's own tokens, newest first.
pub fn list_own(conn: &mut DbConnection, actor: &Actor, now: NaiveDateTime) -> ServiceResult<Vec<TokenView>> {
    Ok(rows::of_user(conn, actor.id)?.into_iter().map(|t| TokenView::of(t, None, now)).collect())
}

/// Checks a new token's form: a name, known scopes (staff only for staff), a sane expiry.
fn check(actor: &Actor, form: &NewToken) -> ServiceResult<(String, Vec<ApiScope>)> {
    let name = form.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ServiceError::invalid(
            "name",
            format!("Name the token (up to {MAX_NAME_CHARS} characters) so you can tell what uses it."),
        ));
    }
    let mut scopes = Vec::new();
    for word in &form.scopes {
        let scope = ApiScope::from_stored(word.trim()).ok_or_else(|| {
            ServiceError::invalid("scopes", format!("There is no scope called \u{201c}{word}\u{201d}."))
        })?;
        scopes.push(scope);
    }
    if scopes.is_empty() {
        return Err(ServiceError::invalid("scopes", "Choose at least one scope."));
    }
    if scopes.contains(&ApiScope::Staff) && !actor.role.is_staff() {
        return Err(ServiceError::invalid("scopes", "Only staff can make a token with the staff scope."));
    }
    if let Some(days) = form.expires_in_days {
        if !(1..=MAX_EXPIRY_DAYS).contains(&days) {
            return Err(ServiceError::invalid(
                "expires_in_days",
                format!("Choose an expiry between 1 and {MAX_EXPIRY_DAYS} days, or none."),
            ));
        }
    }
    Ok((name, scopes))
}

/// Makes a token for the member; returns it and the secret, which is never shown again.
pub fn create(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    form: &NewToken,
    now: NaiveDateTime,
) -> ServiceResult<(TokenView, String)> {
    if actor.suspended {
        return Err(ServiceError::Forbidden("Your account is suspended, so you cannot make API tokens.".to_owned()));
    }
    let (name, scopes) = check(actor, form)?;
    let secret = format!("{PREFIX}{}", tokens::generate());
    let prefix: String = secret.chars().take(SHOWN_CHARACTERS).collect();
    let stored_scopes = ApiScope::list_to_stored(&scopes);
    let expires_at = form.expires_in_days.map(|days| now + TimeDelta::days(days));
    let id = feed.write(conn, now, |conn, _changes| {
        let active = list_own(conn, actor, now)?.iter().filter(|t| t.active).count();
        if active >= MAX_ACTIVE {
            return Err(ServiceError::Conflict(format!(
                "You have {MAX_ACTIVE} working tokens already; revoke one you no longer use first."
            )));
        }
        let id = rows::insert(
            conn,
            &NewApiToken {
                user_id: actor.id,
                name: &name,
                token_hash: &tokens::digest(&secret),
                prefix: &prefix,
                scopes: &stored_scopes,
                created_at: now,
                expires_at,
            },
        )?;
        let detail = format!("{name} ({stored_scopes})");
        audit::record(conn, actor, CREATED, (TARGET_KIND, id), Some(&detail), now)?;
        Ok(id)
    })?;
    let token = rows::find(conn, id)?.ok_or(ServiceError::NotFound("Token"))?;
    Ok((TokenView::of(token, None, now), secret))
}

/// Revokes one of the member's own tokens.
pub fn revoke_own(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    id: i64,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    revoke(conn, feed, actor, id, now, |token| token.user_id == actor.id)
}

/// Every member's tokens, newest first (admins only).
pub fn list_all(conn: &mut DbConnection, actor: &Actor, now: NaiveDateTime) -> ServiceResult<Vec<TokenView>> {
    actor.ensure_admin()?;
    Ok(rows::all_with_owner(conn, 500)?.into_iter().map(|(t, owner)| TokenView::of(t, Some(owner), now)).collect())
}

/// Revokes any member's token (admins only).
pub fn revoke_any(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    id: i64,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    actor.ensure_admin()?;
    revoke(conn, feed, actor, id, now, |_| true)
}

/// Revokes the token `id` if `may` allows it; revoking a revoked token is a no-op.
fn revoke(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    id: i64,
    now: NaiveDateTime,
    may: impl Fn(&ApiToken) -> bool,
) -> ServiceResult<()> {
    feed.write(conn, now, |conn, _changes| {
        // Someone else's token reads as missing: ids must not reveal which tokens exist.
        let token = rows::find(conn, id)?.filter(|t| may(t)).ok_or(ServiceError::NotFound("Token"))?;
        if rows::revoke(conn, token.id, actor.id, now)? {
            audit::record(conn, actor, REVOKED, (TARGET_KIND, token.id), Some(&token.name), now)?;
        }
        Ok(())
    })
}
