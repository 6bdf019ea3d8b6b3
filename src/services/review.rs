//! The review queue: new members' questions and answers with links wait here, hidden, until a
//! moderator approves them (they appear, and watchers hear of a new answer only then) or rejects
//! them (they stay deleted). Moderators work it oldest first at `/mod/review`.

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::hiding::{self, Visibility};
use super::queue_items::{queue_item, QueueItem};
use super::{audit, ServiceError, ServiceResult};
use crate::changes::{Change, ChangeFeed};
use crate::db::models::flags::FlagTarget;
use crate::db::models::posts::{self, Post};
use crate::db::DbConnection;
use crate::domain::{HeldReason, PostId};

/// Posts shown in the review queue at once.
const QUEUE_LENGTH: i64 = 30;

/// A moderator's decision on a held post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Publish it.
    Approve,
    /// Keep it hidden, as a deleted post.
    Reject,
}

impl Decision {
    /// Reads the form's `decision`.
    pub fn parse(text: &str) -> ServiceResult<Decision> {
        match text {
            "approve" => Ok(Decision::Approve),
            "reject" => Ok(Decision::Reject),
            _ => Err(ServiceError::invalid("decision", "Approve or reject.")),
        }
    }
}

/// The oldest posts waiting for review, and how many wait in all.
pub fn queue(conn: &mut DbConnection, actor: &Actor) -> ServiceResult<(Vec<QueueItem>, i64)> {
    ensure_moderator(actor)?;
    let total = posts::count_held(conn, HeldReason::Links)?;
    let ids = posts::oldest_held(conn, HeldReason::Links, QUEUE_LENGTH)?;
    let items = ids.into_iter().map(|id| queue_item(conn, FlagTarget::Post(id))).collect::<ServiceResult<_>>()?;
    Ok((items, total))
}

/// Approves or rejects a held post; returns the question it belongs to.
pub fn decide(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    PostId(post_id): PostId,
    decision: Decision,
    now: NaiveDateTime,
) -> ServiceResult<Post> {
    ensure_moderator(actor)?;
    feed.write(conn, now, |conn, changes| {
        let post = posts::find(conn, post_id)?.ok_or(ServiceError::NotFound("Post"))?;
        if post.held_reason != Some(HeldReason::Links) {
            return Err(ServiceError::Conflict("This post is not waiting for review.".to_owned()));
        }
        let question_id = post.question_id.unwrap_or(post.id);
        match decision {
            Decision::Approve => {
                hiding::set_post(conn, changes, &post, Visibility::Shown, now)?;
                if !post.is_question() {
                    changes.push(Change::HeldAnswerApproved {
                        question: question_id,
                        answer: post.id,
                        author: post.author_id,
                    });
                }
                audit::record(conn, actor, "review.approve", ("post", post.id), None, now)?;
            }
            Decision::Reject => {
                hiding::set_post(conn, changes, &post, Visibility::Deleted, now)?;
                audit::record(conn, actor, "review.reject", ("post", post.id), None, now)?;
            }
        }
        posts::find(conn, question_id)?.ok_or(ServiceError::NotFound("Question"))
    })
}

/// How many posts wait for review and how many flags are open: the moderators' to-do count.
pub fn pending_counts(conn: &mut DbConnection) -> ServiceResult<(i64, i64)> {
    let waiting = posts::count_held(conn, HeldReason::Links)?;
    Ok((waiting, crate::db::models::flags::open_count(conn)?))
}

fn ensure_moderator(actor: &Actor) -> ServiceResult<()> {
    if actor.role.is_moderator() && !actor.suspended {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("Only moderators can review posts.".to_owned()))
    }
}
