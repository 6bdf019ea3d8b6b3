//! The `revisions` table: every version of every post.
//!
//! A revision whose text is the post's current text stores none (`body_markdown` NULL): most
//! posts are never edited, and copying every body would double the text a site stores. Only a
//! post's latest revision may share its text; [`keep_outgoing_body`] copies the text into it
//! before an edit replaces the post's body.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{posts, revisions};
use crate::db::DbConnection;

/// One stored version, its text filled in from the post when it shares it.
#[derive(Debug, Clone)]
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
// `None` binds NULL, which SQLite can batch (DEFAULT would be the same NULL, row by row).
#[diesel(treat_none_as_default_value = false)]
pub struct NewRevision<'a> {
    /// The post.
    pub post_id: i64,
    /// Who wrote this version.
    pub editor_id: i64,
    /// For questions: the title.
    pub title: Option<&'a str>,
    /// For questions: the tags.
    pub tags: Option<&'a str>,
    /// The Markdown; `None` when it is the post's body as written with this revision.
    pub body_markdown: Option<&'a str>,
    /// Why.
    pub reason: Option<&'a str>,
    /// When.
    pub created_at: NaiveDateTime,
}

/// Records a version.
pub fn insert(conn: &mut DbConnection, revision: &NewRevision<'_>) -> QueryResult<()> {
    diesel::insert_into(revisions::table).values(revision).execute(conn).map(drop)
}

/// Records many versions, many a statement.
pub fn insert_many(conn: &mut DbConnection, revisions: &[NewRevision<'_>]) -> QueryResult<()> {
    // 8 values a row: well under both backends' limits on bound values.
    for part in revisions.chunks(500) {
        crate::db::insert_many!(conn, revisions::table, part)?;
    }
    Ok(())
}

/// Before a post's body changes: gives the revision that shares the outgoing text its own copy.
pub fn keep_outgoing_body(conn: &mut DbConnection, post_id: i64) -> QueryResult<()> {
    let outgoing = posts::table.find(post_id).select(posts::body_markdown).single_value();
    diesel::update(revisions::table)
        .filter(revisions::post_id.eq(post_id))
        .filter(revisions::body_markdown.is_null())
        .set(revisions::body_markdown.eq(outgoing))
        .execute(conn)
        .map(drop)
}

/// A stored row, its text possibly shared with the post.
type Row = (i64, i64, i64, Option<String>, Option<String>, Option<String>, Option<String>, NaiveDateTime);

/// Every version of a post, oldest first.
pub fn of_post(conn: &mut DbConnection, post_id: i64) -> QueryResult<Vec<Revision>> {
    let rows: Vec<Row> = revisions::table
        .filter(revisions::post_id.eq(post_id))
        .order(revisions::id.asc())
        .select((
            revisions::id,
            revisions::post_id,
            revisions::editor_id,
            revisions::title,
            revisions::tags,
            revisions::body_markdown,
            revisions::reason,
            revisions::created_at,
        ))
        .load(conn)?;
    // Read only when a revision shares it (nearly always: the latest one does).
    let mut current: Option<String> = None;
    let mut revisions = Vec::with_capacity(rows.len());
    for (id, post_id, editor_id, title, tags, body, reason, created_at) in rows {
        let body_markdown = match body {
            Some(own) => own,
            None => match &current {
                Some(text) => text.clone(),
                None => {
                    let text: String = posts::table.find(post_id).select(posts::body_markdown).first(conn)?;
                    current.insert(text).clone()
                }
            },
        };
        revisions.push(Revision { id, post_id, editor_id, title, tags, body_markdown, reason, created_at });
    }
    Ok(revisions)
}

/// The post's latest revision, which moves with every edit (a suggested edit made against an
/// older one is stale).
pub fn latest_id(conn: &mut DbConnection, post_id: i64) -> QueryResult<Option<i64>> {
    revisions::table.filter(revisions::post_id.eq(post_id)).select(diesel::dsl::max(revisions::id)).first(conn)
}

/// [`latest_id`] of each of these posts (those with any revision), in one query.
pub fn latest_ids(conn: &mut DbConnection, post_ids: &[i64]) -> QueryResult<Vec<(i64, Option<i64>)>> {
    revisions::table
        .filter(revisions::post_id.eq_any(post_ids))
        .group_by(revisions::post_id)
        .select((revisions::post_id, diesel::dsl::max(revisions::id)))
        .load(conn)
}
