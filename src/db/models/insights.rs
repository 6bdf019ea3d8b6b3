//! What `/staff/insights` reads: questions by topic and by title over recent weeks, searches that
//! led nowhere, and how long official answers took. Counts only: no member is named.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::db::schema::{deflections, post_tags, posts, search_log, tags};
use crate::db::DbConnection;
use crate::domain::PostKind;

/// Public questions asked in `[from, to)`, counted by topic: every topic, or `only` those named;
/// at most `limit` topics, most first.
pub fn questions_by_tag(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    to: NaiveDateTime,
    only: Option<&[String]>,
    limit: i64,
) -> QueryResult<Vec<(String, i64)>> {
    let mut query = posts::table
        .inner_join(post_tags::table.on(post_tags::post_id.eq(posts::id)))
        .inner_join(tags::table.on(tags::id.eq(post_tags::tag_id)))
        .filter(posts::kind.eq(PostKind::Question))
        .filter(posts::deleted_at.is_null())
        .filter(posts::held_reason.is_null())
        .filter(posts::created_at.ge(from))
        .filter(posts::created_at.lt(to))
        .group_by(tags::name)
        .select((tags::name, count_star()))
        .order((count_star().desc(), tags::name))
        .limit(limit)
        .into_boxed();
    if let Some(names) = only {
        query = query.filter(tags::name.eq_any(names));
    }
    query.load(conn)
}

/// The titles and dates of public questions asked since `from`, newest first, at most `limit`.
pub fn question_titles_since(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<(Option<String>, NaiveDateTime)>> {
    posts::table
        .filter(posts::kind.eq(PostKind::Question))
        .filter(posts::deleted_at.is_null())
        .filter(posts::held_reason.is_null())
        .filter(posts::created_at.ge(from))
        .select((posts::title, posts::created_at))
        .order(posts::created_at.desc())
        .limit(limit)
        .load(conn)
}

/// Searches in `[from, to)` that nobody followed to a question, by query: every query, or
/// `only` those given; at most `limit`, most first.
pub fn unanswered_searches(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    to: NaiveDateTime,
    only: Option<&[String]>,
    limit: i64,
) -> QueryResult<Vec<(String, i64)>> {
    let mut query = search_log::table
        .filter(search_log::created_at.ge(from))
        .filter(search_log::created_at.lt(to))
        .filter(search_log::clicked_question_id.is_null())
        .group_by(search_log::query)
        .select((search_log::query, count_star()))
        .order((count_star().desc(), search_log::query))
        .limit(limit)
        .into_boxed();
    if let Some(queries) = only {
        query = query.filter(search_log::query.eq_any(queries));
    }
    query.load(conn)
}

/// For questions asked since `from` that have an official answer: each topic with the time the
/// question was asked and the time its first official answer came.
pub fn first_official_by_tag(
    conn: &mut DbConnection,
    from: NaiveDateTime,
) -> QueryResult<Vec<(String, NaiveDateTime, NaiveDateTime)>> {
    posts::table
        .inner_join(post_tags::table.on(post_tags::post_id.eq(posts::id)))
        .inner_join(tags::table.on(tags::id.eq(post_tags::tag_id)))
        .filter(posts::kind.eq(PostKind::Question))
        .filter(posts::deleted_at.is_null())
        .filter(posts::created_at.ge(from))
        .filter(posts::first_official_at.is_not_null())
        .select((tags::name, posts::created_at, posts::first_official_at.assume_not_null()))
        .load(conn)
}

/// A public question with an official or accepted answer, as the most-served list reads it.
#[derive(Debug, Clone, Queryable)]
pub struct ServedQuestion {
    /// The question.
    pub id: i64,
    /// Its title.
    pub title: Option<String>,
    /// Its slug.
    pub slug: Option<String>,
    /// Times its page was viewed.
    pub views: i64,
    /// Whether staff answered it officially.
    pub official: bool,
    /// Its accepted answer, if any.
    pub accepted_answer_id: Option<i64>,
}

/// The most viewed public questions with an official or accepted answer, at most `limit`.
pub fn most_viewed_answered(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<ServedQuestion>> {
    posts::table
        .filter(posts::kind.eq(PostKind::Question))
        .filter(posts::deleted_at.is_null())
        .filter(posts::held_reason.is_null())
        .filter(posts::has_official.eq(true).or(posts::accepted_answer_id.is_not_null()))
        .select((
            posts::id,
            posts::title,
            posts::slug,
            posts::view_count,
            posts::has_official,
            posts::accepted_answer_id,
        ))
        .order((posts::view_count.desc(), posts::id))
        .limit(limit)
        .load(conn)
}

/// How often members about to ask opened each of `ids` instead.
pub fn deflections_of(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    deflections::table
        .filter(deflections::question_id.eq_any(ids))
        .group_by(deflections::question_id)
        .select((deflections::question_id, count_star()))
        .load(conn)
}

/// How often a search led to each of `ids`.
pub fn search_clicks_of(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    search_log::table
        .filter(search_log::clicked_question_id.eq_any(ids))
        .group_by(search_log::clicked_question_id)
        .select((search_log::clicked_question_id.assume_not_null(), count_star()))
        .load(conn)
}
