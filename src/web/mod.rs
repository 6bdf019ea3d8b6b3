//! The HTTP layer: thin handlers, one module per route family (the route table below names the
//! module of each), the middleware, and the one place where routes are assembled. Handlers
//! extract, call one service function, and render; they import no other handler module (what
//! two share lives in a helper module such as [`question_page`] or [`forms`]) and never reach
//! the database but through a service.

pub mod about;
pub mod admin_settings;
pub mod admin_users;
pub mod admin_webhooks;
pub mod answers;
pub mod api;
pub mod api_auth;
pub mod api_tokens;
pub mod ask;
pub mod assets;
pub mod assignments;
pub mod badges;
pub mod break_glass;
pub mod charts;
pub mod closing;
pub mod comments;
pub mod csrf;
pub mod edits;
pub mod embeds;
pub mod error_pages;
pub mod feeds;
pub mod flags;
pub mod form_guard;
pub mod forms;
pub mod gap_waiters;
pub mod health;
pub mod home;
pub mod http_cache;
pub mod insights_mail;
pub mod layout;
pub mod member_data;
pub mod metrics;
pub mod mod_log;
pub mod mod_queues;
pub mod moderation;
pub mod my_work;
pub mod notifications;
pub mod oembed;
pub mod official;
pub mod page_cache;
pub mod password;
pub mod posts;
pub mod preview;
pub mod privileges;
pub mod profiles;
pub mod question_page;
pub mod question_views;
pub mod questions;
pub mod request_budget;
pub mod request_log;
pub mod request_metrics;
pub mod robots;
pub mod search;
pub mod security;
pub mod session;
pub mod settings;
pub mod share_cards;
pub mod sign_in;
pub mod sign_in_methods;
pub mod sign_up;
pub mod sitemaps;
pub mod sso;
pub mod sso_link;
pub mod staff_dashboard;
pub mod staff_gaps;
pub mod staff_insights;
pub mod staff_listening;
pub mod staff_queue;
pub mod structured_data;
pub mod suggested_edits;
pub mod tags;
pub mod target_figures;
pub mod theme;
pub mod topics;
pub mod unsubscribe;
pub mod users_list;
pub mod verify_email;
pub mod visitor;
pub mod votes;
pub mod watching;

use actix_web::{web, HttpResponse};

use crate::error::AppError;

/// Every route of the site, grouped by family; each family's handlers live in the module the
/// comment names (and handlers are called `module::verb`, so the table tells you the file).
pub fn routes(cfg: &mut web::ServiceConfig) {
    // The site itself: home.rs, about.rs, health.rs, metrics.rs, assets.rs, theme.rs; discovery()
    // for crawlers and feeds
    cfg.route("/", web::get().to(home::show))
        .route("/about", web::get().to(about::show))
        .route("/theme.css", web::get().to(theme::stylesheet))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(metrics::scrape))
        .route("/assets/{path:.+}", web::get().to(assets::serve))
        .route("/favicon.ico", web::get().to(assets::favicon));
    // api/mod.rs: `/api` and `/api/v1/...`, before any route that could claim an `/api` path.
    api::routes(cfg);
    accounts(cfg);
    // Before the question routes: the first route whose pattern matches wins, and
    // `/questions/{id}` would claim `/questions/similar`.
    finding(cfg);
    questions_and_answers(cfg);
    posts_and_comments(cfg);
    staff_and_moderators(cfg);
    embedding(cfg);
    cfg.configure(discovery);
}

/// What other sites show of this one: embeds.rs (framed pages), oembed.rs, share_cards.rs.
fn embedding(cfg: &mut web::ServiceConfig) {
    cfg.route("/oembed", web::get().to(oembed::provide))
        .route("/embed/questions/{id}", web::get().to(embeds::question))
        .route("/embed/answers/{id}", web::get().to(embeds::answer))
        .route("/embed/ask", web::get().to(embeds::ask_box))
        .route("/embed/ask/opened/{id}", web::get().to(embeds::opened))
        .route("/cards/questions/{id}.png", web::get().to(share_cards::question))
        .route("/cards/answers/{id}.png", web::get().to(share_cards::answer));
}

