//! The badge tables: `badge_checks` (what the badge job must look at), `badge_awards` (who holds
//! what), `badge_totals` and the badge counts on `users`, kept in step with the awards. Deciding
//! who earns what belongs to `services::badges`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{badge_awards, badge_checks, badge_totals, tags, users};
use crate::db::DbConnection;
use crate::domain::Badge;

/// One "to check" row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable)]
pub struct Check {
    /// Row id.
    pub id: i64,
    /// A member to check, when no post says who.
    pub user_id: Option<i64>,
    /// An answer (its author is checked) or a question (each of its answers is).
    pub post_id: Option<i64>,
}

/// Leaves a check for the badge job, in the caller's transaction.
pub fn record_check(
    conn: &mut DbConnection,
    user_id: Option<i64>,
    post_id: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(badge_checks::table)
        .values((
            badge_checks::user_id.eq(user_id),
            badge_checks::post_id.eq(post_id),
            badge_checks::created_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// A check of a post's answers, as [`record_post_checks`] leaves it.
#[derive(Insertable)]
#[diesel(table_name = badge_checks)]
struct PostCheck {
    post_id: i64,
    created_at: NaiveDateTime,
}

/// Leaves a check for each of `post_ids`, in one statement in the caller's transaction.
pub fn record_post_checks(conn: &mut DbConnection, post_ids: &[i64], now: NaiveDateTime) -> QueryResult<()> {
    if post_ids.is_empty() {
        return Ok(());
    }
    let checks: Vec<PostCheck> = post_ids.iter().map(|&post_id| PostCheck { post_id, created_at: now }).collect();
    crate::db::insert_many!(conn, badge_checks::table, &checks).map(drop)
}

/// Up to `limit` checks, oldest first. On PostgreSQL they are locked for the caller's
/// transaction, and another node's job skips them (SKIP LOCKED) instead of waiting and doing
/// them again; on SQLite they are only read (see `services::badges::job` for why that is safe).
pub fn claim_checks(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<Check>> {
    let query = badge_checks::table.order(badge_checks::id).limit(limit).select((
        badge_checks::id,
        badge_checks::user_id,
        badge_checks::post_id,
    ));
    match conn {
        DbConnection::Postgresql(pg) => query.for_update().skip_locked().load(pg),
        DbConnection::Sqlite(lite) => query.load(lite),
    }
}

/// How many of checks `ids` are still waiting.
pub fn count_checks(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<i64> {
    badge_checks::table.filter(badge_checks::id.eq_any(ids)).count().get_result(conn)
}

/// Deletes checks that were done.
pub fn delete_checks(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<usize> {
    diesel::delete(badge_checks::table.filter(badge_checks::id.eq_any(ids))).execute(conn)
}

/// Deletes every check up to `id` (a full re-check covered them).
pub fn delete_checks_through(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(badge_checks::table.filter(badge_checks::id.le(id))).execute(conn)
}

/// The newest check's id (0 when none waits).
pub fn newest_check(conn: &mut DbConnection) -> QueryResult<i64> {
    Ok(badge_checks::table.select(diesel::dsl::max(badge_checks::id)).first::<Option<i64>>(conn)?.unwrap_or(0))
}

/// How many checks wait.
pub fn pending_checks(conn: &mut DbConnection) -> QueryResult<i64> {
    badge_checks::table.count().get_result(conn)
}

/// An award to make: who, which badge, for what (an answer, a tag, or 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Award {
    /// The member.
    pub user_id: i64,
    /// The badge.
    pub badge: Badge,
    /// The answer for per-answer badges, the tag for tag badges, 0 otherwise.
    pub subject_id: i64,
}

impl Ord for Award {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.user_id, self.badge.as_str(), self.subject_id).cmp(&(
            other.user_id,
            other.badge.as_str(),
            other.subject_id,
        ))
    }
}

impl PartialOrd for Award {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The awards among `users` × `subjects` already made (to award only what is new).
pub fn existing(conn: &mut DbConnection, users: &[i64], subjects: &[i64]) -> QueryResult<Vec<Award>> {
    let rows: Vec<(i64, Badge, i64)> = badge_awards::table
        .filter(badge_awards::user_id.eq_any(users))
        .filter(badge_awards::subject_id.eq_any(subjects))
        .select((badge_awards::user_id, badge_awards::badge, badge_awards::subject_id))
        .load(conn)?;
    Ok(rows.into_iter().map(|(user_id, badge, subject_id)| Award { user_id, badge, subject_id }).collect())
}

/// Every award of `users` (a full re-check of a batch of members).
pub fn held_by(conn: &mut DbConnection, users: &[i64]) -> QueryResult<Vec<Award>> {
    let rows: Vec<(i64, Badge, i64)> = badge_awards::table
        .filter(badge_awards::user_id.eq_any(users))
        .select((badge_awards::user_id, badge_awards::badge, badge_awards::subject_id))
        .load(conn)?;
    Ok(rows.into_iter().map(|(user_id, badge, subject_id)| Award { user_id, badge, subject_id }).collect())
}

/// Inserts the awards not yet made and returns those it inserted. An award already made (by an
/// earlier run, a restarted node or another node at this very moment) is skipped by the unique
/// key, each backend spelling "insert unless present" its own way; RETURNING names exactly the
/// rows this call added, so the counts kept beside them are raised once per award.
pub fn insert_new(conn: &mut DbConnection, awards: &[Award], now: NaiveDateTime) -> QueryResult<Vec<Award>> {
    let mut inserted = Vec::new();
    // Four values a row: well under both backends' limits on bound values.
    for part in awards.chunks(1_000) {
        let values: Vec<_> = part
            .iter()
            .map(|a| {
                (
                    badge_awards::user_id.eq(a.user_id),
                    badge_awards::badge.eq(a.badge),
                    badge_awards::subject_id.eq(a.subject_id),
                    badge_awards::awarded_at.eq(now),
                )
            })
            .collect();
        let returning = (badge_awards::user_id, badge_awards::badge, badge_awards::subject_id);
        let rows: Vec<(i64, Badge, i64)> = match conn {
            DbConnection::Postgresql(pg) => diesel::insert_into(badge_awards::table)
                .values(&values)
                .on_conflict_do_nothing()
                .returning(returning)
                .load(pg)?,
            DbConnection::Sqlite(lite) => {
                diesel::insert_or_ignore_into(badge_awards::table).values(&values).returning(returning).load(lite)?
            }
        };
        inserted.extend(rows.into_iter().map(|(user_id, badge, subject_id)| Award { user_id, badge, subject_id }));
    }
    Ok(inserted)
}

/// Raises a member's badge counts (shown beside their posts without another query).
pub fn add_to_member(conn: &mut DbConnection, user_id: i64, gold: i32, silver: i32, bronze: i32) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::gold_badges.eq(users::gold_badges + gold),
            users::silver_badges.eq(users::silver_badges + silver),
            users::bronze_badges.eq(users::bronze_badges + bronze),
        ))
        .execute(conn)
        .map(drop)
}

/// Raises how many times `badge` was awarded.
pub fn add_to_total(conn: &mut DbConnection, badge: Badge, awarded: i64) -> QueryResult<()> {
    let row = (badge_totals::badge.eq(badge), badge_totals::awarded.eq(awarded));
    // MultiConnection has no ON CONFLICT; each backend spells "insert or add" its own way.
    match conn {
        DbConnection::Postgresql(pg) => diesel::insert_into(badge_totals::table)
            .values(row)
            .on_conflict(badge_totals::badge)
            .do_update()
            .set(badge_totals::awarded.eq(badge_totals::awarded + awarded))
            .execute(pg),
        DbConnection::Sqlite(lite) => diesel::insert_into(badge_totals::table)
            .values(row)
            .on_conflict(badge_totals::badge)
            .do_update()
            .set(badge_totals::awarded.eq(badge_totals::awarded + awarded))
            .execute(lite),
    }
    .map(drop)
}

/// How many times each badge was awarded (badges never awarded are absent).
pub fn totals(conn: &mut DbConnection) -> QueryResult<Vec<(Badge, i64)>> {
    badge_totals::table.select((badge_totals::badge, badge_totals::awarded)).load(conn)
}

/// Someone holding a badge, as its page lists them.
#[derive(Debug, Clone, Queryable, serde::Serialize)]
pub struct Holder {
    /// The award's id (the page's cursor).
    pub award_id: i64,
    /// The member.
    pub user_id: i64,
    /// Their username.
    pub username: String,
    /// Their display name.
    pub display_name: String,
    /// The answer or tag it was earned for (0: none).
    pub subject_id: i64,
    /// When.
    pub awarded_at: NaiveDateTime,
}

/// Up to `limit` holders of `badge` (in tag `tag` when given), newest first, older than award
/// `before` when given; served by `badge_awards_newest` or `badge_awards_of_subject`.
pub fn holders(
    conn: &mut DbConnection,
    badge: Badge,
    tag: Option<i64>,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<Holder>> {
    let mut query = badge_awards::table
        .inner_join(users::table)
        .filter(badge_awards::badge.eq(badge))
        .filter(users::deleted_at.is_null())
        .order(badge_awards::id.desc())
        .limit(limit)
        .select((
            badge_awards::id,
            users::id,
            users::username,
            users::display_name,
            badge_awards::subject_id,
            badge_awards::awarded_at,
        ))
        .into_boxed();
    if let Some(tag) = tag {
        query = query.filter(badge_awards::subject_id.eq(tag));
    }
    if let Some(before) = before {
        query = query.filter(badge_awards::id.lt(before));
    }
    query.load(conn)
}

/// A member's latest `limit` awards, newest first: `(badge, subject, awarded at)`.
pub fn of_member(conn: &mut DbConnection, user_id: i64, limit: i64) -> QueryResult<Vec<(Badge, i64, NaiveDateTime)>> {
    badge_awards::table
        .filter(badge_awards::user_id.eq(user_id))
        .order(badge_awards::id.desc())
        .limit(limit)
        .select((badge_awards::badge, badge_awards::subject_id, badge_awards::awarded_at))
        .load(conn)
}

/// The names of tags `ids`, for the tag badges on a page.
pub fn tag_names(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    tags::table.filter(tags::id.eq_any(ids)).select((tags::id, tags::name)).load(conn)
}

/// A member's badge counts: `(gold, silver, bronze)`.
pub fn member_counts(conn: &mut DbConnection, user_id: i64) -> QueryResult<Option<(i32, i32, i32)>> {
    users::table
        .find(user_id)
        .select((users::gold_badges, users::silver_badges, users::bronze_badges))
        .first(conn)
        .optional()
}
