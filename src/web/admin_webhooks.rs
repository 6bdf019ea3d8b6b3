//! `/admin/webhooks`: the endpoints (admins only): the list and the form to register one, an
//! endpoint's page with its delivery log, what is done to it, and "send again".

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use tera::Context;

use crate::domain::{WebhookEvent, WebhookFormat};
use crate::error::AppError;
use crate::services::webhooks::{self, Action, EndpointForm};
use crate::state::AppState;
use crate::web::forms::{self, FieldErrors};
use crate::web::session;
use crate::web::visitor::{CurrentUser, Visitor};

/// The prefix of each event checkbox's name: `event:question.asked`.
const EVENT_FIELD: &str = "event:";

/// One event checkbox on the form.
#[derive(Debug, Serialize)]
struct EventChoice {
    word: &'static str,
    description: &'static str,
    checked: bool,
}

/// GET /admin/webhooks
pub async fn list(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let endpoints = state.db(move |conn| webhooks::list(conn, &actor)).await?;
    page(&state, &visitor, endpoints, &EndpointForm::default(), &FieldErrors::new())
}

/// POST /admin/webhooks — registers an endpoint, then shows its page (with its secret).
pub async fn create(
    state: web::Data<AppState>,
    visitor: Visitor,
    session: Session,
    CurrentUser(actor): CurrentUser,
    form: web::Form<BTreeMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let fields = form.into_inner();
    let submitted = EndpointForm {
        url: fields.get("url").cloned().unwrap_or_default(),
        events: fields.keys().filter_map(|name| name.strip_prefix(EVENT_FIELD)).map(str::to_owned).collect(),
        format: fields.get("format").cloned().unwrap_or_default(),
        tags: fields.get("tags").cloned().unwrap_or_default(),
    };
    let now = chrono::Utc::now().naive_utc();
    let typed = submitted.clone();
    let admin = actor.clone();
    match state.db(move |conn| webhooks::register(conn, &admin, &submitted, now)).await {
        Ok(id) => {
            session::flash(&session, "Endpoint added. Copy its signing secret to the receiver.");
            Ok(forms::see_other(&format!("/admin/webhooks/{id}")))
        }
        Err(error) => {
            let errors = FieldErrors::from_error(error)?;
            let endpoints = state.db(move |conn| webhooks::list(conn, &actor)).await?;
            page(&state, &visitor, endpoints, &typed, &errors)
        }
    }
}

/// GET /admin/webhooks/{id}
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (endpoint, log) = state.db(move |conn| webhooks::show(conn, &actor, id)).await?;
    let mut context = Context::new();
    context.insert("endpoint", &endpoint);
    context.insert("deliveries", &log);
    // The page shows the signing secret: no cache may keep it.
    visitor.render_private(&state, "admin/webhook.html", context)
}

/// POST /admin/webhooks/{id}/{action} — enable, disable, rotate-secret, test or delete.
pub async fn act(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, segment) = path.into_inner();
    let action = Action::from_path(&segment).ok_or(AppError::NotFound)?;
    let base_url = state.config.base_url_str().to_owned();
    let now = chrono::Utc::now().naive_utc();
    state.db(move |conn| webhooks::act(conn, &actor, id, action, &base_url, now)).await?;
    let (message, back) = match action {
        Action::Enable => ("Endpoint switched on; waiting deliveries go out now.", format!("/admin/webhooks/{id}")),
        Action::Disable => {
            ("Endpoint switched off; new events wait until it is on again.", format!("/admin/webhooks/{id}"))
        }
        Action::RotateSecret => ("New signing secret made; give it to the receiver.", format!("/admin/webhooks/{id}")),
        Action::Ping => ("A test delivery is on its way; it shows in the log below.", format!("/admin/webhooks/{id}")),
        Action::Delete => ("Endpoint deleted, with its delivery log.", "/admin/webhooks".to_owned()),
    };
    session::flash(&session, message);
    Ok(forms::see_other(&back))
}

/// POST /admin/webhooks/{id}/deliveries/{delivery}/send-again
pub async fn send_again(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (id, delivery) = path.into_inner();
    let now = chrono::Utc::now().naive_utc();
    state.db(move |conn| webhooks::send_again(conn, &actor, id, delivery, now)).await?;
    session::flash(&session, "The delivery is queued again.");
    Ok(forms::see_other(&format!("/admin/webhooks/{id}")))
}

fn page(
    state: &AppState,
    visitor: &Visitor,
    endpoints: Vec<webhooks::EndpointView>,
    form: &EndpointForm,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let choices: Vec<EventChoice> = WebhookEvent::SUBSCRIBABLE
        .iter()
        .map(|&event| EventChoice {
            word: event.as_str(),
            description: event.describe(),
            checked: form.events.iter().any(|word| word == event.as_str()),
        })
        .collect();
    let mut context = Context::new();
    context.insert("endpoints", &endpoints);
    context.insert("choices", &choices);
    context.insert("url", &form.url);
    context.insert("tags", &form.tags);
    let format = WebhookFormat::from_stored(&form.format).unwrap_or(WebhookFormat::Standard);
    context.insert("format", &format);
    visitor.render_form(state, "admin/webhooks.html", context, errors)
}
