//! The `/users` page's queries: members by reputation, or by their answers' score in one tag,
//! each read a page at a time along an index (keyset: `WHERE (key, id) < (last key, last id)`).
//!
//! Deleted and suspended accounts are left out: the page lists members in good standing (a
//! suspended member's profile stays reachable from their posts).

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::schema::{post_tags, posts, users};
use crate::db::DbConnection;
use crate::domain::PostKind;

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

/// Up to `limit` members by the total score of their answers in tag `tag_id`, highest first
/// (then newest), after `after`, filtered by `name` as [`by_reputation`] is.
///
/// Interim: this sums the tag's answers on every request, so its cost grows with the tag. The
/// badge job's `user_tag_scores` table keeps these sums; once it is in, this reads that table
/// along its `(tag_id, answer_score)` index instead (same results, same cursor).
pub fn by_tag_score(
    conn: &mut DbConnection,
    tag_id: i64,
    name: Option<&str>,
    after: Option<After>,
    limit: i64,
) -> QueryResult<Vec<ListedMember>> {
    let score = diesel::dsl::sum(posts::score);
    let total = score.assume_not_null();
    let mut query = posts::table
        .inner_join(post_tags::table.on(post_tags::post_id.nullable().eq(posts::question_id)))
        .inner_join(users::table.on(users::id.eq(posts::author_id)))
        .filter(post_tags::tag_id.eq(tag_id))
        .filter(posts::kind.eq(PostKind::Answer))
        .filter(posts::deleted_at.is_null())
        .filter(users::deleted_at.is_null())
        .filter(users::suspended_at.is_null())
        .group_by(users::id)
        .order((total.desc(), users::id.desc()))
        .limit(limit)
        .select((
            users::id,
            users::username,
            users::display_name,
            users::reputation,
            users::gold_badges,
            users::silver_badges,
            users::bronze_badges,
            total,
            diesel::dsl::count(posts::id),
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
        query = query.having(total.lt(key).or(total.eq(key).and(users::id.lt(id))));
    }
    query.load(conn)
}
