//! The `break_glass_links` table: administrators' one-time sign-in links, by the SHA-256 of
//! their secret.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::break_glass_links;
use crate::db::DbConnection;

/// A stored link.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = break_glass_links)]
pub struct BreakGlassLink {
    /// Row id.
    pub id: i64,
    /// The admin it signs in.
    pub user_id: i64,
    /// SHA-256 of the secret, hex.
    pub token_hash: String,
    /// When it was printed.
    pub created_at: NaiveDateTime,
    /// When it stops working.
    pub expires_at: NaiveDateTime,
    /// When it was used; a used link never works again.
    pub used_at: Option<NaiveDateTime>,
}

/// Records a link, dropping expired ones.
pub fn insert(
    conn: &mut DbConnection,
    user_id: i64,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(break_glass_links::table.filter(break_glass_links::expires_at.lt(now))).execute(conn)?;
    diesel::insert_into(break_glass_links::table)
        .values((
            break_glass_links::user_id.eq(user_id),
            break_glass_links::token_hash.eq(token_hash),
            break_glass_links::created_at.eq(now),
            break_glass_links::expires_at.eq(expires_at),
        ))
        .execute(conn)
}

/// The unused, unexpired link with this digest.
pub fn find_valid(
    conn: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<BreakGlassLink>> {
    break_glass_links::table
        .filter(break_glass_links::token_hash.eq(token_hash))
        .filter(break_glass_links::used_at.is_null())
        .filter(break_glass_links::expires_at.gt(now))
        .select(BreakGlassLink::as_select())
        .first(conn)
        .optional()
}

/// Marks a link used; false when another use won.
pub fn mark_used(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let updated = diesel::update(break_glass_links::table.find(id).filter(break_glass_links::used_at.is_null()))
        .set(break_glass_links::used_at.eq(now))
        .execute(conn)?;
    Ok(updated == 1)
}
