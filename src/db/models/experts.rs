//! The `community_experts` table, and the three window queries it is computed from: upvotes
//! received, accepted answers and staff endorsements, per tag and member. Each reads only the
//! window (recent votes, recent answers, recent endorsements), whatever the site's size. Who
//! counts as an expert and how points add up belongs to `services::badges::experts`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{community_experts, post_tags, posts, tags, users, votes};
use crate::db::DbConnection;
use crate::domain::{OfficialKind, PostKind, Role};

/// Groups `$query` per `(tag, answer author)`, in tags `$only` when given. (A macro: diesel
/// cannot group a boxed query, and each branch's query has its own type.)
macro_rules! tally {
    ($query:ident, $only:ident, $conn:ident) => {
        match $only {
            Some(tags) => $query
                .filter(post_tags::tag_id.eq_any(tags))
                .group_by((post_tags::tag_id, posts::author_id))
                .select((post_tags::tag_id, posts::author_id, diesel::dsl::count_star()))
                .load($conn),
            None => $query
                .group_by((post_tags::tag_id, posts::author_id))
                .select((post_tags::tag_id, posts::author_id, diesel::dsl::count_star()))
                .load($conn),
        }
    };
}

/// A count per `(tag, member)`.
pub type Tally = Vec<(i64, i64, i64)>;

/// Roles whose answers make community experts: staff answer officially already.
const COMMUNITY: [Role; 2] = [Role::Member, Role::Moderator];

/// Upvotes cast since `since` on visible answers, per `(tag, author)`.
pub fn upvotes_since(conn: &mut DbConnection, since: NaiveDateTime, only: Option<&[i64]>) -> QueryResult<Tally> {
    let query = votes::table
        .inner_join(posts::table)
        .inner_join(post_tags::table.on(post_tags::post_id.nullable().eq(posts::question_id)))
        .inner_join(users::table.on(users::id.eq(posts::author_id)))
        .filter(votes::value.eq(1))
        .filter(votes::created_at.ge(since))
        .filter(posts::kind.eq(PostKind::Answer))
        .filter(posts::deleted_at.is_null())
        .filter(posts::held_reason.is_null())
        .filter(users::role.eq_any(COMMUNITY))
        .filter(users::deleted_at.is_null());
    tally!(query, only, conn)
}

/// Visible answers posted since `since` that their asker accepted, per `(tag, author)`.
pub fn accepted_since(conn: &mut DbConnection, since: NaiveDateTime, only: Option<&[i64]>) -> QueryResult<Tally> {
    // The question that accepted the answer, read under another name.
    let asked = diesel::alias!(posts as asked);
    let query = posts::table
        .inner_join(asked.on(asked.field(posts::accepted_answer_id).eq(posts::id.nullable())))
        .inner_join(post_tags::table.on(post_tags::post_id.nullable().eq(posts::question_id)))
        .inner_join(users::table.on(users::id.eq(posts::author_id)))
        .filter(posts::kind.eq(PostKind::Answer))
        .filter(posts::created_at.ge(since))
        .filter(posts::deleted_at.is_null())
        .filter(posts::held_reason.is_null())
        .filter(users::role.eq_any(COMMUNITY))
        .filter(users::deleted_at.is_null());
    tally!(query, only, conn)
}

/// Answers staff endorsed as official since `since`, per `(tag, author)`.
pub fn endorsed_since(conn: &mut DbConnection, since: NaiveDateTime, only: Option<&[i64]>) -> QueryResult<Tally> {
    let query = posts::table
        .inner_join(post_tags::table.on(post_tags::post_id.nullable().eq(posts::question_id)))
        .inner_join(users::table.on(users::id.eq(posts::author_id)))
        .filter(posts::kind.eq(PostKind::Answer))
        .filter(posts::official_kind.eq(OfficialKind::Endorsed.as_str()))
        .filter(posts::official_at.ge(since))
        .filter(posts::deleted_at.is_null())
        .filter(users::role.eq_any(COMMUNITY))
        .filter(users::deleted_at.is_null());
    tally!(query, only, conn)
}

/// One member's standing in one tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    /// The tag.
    pub tag_id: i64,
    /// The member.
    pub user_id: i64,
    /// What the other three add up to.
    pub points: i64,
    /// Accepted answers.
    pub accepted: i64,
    /// Answers endorsed by staff.
    pub endorsed: i64,
    /// Upvotes received.
    pub upvotes: i64,
}

/// When the stalest stored standing was computed: the last full refresh, or later when every
/// tag was recomputed since (`None` when none is stored).
pub fn oldest_computed_at(conn: &mut DbConnection) -> QueryResult<Option<NaiveDateTime>> {
    community_experts::table.select(diesel::dsl::min(community_experts::computed_at)).first(conn)
}

/// Replaces the experts of tags `only` (every tag when `None`) with `rows`, in the caller's
/// transaction.
pub fn replace(
    conn: &mut DbConnection,
    only: Option<&[i64]>,
    rows: &[Standing],
    now: NaiveDateTime,
) -> QueryResult<()> {
    match only {
        Some(tags) => {
            diesel::delete(community_experts::table.filter(community_experts::tag_id.eq_any(tags))).execute(conn)?
        }
        None => diesel::delete(community_experts::table).execute(conn)?,
    };
    // Seven values a row: well under both backends' limits on bound values.
    for part in rows.chunks(500) {
        let values: Vec<_> = part
            .iter()
            .map(|r| {
                (
                    community_experts::tag_id.eq(r.tag_id),
                    community_experts::user_id.eq(r.user_id),
                    community_experts::points.eq(r.points),
                    community_experts::accepted.eq(r.accepted),
                    community_experts::endorsed.eq(r.endorsed),
                    community_experts::upvotes.eq(r.upvotes),
                    community_experts::computed_at.eq(now),
                )
            })
            .collect();
        // MultiConnection cannot insert many rows at once; each backend can.
        match conn {
            DbConnection::Postgresql(pg) => {
                diesel::insert_into(community_experts::table).values(&values).execute(pg)?
            }
            DbConnection::Sqlite(lite) => {
                diesel::insert_into(community_experts::table).values(&values).execute(lite)?
            }
        };
    }
    Ok(())
}

/// An expert as pages show them.
#[derive(Debug, Clone, Queryable, serde::Serialize)]
pub struct Expert {
    /// The tag's name.
    pub tag: String,
    /// The member.
    pub user_id: i64,
    /// Their username.
    pub username: String,
    /// Their display name.
    pub display_name: String,
    /// Points over the window.
    pub points: i64,
    /// Accepted answers.
    pub accepted: i64,
    /// Endorsed answers.
    pub endorsed: i64,
    /// Upvotes received.
    pub upvotes: i64,
}

/// The top `limit` experts of tag `tag_id` (or of every tag when `None`), most points first;
/// one query, served by `community_experts_by_points` for one tag.
pub fn top(conn: &mut DbConnection, tag_id: Option<i64>, limit: i64) -> QueryResult<Vec<Expert>> {
    let mut query = community_experts::table
        .inner_join(users::table)
        .inner_join(tags::table)
        .filter(users::deleted_at.is_null())
        .order((community_experts::points.desc(), community_experts::user_id))
        .limit(limit)
        .select((
            tags::name,
            users::id,
            users::username,
            users::display_name,
            community_experts::points,
            community_experts::accepted,
            community_experts::endorsed,
            community_experts::upvotes,
        ))
        .into_boxed();
    if let Some(tag) = tag_id {
        query = query.filter(community_experts::tag_id.eq(tag));
    }
    query.load(conn)
}
