//! Hiding and showing posts and comments: the one place that keeps answer and comment counts,
//! tag counts, official status and the search index in step with what visitors can see.
//!
//! Every way a post leaves public view (a moderator's delete, a new member's links waiting for
//! review, spam flags, "delete as spam") and comes back goes through here. Hidden rows keep
//! `deleted_at` set, so each visitor-facing query, which already leaves deleted rows out, needs no
//! second condition; `held_reason` tells a post waiting for review from a deleted one.

use chrono::NaiveDateTime;

use super::ServiceResult;
use crate::changes::{Change, Changes};
use crate::db::models::comments::{self, Comment};
use crate::db::models::official;
use crate::db::models::posts::{self, Post};
use crate::db::models::tags;
use crate::db::DbConnection;
use crate::domain::HeldReason;

/// What a post or comment should become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Public.
    Shown,
    /// Deleted by a moderator (or as spam).
    Deleted,
    /// Hidden until a moderator reviews it.
    Held(HeldReason),
}

/// Sets a question's or answer's visibility; counters follow only when it enters or leaves
/// public view. States the change, so the question's search document follows.
pub fn set_post(
    conn: &mut DbConnection,
    changes: &mut Changes,
    post: &Post,
    to: Visibility,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let was_hidden = post.deleted_at.is_some();
    let hidden = to != Visibility::Shown;
    let deleted_at = if hidden { Some(post.deleted_at.unwrap_or(now)) } else { None };
    let held = match to {
        Visibility::Held(why) => Some(why),
        _ => None,
    };
    posts::set_visibility(conn, post.id, deleted_at, held)?;
    let question_id = post.question_id.unwrap_or(post.id);
    if was_hidden != hidden {
        let delta = if hidden { -1 } else { 1 };
        if post.is_question() {
            // Tag counts are of visible questions.
            tags::add_question(conn, post.id, delta)?;
        } else {
            posts::add_answer(conn, question_id, delta, now)?;
            if post.official_kind.is_some() {
                official::refresh_question(conn, question_id, now)?;
            }
        }
    }
    changes.push(Change::PostVisibilityChanged { question: question_id, post: post.id, visible: !hidden });
    Ok(())
}

/// Sets a comment's visibility; the post's comment count follows.
pub fn set_comment(
    conn: &mut DbConnection,
    comment: &Comment,
    to: Visibility,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let was_hidden = comment.deleted_at.is_some();
    let hidden = to != Visibility::Shown;
    let deleted_at = if hidden { Some(comment.deleted_at.unwrap_or(now)) } else { None };
    let held = match to {
        Visibility::Held(why) => Some(why),
        _ => None,
    };
    comments::set_visibility(conn, comment.id, deleted_at, held)?;
    if was_hidden != hidden {
        posts::add_comment(conn, comment.post_id, if hidden { -1 } else { 1 })?;
    }
    Ok(())
}
