//! Answering questions and accepting answers.

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::anti_spam::{check_post_links, check_rate, Activity};
use super::hiding::{self, Visibility};
use super::policy::PostingPolicy;
use super::questions::{find_question, PostBody};
use super::{ServiceError, ServiceResult};
use crate::changes::{Change, ChangeFeed};
use crate::db::models::posts::{self, NewPost, Post};
use crate::db::models::revisions::{self, NewRevision};
use crate::db::DbConnection;
use crate::domain::{AnswerId, PostKind, QuestionId};

/// What the answer form sends, its body already checked and rendered.
#[derive(Debug, Clone)]
pub struct AnswerForm {
    /// The body, from [`super::questions::prepare_body`].
    pub body: PostBody,
    /// Staff: post it as official.
    pub official: bool,
}

/// Posts an answer to an open, unlocked question; staff may post it as official. A new member's
/// answer with links is held for a moderator's review (`held_reason` is set).
pub fn post_answer(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    policy: PostingPolicy,
    QuestionId(question_id): QuestionId,
    answer: AnswerForm,
    now: NaiveDateTime,
) -> ServiceResult<Post> {
    let AnswerForm { body: PostBody { markdown: body, html }, official } = answer;
    actor.ensure_can_post(policy.require_verified_email)?;
    if official {
        super::official::ensure_staff(actor)?;
    }
    feed.write(conn, now, |conn, changes| {
        let question = find_question(conn, question_id)?;
        if question.locked_at.is_some() {
            return Err(ServiceError::Forbidden("This question is locked; it takes no new answers.".to_owned()));
        }
        if question.closed_at.is_some() {
            return Err(ServiceError::Forbidden("This question is closed; it takes no new answers.".to_owned()));
        }
        check_rate(conn, actor, Activity::Answer, &policy.moderation, now)?;
        let held = check_post_links(conn, actor, &body, &policy.moderation, now)?;
        let id = posts::insert(
            conn,
            &NewPost {
                kind: PostKind::Answer,
                question_id: Some(question.id),
                author_id: actor.id,
                title: None,
                slug: None,
                tags: None,
                body_markdown: &body,
                body_html: html.as_str(),
                created_at: now,
                last_activity_at: now,
            },
        )?;
        posts::add_answer(conn, question.id, 1, now)?;
        revisions::insert(
            conn,
            &NewRevision {
                post_id: id,
                editor_id: actor.id,
                title: None,
                tags: None,
                // Shares the post's text (see `models::revisions`).
                body_markdown: None,
                reason: None,
                created_at: now,
            },
        )?;
        let answer = posts::find(conn, id)?.ok_or(ServiceError::NotFound("Answer"))?;
        changes.push(Change::AnswerPosted {
            question: question.id,
            answer: id,
            author: actor.id,
            official,
            held: held.is_some(),
        });
        if let Some(why) = held {
            // Watchers hear of it when a moderator lets it through (see `review::decide`).
            hiding::set_post(conn, changes, &answer, Visibility::Held(why), now)?;
            return posts::find(conn, id)?.ok_or(ServiceError::NotFound("Answer"));
        }
        if official {
            super::official::mark_authored(conn, actor, &answer, now)?;
        }
        Ok(answer)
    })
}

/// An answer that is not deleted, with its question.
pub fn find_answer(conn: &mut DbConnection, AnswerId(id): AnswerId) -> ServiceResult<(Post, Post)> {
    match posts::find(conn, id)? {
        Some(answer) if !answer.is_question() && answer.deleted_at.is_none() => {
            let question_id = answer.question_id.ok_or(ServiceError::NotFound("Question"))?;
            Ok((answer, find_question(conn, question_id)?))
        }
        Some(answer) if !answer.is_question() => Err(ServiceError::Gone("This answer was deleted.".to_owned())),
        _ => Err(ServiceError::NotFound("Answer")),
    }
}

/// What accepting did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acceptance {
    /// The answer is now the accepted one.
    Accepted,
    /// The answer was accepted and no longer is.
    Withdrawn,
}

/// The asker accepts an answer, or withdraws acceptance when it already was the accepted one.
/// Accepting another answer moves the mark.
pub fn toggle_accept(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    AnswerId(answer_id): AnswerId,
    now: NaiveDateTime,
) -> ServiceResult<(Post, Acceptance)> {
    feed.write(conn, now, |conn, changes| {
        let (answer, question) = find_answer(conn, AnswerId(answer_id))?;
        if question.author_id != actor.id {
            return Err(ServiceError::Forbidden("Only the person who asked can accept an answer.".to_owned()));
        }
        if actor.suspended {
            return Err(ServiceError::Forbidden("Your account is suspended.".to_owned()));
        }
        let outcome = if question.accepted_answer_id == Some(answer.id) {
            posts::set_accepted(conn, question.id, None)?;
            changes.push(Change::AcceptanceWithdrawn { question: question.id, answer: answer.id, by: actor.id });
            Acceptance::Withdrawn
        } else {
            posts::set_accepted(conn, question.id, Some(answer.id))?;
            changes.push(Change::AnswerAccepted { question: question.id, answer: answer.id, by: actor.id });
            Acceptance::Accepted
        };
        posts::touch_activity(conn, question.id, now)?;
        Ok((question, outcome))
    })
}
