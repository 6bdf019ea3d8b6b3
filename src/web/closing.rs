//! Closing (`/questions/{id}/close`, as a duplicate or for another reason) and reopening
//! (`/questions/{id}/reopen`) questions.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::domain::{paths, QuestionId};
use crate::error::AppError;
use crate::services::close_votes::{self, Outcome};
use crate::services::closing::Closing;
use crate::services::policy::PostingPolicy;
use crate::state::AppState;
use crate::web::forms;
use crate::web::session;
use crate::web::visitor::CurrentUser;

/// The close form: `reason` and, for duplicates, `duplicate_of` (an id or a question's URL).
#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    reason: String,
    duplicate_of: Option<String>,
}

/// POST /questions/{id}/close
pub async fn close(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    id: web::Path<QuestionId>,
    form: web::Form<CloseForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let CloseForm { reason, duplicate_of } = form.into_inner();
    let reason = Closing::from_form(&reason, duplicate_of.as_deref())?;
    let now = chrono::Utc::now().naive_utc();
    let policy = PostingPolicy::of_site(&state.settings());
    let (question, outcome) =
        state.write(move |conn, feed| close_votes::vote_to_close(conn, feed, &actor, policy, id, reason, now)).await?;
    session::flash(&session, &said(outcome, "close"));
    Ok(forms::see_other(&paths::question(QuestionId(question.id), question.slug.as_deref())))
}

/// POST /questions/{id}/reopen
pub async fn reopen(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    id: web::Path<QuestionId>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let policy = PostingPolicy::of_site(&state.settings());
    let (question, outcome) =
        state.write(move |conn, feed| close_votes::vote_to_reopen(conn, feed, &actor, policy, id, now)).await?;
    session::flash(&session, &said(outcome, "reopen"));
    Ok(forms::see_other(&paths::question(QuestionId(question.id), question.slug.as_deref())))
}

/// What the flash message says a close or reopen vote did.
fn said(outcome: Outcome, verb: &str) -> String {
    match outcome {
        Outcome::Closed => "The question is closed.".to_owned(),
        Outcome::Reopened => "The question is open again.".to_owned(),
        Outcome::Counted { votes, needed } => {
            format!("Your vote to {verb} is counted: {votes} of the {needed} needed.")
        }
    }
}
