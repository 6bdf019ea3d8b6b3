//! The `auth_tokens` table: hashed single-use secrets.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::auth_tokens;
use crate::db::DbConnection;
pub use crate::domain::TokenPurpose;

/// A stored token.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = auth_tokens)]
pub struct AuthToken {
    /// Row id.
    pub id: i64,
    /// Whose token it is.
    pub user_id: i64,
    /// What it is for.
    pub purpose: TokenPurpose,
    /// SHA-256 of the secret, hex.
    pub token_hash: String,
    /// The address being verified, for email verification.
    pub email: Option<String>,
    /// When it was issued.
    pub created_at: NaiveDateTime,
    /// When it stops working.
    pub expires_at: NaiveDateTime,
    /// When it was used; a used token never works again.
    pub used_at: Option<NaiveDateTime>,
}

/// A token to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = auth_tokens)]
pub struct NewAuthToken<'a> {
    /// Whose token it is.
    pub user_id: i64,
    /// What it is for.
    pub purpose: TokenPurpose,
    /// SHA-256 of the secret, hex.
    pub token_hash: &'a str,
    /// The address being verified, for email verification.
    pub email: Option<&'a str>,
    /// When it was issued.
    pub created_at: NaiveDateTime,
    /// When it stops working.
    pub expires_at: NaiveDateTime,
}

/// Stores a new token.
pub fn insert(conn: &mut DbConnection, token: &NewAuthToken<'_>) -> QueryResult<()> {
    diesel::insert_into(auth_tokens::table).values(token).execute(conn).map(drop)
}

/// Looks a token up by the digest of its secret.
pub fn find_by_hash(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<AuthToken>> {
    auth_tokens::table.filter(auth_tokens::token_hash.eq(hash)).select(AuthToken::as_select()).first(conn).optional()
}

/// Marks a token used, only if it still was unused; returns whether this call used it.
pub fn mark_used(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let updated =
        diesel::update(auth_tokens::table.filter(auth_tokens::id.eq(id)).filter(auth_tokens::used_at.is_null()))
            .set(auth_tokens::used_at.eq(now))
            .execute(conn)?;
    Ok(updated == 1)
}

/// Retires every unused token of one purpose for a user (a newer one replaces them).
pub fn retire_all(
    conn: &mut DbConnection,
    user_id: i64,
    purpose: TokenPurpose,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        auth_tokens::table
            .filter(auth_tokens::user_id.eq(user_id))
            .filter(auth_tokens::purpose.eq(purpose))
            .filter(auth_tokens::used_at.is_null()),
    )
    .set(auth_tokens::used_at.eq(now))
    .execute(conn)
}
