//! Flagging: `POST /posts/{id}/flag` and `POST /comments/{id}/flag`, from the "Flag" form under
//! every question, answer and comment.

use actix_session::SessionExt;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::error::AppError;
use crate::services::flags::FlagTarget;
use crate::services::flags::{self, FlagReason, Flagged};
use crate::state::AppState;
use crate::web::visitor::CurrentUser;
use crate::web::{forms, session};

/// The flag form.
#[derive(Deserialize)]
pub struct FlagForm {
    #[serde(default)]
    reason: String,
    note: Option<String>,
}

/// POST /{posts|comments}/{id}/flag
pub async fn flag(
    state: web::Data<AppState>,
    req: HttpRequest,
    CurrentUser(actor): CurrentUser,
    path: web::Path<(String, i64)>,
    form: web::Form<FlagForm>,
) -> Result<HttpResponse, AppError> {
    let (kind, id) = path.into_inner();
    let target = FlagTarget::parse(kind.trim_end_matches('s'), id).ok_or(AppError::NotFound)?;
    let FlagForm { reason, note } = form.into_inner();
    let reason = FlagReason::parse(&reason)?;
    let policy = state.posting_policy();
    let now = chrono::Utc::now().naive_utc();
    let (question, outcome) = state
        .write(move |conn, feed| {
            let form = flags::FlagForm { target, reason, note: note.as_deref() };
            flags::flag(conn, feed, &actor, policy, form, now)
        })
        .await?;
    if forms::accepts_json(&req) {
        return Ok(forms::created(&serde_json::json!({ "hidden": outcome == Flagged::Hidden })));
    }
    session::flash(
        &req.get_session(),
        match outcome {
            Flagged::Queued => "Thanks: a moderator will look at your flag.",
            Flagged::Hidden => "Thanks: enough members flagged this as spam, so it is hidden until a moderator looks.",
        },
    );
    let anchor = match target {
        FlagTarget::Post(id) if id == question.id => String::new(),
        FlagTarget::Post(id) => format!("#answer-{id}"),
        FlagTarget::Comment(_) => String::new(),
    };
    Ok(forms::see_other(&format!(
        "/questions/{}/{}{anchor}",
        question.id,
        question.slug.as_deref().unwrap_or_default()
    )))
}
