//! Finding any post by id, deleted or not: the moderation log and refused comments link to a
//! post's place on its question page, and the question page decides who may see it.

use super::ServiceResult;
use crate::db::models::posts;
use crate::db::DbConnection;
use crate::domain::{PostId, QuestionId};

/// The question post `id` belongs to (itself, for a question), or `None` if there is no such post.
pub fn question_of(conn: &mut DbConnection, id: PostId) -> ServiceResult<Option<QuestionId>> {
    Ok(posts::find(conn, id.get())?.map(|p| QuestionId(p.question_id.unwrap_or(p.id))))
}
