//! Problem details (RFC 9457) for every failed request under `/api/`: the body the error-page
//! middleware draws there, the request id every API response carries, and the handlers that turn
//! actix's own extractor errors (a JSON body of the wrong shape, a malformed path) into
//! [`AppError`]s; malformed queries are already refused by the app-wide handler.
//!
//! The status of each failure is still chosen in [`crate::error`]; this module only draws it.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::services::ServiceError;

/// The media type of a problem body.
pub const CONTENT_TYPE: &str = "application/problem+json";

/// What a signed-in browser's write without its CSRF token is told (a write without any credential
/// is asked for a token with 401 instead).
pub const CSRF_DETAIL: &str = "Send a token as `Authorization: Bearer <token>` (make one in Settings), or, from a signed-in browser, the CSRF token in `X-CSRF-Token`.";

/// The header that names a request in the server's log.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Why a request failed, as RFC 9457 describes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// What kind of problem: `about:blank`, the status says it all.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the status.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong, in plain words.
    pub detail: String,
    /// The path of the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The request's id, as in the `X-Request-Id` header and the server's log.
    pub request_id: String,
    /// The fields at fault, when the request was refused for its input.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// One input field at fault.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field's name, as in the request body or query.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// The id the request log gave this request (empty outside the logging middleware, in unit tests).
pub fn request_id(req: &HttpRequest) -> String {
    req.extensions().get::<tracing_actix_web::RequestId>().map(|id| id.to_string()).unwrap_or_default()
}

/// The problem body of a failed API request; `field` names the input at fault, if one is.
pub fn response(
    req: &HttpRequest,
    status: StatusCode,
    title: &str,
    detail: &str,
    field: Option<&'static str>,
) -> HttpResponse {
    let errors = field
        .map(|field| {
            // The service's message reads "field: reason"; the field is named on its own here.
            let message = detail.strip_prefix(&format!("{field}: ")).unwrap_or(detail).to_owned();
            vec![FieldProblem { field: field.to_owned(), message }]
        })
        .unwrap_or_default();
    let problem = Problem {
        kind: "about:blank".to_owned(),
        title: title.to_owned(),
        status: status.as_u16(),
        detail: detail.to_owned(),
        instance: Some(req.path().to_owned()),
        request_id: request_id(req),
        errors,
    };
    let mut response = HttpResponse::build(status);
    response.content_type(CONTENT_TYPE);
    // Refusals made before the `/api` scope is reached (CSRF, say) name their request too.
    if let Ok(id) = HeaderValue::from_str(&problem.request_id) {
        if !id.is_empty() {
            response.insert_header((REQUEST_ID, id));
        }
    }
    match serde_json::to_string(&problem) {
        Ok(body) => response.body(body),
        Err(_) => response.finish(),
    }
}

/// Middleware for `/api`: every response, failed or not, names its request id, so a client can
/// quote it when reporting a problem.
pub async fn stamp_request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = request_id(req.request());
    let mut res = next.call(req).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        if !id.is_empty() {
            res.headers_mut().insert(REQUEST_ID, value);
        }
    }
    Ok(res)
}

/// A JSON body that could not be read: unreadable JSON is a bad request; JSON of the wrong shape
/// (a missing field, a string where a number belongs) is an invalid `body`.
pub fn json_error(error: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let app_error = match &error {
        JsonPayloadError::Deserialize(e) if e.is_data() => ServiceError::invalid("body", e.to_string()).into(),
        JsonPayloadError::Deserialize(e) => AppError::BadRequest(format!("The body is not valid JSON: {e}.")),
        JsonPayloadError::ContentType => {
            AppError::BadRequest("Send the body as JSON, with Content-Type: application/json.".to_owned())
        }
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => AppError::TooLarge,
        other => AppError::BadRequest(format!("The body could not be read: {other}.")),
    };
    app_error.into()
}

/// A path segment of the wrong kind (a word where an id belongs).
pub fn path_error(error: PathError, _req: &HttpRequest) -> actix_web::Error {
    AppError::BadRequest(format!("A part of the address is not acceptable: {error}.")).into()
}
