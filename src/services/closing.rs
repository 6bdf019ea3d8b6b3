//! Closing and reopening questions. Closing as a duplicate points the question at its canonical
//! one, whose search document then carries the duplicate's wording; staff may do that, the other
//! reasons are for moderators. Reopening undoes all of it. Every change is audited.

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::questions::find_question;
use super::{audit, ServiceError, ServiceResult};
use crate::changes::{Change, ChangeFeed, Changes};
use crate::db::models::posts::{self, Post};
use crate::db::DbConnection;
use crate::domain::{CloseReason, QuestionId};

/// What a question is closed as: a duplicate of a canonical question, or for another reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    /// Asked before: the canonical question's id.
    Duplicate(i64),
    /// Not what this forum is for.
    OffTopic,
    /// Cannot be answered as asked.
    Unclear,
    /// The asker got their answer somewhere else.
    ResolvedElsewhere,
}

impl Closing {
    /// Reads the form: `reason` and, for duplicates, `duplicate_of` (an id or a question URL).
    pub fn from_form(reason: &str, duplicate_of: Option<&str>) -> ServiceResult<Closing> {
        match CloseReason::from_stored(reason) {
            Some(CloseReason::Duplicate) => {
                let target = duplicate_of.map(str::trim).unwrap_or_default();
                question_id_in(target).map(Closing::Duplicate).ok_or_else(|| {
                    ServiceError::invalid("duplicate_of", "Give the original question's number or its address.")
                })
            }
            Some(CloseReason::OffTopic) => Ok(Closing::OffTopic),
            Some(CloseReason::Unclear) => Ok(Closing::Unclear),
            Some(CloseReason::ResolvedElsewhere) => Ok(Closing::ResolvedElsewhere),
            None => Err(ServiceError::invalid("reason", "Choose a reason from the list.")),
        }
    }

    /// The reason stored on the question.
    pub fn reason(self) -> CloseReason {
        match self {
            Closing::Duplicate(_) => CloseReason::Duplicate,
            Closing::OffTopic => CloseReason::OffTopic,
            Closing::Unclear => CloseReason::Unclear,
            Closing::ResolvedElsewhere => CloseReason::ResolvedElsewhere,
        }
    }
}

/// The question id in `42`, `/questions/42/slug` or `https://host/questions/42/slug#answer-7`.
pub fn question_id_in(text: &str) -> Option<i64> {
    if let Ok(id) = text.parse::<i64>() {
        return Some(id).filter(|id| *id > 0);
    }
    let after = text.split("/questions/").nth(1)?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|id: &i64| *id > 0)
}

fn ensure_may_close(actor: &Actor, reason: Option<Closing>) -> ServiceResult<()> {
    if actor.suspended {
        return Err(ServiceError::Forbidden("Your account is suspended.".to_owned()));
    }
    match reason {
        Some(Closing::Duplicate(_)) => actor.ensure_staff("close questions as duplicates"),
        _ if actor.role.is_moderator() => Ok(()),
        _ => Err(ServiceError::Forbidden("Only moderators can close or reopen questions for that reason.".to_owned())),
    }
}

/// Closes a question; for duplicates, against an open question that is not itself a duplicate.
pub fn close(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    question_id: QuestionId,
    reason: Closing,
    now: NaiveDateTime,
) -> ServiceResult<Post> {
    feed.write(conn, now, |conn, changes| close_within(conn, changes, actor, question_id, reason, now))
}

/// [`close`], inside a transaction the caller holds (and states the changes of).
pub(crate) fn close_within(
    conn: &mut DbConnection,
    changes: &mut Changes,
    actor: &Actor,
    QuestionId(question_id): QuestionId,
    reason: Closing,
    now: NaiveDateTime,
) -> ServiceResult<Post> {
    ensure_may_close(actor, Some(reason))?;
    let question = find_question(conn, question_id)?;
    if question.closed_at.is_some() {
        return Err(ServiceError::Conflict("This question is already closed; reopen it first.".to_owned()));
    }
    let canonical = canonical_for(conn, &question, reason)?;
    posts::close(conn, question.id, reason.reason(), canonical, actor.id, now)?;
    // The canonical question's search document gains this question's title.
    changes.push(Change::QuestionClosed { question: question.id, duplicate_of: canonical, by: actor.id });
    let detail = match canonical {
        Some(original) => format!("duplicate of {original}"),
        None => reason.reason().as_str().to_owned(),
    };
    audit::record(conn, actor, "question.close", ("post", question.id), Some(&detail), now)?;
    Ok(question)
}

