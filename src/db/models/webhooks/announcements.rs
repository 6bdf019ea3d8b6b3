//! The `webhook_announcements` table: the events about a question announced at most once, and
//! the questions that became overdue without being announced yet.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{posts, webhook_announcements};
use crate::db::DbConnection;
use crate::domain::{PostKind, WebhookEvent};

/// Whether `event` was already announced about `question`.
pub fn exists(conn: &mut DbConnection, question: i64, event: WebhookEvent) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        webhook_announcements::table
            .filter(webhook_announcements::question_id.eq(question))
            .filter(webhook_announcements::event_type.eq(event.as_str())),
    ))
    .get_result(conn)
}

/// Remembers that `event` was announced about `question`. A second writer of the same pair
/// (another node's sweep) fails on the key, and its transaction with it.
pub fn insert(conn: &mut DbConnection, question: i64, event: WebhookEvent, now: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(webhook_announcements::table)
        .values((
            webhook_announcements::question_id.eq(question),
            webhook_announcements::event_type.eq(event.as_str()),
            webhook_announcements::created_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Public questions without an answer asked between `since` and `asked_before`, whose
/// `question.overdue` was not announced yet, oldest first.
pub fn overdue(
    conn: &mut DbConnection,
    since: NaiveDateTime,
    asked_before: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    let announced = webhook_announcements::table
        .filter(webhook_announcements::question_id.eq(posts::id))
        .filter(webhook_announcements::event_type.eq(WebhookEvent::QuestionOverdue.as_str()));
    posts::table
        .filter(posts::kind.eq(PostKind::Question))
        .filter(posts::deleted_at.is_null())
        .filter(posts::held_reason.is_null())
        .filter(posts::closed_at.is_null())
        .filter(posts::answer_count.eq(0))
        .filter(posts::created_at.gt(since))
        .filter(posts::created_at.le(asked_before))
        .filter(diesel::dsl::not(diesel::dsl::exists(announced)))
        .order((posts::created_at, posts::id))
        .limit(limit)
        .select(posts::id)
        .load(conn)
}
