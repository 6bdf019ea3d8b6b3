//! Comments on questions and answers: short, inline Markdown only.

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::anti_spam::{check_comment_links, check_rate, Activity};
use super::policy::PostingPolicy;
use super::{ServiceError, ServiceResult};
use crate::changes::{Change, ChangeFeed};
use crate::db::models::{comments, posts};
use crate::db::DbConnection;
use crate::domain::{PostId, Privilege};
use crate::markdown;

/// Comment length, in characters.
pub const COMMENT_LENGTH: std::ops::RangeInclusive<usize> = 15..=600;

/// Adds a comment; returns the question it belongs under.
pub fn add_comment(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    policy: PostingPolicy,
    PostId(post_id): PostId,
    body: &str,
    now: NaiveDateTime,
) -> ServiceResult<i64> {
    actor.ensure_can_post(policy.require_verified_email)?;
    let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let length = body.chars().count();
    if !COMMENT_LENGTH.contains(&length) {
        return Err(ServiceError::invalid(
            "body",
            format!(
                "Use {} to {} characters; this comment has {length}.",
                COMMENT_LENGTH.start(),
                COMMENT_LENGTH.end()
            ),
        ));
    }
    let html = markdown::render_inline(&body);
    feed.write(conn, now, |conn, changes| {
        let post = super::questions::find_live_post(conn, post_id)?;
        if super::moderation::is_locked(conn, &post)? {
            return Err(ServiceError::Forbidden("This question is locked; it takes no new comments.".to_owned()));
        }
        if !actor.has_privilege(Privilege::Comment, &policy.privileges) && !is_own_thread(conn, actor, &post)? {
            actor.ensure_privilege(Privilege::Comment, &policy.privileges)?;
        }
        check_rate(conn, actor, Activity::Comment, &policy.moderation, now)?;
        check_comment_links(conn, actor, &body, &policy.moderation, now)?;
        let comment = comments::insert(conn, post.id, actor.id, &body, html.as_str(), now)?;
        posts::add_comment(conn, post.id, 1)?;
        let question_id = post.question_id.unwrap_or(post.id);
        posts::touch_activity(conn, question_id, now)?;
        changes.push(Change::CommentPosted { question: question_id, post: post.id, comment, author: actor.id });
        Ok(question_id)
    })
}

/// Whether a member may comment on `post` before earning the privilege to comment everywhere:
/// it is theirs, or an answer to their question (so they can talk with whoever answered).
fn is_own_thread(conn: &mut DbConnection, actor: &Actor, post: &posts::Post) -> ServiceResult<bool> {
    if post.author_id == actor.id {
        return Ok(true);
    }
    Ok(match post.question_id {
        Some(question_id) => posts::find(conn, question_id)?.is_some_and(|q| q.author_id == actor.id),
        None => false,
    })
}
