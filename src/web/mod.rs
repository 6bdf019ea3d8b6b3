//! The HTTP layer: thin handlers grouped by area, the middleware, and the one place where routes
//! are assembled. Handlers extract, call one service function, and render.

pub mod assets;
pub mod csrf;
pub mod error_pages;
pub mod health;
pub mod home;
pub mod layout;
pub mod password;
pub mod security;

use actix_web::{web, HttpResponse};

use crate::error::AppError;

/// Every route of the site.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::show))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/assets/{path:.+}", web::get().to(assets::serve))
        .route("/favicon.ico", web::get().to(favicon))
        .service(
            web::resource("/password/set/{token}")
                .route(web::get().to(password::form))
                .route(web::post().to(password::submit)),
        );
}

/// Answers every address no route claims.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// GET /favicon.ico — browsers ask for it unprompted; point them at the SVG icon.
async fn favicon() -> HttpResponse {
    HttpResponse::MovedPermanently().insert_header(("Location", "/assets/favicon.svg")).finish()
}
