//! The suggested-edit review queue: members with the review privilege (staff and moderators
//! always) read each pending suggestion as a difference against the post as it is now, and
//! approve it (applied through the ordinary edit path, as the suggester's revision) or reject it
//! with a reason. Both verdicts are audited and told to the suggester.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::super::actor::Actor;
use super::super::editing::{self, diff_lines, DiffLine, EditDraft, PostEdit};
use super::super::policy::PostingPolicy;
use super::super::question_page::{author_view, AuthorView};
use super::super::{audit, ServiceError, ServiceResult};
use crate::changes::{Change, ChangeFeed};
use crate::db::models::suggested_edits::{self, SuggestedEdit};
use crate::db::models::{posts, revisions, users};
use crate::db::DbConnection;
use crate::domain::{paths, AnswerId, Privilege, QuestionId, SuggestionStatus};

/// Suggestions on one page of the queue.
pub const PAGE_SIZE: i64 = 20;
/// Longest typed rejection reason, in characters.
const MAX_NOTE: usize = 300;

/// Why a reviewer turns a suggestion down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectReason {
    /// It makes the post worse, or defaces it.
    Vandalism,
    /// It changes too little, or nothing that matters.
    NoImprovement,
    /// It changes what the author meant; a comment or an answer would suit it better.
    ChangesMeaning,
    /// In the reviewer's own words.
    Other(String),
}

impl RejectReason {
    /// Reads the form: `reason` is one of the listed words, or `other` with a typed `note`.
    pub fn parse(reason: &str, note: &str) -> ServiceResult<Self> {
        let note = note.split_whitespace().collect::<Vec<_>>().join(" ");
        match reason {
            "vandalism" => Ok(Self::Vandalism),
            "no-improvement" => Ok(Self::NoImprovement),
            "changes-meaning" => Ok(Self::ChangesMeaning),
            "other" if note.is_empty() => Err(ServiceError::invalid("note", "Say why the edit is rejected.")),
            "other" if note.chars().count() > MAX_NOTE => {
                Err(ServiceError::invalid("note", format!("Use at most {MAX_NOTE} characters.")))
            }
            "other" => Ok(Self::Other(note)),
            _ => Err(ServiceError::invalid("reason", "Choose why the edit is rejected.")),
        }
    }

    /// The words the suggester and the audit log read.
    pub fn text(&self) -> &str {
        match self {
            Self::Vandalism => "It damages the post.",
            Self::NoImprovement => "It does not improve the post.",
            Self::ChangesMeaning => "It changes what the author meant; a comment or an answer suits it better.",
            Self::Other(note) => note,
        }
    }
}

/// One suggestion as the queue shows it: the post, who suggested what and why, the differences
/// against the post now, and whether it can still be approved.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SuggestionView {
    /// The suggestion's id.
    pub id: i64,
    /// The post's id.
    pub post_id: i64,
    /// `question` or `answer`.
    pub noun: &'static str,
    /// The question's title.
    pub question_title: String,
    /// Where the post is read.
    pub post_path: String,
    /// Who suggested it.
    pub suggester: AuthorView,
    /// Their summary.
    pub summary: String,
    /// When.
    pub created_at: NaiveDateTime,
    /// The title now and as suggested, if it changes.
    pub title_change: Option<(Option<String>, Option<String>)>,
    /// The tags now and as suggested, if they change.
    pub tags_change: Option<(Option<String>, Option<String>)>,
    /// Line differences of the body, now → suggested.
    pub body_diff: Vec<DiffLine>,
    /// Why it can no longer be approved (only rejected), if so.
    pub blocked: Option<&'static str>,
}

/// One page of the queue.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QueuePage {
    /// The suggestions, oldest first.
    pub items: Vec<SuggestionView>,
    /// How many wait in all.
    pub total: i64,
    /// This page's number, from 1.
    pub page: i64,
    /// How many pages there are (at least 1).
    pub pages: i64,
}