/// The canonical question a question would be closed against: for duplicates, an open question
/// other than itself that is not itself a duplicate.
pub(crate) fn canonical_for(conn: &mut DbConnection, question: &Post, reason: Closing) -> ServiceResult<Option<i64>> {
    match reason {
        Closing::Duplicate(id) if id == question.id => {
            Err(ServiceError::invalid("duplicate_of", "A question cannot duplicate itself."))
        }
        Closing::Duplicate(id) => {
            let original = find_question(conn, id)
                .map_err(|_| ServiceError::invalid("duplicate_of", "There is no such question."))?;
            if let Some(further) = original.duplicate_of_id {
                return Err(ServiceError::invalid(
                    "duplicate_of",
                    format!("That question is itself a duplicate; close this one against question {further}."),
                ));
            }
            Ok(Some(original.id))
        }
        _ => Ok(None),
    }
}

/// Whether `actor` closes (for `reason`) or reopens alone, without votes: moderators always,
/// staff for duplicates.
pub(crate) fn closes_alone(actor: &Actor, reason: Option<Closing>) -> bool {
    ensure_may_close(actor, reason).is_ok()
}

/// Reopens a closed question; a duplicate stops pointing at its canonical question.
pub fn reopen(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    QuestionId(question_id): QuestionId,
    now: NaiveDateTime,
) -> ServiceResult<Post> {
    feed.write(conn, now, |conn, changes| reopen_within(conn, changes, actor, QuestionId(question_id), now))
}

/// The reason a closed question was closed for, as [`ensure_may_close`] judges who may reopen it.
pub(crate) fn closed_as(question: &Post) -> Option<Closing> {
    let reason = question.close_reason?;
    Some(match (reason, question.duplicate_of_id) {
        (CloseReason::Duplicate, Some(id)) => Closing::Duplicate(id),
        _ => Closing::OffTopic,
    })
}

/// [`reopen`], inside a transaction the caller holds (and states the changes of).
pub(crate) fn reopen_within(
    conn: &mut DbConnection,
    changes: &mut Changes,
    actor: &Actor,
    QuestionId(question_id): QuestionId,
    now: NaiveDateTime,
) -> ServiceResult<Post> {
    let question = find_question(conn, question_id)?;
    let Some(reason) = question.close_reason else {
        return Err(ServiceError::Conflict("This question is not closed.".to_owned()));
    };
    ensure_may_close(actor, closed_as(&question))?;
    posts::reopen(conn, question.id)?;
    changes.push(Change::QuestionReopened {
        question: question.id,
        duplicate_of: question.duplicate_of_id,
        by: actor.id,
    });
    audit::record(conn, actor, "question.reopen", ("post", question.id), Some(reason.as_str()), now)?;
    Ok(question)
}

#[cfg(test)]
mod tests {
    use super::{question_id_in, Closing};

    #[test]
    fn duplicate_targets_by_id_or_url() {
        assert_eq!(question_id_in("42"), Some(42));
        assert_eq!(question_id_in("/questions/42/why"), Some(42));
        assert_eq!(question_id_in("https://forum.example/questions/7/x#answer-9"), Some(7));
        assert_eq!(question_id_in("https://forum.example/users/7/x"), None);
        assert_eq!(question_id_in("-3"), None);
        assert!(Closing::from_form("duplicate", Some("nonsense")).is_err());
        assert!(Closing::from_form("boring", None).is_err());
        assert_eq!(Closing::from_form("unclear", None).unwrap(), Closing::Unclear);
    }
}
