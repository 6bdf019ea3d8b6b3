//! The public JSON API, `/api/v1`, and its reference page `/api`: the second front door of
//! DESIGN.md's "two front doors, one set of rules". Each handler extracts (the caller through
//! [`crate::web::api_auth::ApiCaller`]), calls the same service function as the HTML handler,
//! and answers JSON of [`resources`]; failures are problem JSON ([`problem`]), drawn by the
//! error-page middleware from the statuses [`crate::error`] chooses.
//!
//! The operations are listed once, in [`operations!`] below, which both registers them and
//! exports [`OPERATIONS`], so a test can hold the OpenAPI document to the routes.

pub mod openapi;
pub mod pagination;
pub mod problem;
pub mod questions;
pub mod reference;
pub mod resources;
pub mod respond;
pub mod search;
pub mod tags;
pub mod users;
pub mod writes;

use actix_web::middleware::from_fn;
use actix_web::web;

use crate::web::security::MAX_BODY_BYTES;

/// Declares the operations of `/api/v1` once: registers each route (in order, so fixed segments
/// such as `/questions/similar` come before `/questions/{id}`) and lists them in [`OPERATIONS`].
macro_rules! operations {
    ($($method:ident $path:literal => $handler:path),* $(,)?) => {
        /// Every operation of `/api/v1` as registered: method and path below `/api/v1`.
        pub const OPERATIONS: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        fn register(cfg: &mut web::ServiceConfig) {
            $(cfg.route($path, web::$method().to($handler));)*
        }
    };
}

operations! {
    get "/openapi.json" => openapi::document,
    get "/me" => users::me,
    // Reads.
    get "/questions" => questions::list,
    get "/questions/similar" => questions::similar,
    get "/questions/{id}" => questions::show,
    get "/tags" => tags::list,
    get "/tags/{name}/questions" => questions::tagged,
    get "/search" => search::search,
    get "/users/{id}" => users::show,
    get "/official-answers" => users::official_answers,
    // Writes: writes/asking.rs, answers.rs, posts.rs, staff.rs.
    post "/questions" => writes::asking::ask,
    put "/questions/{id}/watch" => writes::asking::watch,
    delete "/questions/{id}/watch" => writes::asking::unwatch,
    post "/questions/{id}/answers" => writes::answers::post_answer,
    post "/answers/{id}/accept" => writes::answers::accept,
    post "/posts/{id}/comments" => writes::posts::comment,
    post "/posts/{id}/vote" => writes::posts::vote,
    patch "/posts/{id}" => writes::posts::edit,
    post "/posts/{id}/flag" => writes::posts::flag_post,
    post "/comments/{id}/flag" => writes::posts::flag_comment,
    post "/answers/{id}/endorse" => writes::staff::endorse,
    post "/answers/{id}/withdraw-official" => writes::staff::withdraw,
    post "/answers/{id}/review" => writes::staff::review,
    post "/questions/{id}/close" => writes::staff::close,
    post "/questions/{id}/reopen" => writes::staff::reopen,
}

/// The route family of the API: `/api` (the reference page) and everything below `/api/v1`.
/// Any other address under `/api/` is a 404 problem.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            .wrap(from_fn(problem::stamp_request_id))
            .app_data(web::JsonConfig::default().limit(MAX_BODY_BYTES).error_handler(problem::json_error))
            .app_data(web::PathConfig::default().error_handler(problem::path_error))
            .route("", web::get().to(reference::page))
            .service(web::scope("/v1").configure(register))
            .default_service(web::to(super::not_found)),
    );
}
