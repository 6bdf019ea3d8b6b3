//! Closing the loop on FAQ gaps over HTTP: `POST /search/waiting` (tell me when this search is
//! answered) and `POST /staff/gaps/answer` (staff link the answer, and everyone waiting is told).

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::Deserialize;

use crate::error::AppError;
use crate::rate_limits::Limit;
use crate::services::gap_waiters::{self, Waiting};
use crate::state::AppState;
use crate::web::request_budget;
use crate::web::visitor::{CurrentUser, Visitor};
use crate::web::{forms, session};

/// The search page's "tell me when it is answered" form; a visitor also gives an address.
#[derive(Deserialize)]
pub struct WaitForm {
    q: String,
    #[serde(default)]
    email: String,
}

/// POST /search/waiting
pub async fn wait(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    visitor: Visitor,
    form: web::Form<WaitForm>,
) -> Result<HttpResponse, AppError> {
    let WaitForm { q, email } = form.into_inner();
    // An address typed here is mailed later: a client may leave only a few an hour.
    state.rate_limits.check(Limit::GapWaitPerClient, &request_budget::client_key(&req, &state))?;
    let back = format!("/search?q={}", utf8_percent_encode(&q, NON_ALPHANUMERIC));
    let actor = visitor.user.clone();
    let now = chrono::Utc::now().naive_utc();
    let waiting = state.write(move |conn, feed| gap_waiters::wait(conn, feed, actor.as_ref(), &q, &email, now)).await?;
    match waiting {
        Waiting::Added => {
            let whom = if visitor.user.is_some() { "you" } else { "that address" };
            session::flash(
                &session,
                &format!("We will tell {whom} once when this is answered, then forget the request."),
            );
            Ok(forms::see_other(&back))
        }
        Waiting::Answered { title, path } => {
            session::flash(&session, &format!("This already has an answer: “{title}”."));
            Ok(forms::see_other(&path))
        }
    }
}

/// The form beside each gap on `/staff/gaps`.
#[derive(Deserialize)]
pub struct AnswerForm {
    query: String,
    question: String,
}

/// POST /staff/gaps/answer
pub async fn link_answer(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    let AnswerForm { query, question } = form.into_inner();
    let outbox = state.outbox.clone();
    let now = chrono::Utc::now().naive_utc();
    let shown = query.clone();
    let linked = state
        .write(move |conn, feed| gap_waiters::link_answer(conn, feed, &outbox, &actor, &query, &question, now))
        .await?;
    let told = match linked.mailed {
        0 => "nobody was waiting".to_owned(),
        1 => "the one person waiting is being told".to_owned(),
        n => format!("the {n} people waiting are being told"),
    };
    session::flash(&session, &format!("“{}” now answers “{}”; {told}.", linked.title, shown.trim()));
    Ok(forms::see_other("/staff/gaps"))
}
