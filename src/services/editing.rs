//! Editing questions and answers (authors their own, moderators and admins any), with a reason;
//! every edit stores a revision, and the history is shown as differences.

use chrono::NaiveDateTime;
use similar::{ChangeTag, TextDiff};

use super::actor::Actor;
use super::anti_spam::{check_post_links, count_links};
use super::hiding::{self, Visibility};
use super::policy::PostingPolicy;
use super::questions::{check_title, find_live_post, parse_tags, prepare_body, slugify, PostBody};
use super::{ServiceError, ServiceResult};
use crate::changes::{Change, ChangeFeed, Changes};
/// The post being edited, as the edit form and history show it.
pub use crate::db::models::posts::Post;
use crate::db::models::posts::{self, Edit};
use crate::db::models::revisions::{self, NewRevision, Revision};
use crate::db::models::tags;
use crate::db::DbConnection;
use crate::domain::{PostId, Privilege};

/// Longest edit reason, in characters.
pub const MAX_REASON: usize = 300;

/// The edit form.
#[derive(Debug, Clone)]
pub struct PostEdit {
    /// New title (questions only).
    pub title: Option<String>,
    /// New tags (questions only).
    pub tags: Option<String>,
    /// New body.
    pub body: String,
    /// Why.
    pub reason: String,
}

/// A post the actor may edit directly, or why not: its author, a moderator, or a member with the
/// edit privilege (below it, an edit of someone else's post is suggested instead: see
/// [`super::suggested_edits`]).
pub fn editable(
    conn: &mut DbConnection,
    actor: &Actor,
    policy: &PostingPolicy,
    PostId(post_id): PostId,
) -> ServiceResult<Post> {
    let post = find_live_post(conn, post_id)?;
    if post.author_id != actor.id && !actor.role.is_moderator() {
        // Says the threshold and how far the member is from it.
        actor.ensure_privilege(Privilege::Edit, &policy.privileges)?;
    }
    check_open(&post, actor)?;
    Ok(post)
}

/// Refuses an edit, direct or suggested, of a locked post (unless a moderator's) or by a
/// suspended member.
pub(super) fn check_open(post: &Post, actor: &Actor) -> ServiceResult<()> {
    if post.locked_at.is_some() && !actor.role.is_moderator() {
        return Err(ServiceError::Forbidden("This post is locked.".to_owned()));
    }
    if actor.suspended {
        return Err(ServiceError::Forbidden("Your account is suspended.".to_owned()));
    }
    Ok(())
}

/// An edit checked and rendered, ready for [`edit`].
#[derive(Debug, Clone)]
pub struct EditDraft {
    title: Option<String>,
    tags: Option<Vec<String>>,
    body: PostBody,
    reason: String,
    /// A reviewer read it (an approved suggestion): the new-member link hold does not apply.
    vetted: bool,
}

impl EditDraft {
    /// The new title, tags (as stored, separated by spaces), Markdown and reason.
    pub(super) fn parts(&self) -> (Option<&str>, Option<String>, &str, &str) {
        (self.title.as_deref(), self.tags.as_ref().map(|t| t.join(" ")), &self.body.markdown, &self.reason)
    }

    /// The draft of a suggested edit a reviewer approved, with the history's reason for it.
    pub(super) fn approved(self, reason: String) -> Self {
        Self { reason, vetted: true, ..self }
    }
}

impl PostEdit {
    /// Checks every field and renders the body: all the work of an edit that needs no database,
    /// done before a connection, and so the write lock, is taken.
    pub fn prepare(&self, policy: &PostingPolicy) -> ServiceResult<EditDraft> {
        let reason = self.reason.split_whitespace().collect::<Vec<_>>().join(" ");
        if reason.chars().count() > MAX_REASON {
            return Err(ServiceError::invalid("reason", format!("Use at most {MAX_REASON} characters.")));
        }
        let title = self.title.as_deref().map(check_title).transpose()?;
        let tags = self.tags.as_deref().map(parse_tags).transpose()?;
        let body = prepare_body(&self.body, policy)?;
        Ok(EditDraft { title, tags, body, reason, vetted: false })
    }
}

/// Applies an edit: the new text, the tag counts, a revision, the question's activity. A new
/// member's edit that adds links is held for a moderator's review, as a new post with links is.
pub fn edit(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    policy: PostingPolicy,
    PostId(post_id): PostId,
    draft: EditDraft,
    now: NaiveDateTime,
) -> ServiceResult<Post> {
    feed.write(conn, now, |conn, changes| {
        let post = editable(conn, actor, &policy, PostId(post_id))?;
        apply(conn, changes, &post, actor, policy, draft, now)
    })
}

