//! Guidepost: a public question-and-answer forum that works as a company's distributed FAQ.
//!
//! [`build_app`] assembles the one actix application that both `main` and the tests use.
//! The layers, outermost first: [`web`] (HTTP), [`services`] (the forum's rules), [`db`] (SQL).

pub mod archive;
pub mod background_thread;
pub mod changes;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod import;
pub mod mail;
pub mod markdown;
pub mod metrics;
pub mod periodic;
pub mod rate_limits;
pub mod roles;
pub mod search;
pub mod secret;
pub mod seed;
pub mod services;
pub mod sign_in_failures;
pub mod signing;
pub mod site_settings;
pub mod sso;
pub mod state;
pub mod templates;
pub mod view_counter;
pub mod web;
pub mod webhooks;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Compress};
use actix_web::App;
use tracing_actix_web::TracingLogger;

pub use state::AppState;

/// Builds the application: routes, error pages, CSRF protection, security headers, compression,
/// request metrics and request logging, over the given shared state.
pub fn build_app(
    state: actix_web::web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Response = ServiceResponse<impl MessageBody>,
        Config = (),
        InitError = (),
        Error = actix_web::Error,
    >,
> {
    let https = state.config.is_https();
    let state_key = state.cookie_key.clone();
    // Order matters: the last `wrap` runs first. Error pages must see CSRF refusals, and the
    // security headers must reach error pages too.
    App::new()
        .app_data(state)
        .configure(web::security::configure_extractors)
        .configure(web::routes)
        .default_service(actix_web::web::to(web::not_found))
        .wrap(web::session::middleware(state_key, https))
        .wrap(from_fn(web::csrf::protect))
        .wrap(from_fn(web::security::refuse_nul))
        .wrap(from_fn(web::error_pages::render))
        .wrap(from_fn(web::head_as_get))
        .wrap(from_fn(web::page_cache::serve))
        .wrap(from_fn(web::security::headers))
        .wrap(Compress::default())
        // Outside the page cache and error pages, so it counts what the visitor finally got.
        .wrap(from_fn(web::request_metrics::record))
        .wrap(TracingLogger::<web::request_log::RequestLog>::new())
}
