//! The moderators' queues: the flag queue (`/mod/flags`) and the review queue for new members'
//! posts with links (`/mod/review`), with the verdicts given in each.

use actix_session::SessionExt;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::domain::PostId;
use crate::error::AppError;
use crate::services::flags::FlagTarget;
use crate::services::flags::{self, Verdict};
use crate::services::review::{self, Decision};
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::visitor::{CurrentUser, Visitor};
use crate::web::{forms, session};

/// GET /mod/flags — open flags, grouped by post, oldest first.
pub async fn flag_queue(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let ((items, total), pending) = state
        .db(move |conn| Ok::<_, ServiceError>((flags::queue(conn, &actor)?, review::pending_counts(conn)?)))
        .await?;
    let mut context = Context::new();
    context.insert("items", &items);
    context.insert("total", &total);
    render(&state, &visitor, "mod/flags.html", context, pending)
}

/// GET /mod/review — new members' posts with links, oldest first.
pub async fn review_queue(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let ((items, total), pending) = state
        .db(move |conn| Ok::<_, ServiceError>((review::queue(conn, &actor)?, review::pending_counts(conn)?)))
        .await?;
    let mut context = Context::new();
    context.insert("items", &items);
    context.insert("total", &total);
    render(&state, &visitor, "mod/review.html", context, pending)
}

fn render(
    state: &AppState,
    visitor: &Visitor,
    template: &str,
    mut context: Context,
    (waiting, open_flags): (i64, i64),
) -> Result<HttpResponse, AppError> {
    context.insert("waiting_count", &waiting);
    context.insert("flag_count", &open_flags);
    visitor.render_private(state, template, context)
}

/// The verdict form of the flag queue.
#[derive(Deserialize)]
pub struct VerdictForm {
    #[serde(default)]
    verdict: String,
}

/// POST /mod/flags/{post|comment}/{id} — `verdict` agree or disagree.
pub async fn handle_flags(
    state: web::Data<AppState>,
    req: HttpRequest,
    CurrentUser(actor): CurrentUser,
    path: web::Path<(String, i64)>,
    form: web::Form<VerdictForm>,
) -> Result<HttpResponse, AppError> {
    let (kind, id) = path.into_inner();
    let target = FlagTarget::parse(&kind, id).ok_or(AppError::NotFound)?;
    let verdict = match form.verdict.as_str() {
        "agree" => Verdict::Agree,
        "disagree" => Verdict::Disagree,
        _ => return Err(ServiceError::invalid("verdict", "Agree or disagree.").into()),
    };
    let now = chrono::Utc::now().naive_utc();
    let done = state.write(move |conn, feed| flags::handle(conn, feed, &actor, target, verdict, now)).await?;
    session::flash(&req.get_session(), done);
    Ok(forms::see_other("/mod/flags"))
}

/// The decision form of the review queue.
#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
}

/// POST /mod/review/{id} — `decision` approve or reject.
pub async fn decide(
    state: web::Data<AppState>,
    req: HttpRequest,
    CurrentUser(actor): CurrentUser,
    id: web::Path<PostId>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, AppError> {
    let post_id = id.into_inner();
    let decision = Decision::parse(&form.decision)?;
    let now = chrono::Utc::now().naive_utc();
    state.write(move |conn, feed| review::decide(conn, feed, &actor, post_id, decision, now)).await?;
    session::flash(
        &req.get_session(),
        match decision {
            Decision::Approve => "Approved: the post is public.",
            Decision::Reject => "Rejected: the post stays hidden.",
        },
    );
    Ok(forms::see_other("/mod/review"))
}