/// Finding things: search, tags and member profiles.
fn finding(cfg: &mut web::ServiceConfig) {
    // search.rs
    cfg.route("/search", web::get().to(search::page))
        .route("/search/click/{log}/{question}", web::get().to(search::click))
        // gap_waiters.rs: tell me when this is answered
        .route("/search/waiting", web::post().to(gap_waiters::wait))
        .route("/questions/similar", web::get().to(search::similar_questions))
        .route("/ask/suggested/{id}", web::get().to(search::suggested))
        // tags.rs
        // badges.rs
        .route("/badges", web::get().to(badges::index))
        .route("/badges/{slug}", web::get().to(badges::show))
        .route("/tags", web::get().to(tags::index))
        .route("/tags/{name}", web::get().to(tags::show))
        // topics.rs: watching a topic (leading one is with the staff routes)
        .route("/tags/{name}/watch", web::post().to(topics::watch))
        // users_list.rs
        .route("/users", web::get().to(users_list::index))
        // profiles.rs
        .route("/users/{id}", web::get().to(profiles::show))
        .route("/users/{id}/{slug}", web::get().to(profiles::show))
        .route("/users/{id}/{slug}/reputation", web::get().to(profiles::reputation))
        .route("/help/privileges", web::get().to(privileges::show));
}

/// Signing up and in, passwords, email links, settings, notifications.
fn accounts(cfg: &mut web::ServiceConfig) {
    // sign_up.rs, sign_in.rs, verify_email.rs
    cfg.service(web::resource("/signup").route(web::get().to(sign_up::form)).route(web::post().to(sign_up::submit)))
        .service(web::resource("/login").route(web::get().to(sign_in::form)).route(web::post().to(sign_in::submit)))
        .route("/logout", web::post().to(sign_in::sign_out))
        // sso.rs, sso_link.rs, break_glass.rs
        .route("/signed-out", web::get().to(sso::signed_out))
        .route("/auth/sso/link", web::get().to(sso_link::show))
        .route("/auth/sso/link/password", web::post().to(sso_link::with_password))
        .route("/auth/sso/link/mail", web::post().to(sso_link::by_mail))
        .service(
            web::resource("/auth/sso/link/{token}")
                .route(web::get().to(sso_link::mailed_form))
                .route(web::post().to(sso_link::mailed_submit)),
        )
        .route("/auth/sso/{provider}", web::get().to(sso::start))
        .route("/auth/sso/{provider}/callback", web::get().to(sso::callback))
        .service(
            web::resource("/login/break-glass/{token}")
                .route(web::get().to(break_glass::form))
                .route(web::post().to(break_glass::submit)),
        )
        .route("/verify-email/resend", web::post().to(verify_email::resend))
        .route("/verify-email/{token}", web::get().to(verify_email::verify))
        // password.rs
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
        // settings.rs
        .route("/settings", web::get().to(settings::show))
        .route("/settings/profile", web::post().to(settings::profile))
        .route("/settings/email", web::post().to(settings::email))
        .route("/settings/password", web::post().to(settings::password))
        .route("/settings/password/link", web::post().to(settings::password_link))
        .route("/settings/sign-out-everywhere", web::post().to(settings::sign_out_everywhere))
        .route("/settings/notifications", web::post().to(settings::set_preference))
        // sign_in_methods.rs
        .route("/settings/sign-in", web::get().to(sign_in_methods::show))
        .route("/settings/sign-in/{id}/remove", web::post().to(sign_in_methods::remove))
        // api_tokens.rs
        .service(
            web::resource("/settings/api-tokens")
                .route(web::get().to(api_tokens::list_own))
                .route(web::post().to(api_tokens::create)),
        )
        .route("/settings/api-tokens/{id}/revoke", web::post().to(api_tokens::revoke_own))
        // (`GET /api/v1/me`, api_tokens::me, is registered with the rest of `/api/v1` in api/mod.rs:
        // the `/api` scope answers every address below it.)
        // member_data.rs
        .route("/settings/export", web::post().to(member_data::export_own))
        .service(
            web::resource("/settings/delete-account")
                .route(web::get().to(member_data::delete_own_form))
                .route(web::post().to(member_data::delete_own)),
        )
        // notifications.rs, unsubscribe.rs
        .route("/notifications", web::get().to(notifications::list))
        .route("/notifications/read", web::post().to(notifications::mark_all_read))
        .service(
            web::resource("/unsubscribe/{token}")
                .route(web::get().to(unsubscribe::form))
                .route(web::post().to(unsubscribe::submit)),
        )
        .service(
            web::resource("/insights/unsubscribe/{token}")
                .route(web::get().to(insights_mail::unsubscribe_form))
                .route(web::post().to(insights_mail::unsubscribe)),
        );
}

