//! The `api_tokens` table: members' personal API tokens, named by the SHA-256 of their secret.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::users::User;
use crate::db::schema::{api_tokens, users};
use crate::db::DbConnection;

/// A token to record; the secret itself is never stored.
#[derive(Debug, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct NewApiToken<'a> {
    /// Whose token it is.
    pub user_id: i64,
    /// The member's name for it ("help desk sync").
    pub name: &'a str,
    /// SHA-256 of the secret, hex.
    pub token_hash: &'a str,
    /// The secret's first characters, to tell tokens apart in lists.
    pub prefix: &'a str,
    /// Space-separated scopes.
    pub scopes: &'a str,
    /// When it was made.
    pub created_at: NaiveDateTime,
    /// When it stops working, if ever.
    pub expires_at: Option<NaiveDateTime>,
}

/// A stored token, as lists show it.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    /// Row id.
    pub id: i64,
    /// Whose token it is.
    pub user_id: i64,
    /// The member's name for it.
    pub name: String,
    /// The secret's first characters.
    pub prefix: String,
    /// Space-separated scopes.
    pub scopes: String,
    /// When it was made.
    pub created_at: NaiveDateTime,
    /// When it stops working, if ever.
    pub expires_at: Option<NaiveDateTime>,
    /// When a request last used it (to the minute).
    pub last_used_at: Option<NaiveDateTime>,
    /// When it was revoked.
    pub revoked_at: Option<NaiveDateTime>,
}

/// Records a token; returns its id.
pub fn insert(conn: &mut DbConnection, token: &NewApiToken<'_>) -> QueryResult<i64> {
    diesel::insert_into(api_tokens::table).values(token).returning(api_tokens::id).get_result(conn)
}

/// The token whose secret has this digest, with its member, revoked or not.
pub fn find_by_hash(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<(ApiToken, User)>> {
    api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(token_hash))
        .select((ApiToken::as_select(), User::as_select()))
        .first(conn)
        .optional()
}

/// One token by id.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<ApiToken>> {
    api_tokens::table.find(id).select(ApiToken::as_select()).first(conn).optional()
}

/// A member's tokens, newest first, revoked ones included.
pub fn of_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<ApiToken>> {
    api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .order(api_tokens::id.desc())
        .select(ApiToken::as_select())
        .load(conn)
}

/// Every member's tokens that still work or stopped lately, newest first, with the owner's
/// username; at most `limit`.
pub fn all_with_owner(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<(ApiToken, String)>> {
    api_tokens::table
        .inner_join(users::table)
        .order(api_tokens::id.desc())
        .limit(limit)
        .select((ApiToken::as_select(), users::username))
        .load(conn)
}

/// Notes that the token was used at `now`.
pub fn touch(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(api_tokens::table.find(id)).set(api_tokens::last_used_at.eq(now)).execute(conn)
}

/// Revokes a token that is not revoked yet; returns whether it was.
pub fn revoke(conn: &mut DbConnection, id: i64, by: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(api_tokens::table.find(id).filter(api_tokens::revoked_at.is_null()))
        .set((api_tokens::revoked_at.eq(now), api_tokens::revoked_by.eq(by)))
        .execute(conn)?;
    Ok(changed == 1)
}
