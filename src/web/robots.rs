//! `/robots.txt`: which pages crawlers may fetch, and where the sitemap is.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::state::AppState;

/// The rules, longest first.
///
/// RFC 9309 (and Google, Bing) apply the rule with the *longest* matching path, `Allow` winning a
/// tie; `$` anchors the end. So `Disallow: /` closes everything not named, `Allow: /$` opens the
/// home page alone (and `/about`), and the `Allow` prefixes open the public areas — whose exceptions
/// (`/questions/similar`, a JSON helper) are longer `Disallow`s. Everything else (search, ask,
/// sign-in and sign-up, settings, staff, admin, post editing and revisions, notifications,
/// password and email links, unsubscribe, preview, search clicks, suggestions) falls under
/// `Disallow: /`. Parsers that take the first match instead read the lines in the order written,
/// so the more specific rules come first and such parsers agree everywhere but on the `$` lines.
/// Stylesheets and icons stay open because search engines render pages with them; share cards and
/// `/oembed` because the apps that unfurl a shared link (some of which obey robots.txt) read them.
/// The embed pages stay closed: they repeat question pages, which are the ones to index.
const RULES: &str = "User-agent: *
Disallow: /questions/similar
Allow: /questions/
Allow: /tags
Allow: /users/
Allow: /feeds/
Allow: /a/
Allow: /sitemap.xml$
Allow: /sitemaps/
Allow: /assets/
Allow: /theme.css
Allow: /cards/
Allow: /oembed
Allow: /favicon.ico$
Allow: /about$
Allow: /$
Disallow: /
";

/// GET /robots.txt
pub async fn robots_txt(state: web::Data<AppState>) -> HttpResponse {
    let body = format!("{RULES}\nSitemap: {}/sitemap.xml\n", state.config.base_url_str());
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}