/// Questions and answers: lists, asking, the question page and what is done to a question or
/// an answer as a whole.
fn questions_and_answers(cfg: &mut web::ServiceConfig) {
    // questions.rs, ask.rs
    cfg.route("/questions", web::get().to(questions::list))
        .service(web::resource("/ask").route(web::get().to(ask::form)).route(web::post().to(ask::submit)))
        .route("/questions/{id}", web::get().to(questions::show))
        // answers.rs
        .route("/questions/{id}/answers", web::post().to(answers::post_answer))
        // closing.rs
        .route("/questions/{id}/close", web::post().to(closing::close))
        .route("/questions/{id}/reopen", web::post().to(closing::reopen))
        // watching.rs
        .route("/questions/{id}/{action:watch|unwatch}", web::post().to(watching::watch))
        // assignments.rs
        .route("/questions/{id}/assignment", web::post().to(assignments::change))
        // questions.rs: after the fixed second segments above
        .route("/questions/{id}/{slug}", web::get().to(questions::show))
        // answers.rs, official.rs
        .route("/a/{id}", web::get().to(answers::permalink))
        .route("/answers/{id}/accept", web::post().to(answers::accept))
        .route("/answers/{id}/{action:endorse|withdraw-official|review}", web::post().to(official::act));
}

/// What is done to one post or comment, by anyone or by moderators.
fn posts_and_comments(cfg: &mut web::ServiceConfig) {
    // votes.rs
    cfg.route("/posts/{id}/vote", web::post().to(votes::vote))
        // moderation.rs
        .route("/posts/{id}/{action:lock|unlock|delete|undelete}", web::post().to(moderation::post_action))
        // comments.rs
        .route("/posts/{id}/comments", web::post().to(comments::comment))
        // posts.rs
        .route("/posts/{id}", web::get().to(posts::locate))
        // flags.rs
        .route("/{kind:posts|comments}/{id}/flag", web::post().to(flags::flag))
        // moderation.rs
        .route("/comments/{id}/{action:delete|undelete}", web::post().to(moderation::comment_action))
        // edits.rs
        .service(
            web::resource("/posts/{id}/edit").route(web::get().to(edits::form)).route(web::post().to(edits::submit)),
        )
        .route("/posts/{id}/revisions", web::get().to(edits::revisions))
        // suggested_edits.rs: the review queue of suggested edits (the review privilege)
        .route("/review/suggested-edits", web::get().to(suggested_edits::queue))
        .route("/review/suggested-edits/{id}/approve", web::post().to(suggested_edits::approve))
        .route("/review/suggested-edits/{id}/reject", web::post().to(suggested_edits::reject))
        // preview.rs
        .route("/preview", web::post().to(preview::render));
}

