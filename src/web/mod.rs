//! The HTTP layer: thin handlers grouped by area, the middleware, and the one place where routes
//! are assembled. Handlers extract, call one service function, and render.

pub mod admin_users;
pub mod answers;
pub mod assets;
pub mod charts;
pub mod closing;
pub mod csrf;
pub mod edits;
pub mod email_links;
pub mod error_pages;
pub mod feeds;
pub mod flags;
pub mod form_guard;
pub mod forms;
pub mod health;
pub mod home;
pub mod http_cache;
pub mod layout;
pub mod mod_log;
pub mod mod_queues;
pub mod notifications;
pub mod official;
pub mod page_cache;
pub mod password;
pub mod preview;
pub mod profiles;
pub mod questions;
pub mod request_budget;
pub mod request_log;
pub mod robots;
pub mod search;
pub mod search_gaps;
pub mod security;
pub mod session;
pub mod settings;
pub mod sign_in;
pub mod sign_up;
pub mod sitemaps;
pub mod staff_dashboard;
pub mod staff_queue;
pub mod structured_data;
pub mod tags;
pub mod unsubscribe;
pub mod visitor;

use actix_web::{web, HttpResponse};

use crate::error::AppError;

/// Every route of the site.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::show))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/assets/{path:.+}", web::get().to(assets::serve))
        .route("/favicon.ico", web::get().to(favicon))
        .service(web::resource("/signup").route(web::get().to(sign_up::form)).route(web::post().to(sign_up::submit)))
        .service(web::resource("/login").route(web::get().to(sign_in::form)).route(web::post().to(sign_in::submit)))
        .route("/logout", web::post().to(sign_in::sign_out))
        .route("/verify-email/resend", web::post().to(email_links::resend))
        .route("/verify-email/{token}", web::get().to(email_links::verify))
        .service(
            web::resource("/password/forgot")
                .route(web::get().to(password::forgot_form))
                .route(web::post().to(password::forgot_submit)),
        )
        .service(
            web::resource("/password/set/{token}")
                .route(web::get().to(password::set_form))
                .route(web::post().to(password::set_submit)),
        )
        .service(
            web::resource("/password/reset/{token}")
                .route(web::get().to(password::reset_form))
                .route(web::post().to(password::reset_submit)),
        )
        .route("/settings", web::get().to(settings::show))
        .route("/settings/profile", web::post().to(settings::profile))
        .route("/settings/email", web::post().to(settings::email))
        .route("/settings/password", web::post().to(settings::password))
        .route("/settings/sign-out-everywhere", web::post().to(settings::sign_out_everywhere))
        .route("/staff", web::get().to(staff_dashboard::show))
        .route("/settings/notifications", web::post().to(notifications::set_preference))
        .route("/notifications", web::get().to(notifications::list))
        .route("/notifications/read", web::post().to(notifications::mark_all_read))
        .route("/questions/{id}/{action:watch|unwatch}", web::post().to(notifications::watch))
        .service(
            web::resource("/unsubscribe/{token}")
                .route(web::get().to(unsubscribe::form))
                .route(web::post().to(unsubscribe::submit)),
        )
        .route("/admin/users", web::get().to(admin_users::list))
        .route("/admin/users/{id}/role", web::post().to(admin_users::set_role))
        .route("/admin/users/{id}/suspend", web::post().to(admin_users::suspend))
        .route("/admin/users/{id}/unsuspend", web::post().to(admin_users::unsuspend))
        .route("/admin/users/{id}/invite", web::post().to(admin_users::invite))
        .route("/search", web::get().to(search::page))
        .route("/search/click/{log}/{question}", web::get().to(search::click))
        .route("/questions/similar", web::get().to(search::similar_questions))
        .route("/ask/suggested/{id}", web::get().to(search::suggested))
        .route("/staff/gaps", web::get().to(search_gaps::show))
        .route("/questions", web::get().to(questions::list))
        .service(
            web::resource("/ask")
                .route(web::get().to(questions::ask_form))
                .route(web::post().to(questions::ask_submit)),
        )
        .route("/questions/{id}", web::get().to(questions::show))
        .route("/questions/{id}/answers", web::post().to(answers::post_answer))
        .route("/questions/{id}/close", web::post().to(closing::close))
        .route("/questions/{id}/reopen", web::post().to(closing::reopen))
        .route("/questions/{id}/{slug}", web::get().to(questions::show))
        .route("/a/{id}", web::get().to(questions::answer_permalink))
        .route("/answers/{id}/accept", web::post().to(answers::accept))
        .route("/answers/{id}/{action:endorse|withdraw-official|review}", web::post().to(official::act))
        .route("/posts/{id}/vote", web::post().to(answers::vote))
        .route("/posts/{id}/{action:lock|unlock|delete|undelete}", web::post().to(closing::post_action))
        .route("/posts/{id}/comments", web::post().to(answers::comment))
        .route("/posts/{id}", web::get().to(closing::locate_post))
        .route("/{kind:posts|comments}/{id}/flag", web::post().to(flags::flag))
        .route("/comments/{id}/{action:delete|undelete}", web::post().to(closing::comment_action))
        .route("/mod/flags", web::get().to(mod_queues::flag_queue))
        .route("/mod/flags/{kind}/{id}", web::post().to(mod_queues::handle_flags))
        .route("/mod/review", web::get().to(mod_queues::review_queue))
        .route("/mod/review/{id}", web::post().to(mod_queues::decide))
        .route("/mod/log", web::get().to(mod_log::show))
        .route("/users/{id}/delete-as-spam", web::post().to(mod_queues::delete_as_spam))
        .service(
            web::resource("/posts/{id}/edit").route(web::get().to(edits::form)).route(web::post().to(edits::submit)),
        )
        .route("/posts/{id}/revisions", web::get().to(edits::revisions))
        .route("/preview", web::post().to(preview::render))
        .route("/staff/queue", web::get().to(staff_queue::show))
        .route("/tags", web::get().to(tags::index))
        .route("/tags/{name}", web::get().to(tags::show))
        .route("/users/{id}", web::get().to(profiles::show))
        .route("/users/{id}/{slug}", web::get().to(profiles::show))
        .configure(discovery);
}

