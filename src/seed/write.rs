//! Writing seeded rows many at a time, with ids chosen up front.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::Rng;

use super::chunk::Chunk;
use super::text;
use crate::db::schema::{comments, post_tags, posts, revisions, users};
use crate::db::{insert_all, insert_many, DbConnection};
use crate::domain::Role;

/// Rows per INSERT statement: well under both backends' limits on bound values.
const ROWS_PER_STATEMENT: usize = 500;

/// Why seeding stopped.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The database refused a write (the chunk was rolled back).
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
}

/// The next free ids of the tables whose ids other rows refer to.
pub(crate) struct Ids {
    user: i64,
    post: i64,
}

impl Ids {
    /// Starts after the highest ids in use, so seeding adds to an existing site.
    pub(crate) fn start(conn: &mut DbConnection) -> QueryResult<Ids> {
        let user: Option<i64> = users::table.select(diesel::dsl::max(users::id)).first(conn)?;
        let post: Option<i64> = posts::table.select(diesel::dsl::max(posts::id)).first(conn)?;
        Ok(Ids { user: user.unwrap_or(0) + 1, post: post.unwrap_or(0) + 1 })
    }

    pub(super) fn next_post(&mut self) -> i64 {
        self.post += 1;
        self.post - 1
    }

    /// The next `count` post ids, one after the other.
    pub(super) fn reserve_posts(&mut self, count: u64) -> std::ops::Range<i64> {
        let first = self.post;
        self.post += i64::try_from(count).unwrap_or(i64::MAX);
        first..self.post
    }
}

/// Creates the accounts: `staff` staff members first, then members, all of whom joined in the
/// year before `opening` (the first question). Returns `(id, is_staff)`.
pub(crate) fn users(
    conn: &mut DbConnection,
    rng: &mut StdRng,
    ids: &mut Ids,
    count: u64,
    staff: u64,
    opening: NaiveDateTime,
) -> Result<Vec<(i64, bool)>, SeedError> {
    let first = ids.user;
    let rows: Vec<_> = (0..count)
        .map(|n| {
            let id = first + i64::try_from(n).unwrap_or(i64::MAX);
            let is_staff = n < staff;
            let username = if is_staff { format!("staff{id}") } else { format!("member{id}") };
            (
                users::id.eq(id),
                users::username_key.eq(username.clone()),
                users::username.eq(username),
                users::display_name.eq(text::person(rng)),
                users::role.eq(if is_staff { Role::Staff } else { Role::Member }),
                users::created_at.eq(opening - TimeDelta::minutes(rng.random_range(1..365 * 24 * 60))),
            )
        })
        .collect();
    crate::db::write_transaction(conn, |conn| {
        for part in rows.chunks(ROWS_PER_STATEMENT) {
            insert_many!(conn, users::table, part)?;
        }
        Ok::<_, SeedError>(())
    })?;
    ids.user = first + i64::try_from(count).unwrap_or(i64::MAX);
    Ok((0..count).map(|n| (first + i64::try_from(n).unwrap_or(0), n < staff)).collect())
}

/// Makes sure the tags exist; returns `(id, name)` in popularity order.
pub(crate) fn tags(
    conn: &mut DbConnection,
    names: &[String],
    now: NaiveDateTime,
) -> Result<Vec<(i64, String)>, SeedError> {
    crate::db::write_transaction(conn, |conn| {
        names
            .iter()
            .map(|name| Ok((crate::db::models::tags::find_or_create(conn, name, now)?, name.clone())))
            .collect::<Result<Vec<_>, SeedError>>()
    })
}

/// Writes a chunk in one transaction.
pub(crate) fn chunk(conn: &mut DbConnection, chunk: &Chunk) -> Result<(), SeedError> {
    crate::db::write_transaction(conn, |conn| {
        insert_all!(conn, posts::table, chunk.questions)?;
        insert_all!(conn, posts::table, chunk.answers)?;
        insert_all!(conn, revisions::table, chunk.revisions)?;
        insert_all!(conn, post_tags::table, chunk.post_tags)?;
        insert_all!(conn, comments::table, chunk.comments)?;
        Ok(())
    })
}

/// Recounts tags and moves PostgreSQL's id sequences past the ids chosen here.
pub(crate) fn finish(conn: &mut DbConnection) -> Result<(), SeedError> {
    crate::db::write_transaction(conn, |conn| {
        diesel::sql_query(
            "UPDATE tags SET question_count = (SELECT COUNT(*) FROM post_tags WHERE post_tags.tag_id = tags.id)",
        )
        .execute(conn)?;
        if let DbConnection::Postgresql(_) = conn {
            for table in ["users", "posts"] {
                diesel::sql_query(format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                ))
                .execute(conn)?;
            }
        }
        Ok(())
    })
}
