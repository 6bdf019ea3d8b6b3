//! Official answers on the `posts` table: marking, withdrawing and reviewing them, and the
//! question-level flags the lists, the staff queue and the dashboard read.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::posts;
use crate::db::DbConnection;
pub use crate::domain::OfficialKind;
use crate::domain::PostKind;

/// Makes an answer official, reviewed now.
pub fn mark(
    conn: &mut DbConnection,
    answer_id: i64,
    kind: OfficialKind,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(posts::table.find(answer_id))
        .set((
            posts::official_kind.eq(kind),
            posts::official_by.eq(by),
            posts::official_at.eq(now),
            posts::reviewed_at.eq(now),
        ))
        .execute(conn)
}

/// Takes official status away from an answer.
pub fn clear(conn: &mut DbConnection, answer_id: i64) -> QueryResult<usize> {
    diesel::update(posts::table.find(answer_id))
        .set((
            posts::official_kind.eq(None::<OfficialKind>),
            posts::official_by.eq(None::<i64>),
            posts::official_at.eq(None::<NaiveDateTime>),
            posts::reviewed_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
}

/// Records that staff confirmed an official answer is still accurate.
pub fn review(conn: &mut DbConnection, answer_id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(posts::table.find(answer_id)).set(posts::reviewed_at.eq(now)).execute(conn)
}

/// Whether a question has an official answer that is not deleted.
pub fn question_has_official(conn: &mut DbConnection, question_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        posts::table
            .filter(posts::question_id.eq(question_id))
            .filter(posts::kind.eq(PostKind::Answer))
            .filter(posts::deleted_at.is_null())
            .filter(posts::official_kind.is_not_null()),
    ))
    .get_result(conn)
}

/// Keeps a question's `has_official` flag (and the time of its first official answer) in step.
pub fn refresh_question(conn: &mut DbConnection, question_id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let has = question_has_official(conn, question_id)?;
    diesel::update(posts::table.find(question_id)).set(posts::has_official.eq(has)).execute(conn)?;
    if has {
        diesel::update(posts::table.find(question_id).filter(posts::first_official_at.is_null()))
            .set(posts::first_official_at.eq(now))
            .execute(conn)?;
    }
    Ok(has)
}
