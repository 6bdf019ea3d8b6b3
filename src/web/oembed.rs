//! `/oembed`: the oEmbed provider (<https://oembed.com>) for question and answer addresses, so a
//! chat, a blog or another forum that is handed a link shows the answer itself: a `rich` answer
//! whose HTML frames the embed page. Question pages name it in a discovery `<link>`.

use actix_web::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::services::embeds::{self, Embedded};
use crate::services::share_card;
use crate::state::AppState;

/// The frame's width when the consumer sets no limit, in CSS pixels.
const DEFAULT_WIDTH: u32 = 600;
/// The frame's height when the consumer sets no limit.
const DEFAULT_HEIGHT: u32 = 400;
/// How long consumers may keep an answer, in seconds: the embed page itself stays current.
const CACHE_AGE: u32 = 3_600;

/// The query an oEmbed consumer sends.
#[derive(Deserialize)]
pub struct OembedQuery {
    /// The page to embed.
    url: Option<String>,
    /// `json` (the default); `xml` is not offered.
    format: Option<String>,
    /// The widest the consumer can show.
    maxwidth: Option<u32>,
    /// The tallest the consumer can show.
    maxheight: Option<u32>,
}

/// The `rich` oEmbed response (the spec's names).
#[derive(Serialize)]
struct Rich {
    version: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    title: String,
    author_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    author_url: Option<String>,
    provider_name: String,
    provider_url: String,
    cache_age: u32,
    html: String,
    width: u32,
    height: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    thumbnail_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thumbnail_width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thumbnail_height: Option<u32>,
}

/// GET /oembed?url=&format=json&maxwidth=&maxheight= — 404 for addresses that are not one of
/// this site's questions or answers, 501 for formats other than JSON (as the spec says).
pub async fn provide(state: web::Data<AppState>, query: web::Query<OembedQuery>) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    if let Some(format) = query.format.as_deref().filter(|f| *f != "json") {
        return Err(AppError::NotImplemented(format!("Only the json format is offered, not `{format}`.")));
    }
    let raw = query.url.as_deref().map(str::trim).filter(|u| !u.is_empty());
    let raw = raw.ok_or_else(|| AppError::BadRequest("Name the page to embed in the `url` parameter.".to_owned()))?;
    let url = url::Url::parse(raw).map_err(|_| AppError::NotFound)?;
    if url.origin() != state.config.base_url.origin() {
        return Err(AppError::NotFound);
    }
    let address = embeds::embedded_at(url.path(), url.fragment()).ok_or(AppError::NotFound)?;
    let (embedded, card) = state
        .db(move |conn| {
            let embedded = embeds::resolve(conn, address)?;
            embeds::load(conn, embedded).map(|card| (embedded, card))
        })
        .await?;
    let base = state.config.base_url_str();
    let site = state.settings();
    let width = query.maxwidth.map_or(DEFAULT_WIDTH, |max| max.min(DEFAULT_WIDTH));
    let height = query.maxheight.map_or(DEFAULT_HEIGHT, |max| max.min(DEFAULT_HEIGHT));
    let title = match embedded {
        Embedded::Answer(_) => format!("Answer to: {}", card.title),
        Embedded::Question(_) => card.title.clone(),
    };
    let html = format!(
        r#"<iframe src="{base}{src}" width="{width}" height="{height}" title="{frame_title}" style="border:0;max-width:100%" loading="lazy"></iframe>"#,
        src = embedded.embed_path(),
        frame_title = tera::escape_html(&format!("{title} — {}", site.site_name)),
    );
    // The spec asks a thumbnail to respect the limits too; the card is drawn at one size only.
    let thumbnail_fits = query.maxwidth.is_none_or(|w| w >= share_card::WIDTH)
        && query.maxheight.is_none_or(|h| h >= share_card::HEIGHT);
    let author = card.author_of(embedded);
    let body = Rich {
        version: "1.0",
        kind: "rich",
        title,
        author_name: author.display_name.clone(),
        author_url: (!author.profile_path.is_empty()).then(|| format!("{base}{}", author.profile_path)),
        provider_name: site.site_name.clone(),
        provider_url: format!("{base}/"),
        cache_age: CACHE_AGE,
        html,
        width,
        height,
        thumbnail_url: thumbnail_fits.then(|| format!("{base}{}", embedded.card_path())),
        thumbnail_width: thumbnail_fits.then_some(share_card::WIDTH),
        thumbnail_height: thumbnail_fits.then_some(share_card::HEIGHT),
    };
    Ok(HttpResponse::Ok()
        // Public content: a consumer's script on any site may read it.
        .insert_header((ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .insert_header((CACHE_CONTROL, "public, max-age=300"))
        .json(body))
}
