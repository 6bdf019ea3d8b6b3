//! What the moderators' queues show of a flagged or held post or comment: where it is, who wrote
//! it, its rendered text (links and all) and, in the flag queue, its flags.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::flags::Subject;
use super::question_page::{author_view, AuthorView};
use super::ServiceResult;
use crate::db::models::flags::FlagTarget;
use crate::db::models::users;
use crate::db::DbConnection;
use crate::domain::{paths, QuestionId};
use crate::markdown::SafeHtml;

/// One flag, as the queue shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FlagView {
    /// The reason.
    pub reason: crate::domain::FlagReason,
    /// The flagger's note.
    pub note: Option<String>,
    /// Who flagged.
    pub flagger: AuthorView,
    /// When.
    pub created_at: NaiveDateTime,
}

/// A post or comment as the moderators' queues show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QueueItem {
    /// What it is.
    pub target: FlagTarget,
    /// `question`, `answer` or `comment`.
    pub noun: &'static str,
    /// The title of the question it is on.
    pub question_title: String,
    /// Where it is (moderators can open hidden posts).
    pub path: String,
    /// Its rendered text, links and all, so moderators see what the spammer wrote.
    pub html: SafeHtml,
    /// Who wrote it.
    pub author: AuthorView,
    /// The author's account is suspended already.
    pub author_suspended: bool,
    /// The author is staff (and cannot be deleted as spam).
    pub author_is_staff: bool,
    /// Hidden until a moderator decides.
    pub held: bool,
    /// When it was written.
    pub created_at: NaiveDateTime,
    /// Its open flags, oldest first (empty in the review queue).
    pub flags: Vec<FlagView>,
}

/// A post or comment as a queue shows it, without flags.
pub(crate) fn queue_item(conn: &mut DbConnection, target: FlagTarget) -> ServiceResult<QueueItem> {
    let subject = Subject::load(conn, target)?;
    let question = subject.question(conn)?;
    let (html, author_id, created_at, anchor) = match &subject {
        Subject::Post(p) => {
            let anchor = if p.is_question() { String::new() } else { format!("#answer-{}", p.id) };
            (p.body_html.clone(), p.author_id, p.created_at, anchor)
        }
        Subject::Comment(c, _) => (c.body_html.clone(), c.author_id, c.created_at, format!("#comment-{}", c.id)),
    };
    let author = authors(conn, &[author_id])?.remove(&author_id);
    Ok(QueueItem {
        target,
        noun: subject.noun_lower(),
        question_title: question.title.clone().unwrap_or_default(),
        path: format!("{}{anchor}", paths::question(QuestionId(question.id), question.slug.as_deref())),
        html: SafeHtml::from_trusted_db(html),
        author_suspended: author.as_ref().is_some_and(|(_, suspended)| *suspended),
        author_is_staff: author.as_ref().is_some_and(|(a, _)| a.role.is_staff()),
        author: author.map(|(a, _)| a).unwrap_or_else(|| unknown(author_id)),
        held: subject.hidden()
            && (subject.held_by_flags() || matches!(&subject, Subject::Post(p) if p.held_reason.is_some())),
        created_at,
        flags: Vec::new(),
    })
}

/// Authors by id, with whether each is suspended.
pub(crate) fn authors(conn: &mut DbConnection, ids: &[i64]) -> ServiceResult<HashMap<i64, (AuthorView, bool)>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    Ok(users::find_many(conn, &ids)?.iter().map(|u| (u.id, (author_view(u), u.suspended_at.is_some()))).collect())
}

pub(crate) fn unknown(id: i64) -> AuthorView {
    super::question_page::unknown_author(id)
}
