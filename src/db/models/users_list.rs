//! The `/users` page's queries: members by reputation, or by their answers' score in one tag,
//! each read a page at a time along an index (keyset: `WHERE (key, id) < (last key, last id)`).
//!
//! Deleted and suspended accounts are left out: the page lists members in good standing (a
//! suspended member's profile stays reachable from their posts).

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::schema::{user_tag_scores, users};
use crate::db::DbConnection;

diesel::define_sql_function! {
    /// SQL `lower(text)`, the same on SQLite (ASCII letters) and PostgreSQL.
    fn lower(text: Text) -> Text;
}

/// One member's card, and the key the list is ordered by.
#[derive(Debug, Clone, Queryable, serde::Serialize)]
pub struct ListedMember {
    /// Row id.
    pub id: i64,
    /// The name as typed.
    pub username: String,
    /// The name shown on posts.
    pub display_name: String,
    /// Reputation.
    pub reputation: i64,
    /// Gold badges held.
    pub gold_badges: i32,
    /// Silver badges held.
    pub silver_badges: i32,
    /// Bronze badges held.
    pub bronze_badges: i32,
    /// The list's key: reputation, or the score of the member's answers in the tag.
    pub key: i64,
    /// Answers in the tag (0 on the reputation list).
    pub answers: i64,
}

/// Where a page starts: after the member with this key and id.
pub type After = (i64, i64);

/// `%needle%` for LIKE, lower-cased, with the wildcards in it escaped.
fn contains_pattern(needle: &str) -> String {
    let escaped = needle.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// Up to `limit` members by reputation, highest first (then newest), after `after`, whose
/// username or display name contains `name` (any case). Served by `users_by_reputation`.
pub fn by_reputation(
    conn: &mut DbConnection,
    name: Option<&str>,
    after: Option<After>,
    limit: i64,
) -> QueryResult<Vec<ListedMember>> {
    let mut query = users::table
        .filter(users::deleted_at.is_null())
        .filter(users::suspended_at.is_null())
        .order((users::reputation.desc(), users::id.desc()))
        .limit(limit)
        .select((
            users::id,
            users::username,
            users::display_name,
            users::reputation,
            users::gold_badges,
            users::silver_badges,
            users::bronze_badges,
            users::reputation,
            0_i64.into_sql::<diesel::sql_types::BigInt>(),
        ))
        .into_boxed();
    if let Some(name) = name {
        let pattern = contains_pattern(name);
        query = query.filter(
            users::username_key
                .like(pattern.clone())
                .escape('\\')
                .or(lower(users::display_name).like(pattern).escape('\\')),
        );
    }
    if let Some((reputation, id)) = after {
        query =
            query.filter(users::reputation.lt(reputation).or(users::reputation.eq(reputation).and(users::id.lt(id))));
    }
    query.load(conn)
}

/// Members by their answers' total score in tag `tag_id` (then newest), after `after`, filtered by
/// `name` as [`by_reputation`] is. The totals are the badge job's `user_tag_scores`, read along
/// its `(tag_id, answer_score, user_id)` index, so a page costs the same in any tag.
pub fn by_tag_score(
    conn: &mut DbConnection,
    tag_id: i64,
    name: Option<&str>,
    after: Option<After>,
    limit: i64,
) -> QueryResult<Vec<ListedMember>> {
    let mut query = user_tag_scores::table
        .inner_join(users::table)
        .filter(user_tag_scores::tag_id.eq(tag_id))
        .filter(user_tag_scores::answer_count.gt(0))
        .filter(users::deleted_at.is_null())
        .filter(users::suspended_at.is_null())
        .order((user_tag_scores::answer_score.desc(), user_tag_scores::user_id.desc()))
        .limit(limit)
        .select((
            users::id,
            users::username,
            users::display_name,
            users::reputation,
            users::gold_badges,
            users::silver_badges,
            users::bronze_badges,
            user_tag_scores::answer_score,
            user_tag_scores::answer_count,
        ))
        .into_boxed();
    if let Some(name) = name {
        let pattern = contains_pattern(name);
        query = query.filter(
            users::username_key
                .like(pattern.clone())
                .escape('\\')
                .or(lower(users::display_name).like(pattern).escape('\\')),
        );
    }
    if let Some((key, id)) = after {
        query = query.filter(
            user_tag_scores::answer_score
                .lt(key)
                .or(user_tag_scores::answer_score.eq(key).and(user_tag_scores::user_id.lt(id))),
        );
    }
    query.load(conn)
}
