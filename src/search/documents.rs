//! Reading questions from the database as search documents.
//!
//! Four queries per batch whatever its size (questions, their answers, their duplicates' titles,
//! their authors), so a
//! rebuild of a million questions costs a thousand round trips, not millions.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use guidepost_search::{QuestionDoc, QuestionStatus};

use crate::db::schema::{posts, users};
use crate::db::DbConnection;
use crate::domain::{CloseReason, PostKind};
use crate::markdown::plain_text;

/// The columns a search document needs from a question row.
#[derive(Queryable)]
struct QuestionRow {
    id: i64,
    author_id: i64,
    title: Option<String>,
    tags: Option<String>,
    body: String,
    score: i32,
    answer_count: i32,
    accepted_answer_id: Option<i64>,
    has_official: bool,
    created_at: NaiveDateTime,
    deleted_at: Option<NaiveDateTime>,
    closed_at: Option<NaiveDateTime>,
    close_reason: Option<CloseReason>,
}

impl QuestionRow {
    fn status(&self) -> QuestionStatus {
        match (&self.deleted_at, &self.closed_at, self.close_reason) {
            (Some(_), _, _) => QuestionStatus::Deleted,
            (None, Some(_), Some(CloseReason::Duplicate)) => QuestionStatus::Duplicate,
            (None, Some(_), _) => QuestionStatus::Closed,
            (None, None, _) => QuestionStatus::Open,
        }
    }
}

/// The search documents of the given questions; ids that are not questions are left out.
pub fn load(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<QuestionDoc>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let questions: Vec<QuestionRow> = posts::table
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
        .load(conn)?;
    let found: Vec<i64> = questions.iter().map(|q| q.id).collect();
    let answers: Vec<(i64, Option<i64>, String, Option<String>)> = posts::table
        .filter(posts::question_id.eq_any(&found))
        .filter(posts::kind.eq(PostKind::Answer))
        .filter(posts::deleted_at.is_null())
        .select((posts::id, posts::question_id, posts::body_markdown, posts::official_kind))
        .load(conn)?;
    // A duplicate's title is another way of asking its canonical question.
    let duplicates: Vec<(Option<i64>, Option<String>)> = posts::table
        .filter(posts::duplicate_of_id.eq_any(&found))
        .filter(posts::deleted_at.is_null())
        .select((posts::duplicate_of_id, posts::title))
        .load(conn)?;
    let mut author_ids: Vec<i64> = questions.iter().map(|q| q.author_id).collect();
    author_ids.sort_unstable();
    author_ids.dedup();
    let authors: HashMap<i64, String> = users::table
        .filter(users::id.eq_any(&author_ids))
        .select((users::id, users::username))
        .load(conn)?
        .into_iter()
        .collect();
    let accepted: HashMap<i64, i64> =
        questions.iter().filter_map(|q| q.accepted_answer_id.map(|a| (q.id, a))).collect();
    let mut docs: HashMap<i64, QuestionDoc> = questions
        .into_iter()
        .map(|q| {
            let status = q.status();
            let doc = QuestionDoc {
                id: q.id.unsigned_abs(),
                title: q.title.unwrap_or_default(),
                body: plain_text(&q.body),
                tags: q.tags.unwrap_or_default().split_whitespace().map(str::to_owned).collect(),
                author: authors.get(&q.author_id).cloned().unwrap_or_default(),
                created: q.created_at.and_utc().timestamp(),
                score: i64::from(q.score),
                answer_count: u64::from(q.answer_count.unsigned_abs()),
                answered: q.answer_count > 0,
                accepted: q.accepted_answer_id.is_some(),
                official: q.has_official,
                closed: q.closed_at.is_some(),
                status,
                ..QuestionDoc::default()
            };
            (q.id, doc)
        })
        .collect();
    for (canonical, title) in duplicates {
        if let (Some(doc), Some(title)) = (canonical.and_then(|id| docs.get_mut(&id)), title) {
            doc.alt_titles.push(title);
        }
    }
    for (answer_id, question_id, body, official_kind) in answers {
        let Some(doc) = question_id.and_then(|q| docs.get_mut(&q)) else { continue };
        let best = official_kind.is_some() || question_id.and_then(|q| accepted.get(&q)) == Some(&answer_id);
        let text = plain_text(&body);
        if best {
            doc.best_answers.push(text);
        } else {
            doc.answers.push(text);
        }
    }
    let mut out: Vec<QuestionDoc> = docs.into_values().collect();
    out.sort_by_key(|doc| doc.id);
    Ok(out)
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
