//! Draws the body of every error response: an HTML page inside the site layout, a problem JSON
//! (RFC 9457) under `/api/`, or a JSON error for scripts that ask for JSON. Statuses are decided in [`crate::error`].

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};

use crate::error::AppError;
use crate::state::AppState;
use crate::web::api::problem;
use crate::web::csrf::CsrfToken;
use crate::web::{forms, layout, visitor};

/// Middleware: replaces the empty body of error responses with a page or a JSON error.
pub async fn render(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // Holding a clone of the request across the call would break routing, so errors that inner
    // middleware returns as `Err` (none of ours do) are left to actix's plain rendering.
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    let drawn_by_handler = res.response().error().is_none() && res.headers().contains_key(header::CONTENT_TYPE);
    if !(status.is_client_error() || status.is_server_error()) || drawn_by_handler {
        return Ok(res);
    }
    let field = res.response().error().and_then(|e| e.as_error::<AppError>()).and_then(AppError::invalid_field);
    let message = match res.response().error() {
        Some(err) => match err.as_error::<AppError>() {
            // A program has no form to reload: say what the API wants instead.
            Some(AppError::CsrfRejected) if res.request().path().starts_with("/api/") => {
                problem::CSRF_DETAIL.to_owned()
            }
            Some(app_error) => app_error.public_message(),
            // actix's own errors (bad form fields, oversized bodies) are safe to show for 4xx.
            None if status.is_client_error() => err.to_string(),
            None => AppError::internal("").to_string(),
        },
        None => default_message(status).to_owned(),
    };
    let (req, old) = res.into_parts();
    let mut page = if req.path().starts_with("/api/") {
        // The API's clients read RFC 9457 problem details, which name the field at fault.
        problem::response(&req, status, title(status), &message, field)
    } else if wants_json(&req) {
        json_body(status, &message)
    } else {
        html_body(&req, status, &message)
    };
    // Keep headers the handler set on purpose (Allow, Retry-After, WWW-Authenticate...).
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            page.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(req, page))
}

fn wants_json(req: &HttpRequest) -> bool {
    // oEmbed consumers read JSON whatever they send in Accept.
    forms::accepts_json(req) || req.path() == "/oembed"
}

fn json_body(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(serde_json::json!({
        "error": { "status": status.as_u16(), "message": message }
    }))
}

fn html_body(req: &HttpRequest, status: StatusCode, message: &str) -> HttpResponse {
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return plain_body(status, message);
    };
    let csrf = req.extensions().get::<CsrfToken>().cloned();
    let user = visitor::cached_user(req);
    let mut context = layout::context(state, req.path(), csrf.as_ref(), user.as_ref());
    context.insert("status", &status.as_u16());
    context.insert("heading", title(status));
    context.insert("message", message);
    match state.templates.render("errors/error.html", &context) {
        Ok(html) => HttpResponse::build(status).content_type("text/html; charset=utf-8").body(html),
        Err(e) => {
            tracing::error!(error = %AppError::from(e), "cannot draw the error page");
            plain_body(status, message)
        }
    }
}

fn plain_body(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).content_type("text/plain; charset=utf-8").body(message.to_owned())
}

fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Bad request",
        401 => "Please sign in",
        403 => "Not allowed",
        404 => "Page not found",
        405 => "Method not allowed",
        410 => "This page is gone",
        413 => "Too large",
        422 => "Please check your input",
        429 => "Slow down",
        503 => "Temporarily unavailable",
        s if s >= 500 => "Something went wrong",
        _ => "Request refused",
    }
}

fn default_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        404 => "There is no page at this address.",
        405 => "This address does not accept that kind of request.",
        413 => "What you sent is too large.",
        s if s >= 500 => "Something went wrong on our side. Please try again later.",
        _ => "The request could not be handled.",
    }
}
