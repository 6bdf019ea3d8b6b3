//! A member's public profile: who they are, and the questions and answers they posted lately.
//! Reads only; what a profile shows of a hidden post is what any visitor may see.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde::Serialize;

use super::question_lists::{self, excerpt, QuestionSummary};
use super::question_page::{author_view, AuthorView};
use super::ServiceResult;
use crate::db::models::{posts, users};
use crate::db::DbConnection;
use crate::domain::{paths, AnswerId, PostKind};

/// How many of each kind a profile lists.
const RECENT: i64 = 20;

/// An answer on a profile.
#[derive(Serialize)]
pub struct AnswerLine {
    /// The answer's permalink.
    pub path: String,
    /// The title of the question it answers.
    pub question_title: String,
    /// Its score.
    pub score: i32,
    /// The start of its text.
    pub excerpt: String,
    /// When it was posted.
    pub created_at: NaiveDateTime,
}

/// What the profile page shows.
pub struct Profile {
    /// The member's id.
    pub user_id: i64,
    /// The member's username, which the canonical slug is made from.
    pub username: String,
    /// When the account was made.
    pub member_since: NaiveDateTime,
    /// The member as shown beside their posts.
    pub author: AuthorView,
    /// Their latest questions.
    pub questions: Vec<QuestionSummary>,
    /// Their latest answers to questions still visible.
    pub answers: Vec<AnswerLine>,
}

/// Member `id`, or `None` when there is no such member; a deleted account is gone (410).
pub fn member(conn: &mut DbConnection, id: i64) -> ServiceResult<Option<users::User>> {
    match users::find(conn, id)? {
        Some(user) if user.deleted_at.is_some() => {
            Err(super::ServiceError::Gone("This member deleted their account.".to_owned()))
        }
        found => Ok(found),
    }
}

/// The reputation page of member `id`: who they are, and a page of their ledger before row
/// `before`, with the cursor of the next page.
pub fn reputation(conn: &mut DbConnection, id: i64, before: Option<i64>) -> ServiceResult<Option<ReputationPage>> {
    let Some(user) = member(conn, id)? else {
        return Ok(None);
    };
    let (lines, next) = super::reputation::profile::history(conn, id, before)?;
    Ok(Some(ReputationPage { author: author_view(&user), username: user.username, lines, next }))
}

/// A member's reputation page: who they are, and a page of their ledger.
pub struct ReputationPage {
    /// The member as shown beside their posts.
    pub author: AuthorView,
    /// Their username, which the canonical slug is made from.
    pub username: String,
    /// Ledger rows, newest first.
    pub lines: Vec<super::reputation::profile::LedgerLine>,
    /// The cursor of the next (earlier) page.
    pub next: Option<i64>,
}

/// The profile of member `id`, or `None` when there is no such member; a deleted account is
/// gone (410), its posts shown under "Deleted member" without a link.
pub fn load(conn: &mut DbConnection, id: i64) -> ServiceResult<Option<Profile>> {
    let Some(user) = member(conn, id)? else {
        return Ok(None);
    };
    let asked = posts::by_author(conn, id, PostKind::Question, RECENT)?;
    let questions = question_lists::summarize(conn, asked, 1)?;
    let answer_rows = posts::by_author(conn, id, PostKind::Answer, RECENT)?;
    let question_ids: Vec<i64> = answer_rows.iter().filter_map(|a| a.question_id).collect();
    let titles: HashMap<i64, String> = posts::visible_titles(conn, &question_ids)?
        .into_iter()
        .map(|(id, title, _slug)| (id, title.unwrap_or_default()))
        .collect();
    let answers = answer_rows
        .iter()
        .filter_map(|a| {
            let title = titles.get(&a.question_id?)?;
            Some(AnswerLine {
                path: paths::answer_permalink(AnswerId(a.id)),
                question_title: title.clone(),
                score: a.score,
                excerpt: excerpt(&a.body_markdown, 160),
                created_at: a.created_at,
            })
        })
        .collect();
    Ok(Some(Profile {
        user_id: user.id,
        username: user.username.clone(),
        member_since: user.created_at,
        author: author_view(&user),
        questions: questions.questions,
        answers,
    }))
}
