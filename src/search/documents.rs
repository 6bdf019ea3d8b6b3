//! Reading questions from the database as search documents.
//!
//! Three queries per batch whatever its size (questions, their answers, their authors), so a
//! rebuild of a million questions costs a thousand round trips, not millions.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use guidepost_search::{QuestionDoc, QuestionStatus};

use crate::db::schema::{posts, users};
use crate::db::DbConnection;
use crate::markdown::plain_text;

type QuestionRow = (
    i64,
    i64,
    Option<String>,
    Option<String>,
    String,
    i32,
    i32,
    Option<i64>,
    bool,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

/// The search documents of the given questions; ids that are not questions are left out.
pub fn load(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<QuestionDoc>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let questions: Vec<QuestionRow> = posts::table
        .filter(posts::id.eq_any(ids))
        .filter(posts::kind.eq("question"))
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
        ))
        .load(conn)?;
    let found: Vec<i64> = questions.iter().map(|q| q.0).collect();
    let answers: Vec<(i64, Option<i64>, String, Option<String>)> = posts::table
        .filter(posts::question_id.eq_any(&found))
        .filter(posts::kind.eq("answer"))
        .filter(posts::deleted_at.is_null())
        .select((posts::id, posts::question_id, posts::body_markdown, posts::official_kind))
        .load(conn)?;
    let mut author_ids: Vec<i64> = questions.iter().map(|q| q.1).collect();
    author_ids.sort_unstable();
    author_ids.dedup();
    let authors: HashMap<i64, String> = users::table
        .filter(users::id.eq_any(&author_ids))
        .select((users::id, users::username))
        .load(conn)?
        .into_iter()
        .collect();
    let accepted: HashMap<i64, i64> = questions.iter().filter_map(|q| q.7.map(|a| (q.0, a))).collect();
    let mut docs: HashMap<i64, QuestionDoc> = questions
        .into_iter()
        .map(
            |(
                id,
                author_id,
                title,
                tags,
                body,
                score,
                answer_count,
                accepted_answer_id,
                has_official,
                created,
                deleted,
            )| {
                let doc = QuestionDoc {
                    id: id.unsigned_abs(),
                    title: title.unwrap_or_default(),
                    body: plain_text(&body),
                    tags: tags.unwrap_or_default().split_whitespace().map(str::to_owned).collect(),
                    author: authors.get(&author_id).cloned().unwrap_or_default(),
                    created: created.and_utc().timestamp(),
                    score: i64::from(score),
                    answer_count: u64::from(answer_count.unsigned_abs()),
                    answered: answer_count > 0,
                    accepted: accepted_answer_id.is_some(),
                    official: has_official,
                    status: if deleted.is_some() { QuestionStatus::Deleted } else { QuestionStatus::Open },
                    ..QuestionDoc::default()
                };
                (id, doc)
            },
        )
        .collect();
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
        .filter(posts::kind.eq("question"))
        .filter(posts::id.gt(after))
        .order(posts::id)
        .limit(limit)
        .select(posts::id)
        .load(conn)
}

/// How many questions a rebuild will walk, for its progress bar.
pub fn question_count(conn: &mut DbConnection) -> QueryResult<i64> {
    posts::table.filter(posts::kind.eq("question")).count().get_result(conn)
}
