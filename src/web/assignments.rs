//! Assignment (`/questions/{id}/assignment`): staff take a question, put another staff member on
//! it, or give it back.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::domain::{paths, QuestionId};
use crate::error::AppError;
use crate::services::assignments::{self, Assignee};
use crate::state::AppState;
use crate::web::visitor::CurrentUser;
use crate::web::{forms, session};

/// The assignment form: `action` is `take`, `assign` (with `username`) or `release`.
#[derive(Deserialize)]
pub struct AssignmentForm {
    #[serde(default)]
    action: String,
    username: Option<String>,
}

/// POST /questions/{id}/assignment
pub async fn change(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    id: web::Path<QuestionId>,
    form: web::Form<AssignmentForm>,
) -> Result<HttpResponse, AppError> {
    let QuestionId(question_id) = id.into_inner();
    let AssignmentForm { action, username } = form.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let message = match action.as_str() {
        "take" => {
            state
                .write(move |conn, feed| assignments::assign(conn, feed, &actor, question_id, Assignee::Myself, now))
                .await?;
            "You are on this question.".to_owned()
        }
        "assign" => {
            let username = username.unwrap_or_default();
            let assignment = state
                .write(move |conn, feed| {
                    assignments::assign(conn, feed, &actor, question_id, Assignee::Username(&username), now)
                })
                .await?;
            format!("{} is on this question now.", assignment.display_name)
        }
        "release" => {
            state.write(move |conn, feed| assignments::release(conn, feed, &actor, question_id, now)).await?;
            "Nobody is on this question now.".to_owned()
        }
        _ => return Err(AppError::BadRequest("Choose take, assign or release.".to_owned())),
    };
    session::flash(&session, &message);
    Ok(forms::see_other(&paths::question_by_id(QuestionId(question_id))))
}