/// What crawlers and feed readers fetch: robots.txt, the sitemaps and the Atom feeds.
fn discovery(cfg: &mut web::ServiceConfig) {
    // One plan cache per worker: a plan is one index pass, so a few per ten minutes cost little.
    cfg.app_data(web::Data::new(crate::services::sitemaps::PlanCache::default()))
        .route("/robots.txt", web::get().to(robots::robots_txt))
        .route("/sitemap.xml", web::get().to(sitemaps::index))
        .route("/sitemaps/tags.xml", web::get().to(sitemaps::tags))
        .route("/sitemaps/questions-{n:[1-9][0-9]*}.xml", web::get().to(sitemaps::questions))
        .route("/feeds/questions.atom", web::get().to(feeds::newest_questions))
        .route("/feeds/official.atom", web::get().to(feeds::official))
        .route("/feeds/questions/{id}.atom", web::get().to(feeds::answers))
        .route("/feeds/tags/{name}.atom", web::get().to(feeds::tagged));
}

/// Answers every address no route claims.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// GET /favicon.ico — browsers ask for it unprompted; point them at the SVG icon.
async fn favicon() -> HttpResponse {
    HttpResponse::MovedPermanently().insert_header(("Location", "/assets/favicon.svg")).finish()
}

/// Answers `HEAD` like `GET`: link checkers, crawlers and monitors ask for headers only. The HTTP
/// layer noted the method when it read the request and sends no body for it, whatever the
/// handler returns, so every GET route serves HEAD without a route of its own.
pub async fn head_as_get(
    mut req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    next.call(req).await
}
