//! Lists of questions (home, `/questions`, tags, profiles) as summaries with their authors.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::question_page::{author_view, AuthorView};
use super::ServiceResult;
use crate::db::models::posts::{self, Post, QuestionOrder};
use crate::db::models::users;
use crate::db::DbConnection;
use crate::markdown;

/// Questions per page.
pub const PAGE_SIZE: i64 = 30;
/// The deepest page a list offers; deeper browsing is what search is for.
pub const MAX_PAGE: i64 = 2_000;

/// One question in a list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QuestionSummary {
    /// Question id.
    pub id: i64,
    /// The title.
    pub title: String,
    /// The canonical path.
    pub path: String,
    /// Tag names.
    pub tags: Vec<String>,
    /// Score.
    pub score: i32,
    /// Answers.
    pub answer_count: i32,
    /// Views.
    pub view_count: i64,
    /// The asker accepted an answer.
    pub accepted: bool,
    /// Who asked.
    pub author: AuthorView,
    /// When it was asked.
    pub created_at: NaiveDateTime,
    /// Newest activity.
    pub last_activity_at: NaiveDateTime,
    /// The start of the question's text.
    pub excerpt: String,
}

/// A page of summaries and whether another page follows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QuestionList {
    /// The questions.
    pub questions: Vec<QuestionSummary>,
    /// 1-based page number.
    pub page: i64,
    /// Whether a next page exists.
    pub has_next: bool,
}

/// Page `page` (1-based) of all questions in an order.
pub fn list(conn: &mut DbConnection, order: QuestionOrder, page: i64) -> ServiceResult<QuestionList> {
    let page = page.clamp(1, MAX_PAGE);
    // One extra row tells whether a next page exists without counting the whole table.
    let rows = posts::list_questions(conn, order, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1)?;
    summarize(conn, rows, page)
}

/// Page `page` of a tag's questions, newest first.
pub fn tagged(conn: &mut DbConnection, tag_id: i64, page: i64) -> ServiceResult<QuestionList> {
    let page = page.clamp(1, MAX_PAGE);
    let rows = posts::list_tagged(conn, tag_id, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1)?;
    summarize(conn, rows, page)
}

/// Turns question rows (one more than a page, if there is more) into summaries.
pub fn summarize(conn: &mut DbConnection, mut rows: Vec<Post>, page: i64) -> ServiceResult<QuestionList> {
    let has_next = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let mut ids: Vec<i64> = rows.iter().map(|p| p.author_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let authors: HashMap<i64, AuthorView> =
        users::find_many(conn, &ids)?.iter().map(|u| (u.id, author_view(u))).collect();
    let questions = rows
        .into_iter()
        .filter_map(|p| {
            let author = authors.get(&p.author_id)?.clone();
            Some(QuestionSummary {
                id: p.id,
                path: format!("/questions/{}/{}", p.id, p.slug.as_deref().unwrap_or("question")),
                title: p.title.clone().unwrap_or_default(),
                tags: p.tag_list(),
                score: p.score,
                answer_count: p.answer_count,
                view_count: p.view_count,
                accepted: p.accepted_answer_id.is_some(),
                author,
                created_at: p.created_at,
                last_activity_at: p.last_activity_at,
                excerpt: excerpt(&p.body_markdown, 200),
            })
        })
        .collect();
    Ok(QuestionList { questions, page, has_next })
}

/// The first `max` characters of a post's text, cut at a word.
pub fn excerpt(markdown_text: &str, max: usize) -> String {
    let text = markdown::plain_text(markdown_text);
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    match cut.rfind(' ') {
        Some(at) => format!("{}…", &cut[..at]),
        None => format!("{cut}…"),
    }
}
