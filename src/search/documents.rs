//! Reading questions from the database as search documents.
//!
//! Four queries per batch whatever its size (questions, their answers, their duplicates' titles,
//! their authors), so a
//! rebuild of a million questions costs a thousand round trips, not millions.

use std::collections::HashMap;

use diesel::QueryResult;
use guidepost_search::{QuestionDoc, QuestionStatus};

use crate::db::models::search_documents::{self, QuestionRow};
use crate::db::DbConnection;
use crate::domain::CloseReason;
use crate::markdown::plain_text;

/// Where a question stands, as search filters and ranks it.
fn status(q: &QuestionRow) -> QuestionStatus {
    match (&q.deleted_at, &q.closed_at, q.close_reason) {
        (Some(_), _, _) => QuestionStatus::Deleted,
        (None, Some(_), Some(CloseReason::Duplicate)) => QuestionStatus::Duplicate,
        (None, Some(_), _) => QuestionStatus::Closed,
        (None, None, _) => QuestionStatus::Open,
    }
}

/// The search documents of the given questions; ids that are not questions are left out.
pub fn load(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<QuestionDoc>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let questions = search_documents::questions(conn, ids)?;
    let found: Vec<i64> = questions.iter().map(|q| q.id).collect();
    let answers = search_documents::visible_answers(conn, &found)?;
    // A duplicate's title is another way of asking its canonical question.
    let duplicates = search_documents::duplicate_titles(conn, &found)?;
    let mut author_ids: Vec<i64> = questions.iter().map(|q| q.author_id).collect();
    author_ids.sort_unstable();
    author_ids.dedup();
    let authors: HashMap<i64, String> = search_documents::usernames(conn, &author_ids)?.into_iter().collect();
    let accepted: HashMap<i64, i64> =
        questions.iter().filter_map(|q| q.accepted_answer_id.map(|a| (q.id, a))).collect();
    let mut docs: HashMap<i64, QuestionDoc> = questions
        .into_iter()
        .map(|q| {
            let status = status(&q);
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
