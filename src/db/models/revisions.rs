//! The `revisions` table: every version of every post.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::revisions;
use crate::db::DbConnection;

/// One stored version.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = revisions)]
pub struct Revision {
    /// Row id.
    pub id: i64,
    /// The post.
    pub post_id: i64,
    /// Who wrote this version.
    pub editor_id: i64,
    /// For questions: the title then.
    pub title: Option<String>,
    /// For questions: the tags then.
    pub tags: Option<String>,
    /// The Markdown then.
    pub body_markdown: String,
    /// Why it was edited (none for the first version).
    pub reason: Option<String>,
    /// When.
    pub created_at: NaiveDateTime,
}

/// A version to record.
#[derive(Debug, Insertable)]
#[diesel(table_name = revisions)]
pub struct NewRevision<'a> {
    /// The post.
    pub post_id: i64,
    /// Who wrote this version.
    pub editor_id: i64,
    /// For questions: the title.
    pub title: Option<&'a str>,
    /// For questions: the tags.
    pub tags: Option<&'a str>,
    /// The Markdown.
    pub body_markdown: &'a str,
    /// Why.
    pub reason: Option<&'a str>,
    /// When.
    pub created_at: NaiveDateTime,
}

/// Records a version.
pub fn insert(conn: &mut DbConnection, revision: &NewRevision<'_>) -> QueryResult<()> {
    diesel::insert_into(revisions::table).values(revision).execute(conn).map(drop)
}

/// Every version of a post, oldest first.
pub fn of_post(conn: &mut DbConnection, post_id: i64) -> QueryResult<Vec<Revision>> {
    revisions::table
        .filter(revisions::post_id.eq(post_id))
        .order(revisions::id.asc())
        .select(Revision::as_select())
        .load(conn)
}