/// Staff, moderators and admins: their pages and the actions only they may take.
fn staff_and_moderators(cfg: &mut web::ServiceConfig) {
    // staff_dashboard.rs, staff_queue.rs, staff_gaps.rs
    cfg.route("/staff", web::get().to(staff_dashboard::show))
        .route("/staff/queue", web::get().to(staff_queue::show))
        .route("/staff/gaps", web::get().to(staff_gaps::show))
        .route("/staff/gaps/answer", web::post().to(gap_waiters::link_answer))
        // staff_insights.rs
        .route("/staff/insights", web::get().to(staff_insights::show))
        .route("/staff/insights/{table}.csv", web::get().to(staff_insights::csv))
        // insights_mail.rs: the weekly mail's list
        .route("/staff/insights/recipients", web::post().to(insights_mail::add))
        .route("/staff/insights/recipients/{id}/remove", web::post().to(insights_mail::remove))
        // staff_listening.rs
        .route("/staff/listening", web::get().to(staff_listening::show))
        .route("/staff/listening/feeds", web::post().to(staff_listening::add))
        .route("/staff/listening/feeds/{id}/check", web::post().to(staff_listening::check))
        .route("/staff/listening/feeds/{id}/remove", web::post().to(staff_listening::remove))
        .route("/staff/listening/items/{id}/handled", web::post().to(staff_listening::handled))
        .route("/staff/listening/items/{id}/reopen", web::post().to(staff_listening::reopen))
        // badges.rs
        .route("/staff/experts", web::get().to(badges::staff_experts))
        // my_work.rs
        .route("/staff/my-work", web::get().to(my_work::show))
        .route("/staff/my-work/topics", web::post().to(topics::lead_by_name))
        // topics.rs: leads and targets (a member watching a topic is under signed-in members)
        .route("/tags/{name}/leads", web::post().to(topics::add_lead))
        .route("/tags/{name}/leads/{user_id}/remove", web::post().to(topics::remove_lead))
        .route("/tags/{name}/target", web::post().to(topics::set_target))
        // mod_queues.rs, mod_log.rs
        .route("/mod/flags", web::get().to(mod_queues::flag_queue))
        .route("/mod/flags/{kind}/{id}", web::post().to(mod_queues::handle_flags))
        .route("/mod/review", web::get().to(mod_queues::review_queue))
        .route("/mod/review/{id}", web::post().to(mod_queues::decide))
        .route("/mod/log", web::get().to(mod_log::show))
        // moderation.rs
        .route("/users/{id}/delete-as-spam", web::post().to(moderation::delete_as_spam))
        // admin_users.rs
        .route("/admin/users", web::get().to(admin_users::list))
        .route("/admin/users/{id}/role", web::post().to(admin_users::set_role))
        .route("/admin/users/{id}/suspend", web::post().to(admin_users::suspend))
        .route("/admin/users/{id}/unsuspend", web::post().to(admin_users::unsuspend))
        .route("/admin/users/{id}/invite", web::post().to(admin_users::invite))
        // admin_settings.rs
        .service(
            web::resource("/admin/settings")
                .route(web::get().to(admin_settings::show))
                .route(web::post().to(admin_settings::save)),
        )
        .route("/admin/settings/{name}/reset", web::post().to(admin_settings::reset))
        // api_tokens.rs
        .route("/admin/api-tokens", web::get().to(api_tokens::list_all))
        .route("/admin/api-tokens/{id}/revoke", web::post().to(api_tokens::revoke_any))
        // admin_webhooks.rs
        .service(
            web::resource("/admin/webhooks")
                .route(web::get().to(admin_webhooks::list))
                .route(web::post().to(admin_webhooks::create)),
        )
        .route("/admin/webhooks/{id}", web::get().to(admin_webhooks::show))
        .route("/admin/webhooks/{id}/deliveries/{delivery}/send-again", web::post().to(admin_webhooks::send_again))
        .route(
            "/admin/webhooks/{id}/{action:enable|disable|rotate-secret|test|delete}",
            web::post().to(admin_webhooks::act),
        )
        // member_data.rs
        .route("/admin/users/{id}/export", web::post().to(member_data::export_member))
        .service(
            web::resource("/admin/users/{id}/delete")
                .route(web::get().to(member_data::delete_member_form))
                .route(web::post().to(member_data::delete_member)),
        );
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