/// Refuses whoever may not review suggested edits, saying how far they are from it.
fn ensure_reviewer(actor: &Actor, policy: &PostingPolicy) -> ServiceResult<()> {
    if actor.suspended {
        return Err(ServiceError::Forbidden("Your account is suspended.".to_owned()));
    }
    actor.ensure_privilege(Privilege::Review, &policy.privileges)
}

/// Why a suggestion on `post` can only be rejected now, if it can.
fn blocked(suggestion: &SuggestedEdit, post: Option<&posts::Post>, latest: Option<i64>) -> Option<&'static str> {
    match post {
        None => Some("The post no longer exists."),
        Some(p) if p.deleted_at.is_some() => Some("The post was deleted."),
        Some(p) if p.locked_at.is_some() => Some("The post is locked."),
        Some(_) if latest != suggestion.base_revision_id => {
            Some("The post was edited after this suggestion was made (stale): it can only be rejected.")
        }
        Some(_) => None,
    }
}

/// Page `page` (from 1) of the pending suggestions, oldest first: five queries, however long
/// the page.
pub fn queue(conn: &mut DbConnection, actor: &Actor, policy: &PostingPolicy, page: i64) -> ServiceResult<QueuePage> {
    ensure_reviewer(actor, policy)?;
    let total = suggested_edits::count_pending(conn)?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = page.clamp(1, pages);
    let rows = suggested_edits::oldest_pending(conn, (page - 1) * PAGE_SIZE, PAGE_SIZE)?;
    let post_ids: Vec<i64> = rows.iter().map(|s| s.post_id).collect();
    let posts: HashMap<i64, posts::Post> = posts::find_many(conn, &post_ids)?.into_iter().map(|p| (p.id, p)).collect();
    let question_ids: Vec<i64> = posts.values().map(|p| p.question_id.unwrap_or(p.id)).collect();
    let titles: HashMap<i64, (String, Option<String>)> = posts::titles(conn, &question_ids)?
        .into_iter()
        .map(|(id, title, slug)| (id, (title.unwrap_or_default(), slug)))
        .collect();
    let latest: HashMap<i64, Option<i64>> = revisions::latest_ids(conn, &post_ids)?.into_iter().collect();
    let author_ids: Vec<i64> = rows.iter().map(|s| s.author_id).collect();
    let authors: HashMap<i64, AuthorView> =
        users::find_many(conn, &author_ids)?.iter().map(|u| (u.id, author_view(u))).collect();
    let items = rows
        .into_iter()
        .filter_map(|s| {
            let suggester = authors.get(&s.author_id).cloned()?;
            let post = posts.get(&s.post_id);
            let blocked = blocked(&s, post, latest.get(&s.post_id).copied().flatten());
            let post = post?;
            let question_id = post.question_id.unwrap_or(post.id);
            let (question_title, slug) = titles.get(&question_id).cloned().unwrap_or_default();
            let post_path = match post.question_id {
                Some(_) => paths::answer_permalink(AnswerId(post.id)),
                None => paths::question(QuestionId(post.id), slug.as_deref()),
            };
            let title_change =
                (post.is_question() && s.title != post.title).then(|| (post.title.clone(), s.title.clone()));
            let tags_change = (post.is_question() && s.tags != post.tags).then(|| (post.tags.clone(), s.tags.clone()));
            Some(SuggestionView {
                id: s.id,
                post_id: post.id,
                noun: if post.is_question() { "question" } else { "answer" },
                question_title,
                post_path,
                suggester,
                title_change,
                tags_change,
                body_diff: diff_lines(&post.body_markdown, &s.body),
                summary: s.summary,
                created_at: s.created_at,
                blocked,
            })
        })
        .collect();
    Ok(QueuePage { items, total, page, pages })
}

/// A pending suggestion the actor may decide on, with its post; refuses their own.
fn decidable(conn: &mut DbConnection, actor: &Actor, policy: &PostingPolicy, id: i64) -> ServiceResult<SuggestedEdit> {
    ensure_reviewer(actor, policy)?;
    let suggestion = suggested_edits::find(conn, id)?.ok_or(ServiceError::NotFound("Suggested edit"))?;
    if suggestion.status != SuggestionStatus::Pending {
        return Err(ServiceError::Conflict(format!("This suggested edit was already {}.", suggestion.status)));
    }
    if suggestion.author_id == actor.id {
        return Err(ServiceError::Forbidden("You cannot review your own suggested edit.".to_owned()));
    }
    Ok(suggestion)
}

