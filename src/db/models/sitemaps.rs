//! Reads for the sitemaps: the questions in id order, cut into blocks, and the tags in use.
//!
//! Every question read here goes through the partial index `questions_by_id` (id, last activity,
//! slug; questions that are not deleted), so the cost follows the rows asked for and never
//! touches the posts' text.
//! Nothing here writes. When questions gain a "closed as duplicate" column, the filters below (and
//! the index's condition) should leave those out as well: their canonical question is listed.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

use crate::db::schema::tags;
use crate::db::DbConnection;

/// What a sitemap needs of one question.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct QuestionUrl {
    /// Question id.
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// The canonical slug.
    #[diesel(sql_type = Nullable<Text>)]
    pub slug: Option<String>,
    /// The newest post, edit or answer.
    #[diesel(sql_type = Timestamp)]
    pub last_activity_at: NaiveDateTime,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// How many questions a block holds and their newest activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct BlockSummary {
    /// Questions (not deleted) in the block.
    #[diesel(sql_type = BigInt)]
    pub questions: i64,
    /// The newest activity on any of them.
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub last_activity_at: Option<NaiveDateTime>,
}

/// `posts` as the queries below read it. Once `ANALYZE` has run, SQLite's planner prefers a rowid
/// range of the table (every question's and answer's text in the range) to this narrow index,
/// which measured ten times slower with posts of a few kilobytes, so SQLite is told which index
/// to use. PostgreSQL picks the index by itself (checked with `EXPLAIN` at a million questions).
/// The rest of the SQL, `$n` placeholders included, reads the same on both backends.
fn questions_by_id(conn: &DbConnection) -> &'static str {
    match conn {
        DbConnection::Sqlite(_) => "posts INDEXED BY questions_by_id",
        DbConnection::Postgresql(_) => "posts",
    }
}

/// The id of every `block_size`-th question (not deleted) in id order, starting with the first:
/// where each block starts. One pass over the index, numbering its entries; its cost grows with
/// the number of questions like a `COUNT(*)` does, but it sends back one row per block.
pub fn block_starts(conn: &mut DbConnection, block_size: u32) -> QueryResult<Vec<i64>> {
    // `block_size` is a number we chose, so it can be written into the text.
    let query = format!(
        "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS position FROM {} \
         WHERE kind = 'question' AND deleted_at IS NULL) numbered \
         WHERE position % {block_size} = 1 ORDER BY id",
        questions_by_id(conn)
    );
    Ok(diesel::sql_query(query).load::<Id>(conn)?.into_iter().map(|row| row.id).collect())
}

/// How many questions (not deleted) have ids from `from_id` up to, not including, `before_id`, and
/// their newest activity: one range of the index.
pub fn block_summary(conn: &mut DbConnection, from_id: i64, before_id: i64) -> QueryResult<BlockSummary> {
    // The count also keeps PostgreSQL from answering a lone MAX() by walking `questions_active`
    // backwards until it meets an id in the range, which for the oldest block is nearly all of it.
    let query = format!(
        "SELECT COUNT(*) AS questions, MAX(last_activity_at) AS last_activity_at FROM {} \
         WHERE kind = 'question' AND deleted_at IS NULL AND id >= $1 AND id < $2",
        questions_by_id(conn)
    );
    diesel::sql_query(query).bind::<BigInt, _>(from_id).bind::<BigInt, _>(before_id).get_result(conn)
}

/// Up to `limit` questions (not deleted) with ids above `after_id` and at most `through_id`, in
/// id order: one range of the index per call, however deep into the site.
pub fn question_urls(
    conn: &mut DbConnection,
    after_id: i64,
    through_id: i64,
    limit: i64,
) -> QueryResult<Vec<QuestionUrl>> {
    let query = format!(
        "SELECT id, slug, last_activity_at FROM {} \
         WHERE kind = 'question' AND deleted_at IS NULL AND id > $1 AND id <= $2 ORDER BY id LIMIT $3",
        questions_by_id(conn)
    );
    diesel::sql_query(query)
        .bind::<BigInt, _>(after_id)
        .bind::<BigInt, _>(through_id)
        .bind::<BigInt, _>(limit)
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
