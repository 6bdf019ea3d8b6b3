//! Watching questions: members follow a question to be told about its new and accepted answers.

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::questions::find_question;
use super::ServiceResult;
use crate::changes::{Change, ChangeFeed};
use crate::db::models::watches;
use crate::db::DbConnection;

/// Starts (`watching`) or stops watching a question; doing what is already so is fine.
pub fn set_watching(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    question_id: i64,
    watching: bool,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    feed.write(conn, now, |conn, changes| {
        let question = find_question(conn, question_id)?;
        if watching {
            watches::insert(conn, actor.id, question.id, now)?;
        } else {
            watches::delete(conn, actor.id, question.id)?;
        }
        changes.push(Change::WatchChanged { question: question.id, user: actor.id, watching });
        Ok(())
    })
}

/// Whether the actor watches a question.
pub fn is_watching(conn: &mut DbConnection, actor: &Actor, question_id: i64) -> ServiceResult<bool> {
    Ok(watches::exists(conn, actor.id, question_id)?)
}
