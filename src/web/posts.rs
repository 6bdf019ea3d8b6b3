//! Any post by id (`/posts/{id}`): where a question or answer sits on its question page.

use actix_web::{web, HttpResponse};

use crate::domain::{paths, AnswerId, PostId};
use crate::error::AppError;
use crate::services::posts;
use crate::state::AppState;
use crate::web::forms;

/// GET /posts/{id} — any question or answer's place on its question page, deleted or not (the
/// moderation log links here; the question page decides who may see a deleted post).
pub async fn locate(state: web::Data<AppState>, id: web::Path<PostId>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let question = state.db(move |conn| posts::question_of(conn, id)).await?.ok_or(AppError::NotFound)?;
    let location = if question.get() == id.get() {
        paths::question_by_id(question)
    } else {
        paths::answer_by_question_id(question, AnswerId(id.get()))
    };
    Ok(forms::see_other(&location))
}
