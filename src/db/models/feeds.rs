//! Reads for the Atom feeds that the list queries in [`super::posts`] do not already cover: a
//! question's newest answers and the newest official answers. Nothing here writes.

use diesel::prelude::*;

use super::posts::Post;
use crate::db::schema::posts;
use crate::db::DbConnection;
use crate::domain::PostKind;

/// An official answer with its question's title and slug.
pub type OfficialAnswerRow = (Post, Option<String>, Option<String>);

/// The newest `limit` answers (not deleted) of a question, newest first. The question's answers
/// come from `answers_of_question`; sorting those few by time costs little.
pub fn newest_answers(conn: &mut DbConnection, question_id: i64, limit: i64) -> QueryResult<Vec<Post>> {
    posts::table
        .filter(posts::question_id.eq(question_id))
        .filter(posts::kind.eq(PostKind::Answer))
        .filter(posts::deleted_at.is_null())
        .order((posts::created_at.desc(), posts::id.desc()))
        .limit(limit)
        .select(Post::as_select())
        .load(conn)
}

/// The newest `limit` official answers (not deleted, on questions that are not deleted), the most
/// recently made official first, each with its question's title and slug.
pub fn newest_official(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<OfficialAnswerRow>> {
    // The answer's conditions repeat those of the partial index `official_answers_newest`, which
    // then yields rows in order and stops after `limit` questions that still stand.
    let questions = diesel::alias!(posts as questions);
    posts::table
        .inner_join(questions.on(posts::question_id.eq(questions.field(posts::id).nullable())))
        .filter(posts::kind.eq(PostKind::Answer))
        .filter(posts::official_kind.is_not_null())
        .filter(posts::deleted_at.is_null())
        .filter(questions.field(posts::deleted_at).is_null())
        .order((posts::official_at.desc(), posts::id.desc()))
        .limit(limit)
        .select((Post::as_select(), questions.field(posts::title), questions.field(posts::slug)))
        .load(conn)
}
