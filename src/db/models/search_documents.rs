//! What a search document is made of, read in batches: questions, their answers, the titles of
//! their duplicates and their authors' names, one query each whatever the batch's size, and the
//! rebuild's walk over every question. Reads only; `search::documents` assembles the documents.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{posts, users};
use crate::db::DbConnection;
use crate::domain::{CloseReason, PostKind};

/// The columns a search document needs from a question row.
#[derive(Queryable)]
pub struct QuestionRow {
    /// Row id.
    pub id: i64,
    /// Who asked.
    pub author_id: i64,
    /// The title.
    pub title: Option<String>,
    /// Tag names, space-separated.
    pub tags: Option<String>,
    /// The Markdown source.
    pub body: String,
    /// Up votes minus down votes.
    pub score: i32,
    /// Answers that are not deleted.
    pub answer_count: i32,
    /// The answer the asker accepted.
    pub accepted_answer_id: Option<i64>,
    /// At least one answer is official.
    pub has_official: bool,
    /// When it was asked.
    pub created_at: NaiveDateTime,
    /// Set when deleted.
    pub deleted_at: Option<NaiveDateTime>,
    /// Set while closed.
    pub closed_at: Option<NaiveDateTime>,
    /// Why it was closed.
    pub close_reason: Option<CloseReason>,
}

/// An answer's id, question id, Markdown and official kind (as stored).
pub type AnswerRow = (i64, Option<i64>, String, Option<String>);

/// Those of `ids` that are questions, deleted ones included, in no particular order.
pub fn questions(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<QuestionRow>> {
    posts::table
        .filter(posts::id.eq_any(ids))
        .filter(posts::kind.eq(PostKind::Question))
        .select((
            posts::id,
            posts::author_id,
            posts::title,
            posts::tags,
            posts::body_markdown,
            posts::score,
            posts::answer_count,
            posts::accepted_answer_id,
            posts::has_official,
            posts::created_at,
            posts::deleted_at,
            posts::closed_at,
            posts::close_reason,
        ))
        .load(conn)
}

/// The answers of several questions that are not deleted, in no particular order.
pub fn visible_answers(conn: &mut DbConnection, question_ids: &[i64]) -> QueryResult<Vec<AnswerRow>> {
    posts::table
        .filter(posts::question_id.eq_any(question_ids))
        .filter(posts::kind.eq(PostKind::Answer))
        .filter(posts::deleted_at.is_null())
        .select((posts::id, posts::question_id, posts::body_markdown, posts::official_kind))
        .load(conn)
}

/// The titles of questions (not deleted) closed as duplicates of several questions, as
/// (canonical question, title).
pub fn duplicate_titles(
    conn: &mut DbConnection,
    question_ids: &[i64],
) -> QueryResult<Vec<(Option<i64>, Option<String>)>> {
    posts::table
        .filter(posts::duplicate_of_id.eq_any(question_ids))
        .filter(posts::deleted_at.is_null())
        .select((posts::duplicate_of_id, posts::title))
        .load(conn)
}

/// The usernames of several users, as (id, username).
pub fn usernames(conn: &mut DbConnection, user_ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    users::table.filter(users::id.eq_any(user_ids)).select((users::id, users::username)).load(conn)
}

/// Question ids after `after` in id order, deleted ones included: the rebuild's walk.
pub fn question_ids_after(conn: &mut DbConnection, after: i64, limit: i64) -> QueryResult<Vec<i64>> {
    posts::table
        .filter(posts::kind.eq(PostKind::Question))
        .filter(posts::id.gt(after))
        .order(posts::id)
        .limit(limit)
        .select(posts::id)
        .load(conn)
}

/// How many questions a rebuild will walk, for its progress bar.
pub fn question_count(conn: &mut DbConnection) -> QueryResult<i64> {
    posts::table.filter(posts::kind.eq(PostKind::Question)).count().get_result(conn)
}
