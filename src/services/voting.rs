//! Voting on questions and answers: one vote per member per post, changeable and withdrawable,
//! never on one's own post. The post's score is kept in step in the same transaction.

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::anti_spam::{check_rate, Activity};
use super::policy::PostingPolicy;
use super::{ServiceError, ServiceResult};
use crate::changes::{Change, ChangeFeed};
use crate::db::models::{posts, votes};
use crate::db::DbConnection;
use crate::domain::{PostId, Privilege};

/// A vote as submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteValue {
    /// +1
    Up,
    /// -1
    Down,
    /// Withdraw.
    None,
}

impl VoteValue {
    /// Parses the form field `value`.
    pub fn parse(text: &str) -> ServiceResult<Self> {
        match text {
            "up" => Ok(Self::Up),
            "down" => Ok(Self::Down),
            "none" => Ok(Self::None),
            _ => Err(ServiceError::invalid("value", "A vote is up, down or none.")),
        }
    }

    fn as_i32(self) -> i32 {
        match self {
            Self::Up => 1,
            Self::Down => -1,
            Self::None => 0,
        }
    }
}

/// The result of a vote: the post's new score and the member's vote on it.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct VoteOutcome {
    /// The post voted on.
    pub post_id: i64,
    /// Its score now.
    pub score: i32,
    /// The member's vote now: 1, -1 or 0.
    pub vote: i32,
    /// The question the post belongs to (itself for questions).
    #[serde(skip)]
    pub question_id: i64,
}

/// Records a vote.
pub fn vote(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    policy: PostingPolicy,
    PostId(post_id): PostId,
    value: VoteValue,
    now: NaiveDateTime,
) -> ServiceResult<VoteOutcome> {
    actor.ensure_can_post(policy.require_verified_email)?;
    feed.write(conn, now, |conn, changes| {
        let post = super::questions::find_live_post(conn, post_id)?;
        if post.author_id == actor.id {
            return Err(ServiceError::Forbidden("You cannot vote on your own post.".to_owned()));
        }
        if super::moderation::is_locked(conn, &post)? {
            return Err(ServiceError::Forbidden("This question is locked; it takes no votes.".to_owned()));
        }
        let question_id = post.question_id.unwrap_or(post.id);
        let previous = votes::find(conn, actor.id, post.id)?.unwrap_or(0);
        let wanted = value.as_i32();
        if wanted < 0 && previous >= 0 {
            actor.ensure_privilege(Privilege::VoteDown, &policy.privileges)?;
        }
        if previous == 0 && wanted != 0 {
            // Only a new vote counts against the allowance; changing or withdrawing one is free.
            check_rate(conn, actor, Activity::Vote, &policy.moderation, now)?;
        }
        let mut score = post.score;
        if previous != wanted {
            votes::set(conn, actor.id, post.id, wanted, now)?;
            score = posts::add_score(conn, post.id, wanted - previous)?;
            changes.push(Change::VoteCast {
                question: question_id,
                post: post.id,
                voter: actor.id,
                author: post.author_id,
                value: wanted,
                previous,
            });
        }
        Ok(VoteOutcome { post_id: post.id, score, vote: wanted, question_id })
    })
}
