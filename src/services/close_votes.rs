//! Closing and reopening by the community: members with the privilege vote, and when enough
//! votes agree the question closes (or reopens). Moderators, and staff for duplicates, still act
//! alone, through the same form.

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::closing::{self, Closing};
use super::policy::PostingPolicy;
use super::questions::find_question;
use super::{audit, ServiceError, ServiceResult};
use crate::changes::{Change, ChangeFeed};
use crate::db::models::close_votes::{self, CloseVote, CLOSE, REOPEN};
use crate::db::models::posts::{self, Post};
use crate::db::DbConnection;
use crate::domain::{CloseReason, Privilege, QuestionId};

/// What a vote did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Counted; the question waits for more votes.
    Counted {
        /// Votes so far, this one included.
        votes: usize,
        /// Votes that act.
        needed: u32,
    },
    /// The question is closed now.
    Closed,
    /// The question is open again.
    Reopened,
}

/// Votes to close a question (or, for those who may, closes it).
pub fn vote_to_close(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    policy: PostingPolicy,
    QuestionId(question_id): QuestionId,
    reason: Closing,
    now: NaiveDateTime,
) -> ServiceResult<(Post, Outcome)> {
    if closing::closes_alone(actor, Some(reason)) {
        let question = closing::close(conn, feed, actor, QuestionId(question_id), reason, now)?;
        return Ok((question, Outcome::Closed));
    }
    let needed = ensure_may_vote(actor, &policy)?;
    feed.write(conn, now, |conn, changes| {
        let question = find_question(conn, question_id)?;
        if question.closed_at.is_some() {
            return Err(ServiceError::Conflict("This question is already closed.".to_owned()));
        }
        let canonical = closing::canonical_for(conn, &question, reason)?;
        let mut votes = close_votes::of_question(conn, question.id, CLOSE)?;
        if votes.iter().any(|v| v.user_id == actor.id) {
            return Err(ServiceError::Conflict("You have already voted to close this question.".to_owned()));
        }
        let stored = reason.reason().as_str();
        close_votes::insert(conn, question.id, actor.id, CLOSE, Some(stored), canonical, now)?;
        votes.push(CloseVote {
            user_id: actor.id,
            reason: Some(stored.to_owned()),
            duplicate_of: canonical,
            created_at: now,
        });
        if votes.len() < needed as usize {
            return Ok((question, Outcome::Counted { votes: votes.len(), needed }));
        }
        let (reason, canonical) = verdict(&votes, reason.reason(), canonical);
        posts::close(conn, question.id, reason, canonical, actor.id, now)?;
        close_votes::clear(conn, question.id, CLOSE)?;
        close_votes::clear(conn, question.id, REOPEN)?;
        changes.push(Change::QuestionClosed { question: question.id, duplicate_of: canonical, by: actor.id });
        let detail = match canonical {
            Some(original) => format!("duplicate of {original}, by {} close votes", votes.len()),
            None => format!("{reason}, by {} close votes", votes.len()),
        };
        audit::record(conn, actor, "question.close", ("post", question.id), Some(&detail), now)?;
        Ok((question, Outcome::Closed))
    })
}

/// Votes to reopen a closed question (or, for those who may, reopens it).
pub fn vote_to_reopen(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    policy: PostingPolicy,
    QuestionId(question_id): QuestionId,
    now: NaiveDateTime,
) -> ServiceResult<(Post, Outcome)> {
    let question = find_question(conn, question_id)?;
    if closing::closes_alone(actor, closing::closed_as(&question)) {
        let question = closing::reopen(conn, feed, actor, QuestionId(question_id), now)?;
        return Ok((question, Outcome::Reopened));
    }
    let needed = ensure_may_vote(actor, &policy)?;
    feed.write(conn, now, |conn, changes| {
        let question = find_question(conn, question_id)?;
        if question.closed_at.is_none() {
            return Err(ServiceError::Conflict("This question is not closed.".to_owned()));
        }
        let votes = close_votes::of_question(conn, question.id, REOPEN)?;
        if votes.iter().any(|v| v.user_id == actor.id) {
            return Err(ServiceError::Conflict("You have already voted to reopen this question.".to_owned()));
        }
        close_votes::insert(conn, question.id, actor.id, REOPEN, None, None, now)?;
        let count = votes.len() + 1;
        if count < needed as usize {
            return Ok((question, Outcome::Counted { votes: count, needed }));
        }
        posts::reopen(conn, question.id)?;
        close_votes::clear(conn, question.id, REOPEN)?;
        changes.push(Change::QuestionReopened {
            question: question.id,
            duplicate_of: question.duplicate_of_id,
            by: actor.id,
        });
        let detail = format!("by {count} reopen votes");
        audit::record(conn, actor, "question.reopen", ("post", question.id), Some(&detail), now)?;
        Ok((question, Outcome::Reopened))
    })
}

/// The votes that act on this site, once the member may vote at all.
fn ensure_may_vote(actor: &Actor, policy: &PostingPolicy) -> ServiceResult<u32> {
    actor.ensure_can_post(policy.require_verified_email)?;
    let needed = policy.moderation.close_votes_needed;
    if needed == 0 {
        return Err(ServiceError::Forbidden("On this site only moderators close and reopen questions.".to_owned()));
    }
    actor.ensure_privilege(Privilege::Close, &policy.privileges)?;
    Ok(needed)
}

/// What the votes decided: the reason most voted for (the last vote's on a tie) and, for a
/// duplicate, the original most voted for.
fn verdict(votes: &[CloseVote], last: CloseReason, last_canonical: Option<i64>) -> (CloseReason, Option<i64>) {
    let reason = most_common(votes.iter().filter_map(|v| v.reason.as_deref().and_then(CloseReason::from_stored)), last);
    if reason != CloseReason::Duplicate {
        return (reason, None);
    }
    let fallback = last_canonical.or_else(|| votes.iter().rev().find_map(|v| v.duplicate_of));
    let canonical = fallback.map(|f| most_common(votes.iter().filter_map(|v| v.duplicate_of), f));
    (reason, canonical)
}

/// The value seen most often, `tie` when it is among the most often seen (or nothing was seen).
fn most_common<T: PartialEq + Copy>(values: impl Iterator<Item = T> + Clone, tie: T) -> T {
    let count = |x: T| values.clone().filter(|v| *v == x).count();
    let best = values.clone().map(|v| (count(v), v)).max_by_key(|(n, _)| *n);
    match best {
        Some((n, v)) if n > count(tie) => v,
        _ => tie,
    }
}

#[cfg(test)]
mod tests {
    use super::most_common;

    #[test]
    fn the_most_voted_wins_and_the_last_vote_breaks_ties() {
        assert_eq!(most_common([1, 2, 2].into_iter(), 1), 2);
        assert_eq!(most_common([1, 2].into_iter(), 1), 1);
        assert_eq!(most_common([1, 2].into_iter(), 2), 2);
        assert_eq!(most_common(std::iter::empty(), 3), 3);
    }
}