/// Applies a checked edit of `post` by `actor` in the caller's transaction: the new text, the
/// tag counts, a revision, the question's activity, and the [`Change::PostEdited`].
pub(super) fn apply(
    conn: &mut DbConnection,
    changes: &mut Changes,
    post: &Post,
    actor: &Actor,
    policy: PostingPolicy,
    draft: EditDraft,
    now: NaiveDateTime,
) -> ServiceResult<Post> {
    let EditDraft { title, tags, body: PostBody { markdown: body, html }, reason, vetted } = draft;
    let (title, new_tags) = if post.is_question() {
        let title = title.ok_or_else(|| ServiceError::invalid("title", "A question needs a title."))?;
        let new_tags = tags.ok_or_else(|| ServiceError::invalid("tags", "Give 1 to 5 tags."))?;
        (Some(title), Some(new_tags))
    } else {
        (None, None)
    };
    if title == post.title && new_tags.as_ref().map(|t| t.join(" ")) == post.tags && body == post.body_markdown {
        return Err(ServiceError::invalid("body", "Nothing changed."));
    }
    // Links already reviewed stay; only an edit that brings more meets the new-member rule.
    let held = if !vetted && count_links(&body) > count_links(&post.body_markdown) {
        check_post_links(conn, actor, &body, &policy.moderation, now)?
    } else {
        None
    };
    if let Some(new_tags) = &new_tags {
        let old = post.tag_list();
        let removed: Vec<String> = old.iter().filter(|t| !new_tags.contains(t)).cloned().collect();
        let added: Vec<String> = new_tags.iter().filter(|t| !old.contains(t)).cloned().collect();
        tags::detach(conn, post.id, &removed)?;
        tags::attach(conn, post.id, &added, now)?;
    }
    let slug = title.as_deref().map(slugify);
    let tag_text = new_tags.map(|t| t.join(" "));
    posts::apply_edit(
        conn,
        post.id,
        &Edit {
            title: title.as_deref().zip(slug.as_deref()),
            tags: tag_text.as_deref(),
            body_markdown: &body,
            body_html: html.as_str(),
            editor_id: actor.id,
            at: now,
        },
    )?;
    revisions::insert(
        conn,
        &NewRevision {
            post_id: post.id,
            editor_id: actor.id,
            title: title.as_deref(),
            tags: tag_text.as_deref(),
            // Shares the post's text (see `models::revisions`).
            body_markdown: None,
            reason: Some(&reason).filter(|r| !r.is_empty()).map(String::as_str),
            created_at: now,
        },
    )?;
    posts::touch_activity(conn, post.question_id.unwrap_or(post.id), now)?;
    changes.push(Change::PostEdited { question: post.question_id.unwrap_or(post.id), post: post.id, editor: actor.id });
    let edited = posts::find(conn, post.id)?.ok_or(ServiceError::NotFound("Post"))?;
    match held {
        Some(why) => {
            hiding::set_post(conn, changes, &edited, Visibility::Held(why), now)?;
            posts::find(conn, post.id)?.ok_or(ServiceError::NotFound("Post"))
        }
        None => Ok(edited),
    }
}

/// One line of a difference between two versions.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DiffLine {
    /// `same`, `added` or `removed`.
    pub change: &'static str,
    /// The line's text.
    pub text: String,
}

/// One version with what changed since the one before.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RevisionView {
    /// 1 for the first version.
    pub number: usize,
    /// Who wrote it.
    pub editor_id: i64,
    /// Why.
    pub reason: Option<String>,
    /// When.
    pub created_at: NaiveDateTime,
    /// The title then, if it changed.
    pub title_change: Option<(Option<String>, Option<String>)>,
    /// The tags then, if they changed.
    pub tags_change: Option<(Option<String>, Option<String>)>,
    /// Line differences of the body (the whole text for the first version).
    pub body_diff: Vec<DiffLine>,
}

/// The history of a post, newest first, each version compared with the one before it.
pub fn history(conn: &mut DbConnection, PostId(post_id): PostId) -> ServiceResult<(Post, Vec<RevisionView>)> {
    let post = find_live_post(conn, post_id)?;
    let all = revisions::of_post(conn, post.id)?;
    let mut views = Vec::with_capacity(all.len());
    let mut previous: Option<&Revision> = None;
    for (index, revision) in all.iter().enumerate() {
        let old_body = previous.map(|p| p.body_markdown.as_str()).unwrap_or_default();
        let title_change =
            previous.filter(|p| p.title != revision.title).map(|p| (p.title.clone(), revision.title.clone()));
        let tags_change = previous.filter(|p| p.tags != revision.tags).map(|p| (p.tags.clone(), revision.tags.clone()));
        views.push(RevisionView {
            number: index + 1,
            editor_id: revision.editor_id,
            reason: revision.reason.clone(),
            created_at: revision.created_at,
            title_change,
            tags_change,
            body_diff: diff_lines(old_body, &revision.body_markdown),
        });
        previous = Some(revision);
    }
    views.reverse();
    Ok((post, views))
}

/// The line differences between two texts, as the history and the review queue show them.
pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|change| DiffLine {
            change: match change.tag() {
                ChangeTag::Equal => "same",
                ChangeTag::Insert => "added",
                ChangeTag::Delete => "removed",
            },
            text: change.value().trim_end_matches('\n').to_owned(),
        })
        .collect()
}

/// A post's history as its page shows it: the post, every version newest first, and how each
/// editor is shown, by user id.
pub type HistoryPage = (Post, Vec<RevisionView>, std::collections::HashMap<i64, super::question_page::AuthorView>);

/// [`history`], with the editors who made the versions.
pub fn history_page(conn: &mut DbConnection, post_id: PostId) -> ServiceResult<HistoryPage> {
    let (post, history) = history(conn, post_id)?;
    let mut ids: Vec<i64> = history.iter().map(|r| r.editor_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let editors = crate::db::models::users::find_many(conn, &ids)?
        .iter()
        .map(|u| (u.id, super::question_page::author_view(u)))
        .collect();
    Ok((post, history, editors))
}
