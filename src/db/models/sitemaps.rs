//! Reads for the sitemaps: the questions in id order, cut into blocks, and the tags in use.
//!
//! Every question read here goes through the partial index `questions_by_id` (id, last activity;
//! questions that are not deleted), so the cost follows the rows asked for, never the posts' text.
//! Nothing here writes. When questions gain a "closed as duplicate" column, the filters below (and
//! the index's condition) should leave those out as well: their canonical question is listed.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use crate::db::schema::{posts, tags};
use crate::db::DbConnection;

/// One block of consecutive questions in id order, as the block pass reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct QuestionBlock {
    /// The first question's id.
    #[diesel(sql_type = BigInt)]
    pub first_id: i64,
    /// The last question's id.
    #[diesel(sql_type = BigInt)]
    pub last_id: i64,
    /// How many questions the block holds.
    #[diesel(sql_type = BigInt)]
    pub questions: i64,
    /// The newest activity on any of them.
    #[diesel(sql_type = Timestamp)]
    pub last_activity_at: NaiveDateTime,
}

/// What a sitemap needs of one question.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct QuestionUrl {
    /// Question id.
    pub id: i64,
    /// The canonical slug.
    pub slug: Option<String>,
    /// The newest post, edit or answer.
    pub last_activity_at: NaiveDateTime,
}

/// Cuts the questions (not deleted), in id order, into blocks of `block_size`, each with its
/// bounds, size and newest activity: one pass over the covering index, whose cost grows with the
/// number of questions like a `COUNT(*)` does, but which sends back one row per block.
pub fn question_blocks(conn: &mut DbConnection, block_size: u32) -> QueryResult<Vec<QuestionBlock>> {
    // Window functions are spelled alike on both backends; `block_size` is a number we chose, so
    // writing it into the text is safe and keeps the statement free of backend-specific binds.
    diesel::sql_query(format!(
        "SELECT MIN(id) AS first_id, MAX(id) AS last_id, COUNT(*) AS questions, \
                MAX(last_activity_at) AS last_activity_at \
         FROM (SELECT id, last_activity_at, ROW_NUMBER() OVER (ORDER BY id) AS position \
               FROM posts WHERE kind = 'question' AND deleted_at IS NULL) numbered \
         GROUP BY (position - 1) / {block_size} \
         ORDER BY first_id"
    ))
    .load(conn)
}

/// Up to `limit` questions (not deleted) with ids above `after_id` and at most `through_id`, in
/// id order: one range of the index per call, however deep into the site.
pub fn question_urls(
    conn: &mut DbConnection,
    after_id: i64,
    through_id: i64,
    limit: i64,
) -> QueryResult<Vec<QuestionUrl>> {
    posts::table
        .filter(posts::kind.eq("question"))
        .filter(posts::deleted_at.is_null())
        .filter(posts::id.gt(after_id))
        .filter(posts::id.le(through_id))
        .order(posts::id.asc())
        .limit(limit)
        .select((posts::id, posts::slug, posts::last_activity_at))
        .load(conn)
}

/// The names of up to `limit` tags that label at least one question, most used first (the
/// `tags_popular` index read backwards).
pub fn tags_in_use(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<String>> {
    tags::table
        .filter(tags::question_count.gt(0))
        .order((tags::question_count.desc(), tags::id.desc()))
        .limit(limit)
        .select(tags::name)
        .load(conn)
}
