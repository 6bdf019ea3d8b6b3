//! Helpers shared by form handlers: field errors, safe return paths, the client's address.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Map, Value};

use crate::error::AppError;
use crate::services::ServiceError;

/// Field name -> message, as templates show them next to fields.
pub type FieldErrors = Map<String, Value>;

/// Turns a refused form into its field errors; any other error is passed on.
pub fn field_errors(error: AppError) -> Result<FieldErrors, AppError> {
    match error {
        AppError::Service(ServiceError::Invalid { field, reason }) => {
            let mut errors = Map::new();
            errors.insert(field.to_owned(), Value::String(reason));
            Ok(errors)
        }
        other => Err(other),
    }
}

/// One error for one field.
pub fn one_error(field: &str, message: &str) -> FieldErrors {
    let mut errors = Map::new();
    errors.insert(field.to_owned(), Value::String(message.to_owned()));
    errors
}

/// Whether the client (a script) asked for JSON rather than a page.
pub fn accepts_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.starts_with("application/json") && !accept.contains("text/html"))
}

/// A 303 redirect (post/redirect/get).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location.to_owned())).finish()
}

/// A local path to return to; anything else (other sites, `//host`, odd schemes) becomes `/`.
pub fn safe_return_path(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains(['\\', '\r', '\n']) => {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// The client's address, for rate limits: the peer, or the proxy's report when configured.
pub fn client_ip(req: &HttpRequest, behind_proxy: bool) -> String {
    let info = req.connection_info();
    let address = if behind_proxy { info.realip_remote_addr() } else { info.peer_addr() };
    address.unwrap_or("unknown").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_paths_stay_on_site() {
        assert_eq!(safe_return_path(Some("/questions/1")), "/questions/1");
        assert_eq!(safe_return_path(Some("//evil.example/")), "/");
        assert_eq!(safe_return_path(Some("https://evil.example/")), "/");
        assert_eq!(safe_return_path(Some("/\\evil.example")), "/");
        assert_eq!(safe_return_path(None), "/");
    }
}
