//! The `watches` table: who follows which question. Reading watchers for a notification fan-out
//! lives here; deciding who gets told what belongs to `services::notifications`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::users::User;
use crate::db::schema::{users, watches};
use crate::db::DbConnection;

/// Starts watching; watching twice is a no-op. One row, as asking and the Watch button write
/// it: a statement diesel prepares once ([`insert_many`] binds a list, parsed each time).
pub fn insert(conn: &mut DbConnection, user_id: i64, question_id: i64, now: NaiveDateTime) -> QueryResult<()> {
    let row = (watches::user_id.eq(user_id), watches::question_id.eq(question_id), watches::created_at.eq(now));
    // MultiConnection has no ON CONFLICT; each backend spells "insert unless present" its own way.
    match conn {
        DbConnection::Postgresql(pg) => {
            diesel::insert_into(watches::table).values(row).on_conflict_do_nothing().execute(pg)?;
        }
        DbConnection::Sqlite(lite) => {
            diesel::insert_or_ignore_into(watches::table).values(row).execute(lite)?;
        }
    }
    Ok(())
}

/// Many `(user, question, since)` watches at once (an import), those already present left
/// alone; returns how many are new.
pub fn insert_many(conn: &mut DbConnection, rows: &[(i64, i64, NaiveDateTime)]) -> QueryResult<usize> {
    let mut inserted = 0;
    // Three values a row: well under both backends' limits on bound values.
    for part in rows.chunks(500) {
        let values: Vec<_> = part
            .iter()
            .map(|(user, question, since)| {
                (watches::user_id.eq(*user), watches::question_id.eq(*question), watches::created_at.eq(*since))
            })
            .collect();
        inserted += match conn {
            DbConnection::Postgresql(pg) => {
                diesel::insert_into(watches::table).values(&values).on_conflict_do_nothing().execute(pg)?
            }
            DbConnection::Sqlite(lite) => {
                diesel::insert_or_ignore_into(watches::table).values(&values).execute(lite)?
            }
        };
    }
    Ok(inserted)
}

/// Stops watching; not watching is a no-op.
pub fn delete(conn: &mut DbConnection, user_id: i64, question_id: i64) -> QueryResult<usize> {
    diesel::delete(watches::table.find((user_id, question_id))).execute(conn)
}

/// Whether a user watches a question (a primary-key look-up).
pub fn exists(conn: &mut DbConnection, user_id: i64, question_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(watches::table.find((user_id, question_id)))).get_result(conn)
}

/// Everyone watching a question, as user rows (served by `watches_of_question`).
pub fn watchers(conn: &mut DbConnection, question_id: i64) -> QueryResult<Vec<User>> {
    let ids = watches::table.filter(watches::question_id.eq(question_id)).select(watches::user_id);
    users::table.filter(users::id.eq_any(ids)).order(users::id).select(User::as_select()).load(conn)
}
