//! The `question_alerts` table: alerts about a question that go out at most once. Its key is
//! what makes "once" hold across nodes and restarts: a second insert fails.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::question_alerts;
use crate::db::DbConnection;
use crate::domain::QuestionAlert;

/// Records that `kind` went out about a question; fails with a unique violation if it already did.
pub fn insert(conn: &mut DbConnection, question_id: i64, kind: QuestionAlert, now: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(question_alerts::table)
        .values((
            question_alerts::question_id.eq(question_id),
            question_alerts::kind.eq(kind),
            question_alerts::created_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Whether `kind` already went out about a question.
pub fn exists(conn: &mut DbConnection, question_id: i64, kind: QuestionAlert) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(question_alerts::table.find((question_id, kind.as_str())))).get_result(conn)
}
