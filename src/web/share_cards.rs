//! Share cards: the Open Graph image of a question (`/cards/questions/{id}.png`) and of an answer
//! (`/cards/answers/{id}.png`), drawn by [`share_card`] from what the embed card shows, so a
//! link pasted in a chat or a social app shows the answer itself. Each drawing is kept by what
//! it shows: a card is drawn again only when its text, the site's name or colour changes.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::header::{CACHE_CONTROL, ETAG};
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use crate::domain::{AnswerId, QuestionId};
use crate::error::AppError;
use crate::rate_limits::Limit;
use crate::services::embeds::{self, EmbedCard, Embedded};
use crate::services::recent::Recent;
use crate::services::share_card::{self, CardText};
use crate::state::AppState;
use crate::web::{http_cache, request_budget};

/// Drawn cards this node keeps (about 60 KB each).
const KEPT_CARDS: NonZeroUsize = match NonZeroUsize::new(128) {
    Some(n) => n,
    None => NonZeroUsize::MIN,
};

/// This node's drawn cards, by the digest of what they show.
pub type CardCache = Recent<String, Bytes>;

/// An empty card cache; a card's drawing stays valid as long as its text, so entries age out only
/// to make room.
pub fn new_cache() -> CardCache {
    Recent::new(KEPT_CARDS, Duration::from_secs(24 * 3_600))
}

/// How long browsers and chat apps may use a card before asking again (with its ETag).
const CARD_CACHE_CONTROL: &str = "public, max-age=600";

/// GET /cards/questions/{id}.png
pub async fn question(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<QuestionId>,
) -> Result<HttpResponse, AppError> {
    card(&state, &req, Embedded::Question(id.into_inner())).await
}

/// GET /cards/answers/{id}.png
pub async fn answer(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<AnswerId>,
) -> Result<HttpResponse, AppError> {
    card(&state, &req, Embedded::Answer(id.into_inner())).await
}

async fn card(state: &web::Data<AppState>, req: &HttpRequest, embedded: Embedded) -> Result<HttpResponse, AppError> {
    let card = state.db(move |conn| embeds::load(conn, embedded)).await?;
    let text = card_text(state, &card, embedded);
    let version = version_of(&text);
    let etag = format!("\"{version}\"");
    let not_modified = http_cache::matches(req, &etag);
    let mut response = if not_modified { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response.insert_header((CACHE_CONTROL, CARD_CACHE_CONTROL)).insert_header((ETAG, etag.as_str()));
    if not_modified {
        return Ok(response.finish());
    }
    let png = match state.share_cards.get(&version, 0, Instant::now()) {
        Some(png) => png,
        None => {
            // Drawing costs tens of milliseconds of CPU, a hundred times a page from the cache:
            // counted like a search, so no client can keep the cores drawing every card there is.
            state.rate_limits.check(Limit::HeavyPerClient, &request_budget::client_key(req, state))?;
            let drawn = state
                .compute(move || {
                    share_card::render_png(&text).map_err(|e| AppError::internal(format!("share card: {e}")))
                })
                .await?;
            let png = Arc::new(Bytes::from(drawn));
            state.share_cards.put(version, 0, Arc::clone(&png), Instant::now());
            png
        }
    };
    // Shared, not copied: a card is about 55 KB. (Compress leaves images alone.)
    Ok(response.content_type("image/png").body(Bytes::clone(&png)))
}

/// What the card of `embedded` says.
fn card_text(state: &AppState, card: &EmbedCard, embedded: Embedded) -> CardText {
    let site = state.settings();
    let answer = card.answer.as_ref();
    let answer_label = answer.filter(|a| !a.official).map(|a| {
        let kind = if a.accepted { "Accepted answer" } else { "Answer" };
        format!("{kind} by {}", a.author.display_name)
    });
    let answers = match card.answer_count {
        1 => "1 answer".to_owned(),
        n => format!("{n} answers"),
    };
    let host = state.config.base_url.host_str().unwrap_or_default().to_owned();
    CardText {
        site_name: site.site_name.clone(),
        accent: site.accent_colour.clone(),
        title: card.title.clone(),
        official: answer.is_some_and(|a| a.official),
        answer_label,
        excerpt: answer.map_or_else(|| card.excerpt.clone(), |a| a.excerpt.clone()),
        footer: match embedded {
            Embedded::Question(_) => format!("{answers} · {host}"),
            Embedded::Answer(_) => host,
        },
    }
}

/// A digest of everything the card draws: equal digests, equal images.
fn version_of(text: &CardText) -> String {
    let mut digest = Sha256::new();
    for part in [&text.site_name, &text.accent, &text.title, &text.excerpt, &text.footer] {
        digest.update(part.as_bytes());
        digest.update([0]);
    }
    digest.update([u8::from(text.official)]);
    digest.update(text.answer_label.as_deref().unwrap_or("\u{1}").as_bytes());
    digest.finalize().iter().take(12).map(|b| format!("{b:02x}")).collect()
}