/// The suggested edit as an edit form would carry it, to be checked and rendered (outside any
/// transaction) before [`approve`].
pub fn approval_edit(
    conn: &mut DbConnection,
    actor: &Actor,
    policy: &PostingPolicy,
    id: i64,
) -> ServiceResult<PostEdit> {
    let s = decidable(conn, actor, policy, id)?;
    Ok(PostEdit { title: s.title, tags: s.tags, body: s.body, reason: s.summary })
}

/// Approves a suggestion: the post takes the suggested text through the ordinary edit path, as a
/// revision by the suggester noting who approved it. A suggestion whose post was edited since,
/// deleted or locked is refused; a reviewer rejects it instead.
pub fn approve(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    policy: PostingPolicy,
    id: i64,
    draft: EditDraft,
    now: NaiveDateTime,
) -> ServiceResult<posts::Post> {
    feed.write(conn, now, |conn, changes| {
        let suggestion = decidable(conn, actor, &policy, id)?;
        let post = posts::find(conn, suggestion.post_id)?;
        let latest = revisions::latest_id(conn, suggestion.post_id)?;
        let (Some(post), None) = (post.as_ref(), blocked(&suggestion, post.as_ref(), latest)) else {
            let why = blocked(&suggestion, post.as_ref(), latest).unwrap_or("The post changed.");
            return Err(ServiceError::Conflict(format!("{why} Reject the suggestion instead.")));
        };
        let suggester = users::find(conn, suggestion.author_id)?.ok_or(ServiceError::NotFound("Suggester"))?;
        let reason = format!("{} (suggested edit, approved by {})", suggestion.summary, actor.display_name);
        let edited =
            editing::apply(conn, changes, post, &Actor::from_user(&suggester), policy, draft.approved(reason), now)?;
        if suggested_edits::decide(conn, id, SuggestionStatus::Approved, actor.id, None, now)? == 0 {
            return Err(ServiceError::Conflict("Another reviewer decided on this suggested edit first.".to_owned()));
        }
        changes.push(Change::SuggestedEditReviewed {
            question: post.question_id.unwrap_or(post.id),
            post: post.id,
            suggestion: id,
            author: suggestion.author_id,
            approved: true,
            by: actor.id,
        });
        let detail = format!("suggested edit {id} by user {}", suggestion.author_id);
        audit::record(conn, actor, "suggested_edit.approve", ("post", post.id), Some(&detail), now)?;
        Ok(edited)
    })
}

/// Rejects a suggestion with a reason; the post stays as it is. Stale suggestions, and those on
/// posts deleted or locked since, may always be rejected.
pub fn reject(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    policy: &PostingPolicy,
    id: i64,
    reason: &RejectReason,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    feed.write(conn, now, |conn, changes| {
        let suggestion = decidable(conn, actor, policy, id)?;
        let note = reason.text();
        if suggested_edits::decide(conn, id, SuggestionStatus::Rejected, actor.id, Some(note), now)? == 0 {
            return Err(ServiceError::Conflict("Another reviewer decided on this suggested edit first.".to_owned()));
        }
        let question =
            posts::find(conn, suggestion.post_id)?.map_or(suggestion.post_id, |p| p.question_id.unwrap_or(p.id));
        changes.push(Change::SuggestedEditReviewed {
            question,
            post: suggestion.post_id,
            suggestion: id,
            author: suggestion.author_id,
            approved: false,
            by: actor.id,
        });
        let detail = format!("suggested edit {id} by user {}: {note}", suggestion.author_id);
        audit::record(conn, actor, "suggested_edit.reject", ("post", suggestion.post_id), Some(&detail), now)?;
        Ok(())
    })
}
