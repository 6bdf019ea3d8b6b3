//! Official answers: staff answer once, visibly, and every later visitor sees that answer first.
//! Staff post answers as official, endorse community answers, withdraw either, and confirm they
//! are still accurate. Every change is written to the audit log.

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::answers::find_answer;
use super::audit;
use super::{ServiceError, ServiceResult};
use crate::changes::{Change, ChangeFeed};
use crate::db::models::official::{self, OfficialKind};
use crate::db::models::posts::{self, Post};
use crate::db::DbConnection;
use crate::domain::AnswerId;

/// Refuses anyone but staff (and moderators and admins).
pub fn ensure_staff(actor: &Actor) -> ServiceResult<()> {
    actor.ensure_staff("give or change official answers")
}

/// Marks a freshly posted staff answer official; call inside the answer's transaction, whose
/// `AnswerPosted` change says it is official.
pub fn mark_authored(conn: &mut DbConnection, actor: &Actor, answer: &Post, now: NaiveDateTime) -> ServiceResult<()> {
    ensure_staff(actor)?;
    let question_id = answer.question_id.ok_or(ServiceError::NotFound("Question"))?;
    official::mark(conn, answer.id, OfficialKind::Authored, actor.id, now)?;
    official::refresh_question(conn, question_id, now)?;
    audit::record(conn, actor, "answer.official", ("post", answer.id), None, now)
}

/// Endorses a community answer as official; watchers hear of it as a new official answer.
pub fn endorse(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    answer_id: i64,
    now: NaiveDateTime,
) -> ServiceResult<Post> {
    ensure_staff(actor)?;
    feed.write(conn, now, |conn, changes| {
        let (answer, question) = find_answer(conn, AnswerId(answer_id))?;
        if answer.official_kind.is_some() {
            return Err(ServiceError::Conflict("This answer is already official.".to_owned()));
        }
        official::mark(conn, answer.id, OfficialKind::Endorsed, actor.id, now)?;
        official::refresh_question(conn, question.id, now)?;
        posts::touch_activity(conn, question.id, now)?;
        audit::record(conn, actor, "answer.endorse", ("post", answer.id), None, now)?;
        changes.push(Change::AnswerEndorsed { question: question.id, answer: answer.id, by: actor.id });
        Ok(question)
    })
}

/// Withdraws official status from an answer (authored or endorsed).
pub fn withdraw(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    answer_id: i64,
    now: NaiveDateTime,
) -> ServiceResult<Post> {
    ensure_staff(actor)?;
    feed.write(conn, now, |conn, changes| {
        let (answer, question) = find_answer(conn, AnswerId(answer_id))?;
        let Some(kind) = answer.official_kind else {
            return Err(ServiceError::Conflict("This answer is not official.".to_owned()));
        };
        official::clear(conn, answer.id)?;
        official::refresh_question(conn, question.id, now)?;
        audit::record(conn, actor, "answer.withdraw", ("post", answer.id), Some(kind.as_str()), now)?;
        changes.push(Change::OfficialWithdrawn { question: question.id, answer: answer.id, by: actor.id });
        Ok(question)
    })
}

/// Confirms an official answer is still accurate ("last reviewed" becomes today).
pub fn review(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    answer_id: i64,
    now: NaiveDateTime,
) -> ServiceResult<Post> {
    ensure_staff(actor)?;
    feed.write(conn, now, |conn, changes| {
        let (answer, question) = find_answer(conn, AnswerId(answer_id))?;
        if answer.official_kind.is_none() {
            return Err(ServiceError::Conflict("Only official answers are reviewed.".to_owned()));
        }
        official::review(conn, answer.id, now)?;
        audit::record(conn, actor, "answer.review", ("post", answer.id), None, now)?;
        changes.push(Change::OfficialReviewed { question: question.id, answer: answer.id, by: actor.id });
        Ok(question)
    })
}
