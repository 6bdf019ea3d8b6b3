//! The `question_assignments` table: which staff member took which question.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{question_assignments, users};
use crate::db::DbConnection;

/// Who is on a question, as pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, serde::Serialize)]
pub struct Assignment {
    /// The question.
    pub question_id: i64,
    /// The staff member on it.
    pub assignee_id: i64,
    /// Their username.
    pub username: String,
    /// Their display name.
    pub display_name: String,
    /// Who assigned it (the assignee themselves when they took it).
    pub assigned_by: Option<i64>,
    /// Since when.
    pub assigned_at: NaiveDateTime,
}

/// Puts `assignee_id` on a question in place of whoever was; returns the previous assignee.
pub fn assign(
    conn: &mut DbConnection,
    question_id: i64,
    assignee_id: i64,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<Option<i64>> {
    let previous = release(conn, question_id)?;
    diesel::insert_into(question_assignments::table)
        .values((
            question_assignments::question_id.eq(question_id),
            question_assignments::assignee_id.eq(assignee_id),
            question_assignments::assigned_by.eq(by),
            question_assignments::assigned_at.eq(now),
        ))
        .execute(conn)?;
    Ok(previous)
}

/// Takes whoever is on a question off it; returns who was.
pub fn release(conn: &mut DbConnection, question_id: i64) -> QueryResult<Option<i64>> {
    diesel::delete(question_assignments::table.find(question_id))
        .returning(question_assignments::assignee_id)
        .get_results(conn)
        .map(|ids: Vec<i64>| ids.into_iter().next())
}

/// Who is on these questions.
pub fn of_questions(conn: &mut DbConnection, question_ids: &[i64]) -> QueryResult<Vec<Assignment>> {
    if question_ids.is_empty() {
        return Ok(Vec::new());
    }
    question_assignments::table
        .inner_join(users::table.on(users::id.eq(question_assignments::assignee_id)))
        .filter(question_assignments::question_id.eq_any(question_ids))
        .select(columns())
        .load(conn)
}

/// Who is on one question.
pub fn of_question(conn: &mut DbConnection, question_id: i64) -> QueryResult<Option<Assignment>> {
    Ok(of_questions(conn, &[question_id])?.pop())
}

/// The questions assigned to a user, longest-held first.
pub fn question_ids_of(conn: &mut DbConnection, user_id: i64, limit: i64) -> QueryResult<Vec<i64>> {
    question_assignments::table
        .filter(question_assignments::assignee_id.eq(user_id))
        .order((question_assignments::assigned_at.asc(), question_assignments::question_id.asc()))
        .limit(limit)
        .select(question_assignments::question_id)
        .load(conn)
}

/// Releases everything assigned to a user (their account is deleted or no longer staff).
pub fn release_all_of(conn: &mut DbConnection, user_id: i64) -> QueryResult<usize> {
    diesel::delete(question_assignments::table.filter(question_assignments::assignee_id.eq(user_id))).execute(conn)
}

fn columns() -> (
    question_assignments::question_id,
    question_assignments::assignee_id,
    users::username,
    users::display_name,
    question_assignments::assigned_by,
    question_assignments::assigned_at,
) {
    (
        question_assignments::question_id,
        question_assignments::assignee_id,
        users::username,
        users::display_name,
        question_assignments::assigned_by,
        question_assignments::assigned_at,
    )
}
