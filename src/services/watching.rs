//! Watching questions: members follow a question to be told about its new and accepted answers.

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::questions::find_question;
use super::ServiceResult;
use crate::changes::{Change, ChangeFeed};
use crate::db::models::watches;
use crate::db::DbConnection;

/// Starts watching a question (again is fine).
pub fn watch(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    question_id: i64,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    feed.write(conn, now, |conn, changes| {
        let question = find_question(conn, question_id)?;
        watches::insert(conn, actor.id, question.id, now)?;
        changes.push(Change::WatchChanged { question: question.id, user: actor.id, watching: true });
        Ok(())
    })
}

/// Stops watching a question (not watching is fine).
pub fn unwatch(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    question_id: i64,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    feed.write(conn, now, |conn, changes| {
        let question = find_question(conn, question_id)?;
        watches::delete(conn, actor.id, question.id)?;
        changes.push(Change::WatchChanged { question: question.id, user: actor.id, watching: false });
        Ok(())
    })
}

/// Whether the actor watches a question.
pub fn is_watching(conn: &mut DbConnection, actor: &Actor, question_id: i64) -> ServiceResult<bool> {
    Ok(watches::exists(conn, actor.id, question_id)?)
}
