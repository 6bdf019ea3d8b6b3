//! `/admin/settings`: the run-time site settings (admins only): the page, saving it, and handing
//! one setting back to the operator's value.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::{web, HttpResponse};
use tera::Context;

use crate::domain::SettingName;
use crate::error::AppError;
use crate::services::site_settings::{self, SettingView};
use crate::site_settings::rules;
use crate::state::AppState;
use crate::web::forms::{self, FieldErrors};
use crate::web::session;
use crate::web::visitor::{CurrentUser, Visitor};

/// GET /admin/settings
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let settings = site_settings::overview(&actor, &state.site_settings)?;
    page(&state, &visitor, settings, &FieldErrors::new())
}

/// POST /admin/settings — every field is a setting's name; those left out stay as they are.
pub async fn save(
    state: web::Data<AppState>,
    visitor: Visitor,
    session: Session,
    CurrentUser(actor): CurrentUser,
    form: web::Form<BTreeMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let mut submitted = form.into_inner();
    submitted.remove("csrf_token");
    let typed = submitted.clone();
    let live = std::sync::Arc::clone(&state.site_settings);
    let now = chrono::Utc::now().naive_utc();
    let outcome =
        state.write(move |conn, feed| site_settings::change(conn, feed, &live, &actor, &submitted, now)).await;
    match outcome {
        Ok(changed) if changed.is_empty() => {
            session::flash(&session, "Nothing changed.");
            Ok(forms::see_other("/admin/settings"))
        }
        Ok(changed) => {
            let labels: Vec<&str> = changed.iter().map(|&name| rules::label(name)).collect();
            session::flash(&session, &format!("Saved: {}. Every node shows it within seconds.", labels.join(", ")));
            Ok(forms::see_other("/admin/settings"))
        }
        Err(error) => {
            let errors = FieldErrors::from_error(error)?;
            let actor = visitor.user.clone().ok_or_else(|| AppError::internal("the admin vanished"))?;
            let mut settings = site_settings::overview(&actor, &state.site_settings)?;
            // Shown again as typed, so one mistake does not cost the rest of the form.
            for setting in &mut settings {
                if let Some(value) = typed.get(setting.name) {
                    setting.value.clone_from(value);
                }
            }
            page(&state, &visitor, settings, &errors)
        }
    }
}

/// POST /admin/settings/{name}/reset
pub async fn reset(
    state: web::Data<AppState>,
    session: Session,
    CurrentUser(actor): CurrentUser,
    name: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let name = name.into_inner();
    let live = std::sync::Arc::clone(&state.site_settings);
    let now = chrono::Utc::now().naive_utc();
    let label = SettingName::from_stored(&name).map(rules::label).unwrap_or("The setting");
    let removed = state.write(move |conn, feed| site_settings::reset(conn, feed, &live, &actor, &name, now)).await?;
    let message = if removed {
        format!("{label} is back to the operator's value.")
    } else {
        format!("{label} already had the operator's value.")
    };
    session::flash(&session, &message);
    Ok(forms::see_other("/admin/settings"))
}

fn page(
    state: &AppState,
    visitor: &Visitor,
    settings: Vec<SettingView>,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let (embedding, rest): (Vec<SettingView>, Vec<SettingView>) =
        settings.into_iter().partition(|s| s.control == "origins");
    let (look, posting): (Vec<SettingView>, Vec<SettingView>) =
        rest.into_iter().partition(|s| matches!(s.control, "line" | "url" | "colour" | "markdown"));
    let mut context = Context::new();
    context.insert("look", &look);
    context.insert("posting", &posting);
    context.insert("embedding", &embedding);
    context.insert("ask_box_snippet", &ask_box_snippet(state));
    visitor.render_form(state, "admin/settings.html", context, errors)
}

/// The line an admin pastes into a product page to show the ask box there (`tags=` names the
/// product's tags).
fn ask_box_snippet(state: &AppState) -> String {
    let title = tera::escape_html(&format!("Ask {}", state.settings().site_name));
    format!(
        r#"<iframe src="{}/embed/ask?tags=" title="{title}" width="100%" height="460" style="border:0;max-width:40rem" loading="lazy"></iframe>"#,
        state.config.base_url_str()
    )
}
