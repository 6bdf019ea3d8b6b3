//! `/about`: the About and guidelines page an admin writes in Markdown (or the built-in one),
//! linked from every footer.

use actix_web::{web, HttpResponse};
use tera::Context;

use crate::error::AppError;
use crate::state::AppState;
use crate::web::visitor::Visitor;

/// GET /about
pub async fn show(state: web::Data<AppState>, visitor: Visitor) -> Result<HttpResponse, AppError> {
    let site = state.settings();
    let mut page = Context::new();
    page.insert("about_html", &site.about_html);
    page.insert("social_title", &format!("About {}", site.site_name));
    page.insert(
        "description",
        &format!("What {} is for, and the guidelines for asking and answering.", site.site_name),
    );
    visitor.render(&state, "about.html", page)
}
