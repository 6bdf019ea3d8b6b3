//! Assignment: a staff member takes a question ("I'm on it"), puts another staff member on it,
//! or gives it back. Each step is audited and stated to the change feed, whose consumer tells a
//! staff member put on a question by someone else; an official answer releases the question
//! (see [`crate::changes::consumers::topics`]).

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::questions::find_question;
use super::{audit, ServiceError, ServiceResult};
use crate::changes::{Change, ChangeFeed};
use crate::db::models::assignments::{self, Assignment};
use crate::db::models::users;
use crate::db::DbConnection;

/// Who to put on a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignee<'a> {
    /// The actor themselves.
    Myself,
    /// Another staff member, by username.
    Username(&'a str),
}

/// Puts a staff member on a question that still waits for an official answer, in place of
/// whoever was on it; returns who is on it now.
pub fn assign(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    question_id: i64,
    assignee: Assignee<'_>,
    now: NaiveDateTime,
) -> ServiceResult<Assignment> {
    actor.ensure_staff("assign questions")?;
    feed.write(conn, now, |conn, changes| {
        let question = find_question(conn, question_id)?;
        if question.has_official {
            return Err(ServiceError::Conflict("This question already has an official answer.".to_owned()));
        }
        let assignee_id = match assignee {
            Assignee::Myself => actor.id,
            Assignee::Username(name) => {
                let name = name.trim().trim_start_matches('@');
                let user = users::find_by_username(conn, name)?
                    .filter(|u| u.deleted_at.is_none())
                    .ok_or_else(|| ServiceError::invalid("assignee", "There is no member with that username."))?;
                if !user.role.is_staff() || user.suspended_at.is_some() {
                    return Err(ServiceError::invalid("assignee", "Only staff members can be put on a question."));
                }
                user.id
            }
        };
        let previous = assignments::assign(conn, question.id, assignee_id, actor.id, now)?;
        if previous == Some(assignee_id) {
            // Already on it: nothing to audit or tell (the row's time was refreshed).
            return assignments::of_question(conn, question.id)?.ok_or(ServiceError::NotFound("Assignment"));
        }
        let detail = match previous {
            Some(before) => format!("user {assignee_id}, in place of user {before}"),
            None => format!("user {assignee_id}"),
        };
        audit::record(conn, actor, "question.assigned", ("question", question.id), Some(&detail), now)?;
        changes.push(Change::QuestionAssigned { question: question.id, assignee: Some(assignee_id), by: actor.id });
        assignments::of_question(conn, question.id)?.ok_or(ServiceError::NotFound("Assignment"))
    })
}

/// Gives a question back: nobody is on it any more. Staff may release any question (they could
/// reassign it anyway); releasing one nobody is on is refused, so a stale button says so.
pub fn release(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    question_id: i64,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    actor.ensure_staff("give questions back")?;
    feed.write(conn, now, |conn, changes| {
        let question = find_question(conn, question_id)?;
        let Some(previous) = assignments::release(conn, question.id)? else {
            return Err(ServiceError::Conflict("Nobody is on this question.".to_owned()));
        };
        let detail = format!("user {previous}");
        audit::record(conn, actor, "question.released", ("question", question.id), Some(&detail), now)?;
        changes.push(Change::QuestionAssigned { question: question.id, assignee: None, by: actor.id });
        Ok(())
    })
}

/// Who is on a question, for staff (others are told nothing).
pub fn of_question(
    conn: &mut DbConnection,
    actor: Option<&Actor>,
    question_id: i64,
) -> ServiceResult<Option<Assignment>> {
    match actor {
        Some(actor) if actor.role.is_staff() => Ok(assignments::of_question(conn, question_id)?),
        _ => Ok(None),
    }
}
