//! `/help/privileges`: what reputation earns on this site, and how far the viewer is from each.

use actix_web::{web, HttpResponse};
use tera::Context;

use crate::domain::Privileges;
use crate::error::AppError;
use crate::services::reputation::profile;
use crate::state::AppState;
use crate::web::visitor::Visitor;

/// GET /help/privileges
pub async fn show(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, AppError> {
    let site = state.settings();
    let thresholds = Privileges::of(&site.moderation);
    let viewer = visitor.user.as_ref().map(|u| (u.reputation, u.role.is_staff()));
    let mut page = Context::new();
    page.insert("privileges", &profile::privileges(&thresholds, viewer));
    page.insert("reputation", &visitor.user.as_ref().map(|u| u.reputation));
    page.insert("daily_cap", &site.moderation.reputation_daily_cap);
    page.insert("social_title", &format!("Privileges on {}", site.site_name));
    page.insert(
        "description",
        &format!("What members of {} earn with reputation, and how reputation is earned.", site.site_name),
    );
    visitor.render(&state, "help/privileges.html", page)
}
