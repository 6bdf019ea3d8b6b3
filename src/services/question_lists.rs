//! Lists of questions (home, `/questions`, tags, profiles) as summaries with their authors.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::question_page::{author_view, AuthorView};
use super::ServiceResult;
/// The orders a question list can be read in; handlers name it through this service.
pub use crate::db::models::posts::QuestionOrder;
use crate::db::models::posts::{self, Cursor, Post, SortKey};
use crate::db::models::users;
use crate::db::DbConnection;
use crate::domain::{paths, QuestionId};
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
    /// Staff answered officially.
    pub official: bool,
    /// Who asked.
    pub author: AuthorView,
    /// When it was asked.
    pub created_at: NaiveDateTime,
    /// Newest activity.
    pub last_activity_at: NaiveDateTime,
    /// The start of the question's text.
    pub excerpt: String,
}

/// A page of summaries, with the cursors of the pages around it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QuestionList {
    /// The questions.
    pub questions: Vec<QuestionSummary>,
    /// 1-based page number, when the page was asked for by number.
    pub page: i64,
    /// Whether a next page exists.
    pub has_next: bool,
    /// The `after=` cursor of the next page.
    pub next: Option<String>,
    /// The `before=` cursor of the previous page.
    pub prev: Option<String>,
}

/// Which page of a list to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageRequest {
    /// A page by number (bounded by [`MAX_PAGE`]).
    Number(i64),
    /// The page next to a row (the Next/Previous links): the same cost at any depth.
    Seek(Cursor),
}

/// Encodes a cursor for a URL: `<key>_<id>`, the key a score or a time in nanoseconds.
pub fn encode_cursor(key: SortKey, id: i64) -> String {
    match key {
        SortKey::Score(score) => format!("{score}_{id}"),
        SortKey::Time(at) => format!("{}_{id}", at.and_utc().timestamp_nanos_opt().unwrap_or_default()),
    }
}

/// Decodes a cursor from a URL for a list order; `None` for anything malformed.
pub fn decode_cursor(order: QuestionOrder, text: &str, after: bool) -> Option<Cursor> {
    let (key, id) = text.split_once('_')?;
    let id: i64 = id.parse().ok()?;
    let key = match order {
        QuestionOrder::Votes => SortKey::Score(key.parse().ok()?),
        _ => SortKey::Time(chrono::DateTime::from_timestamp_nanos(key.parse().ok()?).naive_utc()),
    };
    Some(if after { Cursor::After(key, id) } else { Cursor::Before(key, id) })
}

/// A page of all questions in an order.
pub fn list(conn: &mut DbConnection, order: QuestionOrder, request: PageRequest) -> ServiceResult<QuestionList> {
    match request {
        PageRequest::Number(page) => {
            let page = page.clamp(1, MAX_PAGE);
            // One extra row tells whether a next page exists without counting the whole table.
            let rows = posts::list_questions(conn, order, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1)?;
            let cursor_of = |p: &Post| encode_cursor(order.key_of(p), p.id);
            let next =
                (rows.len() as i64 > PAGE_SIZE).then(|| rows.get(PAGE_SIZE as usize - 1).map(cursor_of)).flatten();
            let prev = (page > 1).then(|| rows.first().map(cursor_of)).flatten();
            let mut list = summarize(conn, rows, page)?;
            list.next = next;
            list.prev = prev;
            Ok(list)
        }
        PageRequest::Seek(cursor) => {
            let rows = posts::seek_questions(conn, order, Some(cursor), PAGE_SIZE + 1)?;
            paginate(conn, order, Some(cursor), rows)
        }
    }
}

/// A page of a tag's questions, newest first; `cursor` as the Next/Previous links give it.
pub fn tagged(conn: &mut DbConnection, tag_id: i64, cursor: Option<Cursor>) -> ServiceResult<QuestionList> {
    let rows = posts::seek_tagged(conn, tag_id, cursor, PAGE_SIZE + 1)?;
    paginate(conn, QuestionOrder::Newest, cursor, rows)
}

/// Cuts one extra row off a seek result and works out the cursors around the page.
fn paginate(
    conn: &mut DbConnection,
    order: QuestionOrder,
    cursor: Option<Cursor>,
    mut rows: Vec<Post>,
) -> ServiceResult<QuestionList> {
    let (has_prev, has_next) = match cursor {
        None => (false, rows.len() as i64 > PAGE_SIZE),
        Some(Cursor::After(..)) => (true, rows.len() as i64 > PAGE_SIZE),
        Some(Cursor::Before(..)) => {
            let more = rows.len() as i64 > PAGE_SIZE;
            if more {
                rows.remove(0);
            }
            (more, true)
        }
    };
    rows.truncate(PAGE_SIZE as usize);
    let next = has_next.then(|| rows.last()).flatten().map(|p| encode_cursor(order.key_of(p), p.id));
    let prev = has_prev.then(|| rows.first()).flatten().map(|p| encode_cursor(order.key_of(p), p.id));
    let mut list = summarize(conn, rows, if cursor.is_none() { 1 } else { 0 })?;
    list.has_next = next.is_some();
    list.next = next;
    list.prev = prev;
    Ok(list)
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
                path: paths::question(QuestionId(p.id), p.slug.as_deref()),
                title: p.title.clone().unwrap_or_default(),
                tags: p.tag_list(),
                score: p.score,
                answer_count: p.answer_count,
                view_count: p.view_count,
                accepted: p.accepted_answer_id.is_some(),
                official: p.has_official,
                author,
                created_at: p.created_at,
                last_activity_at: p.last_activity_at,
                excerpt: excerpt(&p.body_markdown, 200),
            })
        })
        .collect();
    Ok(QuestionList { questions, page, has_next, next: None, prev: None })
}

/// The first `max` characters of a post's text, cut at a word.
pub fn excerpt(markdown_text: &str, max: usize) -> String {
    // One character more than fits tells whether the text must be cut.
    let text = markdown::plain_text_prefix(markdown_text, max.saturating_add(1));
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    match cut.rfind(' ') {
        Some(at) => format!("{}…", &cut[..at]),
        None => format!("{cut}…"),
    }
}
