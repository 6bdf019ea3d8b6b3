//! The variables every page's layout needs: site name, tagline, logo and accent (from the
//! settings in effect), canonical URL, CSRF token, the signed-in user and what their role lets
//! them reach.

use chrono::Datelike;
use tera::Context;

use crate::services::actor::Actor;
use crate::state::AppState;
use crate::web::csrf::CsrfToken;

/// The layout's variables, shared by every page.
pub fn context(state: &AppState, path: &str, csrf: Option<&CsrfToken>, user: Option<&Actor>) -> Context {
    let mut context = Context::new();
    let site = state.settings();
    context.insert("site_name", &site.site_name);
    context.insert("tagline", &site.tagline);
    context.insert("logo_url", &site.logo_url);
    // The accent's stylesheet is named by the colour itself (see `web::theme`).
    context.insert("theme_css", &site.custom_accent().map(|accent| format!("/theme.css?accent={}", &accent[1..])));
    context.insert("base_url", state.config.base_url_str());
    context.insert("canonical_url", &format!("{}{path}", state.config.base_url_str()));
    // Pages with something better to say replace these three.
    context.insert(
        "description",
        &if site.tagline.is_empty() {
            format!("Questions and answers from the {} community and staff.", site.site_name)
        } else {
            format!("{}: {}", site.site_name, site.tagline)
        },
    );
    context.insert("social_title", &site.site_name);
    context.insert("og_type", "website");
    context.insert("current_path", path);
    context.insert("csrf_token", &csrf.map(|t| t.0.as_str()).unwrap_or_default());
    context.insert("year", &chrono::Utc::now().year());
    context.insert("user", &user);
    context.insert("is_admin", &user.is_some_and(|u| u.role.is_admin()));
    // What the viewer's reputation lets them do, so pages offer only what will work; the
    // services check again.
    let privileges = crate::domain::Privileges::of(&site.moderation);
    let may: std::collections::BTreeMap<&str, bool> = crate::domain::Privilege::ALL
        .iter()
        .map(|&p| (p.as_str(), user.is_some_and(|u| u.has_privilege(p, &privileges))))
        .collect();
    context.insert("may", &may);
    context.insert("close_votes_needed", &site.moderation.close_votes_needed);
    context.insert("require_verified_email", &site.require_verified_email);
    context
}
