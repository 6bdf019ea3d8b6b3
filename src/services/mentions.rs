//! `@username` mentions: linking the names of members who exist in a post's or comment's stored
//! HTML, and telling those members, once each, when the text they are mentioned in is public.
//!
//! Runs inside the transaction of the write that caused it (see
//! `changes::consumers::mentions`). A post or comment tells at most [`MAX_TOLD`] members over its
//! whole life, the first ones mentioned; an edit tells only members not told before; nobody is
//! told while the text is held for review, hidden or deleted (they are told when it becomes
//! public); the author, suspended and deleted accounts are never told.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::notifications::{tell, Event};
use super::ServiceResult;
use crate::db::models::comments;
use crate::db::models::mentions::{self as mention_rows, MentionedIn};
use crate::db::models::posts::{self, Post};
use crate::db::DbConnection;
use crate::domain::{paths, MailPreference, NotificationEvent, UserId};
use crate::mail::Outbox;
use crate::markdown::{mentions, SafeHtml};

/// Members one post or comment may tell of a mention, in all.
pub const MAX_TOLD: usize = 5;

/// A post or comment, as far as mentions care.
struct Text {
    html: String,
    author: i64,
    /// The post it is (or sits under).
    post: Post,
    /// The comment's own deletion (held or deleted), for a comment.
    comment_hidden: bool,
}

impl Text {
    /// The question and the answer (if any) a notification about it points to.
    fn question_and_answer(&self) -> (i64, Option<i64>) {
        (self.post.question_id.unwrap_or(self.post.id), self.post.question_id.map(|_| self.post.id))
    }

    /// Whether every visitor sees it: it, its post and its question are neither held nor deleted.
    fn is_public(&self, conn: &mut DbConnection) -> ServiceResult<bool> {
        if self.comment_hidden || self.post.deleted_at.is_some() {
            return Ok(false);
        }
        Ok(match self.post.question_id {
            None => true,
            Some(id) => posts::find(conn, id)?.is_some_and(|q| q.deleted_at.is_none()),
        })
    }
}

fn load(conn: &mut DbConnection, place: MentionedIn) -> ServiceResult<Option<Text>> {
    Ok(match place {
        MentionedIn::Post(id) => posts::find(conn, id)?.map(|post| Text {
            html: post.body_html.clone(),
            author: post.author_id,
            post,
            comment_hidden: false,
        }),
        MentionedIn::Comment(id) => {
            let Some(comment) = comments::find(conn, id)? else { return Ok(None) };
            posts::find(conn, comment.post_id)?.map(|post| Text {
                html: comment.body_html,
                author: comment.author_id,
                post,
                comment_hidden: comment.deleted_at.is_some(),
            })
        }
    })
}

/// Handles the mentions in `place` after a write: when `relink`, links the names of existing
/// members in its stored HTML (the text was just written, from Markdown that knows nothing of
/// members); then, if the text is public, tells the members mentioned who were not told yet.
/// `actor` wrote the mentions (the author, or an editor); `None` means the author. Returns how
/// many mails it queued.
pub fn record(
    conn: &mut DbConnection,
    outbox: &Outbox,
    place: MentionedIn,
    relink: bool,
    actor: Option<i64>,
    now: NaiveDateTime,
) -> ServiceResult<usize> {
    let Some(text) = load(conn, place)? else { return Ok(0) };
    let html = SafeHtml::from_trusted_db(text.html.clone());
    let names = mentions::mentioned(&html);
    if names.is_empty() {
        return Ok(0);
    }
    let mut members = mention_rows::members_named(conn, &names)?;
    if relink {
        let paths: HashMap<String, String> =
            members.iter().map(|m| (m.username_key.clone(), paths::profile(UserId(m.id), &m.username))).collect();
        let linked = mentions::link(&html, &paths);
        if linked != html {
            mention_rows::set_html(conn, place, linked.as_str())?;
        }
    }
    if !text.is_public(conn)? {
        return Ok(0);
    }
    let told = mention_rows::told(conn, place)?;
    let room = MAX_TOLD.saturating_sub(told.len());
    let actor = actor.unwrap_or(text.author);
    // In the order the text names them, so the cap keeps the first ones mentioned.
    members.sort_by_key(|m| names.iter().position(|n| *n == m.username_key));
    let recipients: Vec<_> = members
        .into_iter()
        .filter(|m| m.id != text.author && m.id != actor && m.suspended_at.is_none() && !told.contains(&m.id))
        .take(room)
        .map(|m| (m, MailPreference::Each))
        .collect();
    if recipients.is_empty() {
        return Ok(0);
    }
    for (member, _) in &recipients {
        mention_rows::insert(conn, place, member.id, now)?;
    }
    let event = match text.question_and_answer() {
        (question, Some(answer)) => Event::new(NotificationEvent::Mentioned, question, answer, actor),
        (question, None) => Event::about_question(NotificationEvent::Mentioned, question, Some(actor)),
    };
    tell(conn, outbox, event, &recipients, now)
}
