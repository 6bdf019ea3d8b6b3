//! The `tags` and `post_tags` tables.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{post_tags, tags};
use crate::db::DbConnection;

/// A tag with its maintained question count.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = tags)]
pub struct Tag {
    /// Row id.
    pub id: i64,
    /// The tag's name.
    pub name: String,
    /// What the tag is about.
    pub description: Option<String>,
    /// Questions carrying the tag that are not deleted.
    pub question_count: i32,
    /// When it was first used.
    pub created_at: NaiveDateTime,
}

/// A tag by name.
pub fn find_by_name(conn: &mut DbConnection, name: &str) -> QueryResult<Option<Tag>> {
    // Without LIMIT (names are unique), for the reason given at `posts::find`.
    Ok(tags::table.filter(tags::name.eq(name)).select(Tag::as_select()).load(conn)?.pop())
}

/// The id of a tag, created when new.
pub fn find_or_create(conn: &mut DbConnection, name: &str, now: NaiveDateTime) -> QueryResult<i64> {
    if let Some(tag) = find_by_name(conn, name)? {
        return Ok(tag.id);
    }
    match conn {
        // Writers take turns (`BEGIN IMMEDIATE`): nobody can create the tag between look and insert.
        DbConnection::Sqlite(_) => diesel::insert_into(tags::table)
            .values((tags::name.eq(name), tags::question_count.eq(0), tags::created_at.eq(now)))
            .returning(tags::id)
            .get_result(conn),
        // Two members may use a new tag at once; the second insert waits for the first to commit
        // and then does nothing, and the look-up after it sees the committed row. (`ON CONFLICT`
        // is not available through MultiConnection, hence the SQL.)
        DbConnection::Postgresql(_) => {
            diesel::sql_query(
                "INSERT INTO tags (name, question_count, created_at) VALUES ($1, 0, $2) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind::<diesel::sql_types::Text, _>(name)
            .bind::<diesel::sql_types::Timestamp, _>(now)
            .execute(conn)?;
            find_by_name(conn, name)?.map(|tag| tag.id).ok_or(diesel::result::Error::NotFound)
        }
    }
}

/// Attaches tags to a question and counts it under each.
pub fn attach(conn: &mut DbConnection, post_id: i64, names: &[String], now: NaiveDateTime) -> QueryResult<()> {
    for name in names {
        let tag_id = find_or_create(conn, name, now)?;
        diesel::insert_into(post_tags::table)
            .values((post_tags::post_id.eq(post_id), post_tags::tag_id.eq(tag_id)))
            .execute(conn)?;
        diesel::update(tags::table.find(tag_id))
            .set(tags::question_count.eq(tags::question_count + 1))
            .execute(conn)?;
    }
    Ok(())
}

/// Detaches tags from a question and uncounts it.
pub fn detach(conn: &mut DbConnection, post_id: i64, names: &[String]) -> QueryResult<()> {
    for name in names {
        if let Some(tag) = find_by_name(conn, name)? {
            let removed = diesel::delete(post_tags::table.find((post_id, tag.id))).execute(conn)?;
            if removed > 0 {
                diesel::update(tags::table.find(tag.id))
                    .set(tags::question_count.eq(tags::question_count - 1))
                    .execute(conn)?;
            }
        }
    }
    Ok(())
}

/// The most used tags, optionally those whose name starts with `prefix`.
pub fn popular(conn: &mut DbConnection, prefix: Option<&str>, offset: i64, limit: i64) -> QueryResult<Vec<Tag>> {
    let mut query = tags::table
        .filter(tags::question_count.gt(0))
        .order((tags::question_count.desc(), tags::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(Tag::as_select())
        .into_boxed();
    if let Some(prefix) = prefix.map(str::trim).filter(|p| !p.is_empty()) {
        let escaped = prefix.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        query = query.filter(tags::name.like(format!("{escaped}%")).escape('\\'));
    }
    query.load(conn)
}

/// Adds `delta` to the question count of every tag on a question, in one statement.
pub fn add_question(conn: &mut DbConnection, post_id: i64, delta: i32) -> QueryResult<usize> {
    let tag_ids = post_tags::table.filter(post_tags::post_id.eq(post_id)).select(post_tags::tag_id);
    diesel::update(tags::table.filter(tags::id.eq_any(tag_ids)))
        .set(tags::question_count.eq(tags::question_count + delta))
        .execute(conn)
}
