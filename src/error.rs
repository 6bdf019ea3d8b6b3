//! `AppError`: every way a request can fail, and the one place that maps failures to HTTP statuses.
//!
//! Handlers return `Result<_, AppError>`. The status and the message a visitor may see are decided
//! here; the page around the message (HTML in the site layout, or JSON under `/api/`) is drawn by
//! [`crate::web::error_pages`]. Internal details are logged, never shown.
//!
//! **The status rule.** A handler chooses only among success answers: a page (200), a redirect
//! (303 after a form, 301 to a canonical address), 201 for JSON that reports what it created,
//! and 304 for a page the client already has. Every failure status, 4xx or 5xx, is chosen here:
//! - a request that fails outright returns `Err(AppError)`, and [`AppError::status_code`] picks
//!   the status (the error-page middleware then draws the page);
//! - a form drawn again with messages beside its fields carries them in a [`FieldErrors`], whose
//!   status is decided here from what refused it: the status that refusal would have as an
//!   error (422 for a field to correct, 403 for credentials refused), so the re-drawn form
//!   and the bare error agree;
//! - a readiness probe answers its JSON with [`readiness_status`].

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{Map, Value};

use crate::services::ServiceError;

/// A failed request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No page at this address.
    #[error("There is no page at this address.")]
    NotFound,
    /// The request was malformed: a bad form field, query parameter or path segment.
    #[error("{0}")]
    BadRequest(String),
    /// The page needs a signed-in user; carries the path to come back to.
    #[error("Please sign in first.")]
    SignInRequired(String),
    /// Too many attempts; carries how long to wait.
    #[error("You are doing that too often. Please wait a little and try again.")]
    RateLimited(std::time::Duration),
    /// The request asks for something this site does not do (an oEmbed format other than JSON).
    #[error("{0}")]
    NotImplemented(String),
    /// The request body is larger than the site accepts.
    #[error("What you sent is too large.")]
    TooLarge,
    /// The address needs a bearer token (`/metrics`), and the request carried none, or a wrong
    /// one (`refused`); `realm` is named in the `WWW-Authenticate` challenge.
    #[error("This address needs a valid bearer token.")]
    TokenRequired {
        /// What the token opens.
        realm: &'static str,
        /// A token was presented and it was wrong.
        refused: bool,
    },
    /// A state-changing request arrived without a valid CSRF token.
    #[error("This form has expired or did not come from this site. Go back, reload the page and try again.")]
    CsrfRejected,
    /// A rule of the forum refused the request.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// Signing in through an identity provider failed; the message says what to do next.
    #[error(transparent)]
    SingleSignOn(#[from] crate::sso::SsoError),
    /// No database connection could be had in time.
    #[error("The site is busy or its database is unavailable. Please try again in a moment.")]
    DatabaseUnavailable(#[source] diesel::r2d2::PoolError),
    /// Something that should not happen; details go to the log only.
    #[error("Something went wrong on our side. It has been logged; please try again later.")]
    Internal(String),
}

impl AppError {
    /// An internal error with context for the log.
    pub fn internal(context: impl std::fmt::Display) -> Self {
        Self::Internal(context.to_string())
    }

    /// The input field a service refused, for error bodies that name it (the API's problem
    /// JSON); `None` when the refusal is not about one field.
    pub fn invalid_field(&self) -> Option<&'static str> {
        match self {
            Self::Service(ServiceError::Invalid { field, .. }) => Some(field),
            _ => None,
        }
    }

    /// The message shown to the visitor: never a database or template detail.
    pub fn public_message(&self) -> String {
        match self {
            Self::Service(ServiceError::Database(_) | ServiceError::Internal(_)) => Self::internal("").to_string(),
            other => other.to_string(),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Service(ServiceError::Database(e))
    }
}

impl From<tera::Error> for AppError {
    fn from(e: tera::Error) -> Self {
        // Tera's own Display hides the cause (e.g. the missing variable); keep the whole chain.
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        Self::Internal(format!("template: {message}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::Internal(format!("blocking task: {e}"))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::NotImplemented(_) => StatusCode::NOT_IMPLEMENTED,
            Self::SignInRequired(_) => StatusCode::SEE_OTHER,
            Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::CsrfRejected => StatusCode::FORBIDDEN,
            Self::TokenRequired { .. } => StatusCode::UNAUTHORIZED,
            Self::Service(e) => service_status(e),
            Self::SingleSignOn(crate::sso::SsoError::UnknownProvider) => StatusCode::NOT_FOUND,
            Self::SingleSignOn(e) if e.is_provider_down() => StatusCode::BAD_GATEWAY,
            Self::SingleSignOn(_) => StatusCode::BAD_REQUEST,
            Self::DatabaseUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        // A 501 is the client asking for what the site does not offer, not a fault to look into.
        if status.is_server_error() && !matches!(self, Self::NotImplemented(_)) {
            tracing::error!(error = ?self, "request failed");
        }
        match self {
            Self::SignInRequired(next) => {
                let location = format!(
                    "/login?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                HttpResponse::SeeOther().insert_header((actix_web::http::header::LOCATION, location)).finish()
            }
            Self::RateLimited(wait) | Self::Service(ServiceError::RateLimited { wait, .. }) => {
                HttpResponse::build(status)
                    .insert_header((actix_web::http::header::RETRY_AFTER, wait.as_secs().max(1).to_string()))
                    .finish()
            }
            Self::TokenRequired { realm, refused } => {
                // RFC 6750: name the scheme and realm, and say when the token itself was wrong.
                let error = if *refused { r#", error="invalid_token""# } else { "" };
                HttpResponse::build(status)
                    .insert_header((
                        actix_web::http::header::WWW_AUTHENTICATE,
                        format!(r#"Bearer realm="{realm}"{error}"#),
                    ))
                    .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
                    .finish()
            }
            // The body is drawn by the error-page middleware, which can reach the templates.
            _ => HttpResponse::build(status).finish(),
        }
    }
}

/// The status of a service's refusal, whether it ends the request or is shown beside a field.
fn service_status(error: &ServiceError) -> StatusCode {
    match error {
        ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
        ServiceError::Gone(_) => StatusCode::GONE,
        ServiceError::Unauthenticated => StatusCode::UNAUTHORIZED,
        ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
        ServiceError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::Conflict(_) => StatusCode::CONFLICT,
        ServiceError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        ServiceError::Database(_) | ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A form's messages, field name -> message as templates show them beside the fields, and the
/// status of the page that shows them: 200 when there are none, else that of the refusal.
#[derive(Debug, Clone)]
pub struct FieldErrors {
    fields: Map<String, Value>,
    status: StatusCode,
}

impl Default for FieldErrors {
    fn default() -> Self {
        Self::new()
    }
}

impl FieldErrors {
    /// No messages: a fresh form, a preview, or suggestions shown before posting.
    pub fn new() -> Self {
        Self { fields: Map::new(), status: StatusCode::OK }
    }

    /// One message the web layer wrote for one field (the form guard's, say): a field to
    /// correct, answered as an invalid field is.
    pub fn one(field: &str, message: &str) -> Self {
        Self::refused(field, message, &ServiceError::invalid("form", ""))
    }

    /// A refusal of the credentials shown beside `field` (sign-in's "account suspended").
    pub fn forbidden(field: &str, message: &str) -> Self {
        Self::refused(field, message, &ServiceError::Forbidden(String::new()))
    }

    /// The messages of a form a service refused for one field; any other error is passed on.
    pub fn from_error(error: AppError) -> Result<Self, AppError> {
        match error {
            AppError::Service(ServiceError::Invalid { field, reason }) => {
                let status = service_status(&ServiceError::Invalid { field, reason: String::new() });
                let mut fields = Map::new();
                fields.insert(field.to_owned(), Value::String(reason));
                Ok(Self { fields, status })
            }
            other => Err(other),
        }
    }

    fn refused(field: &str, message: &str, cause: &ServiceError) -> Self {
        let mut fields = Map::new();
        fields.insert(field.to_owned(), Value::String(message.to_owned()));
        Self { fields, status: service_status(cause) }
    }

    /// Whether `field` has a message.
    pub fn contains_key(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }

    /// The status of the page that shows the form.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl serde::Serialize for FieldErrors {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.fields.serialize(serializer)
    }
}

/// The status of `/readyz`: 503 while the database does not answer, which takes the node out
/// of its load balancer's rotation (the probe's JSON body says the same).
pub fn readiness_status(check: &Result<(), AppError>) -> StatusCode {
    match check {
        Ok(()) => StatusCode::OK,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}
