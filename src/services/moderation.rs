//! Moderators' actions on posts: lock and unlock a question, delete and undelete a question, an
//! answer or a comment. Deleting is soft: the row stays, visitors get 410/404, moderators still see it, and
//! undeleting restores it exactly. Counters and the search index follow; every action is audited.

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::hiding::{self, Visibility};
use super::{audit, ServiceError, ServiceResult};
use crate::changes::{Change, ChangeFeed, Changes, ModerationAction};
use crate::db::models::comments;
use crate::db::models::posts::{self, Post};
use crate::db::DbConnection;
use crate::domain::CommentId;

/// A moderator's action on a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostAction {
    /// No new answers, comments or votes.
    Lock,
    /// Lift a lock.
    Unlock,
    /// Hide from everyone but moderators.
    Delete,
    /// Bring back a deleted post.
    Undelete,
}

impl PostAction {
    /// Reads the action from the URL.
    pub fn parse(action: &str) -> Option<PostAction> {
        match action {
            "lock" => Some(PostAction::Lock),
            "unlock" => Some(PostAction::Unlock),
            "delete" => Some(PostAction::Delete),
            "undelete" => Some(PostAction::Undelete),
            _ => None,
        }
    }

    fn audit_name(self) -> &'static str {
        match self {
            PostAction::Lock => "post.lock",
            PostAction::Unlock => "post.unlock",
            PostAction::Delete => "post.delete",
            PostAction::Undelete => "post.undelete",
        }
    }
}

/// Applies `action` to a question or answer; returns the question the post belongs to.
pub fn act(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    post_id: i64,
    action: PostAction,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> ServiceResult<Post> {
    feed.write(conn, now, |conn, changes| act_within(conn, changes, actor, post_id, action, reason, now))
}

/// [`act`], inside a transaction the caller holds (and states the changes of).
pub(crate) fn act_within(
    conn: &mut DbConnection,
    changes: &mut Changes,
    actor: &Actor,
    post_id: i64,
    action: PostAction,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> ServiceResult<Post> {
    if actor.suspended || !actor.role.is_moderator() {
        return Err(ServiceError::Forbidden("Only moderators can lock or delete posts.".to_owned()));
    }
    let post = posts::find(conn, post_id)?.ok_or(ServiceError::NotFound("Post"))?;
    let question_id = post.question_id.unwrap_or(post.id);
    let question = posts::find(conn, question_id)?.ok_or(ServiceError::NotFound("Question"))?;
    let conflict = |message: &str| Err(ServiceError::Conflict(message.to_owned()));
    match action {
        PostAction::Lock | PostAction::Unlock if !post.is_question() => {
            return Err(ServiceError::invalid("action", "Lock the question; its answers follow."));
        }
        PostAction::Lock if post.locked_at.is_some() => return conflict("This question is already locked."),
        PostAction::Unlock if post.locked_at.is_none() => return conflict("This question is not locked."),
        // A post held for review is hidden but not yet deleted: deleting it settles the review.
        PostAction::Delete if post.deleted_at.is_some() && post.held_reason.is_none() => {
            return conflict("This post is already deleted.")
        }
        PostAction::Undelete if post.deleted_at.is_none() => return conflict("This post is not deleted."),
        _ => {}
    }
    let done = match action {
        PostAction::Lock => {
            posts::set_locked(conn, post.id, Some(now))?;
            ModerationAction::Locked
        }
        PostAction::Unlock => {
            posts::set_locked(conn, post.id, None)?;
            ModerationAction::Unlocked
        }
        PostAction::Delete => {
            hiding::set_post(conn, changes, &post, Visibility::Deleted, now)?;
            ModerationAction::Deleted
        }
        PostAction::Undelete => {
            hiding::set_post(conn, changes, &post, Visibility::Shown, now)?;
            ModerationAction::Undeleted
        }
    };
    changes.push(Change::PostModerated { question: question.id, post: post.id, action: done, by: actor.id });
    audit::record(conn, actor, action.audit_name(), ("post", post.id), reason, now)?;
    Ok(question)
}

/// Whether new answers, comments and votes are refused for this post (its question is locked).
pub fn is_locked(conn: &mut DbConnection, post: &Post) -> ServiceResult<bool> {
    if post.locked_at.is_some() {
        return Ok(true);
    }
    match post.question_id {
        Some(question) => Ok(posts::find(conn, question)?.is_some_and(|q| q.locked_at.is_some())),
        None => Ok(false),
    }
}

/// Deletes (`delete = true`) or undeletes a comment. Its author may delete their own comment;
/// everything else is for moderators. Returns the question the comment is under.
pub fn act_on_comment(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    CommentId(comment_id): CommentId,
    delete: bool,
    now: NaiveDateTime,
) -> ServiceResult<Post> {
    feed.write(conn, now, |conn, changes| act_on_comment_within(conn, changes, actor, comment_id, delete, now))
}

/// [`act_on_comment`], inside a transaction the caller holds (and states the changes of).
pub(crate) fn act_on_comment_within(
    conn: &mut DbConnection,
    changes: &mut Changes,
    actor: &Actor,
    comment_id: i64,
    delete: bool,
    now: NaiveDateTime,
) -> ServiceResult<Post> {
    let comment = comments::find(conn, comment_id)?.ok_or(ServiceError::NotFound("Comment"))?;
    let moderator = actor.role.is_moderator() && !actor.suspended;
    let own = comment.author_id == actor.id && !actor.suspended;
    if !(moderator || (delete && own && comment.deleted_at.is_none())) {
        return Err(ServiceError::Forbidden("Only moderators can do that to this comment.".to_owned()));
    }
    if delete && comment.deleted_at.is_some() && comment.held_reason.is_none() {
        return Err(ServiceError::Conflict("This comment is already deleted.".to_owned()));
    }
    if !delete && comment.deleted_at.is_none() {
        return Err(ServiceError::Conflict("This comment is not deleted.".to_owned()));
    }
    let post = posts::find(conn, comment.post_id)?.ok_or(ServiceError::NotFound("Post"))?;
    let question_id = post.question_id.unwrap_or(post.id);
    let question = posts::find(conn, question_id)?.ok_or(ServiceError::NotFound("Question"))?;
    hiding::set_comment(conn, &comment, if delete { Visibility::Deleted } else { Visibility::Shown }, now)?;
    changes.push(Change::CommentModerated {
        question: question.id,
        comment: comment.id,
        visible: !delete,
        by: actor.id,
    });
    let action = if delete { "comment.delete" } else { "comment.undelete" };
    audit::record(conn, actor, action, ("comment", comment.id), None, now)?;
    Ok(question)
}
