//! The `search_log` and `deflections` tables: what visitors looked for (never who), which result
//! they opened, and which suggestions members opened instead of asking.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{deflections, gap_answers, posts, search_log};
use crate::db::DbConnection;

/// Records one search; returns its id, which result links carry so a click can be recorded.
pub fn insert(
    conn: &mut DbConnection,
    query: &str,
    result_count: i32,
    took_ms: i32,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(search_log::table)
        .values((
            search_log::query.eq(query),
            search_log::result_count.eq(result_count),
            search_log::took_ms.eq(took_ms),
            search_log::created_at.eq(now),
        ))
        .returning(search_log::id)
        .get_result(conn)
}

/// Records that a search's result was opened; only the first click of a search counts.
pub fn click(conn: &mut DbConnection, log_id: i64, question_id: i64) -> QueryResult<bool> {
    let updated = diesel::update(search_log::table.find(log_id).filter(search_log::clicked_question_id.is_null()))
        .set(search_log::clicked_question_id.eq(question_id))
        .execute(conn)?;
    Ok(updated == 1)
}

/// A query that found nothing or that nobody followed up, with how often it was searched.
#[derive(Debug, Clone, Queryable, serde::Serialize)]
pub struct Gap {
    /// The normalised query.
    pub query: String,
    /// Searches for it in the window that ended without a click.
    pub searches: i64,
    /// Of those, searches that found nothing at all.
    pub empty: i64,
    /// The most recent such search.
    pub last_searched: NaiveDateTime,
}

/// The most frequent unanswered queries since `since`, most searched first.
pub fn gaps(conn: &mut DbConnection, since: NaiveDateTime, limit: i64) -> QueryResult<Vec<Gap>> {
    use diesel::dsl::{count_star, max, sql};
    use diesel::sql_types::BigInt;
    // SUM over a CASE is typed differently by the two backends; a cast keeps it BIGINT on both.
    let empty = sql::<BigInt>("CAST(SUM(CASE WHEN result_count = 0 THEN 1 ELSE 0 END) AS BIGINT)");
    let rows: Vec<(String, i64, i64, Option<NaiveDateTime>)> = search_log::table
        .filter(search_log::created_at.ge(since))
        .filter(search_log::clicked_question_id.is_null())
        // A gap staff linked an answer to is answered, whatever was searched since, as long as
        // that question is still there.
        .filter(diesel::dsl::not(diesel::dsl::exists(
            gap_answers::table
                .inner_join(posts::table)
                .filter(gap_answers::query.eq(search_log::query))
                .filter(posts::deleted_at.is_null()),
        )))
        .group_by(search_log::query)
        .select((search_log::query, count_star(), empty, max(search_log::created_at)))
        .order((count_star().desc(), search_log::query))
        .limit(limit)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(query, searches, empty, last)| Gap { query, searches, empty, last_searched: last.unwrap_or(since) })
        .collect())
}

/// Search totals since a point in time.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct SearchTotals {
    /// Searches made.
    pub searches: i64,
    /// Searches that found nothing.
    pub empty: i64,
    /// Searches after which a result was opened.
    pub clicked: i64,
    /// Suggestions opened by members who were about to ask.
    pub deflections: i64,
}

/// Counts searches, empty searches, clicked searches and deflections since `since`.
pub fn totals(conn: &mut DbConnection, since: NaiveDateTime) -> QueryResult<SearchTotals> {
    let recent = || search_log::table.filter(search_log::created_at.ge(since));
    Ok(SearchTotals {
        searches: recent().count().get_result(conn)?,
        empty: recent().filter(search_log::result_count.eq(0)).count().get_result(conn)?,
        clicked: recent().filter(search_log::clicked_question_id.is_not_null()).count().get_result(conn)?,
        deflections: deflections::table.filter(deflections::created_at.ge(since)).count().get_result(conn)?,
    })
}

/// Records that a member opened a suggested question instead of posting theirs.
pub fn insert_deflection(
    conn: &mut DbConnection,
    question_id: i64,
    draft_title: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(deflections::table)
        .values((
            deflections::question_id.eq(question_id),
            deflections::draft_title.eq(draft_title),
            deflections::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// A question that suggestions sent members to, with how often.
#[derive(Debug, Clone, Queryable, serde::Serialize)]
pub struct Deflector {
    /// The question's id.
    pub question_id: i64,
    /// Its title.
    pub title: String,
    /// Its slug.
    pub slug: String,
    /// How many members opened it instead of asking.
    pub times: i64,
}

/// The questions that most often answered a member before they asked, since `since`.
pub fn top_deflectors(conn: &mut DbConnection, since: NaiveDateTime, limit: i64) -> QueryResult<Vec<Deflector>> {
    use diesel::dsl::count_star;
    let rows: Vec<(i64, Option<String>, Option<String>, i64)> = deflections::table
        .inner_join(posts::table)
        .filter(deflections::created_at.ge(since))
        .group_by((posts::id, posts::title, posts::slug))
        .select((posts::id, posts::title, posts::slug, count_star()))
        .order((count_star().desc(), posts::id))
        .limit(limit)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(question_id, title, slug, times)| Deflector {
            question_id,
            title: title.unwrap_or_default(),
            slug: slug.unwrap_or_default(),
            times,
        })
        .collect())
}
