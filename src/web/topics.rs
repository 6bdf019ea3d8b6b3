//! Who looks after a topic, changed from its tag page: leading it (`/tags/{name}/leads`),
//! watching it (`/tags/{name}/watch`) and its own response target (`/tags/{name}/target`).

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::domain::paths;
use crate::error::AppError;
use crate::services::topics::{self, LeadOf};
use crate::state::AppState;
use crate::web::visitor::CurrentUser;
use crate::web::{forms, session};

/// The tag page, where each form returns.
fn tag_page(name: &str) -> String {
    format!("{}#topic-heading", paths::tag(name))
}

/// `username` (admins naming a lead); absent or empty: the staff member themselves.
#[derive(Deserialize)]
pub struct LeadForm {
    username: Option<String>,
}

/// POST /tags/{name}/leads
pub async fn add_lead(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    name: web::Path<String>,
    form: web::Form<LeadForm>,
) -> Result<HttpResponse, AppError> {
    let name = name.into_inner();
    let username = form.into_inner().username.filter(|u| !u.trim().is_empty());
    let now = chrono::Utc::now().naive_utc();
    let myself = username.is_none();
    let tag = state
        .write(move |conn, feed| {
            let who = username.as_deref().map_or(LeadOf::Myself, LeadOf::Username);
            topics::add_lead(conn, feed, &actor, &name, who, now)
        })
        .await?;
    let message = if myself {
        format!("You lead {tag}: each question asked in it reaches you at once.")
    } else {
        format!("The lead was added to {tag}.")
    };
    session::flash(&session, &message);
    Ok(forms::see_other(&tag_page(&tag)))
}

/// `tag`: the topic a staff member starts leading from My work.
#[derive(Deserialize)]
pub struct LeadTopicForm {
    #[serde(default)]
    tag: String,
}

/// POST /staff/my-work/topics — leads a topic by name (made if no question uses it yet).
pub async fn lead_by_name(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    form: web::Form<LeadTopicForm>,
) -> Result<HttpResponse, AppError> {
    let name = form.into_inner().tag;
    let now = chrono::Utc::now().naive_utc();
    let tag = state.write(move |conn, feed| topics::add_lead(conn, feed, &actor, &name, LeadOf::Myself, now)).await?;
    session::flash(&session, &format!("You lead {tag}: each question asked in it reaches you at once."));
    Ok(forms::see_other(&tag_page(&tag)))
}

/// POST /tags/{name}/leads/{user_id}/remove
pub async fn remove_lead(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (name, user_id) = path.into_inner();
    let now = chrono::Utc::now().naive_utc();
    let tag = state.write(move |conn, feed| topics::remove_lead(conn, feed, &actor, &name, user_id, now)).await?;
    session::flash(&session, &format!("{tag} has one lead fewer."));
    Ok(forms::see_other(&tag_page(&tag)))
}

/// `mail`: `each`, `daily`, `never`, or `stop` to stop watching.
#[derive(Deserialize)]
pub struct WatchForm {
    mail: Option<String>,
}

/// POST /tags/{name}/watch
pub async fn watch(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    name: web::Path<String>,
    form: web::Form<WatchForm>,
) -> Result<HttpResponse, AppError> {
    let name = name.into_inner();
    let mail = form.into_inner().mail.unwrap_or_else(|| "stop".to_owned());
    let now = chrono::Utc::now().naive_utc();
    let stopping = mail == "stop";
    let tag = state.write(move |conn, feed| topics::watch(conn, feed, &actor, &name, Some(&mail), now)).await?;
    let message = if stopping {
        format!("You no longer watch {tag}.")
    } else {
        format!("You watch {tag}: new questions in it reach your notifications.")
    };
    session::flash(&session, &message);
    Ok(forms::see_other(&tag_page(&tag)))
}

/// `hours`: the topic's own target; empty for the site's.
#[derive(Deserialize)]
pub struct TargetForm {
    #[serde(default)]
    hours: String,
}

/// POST /tags/{name}/target
pub async fn set_target(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    name: web::Path<String>,
    form: web::Form<TargetForm>,
) -> Result<HttpResponse, AppError> {
    let name = name.into_inner();
    let hours = form.into_inner().hours;
    let now = chrono::Utc::now().naive_utc();
    let tag = state.write(move |conn, feed| topics::set_target(conn, feed, &actor, &name, &hours, now)).await?;
    session::flash(&session, &format!("The response target of {tag} is saved."));
    Ok(forms::see_other(&tag_page(&tag)))
}
