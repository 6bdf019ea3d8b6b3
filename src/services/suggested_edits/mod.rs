//! Suggested edits: below the edit privilege, a member's edit of someone else's question or
//! answer does not change it; it waits, one per post, for a reviewer (see [`review`]) who applies
//! it as the suggester's revision or turns it down. This module decides which of the two an edit
//! form leads to and stores suggestions; it never changes a post itself.

mod review;

pub use review::{approval_edit, approve, queue, reject, QueuePage, RejectReason, SuggestionView, PAGE_SIZE};

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::anti_spam::{check_post_links, count_links};
use super::editing::{self, EditDraft, Post};
use super::policy::PostingPolicy;
use super::questions::find_live_post;
use super::{ServiceError, ServiceResult};
use crate::changes::ChangeFeed;
use crate::db::models::revisions;
use crate::db::models::suggested_edits::{self, NewSuggestedEdit};
use crate::db::DbConnection;
use crate::domain::{PostId, Privilege, SuggestionStatus};

/// Pending suggestions one member may have at once, so nobody floods the queue.
pub const MAX_PENDING_PER_MEMBER: usize = 5;

/// How the actor's edit of a post would land.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EditAccess {
    /// At once: the author, a moderator, or a member with the edit privilege.
    Direct,
    /// As a suggestion that waits for a reviewer.
    Suggest,
}

/// What became of a submitted edit.
#[derive(Debug, Clone)]
pub enum EditOutcome {
    /// The post changed; here it is as it is now.
    Edited(Post),
    /// A suggestion waits for review; the post, unchanged.
    Suggested(Post),
}

/// The post the actor wants to edit and how their edit would land, or why they may do neither:
/// a deleted or locked post, a suspended or (where the site asks for it) unconfirmed member, a
/// suggestion already waiting on the post.
pub fn edit_access(
    conn: &mut DbConnection,
    actor: &Actor,
    policy: &PostingPolicy,
    PostId(post_id): PostId,
) -> ServiceResult<(Post, EditAccess)> {
    let post = find_live_post(conn, post_id)?;
    editing::check_open(&post, actor)?;
    let direct = post.author_id == actor.id
        || actor.role.is_moderator()
        || actor.has_privilege(Privilege::Edit, &policy.privileges);
    if direct {
        return Ok((post, EditAccess::Direct));
    }
    actor.ensure_can_post(policy.require_verified_email)?;
    if let Some(pending) = suggested_edits::pending_on(conn, post.id)? {
        let whose =
            if pending.author_id == actor.id { "Your suggested edit" } else { "Another member's suggested edit" };
        return Err(ServiceError::Conflict(format!(
            "{whose} of this post waits for review; only one may wait at a time. Try again once it is reviewed."
        )));
    }
    Ok((post, EditAccess::Suggest))
}

/// Submits the edit form: applies the edit when the actor may edit directly, else stores it as a
/// suggestion for review.
pub fn edit_or_suggest(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    policy: PostingPolicy,
    post_id: PostId,
    draft: EditDraft,
    now: NaiveDateTime,
) -> ServiceResult<EditOutcome> {
    feed.write(conn, now, |conn, changes| {
        let (post, access) = edit_access(conn, actor, &policy, post_id)?;
        match access {
            EditAccess::Direct => {
                editing::apply(conn, changes, &post, actor, policy, draft, now).map(EditOutcome::Edited)
            }
            EditAccess::Suggest => {
                suggest(conn, &post, actor, &policy, &draft, now)?;
                Ok(EditOutcome::Suggested(post))
            }
        }
    })
}

/// Stores a suggestion for `post`, in the caller's transaction.
fn suggest(
    conn: &mut DbConnection,
    post: &Post,
    actor: &Actor,
    policy: &PostingPolicy,
    draft: &EditDraft,
    now: NaiveDateTime,
) -> ServiceResult<i64> {
    let (title, tags, body, summary) = draft.parts();
    let (title, tags) = if post.is_question() {
        let title = title.ok_or_else(|| ServiceError::invalid("title", "A question needs a title."))?;
        let tags = tags.ok_or_else(|| ServiceError::invalid("tags", "Give 1 to 5 tags."))?;
        (Some(title), Some(tags))
    } else {
        (None, None)
    };
    if title == post.title.as_deref() && tags == post.tags && body == post.body_markdown {
        return Err(ServiceError::invalid("body", "Nothing changed."));
    }
    if summary.is_empty() {
        return Err(ServiceError::invalid("reason", "Say what your edit improves: reviewers read this first."));
    }
    // A suggestion is reviewed anyway, so new members' links are not held; their number is
    // still capped, as in a post of their own.
    if count_links(body) > count_links(&post.body_markdown) {
        check_post_links(conn, actor, body, &policy.moderation, now)?;
    }
    if suggested_edits::pending_by(conn, actor.id, MAX_PENDING_PER_MEMBER as i64)?.len() >= MAX_PENDING_PER_MEMBER {
        return Err(ServiceError::Conflict(format!(
            "You have {MAX_PENDING_PER_MEMBER} suggested edits waiting for review; suggest more once some are reviewed."
        )));
    }
    let new = NewSuggestedEdit {
        post_id: post.id,
        author_id: actor.id,
        title,
        tags: tags.as_deref(),
        body,
        summary,
        base_revision_id: revisions::latest_id(conn, post.id)?,
        status: SuggestionStatus::Pending,
        created_at: now,
    };
    suggested_edits::insert(conn, &new)?.ok_or_else(|| {
        ServiceError::Conflict(
            "Another member's suggested edit of this post waits for review; only one may wait at a time.".to_owned(),
        )
    })
}

/// The post ids among `post_ids` with a suggestion waiting, and those of them that `viewer`
/// suggested: what a question page marks.
pub fn pending_marks(conn: &mut DbConnection, viewer: i64, post_ids: &[i64]) -> ServiceResult<(Vec<i64>, Vec<i64>)> {
    let pending = suggested_edits::pending_on_posts(conn, post_ids)?;
    let mine = pending.iter().filter(|(_, author)| *author == viewer).map(|(post, _)| *post).collect();
    Ok((pending.into_iter().map(|(post, _)| post).collect(), mine))
}
