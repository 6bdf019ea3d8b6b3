//! Notifications and watching: the `/notifications` list, the watch/unwatch buttons on a
//! question, and the notification-mail preference on the settings page.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::domain::{paths, QuestionId};
use crate::error::AppError;
use crate::services::{notifications, watching};
use crate::state::AppState;
use crate::web::forms;
use crate::web::session;
use crate::web::visitor::{CurrentUser, Visitor};

/// `?before=` — the id the previous page ended at.
#[derive(Deserialize)]
pub struct ListQuery {
    before: Option<i64>,
}

/// The notification-mail form.
#[derive(Deserialize)]
pub struct PreferenceForm {
    email_preference: String,
}

/// GET /notifications — newest first; what the page shows becomes read.
pub async fn list(
    state: web::Data<AppState>,
    mut visitor: Visitor,
    CurrentUser(actor): CurrentUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let before = query.into_inner().before;
    let now = chrono::Utc::now().naive_utc();
    let (list, unread) = state
        .db(move |conn| {
            let list = notifications::list(conn, &actor, before, now)?;
            notifications::unread_count(conn, actor.id).map(|unread| (list, unread))
        })
        .await?;
    // The header badge should agree with the page, which just marked these read.
    visitor.unread_count = unread;
    let mut context = Context::new();
    context.insert("list", &list);
    visitor.render(&state, "notifications.html", context)
}

/// POST /notifications/read — marks every notification read.
pub async fn mark_all_read(
    state: web::Data<AppState>,
    CurrentUser(actor): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let now = chrono::Utc::now().naive_utc();
    state.db(move |conn| notifications::mark_all_read(conn, &actor, now)).await?;
    Ok(forms::see_other("/notifications"))
}

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
    state
        .write(move |conn, feed| {
            if watch {
                watching::watch(conn, feed, &actor, question_id, now)
            } else {
                watching::unwatch(conn, feed, &actor, question_id, now)
            }
        })
        .await?;
    let message = if watch {
        "You are watching this question: we will tell you about new answers."
    } else {
        "You no longer watch this question."
    };
    session::flash(&session, message);
    Ok(forms::see_other(&format!("{}#question", paths::question_by_id(QuestionId(question_id)))))
}

/// POST /settings/notifications — each event, a daily digest, or no mail.
pub async fn set_preference(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    form: web::Form<PreferenceForm>,
) -> Result<HttpResponse, AppError> {
    let preference = form.into_inner().email_preference;
    let now = chrono::Utc::now().naive_utc();
    state.write(move |conn, feed| notifications::set_email_preference(conn, feed, &actor, &preference, now)).await?;
    session::flash(&session, "Your notification mail setting is saved.");
    Ok(forms::see_other("/settings"))
}
