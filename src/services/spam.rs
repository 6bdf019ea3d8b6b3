//! "Delete as spam": one action that hides everything a spammer posted (softly: nothing is
//! removed, and each post can still be undeleted), suspends the account, ends its sessions and
//! settles the open flags on its posts.

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::hiding::{self, Visibility};
use super::{audit, ServiceError, ServiceResult};
use crate::changes::{Change, ChangeFeed};
use crate::db::models::comments::{self, Comment};
use crate::db::models::flags::{self, FlagTarget};
use crate::db::models::posts::{self, Post};
use crate::db::models::users;
use crate::db::DbConnection;
use crate::domain::UserId;

/// What deleting as spam did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpamSweep {
    /// Questions and answers hidden.
    pub posts: usize,
    /// Comments hidden.
    pub comments: usize,
}

/// Deletes every post and comment of `user_id` and suspends them. Moderators only; staff accounts
/// cannot be swept (an admin demotes them first).
pub fn delete_as_spam(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    UserId(user_id): UserId,
    now: NaiveDateTime,
) -> ServiceResult<SpamSweep> {
    if !actor.role.is_moderator() || actor.suspended {
        return Err(ServiceError::Forbidden("Only moderators can delete members as spammers.".to_owned()));
    }
    if user_id == actor.id {
        return Err(ServiceError::Conflict("You cannot delete yourself as a spammer.".to_owned()));
    }
    feed.write(conn, now, |conn, changes| {
        let user = users::find(conn, user_id)?.ok_or(ServiceError::NotFound("User"))?;
        if user.role.is_staff() {
            return Err(ServiceError::Forbidden(
                "Staff accounts cannot be deleted as spam; an administrator must change their role first.".to_owned(),
            ));
        }
        // Answers before questions, so counters on the spammer's own questions stay right.
        let their_posts: Vec<Post> = posts::visible_or_held_by(conn, user.id)?;
        for post in &their_posts {
            hiding::set_post(conn, changes, post, Visibility::Deleted, now)?;
            flags::handle_open(conn, FlagTarget::Post(post.id), actor.id, "agreed", now)?;
        }
        let their_comments: Vec<Comment> = comments::visible_or_held_by(conn, user.id)?;
        for comment in &their_comments {
            hiding::set_comment(conn, comment, Visibility::Deleted, now)?;
            flags::handle_open(conn, FlagTarget::Comment(comment.id), actor.id, "agreed", now)?;
        }
        if user.suspended_at.is_none() {
            users::set_suspension(conn, user.id, Some((now, "spam")))?;
        }
        let sweep = SpamSweep { posts: their_posts.len(), comments: their_comments.len() };
        let detail = format!("{} posts and {} comments deleted; account suspended", sweep.posts, sweep.comments);
        audit::record(conn, actor, "user.delete-as-spam", ("user", user.id), Some(&detail), now)?;
        changes.push(Change::SpammerRemoved { user: user.id, by: actor.id });
        Ok(sweep)
    })
}
