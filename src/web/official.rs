//! Staff actions on answers (`/answers/{id}/{endorse|withdraw-official|review}`): endorse as
//! official, withdraw, and "still accurate".

use actix_session::Session;
use actix_web::{web, HttpResponse};

use crate::error::AppError;
use crate::services::official;
use crate::state::AppState;
use crate::web::forms;
use crate::web::session;
use crate::web::visitor::CurrentUser;

/// POST /answers/{id}/endorse, /answers/{id}/withdraw-official and /answers/{id}/review.
pub async fn act(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (answer_id, action) = path.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let (question, message) = state
        .write(move |conn, feed| match action.as_str() {
            "endorse" => Ok((official::endorse(conn, feed, &actor, answer_id, now)?, "The answer is now official.")),
            "withdraw-official" => {
                Ok((official::withdraw(conn, feed, &actor, answer_id, now)?, "The answer is no longer official."))
            }
            "review" => Ok((official::review(conn, feed, &actor, answer_id, now)?, "Marked as reviewed today.")),
            _ => Err(AppError::NotFound),
        })
        .await?;
    session::flash(&session, message);
    Ok(forms::see_other(&format!(
        "/questions/{}/{}#answer-{answer_id}",
        question.id,
        question.slug.as_deref().unwrap_or_default()
    )))
}
