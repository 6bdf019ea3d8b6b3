//! Watching a question (`/questions/{id}/{watch|unwatch}`): its watchers hear of new answers.

use actix_session::Session;
use actix_web::{web, HttpResponse};

use crate::domain::{paths, QuestionId};
use crate::error::AppError;
use crate::services::watching;
use crate::state::AppState;
use crate::web::visitor::CurrentUser;
use crate::web::{forms, session};

/// POST /questions/{id}/watch and /questions/{id}/unwatch
pub async fn watch(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (question_id, action) = path.into_inner();
    let watch = action == "watch";
    let now = chrono::Utc::now().naive_utc();
    state.write(move |conn, feed| watching::set_watching(conn, feed, &actor, question_id, watch, now)).await?;
    let message = if watch {
        "You are watching this question: we will tell you about new answers."
    } else {
        "You no longer watch this question."
    };
    session::flash(&session, message);
    Ok(forms::see_other(&format!("{}#question", paths::question_by_id(QuestionId(question_id)))))
}
