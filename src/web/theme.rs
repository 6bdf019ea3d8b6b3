//! `/theme.css?accent=rrggbb`: the accent colour an admin chose, as the custom properties
//! `assets/css/site.css` draws buttons and highlights with. A stylesheet of its own because the
//! Content-Security-Policy allows no inline styles; its body follows from its address alone, so
//! browsers may keep it for good and a new accent is simply a new address.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::error::AppError;
use crate::site_settings::colour::Rgb;

/// `?accent=`
#[derive(Deserialize)]
pub struct ThemeQuery {
    accent: String,
}

/// GET /theme.css
pub async fn stylesheet(query: web::Query<ThemeQuery>) -> Result<HttpResponse, AppError> {
    let accent = Rgb::parse(&query.accent)
        .filter(|_| query.accent.len() == 6)
        .ok_or_else(|| AppError::BadRequest("accent must be six hex digits, such as 1f6feb".to_owned()))?;
    // One rule for both themes: it comes after site.css, whose dark-theme block it overrides too.
    let body = format!(":root {{ --accent: {accent}; --accent-strong: {}; }}\n", accent.darker(0.15));
    Ok(HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(body))
}
