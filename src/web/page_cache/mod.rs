//! A short-lived copy, in this node's memory, of the pages that are the same for every anonymous
//! visitor (those [`super::visitor::Visitor::render`] marks `public`): a popular question read by
//! thousands is rendered once every few seconds instead of once per visit.
//!
//! A copy is used only while it is younger than `page_cache_seconds` and nothing it shows has
//! changed on this node since it was rendered (see [`copies`]): a question's page goes stale when
//! a write committed here names that question, a list at most [`copies::LIST_STALENESS`] after any
//! write. A change made on another node shows as soon as this node hears its notice on
//! PostgreSQL ([`Listener`]), and within the time limit at worst; a change of the site
//! settings, read from the database by every node, makes copies drawn with the old ones
//! unreachable at once. Requests carrying a session cookie (members, and anyone with a message
//! waiting) always go to the handler, so a member sees their own write at once. Question views
//! are still counted on every visit served from a copy.
//!
//! A page missing from the cache is rendered once however many visitors ask for it meanwhile:
//! the first renders it, the others wait for that copy.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::HttpResponse;

use crate::config::DatabaseUrl;
use crate::metrics::RoutePattern;
use crate::state::AppState;
use crate::web::{http_cache, session};

mod copies;
mod elsewhere;
mod gzip;

use copies::{Copies, Hit, PageCopy, Shows};
pub use copies::{Invalidator, LIST_STALENESS};
pub use elsewhere::{Listener, POLL_EVERY};

/// Set in a response's extensions by a page that counts a question view, so a visit served
/// from the copy is counted too.
#[derive(Debug, Clone, Copy)]
pub struct CountsViewOf(pub i64);

/// Set in a response's extensions by a page that shows one question (its page, its JSON): its
/// copy then stays fresh until a change names that question, instead of going with the lists.
#[derive(Debug, Clone, Copy)]
pub struct ShowsQuestion(pub i64);

/// This node's copies of anonymous pages, and the renderings under way.
pub struct PageCache {
    copies: Arc<Copies>,
    /// Pages being rendered right now, each with the signal its renderer gives when done.
    rendering: Mutex<HashMap<String, Arc<Notify>>>,
}

/// Whether this request renders a missing page or waits for the one already rendering it.
enum Turn {
    /// Render it; dropping the claim tells the waiters.
    Render(RenderClaim),
    /// Another request is rendering this page: wait for it, then look again.
    Wait(Arc<Notify>),
}

/// The right to render one page; dropped (done, failed or cancelled), it wakes the waiters.
struct RenderClaim {
    cache: Arc<PageCache>,
    key: String,
    done: Arc<Notify>,
}

impl Drop for RenderClaim {
    fn drop(&mut self) {
        if let Ok(mut rendering) = self.cache.rendering.lock() {
            rendering.remove(&self.key);
        }
        self.done.notify_waiters();
    }
}

impl PageCache {
    /// A cache keeping copies for `lifetime`; zero turns it off.
    pub fn new(lifetime: Duration) -> Self {
        Self { copies: Arc::new(Copies::new(lifetime)), rendering: Mutex::new(HashMap::new()) }
    }

    /// What the change feed tells of each commit on this node, so the copies it concerns go.
    pub fn invalidator(&self) -> Invalidator {
        Invalidator(Arc::clone(&self.copies))
    }

    /// Starts hearing other nodes' commits (see [`Listener`]): on PostgreSQL with copies kept;
    /// `None` otherwise (SQLite serves one node, and without copies there is nothing to drop).
    pub fn follow_other_nodes(&self, url: &DatabaseUrl, origin: u64) -> std::io::Result<Option<Listener>> {
        if self.copies.lifetime().is_zero() || !matches!(url, DatabaseUrl::Postgres(_)) {
            return Ok(None);
        }
        Listener::start(url.clone(), origin, Arc::clone(&self.copies)).map(Some)
    }

    /// Claims the rendering of a missing page, unless another request has claimed it already.
    /// Without this, a page missing from the cache (expired, or emptied by a write) is rendered
    /// by every request that arrives before the first rendering is done: under load, dozens at
    /// once, each slower for the others (a cold tag page on PostgreSQL timed out that way).
    fn turn(self: &Arc<Self>, key: &str) -> Option<Turn> {
        let mut rendering = self.rendering.lock().ok()?;
        if let Some(done) = rendering.get(key) {
            return Some(Turn::Wait(Arc::clone(done)));
        }
        let done = Arc::new(Notify::new());
        rendering.insert(key.to_owned(), Arc::clone(&done));
        Some(Turn::Render(RenderClaim { cache: Arc::clone(self), key: key.to_owned(), done }))
    }

    /// True while the rendering that `done` signals is still under way.
    fn still_rendering(&self, key: &str, done: &Arc<Notify>) -> bool {
        self.rendering.lock().is_ok_and(|rendering| rendering.get(key).is_some_and(|d| Arc::ptr_eq(d, done)))
    }
}

/// The middleware: answers from a fresh copy when it can, and keeps a copy of public pages.
pub async fn serve(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let cache = &state.page_cache;
    // A request carrying credentials (a Prometheus scrape's bearer token) is never answered from
    // a copy that others share, whatever its response says about caching.
    let cacheable_request = !cache.copies.lifetime().is_zero()
        && matches!(*req.method(), Method::GET | Method::HEAD)
        && req.cookie(session::COOKIE).is_none()
        && !req.headers().contains_key(header::AUTHORIZATION);
    if !cacheable_request {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    // Pages answer JSON clients differently at some addresses; they get their own copies.
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"));
    // The settings' generation is part of the key: a page drawn with another node's older name,
    // accent or welcome text is not served once this node has read the change.
    let key = format!(
        "{}{}#settings-{}",
        req.uri().path_and_query().map_or("", |p| p.as_str()),
        if wants_json { "#json" } else { "" },
        state.settings().generation
    );
    // Noted before the handler reads anything: a write heard meanwhile makes this copy stale.
    let rendered_at = Instant::now();
    let epoch = cache.copies.epoch();
    let mut copy = cache.copies.lookup(&key);
    let mut claim = None;
    if copy.is_none() {
        match cache.turn(&key) {
            Some(Turn::Render(mine)) => claim = Some(mine),
            Some(Turn::Wait(done)) => {
                // Registered before looking, so the renderer's signal cannot slip between.
                let mut finished = std::pin::pin!(done.notified());
                finished.as_mut().enable();
                if cache.still_rendering(&key, &done) {
                    // Past this, render it here after all: the first renderer may be stuck.
                    let _ = tokio::time::timeout(cache.copies.lifetime(), finished).await;
                }
                copy = cache.copies.lookup(&key);
            }
            None => {}
        }
    }
    // A copy that cannot be inflated (it never should: it was compressed here) is rendered anew.
    // A revalidation that still matches needs no body, so nothing is inflated for it.
    let gzip_accepted = gzip::accepted(req.request());
    let copy = copy.and_then(|hit| {
        let not_modified = http_cache::matches(req.request(), hit.etag.to_str().unwrap_or_default());
        let body = if gzip_accepted || not_modified { Ok(hit.page.bytes.clone()) } else { gzip::inflate(&hit.page) };
        body.inspect_err(|error| tracing::warn!(%error, "a kept page could not be inflated"))
            .ok()
            .map(|body| (hit, body, not_modified))
    });
    if let Some((Hit { etag, content_type, vary, counts_view_of, route, .. }, body, not_modified)) = copy {
        state.metrics.page_cache_hit();
        if let Some(question_id) = counts_view_of {
            super::question_views::count_anonymous_view(&state, req.request(), question_id).await;
        }
        let mut response = if not_modified { HttpResponse::NotModified() } else { HttpResponse::Ok() };
        response
            .insert_header((header::CACHE_CONTROL, http_cache::PUBLIC_PAGE))
            .insert_header((header::ETAG, etag))
            .insert_header((header::VARY, vary));
        if gzip_accepted && !not_modified {
            response.insert_header((header::CONTENT_ENCODING, "gzip"));
        }
        let mut response = if not_modified {
            response.finish()
        } else {
            response.insert_header((header::CONTENT_TYPE, content_type)).body(body)
        };
        // The router did not run for this visit; matching the path again would cost more than
        // the rest of serving it.
        if let Some(route) = route {
            response.extensions_mut().insert(RoutePattern(route));
        }
        return Ok(req.into_response(response));
    }
    let res = next.call(req).await?;
    let headers = res.headers();
    let public = res.status() == StatusCode::OK
        && headers.get(header::CACHE_CONTROL).is_some_and(|v| v == http_cache::PUBLIC_PAGE)
        && !headers.contains_key(header::SET_COOKIE);
    let (Some(etag), Some(content_type)) =
        (headers.get(header::ETAG).cloned(), headers.get(header::CONTENT_TYPE).cloned())
    else {
        return Ok(res.map_into_boxed_body());
    };
    if !public {
        return Ok(res.map_into_boxed_body());
    }
    let counts_view_of = res.response().extensions().get::<CountsViewOf>().map(|c| c.0);
    let shows = res.response().extensions().get::<ShowsQuestion>().map_or(Shows::List, |q| Shows::Question(q.0));
    let route = res.request().match_pattern().map(Arc::from);
    state.metrics.page_cache_miss();
    let (req, res) = res.into_parts();
    let (mut res, body) = res.into_parts();
    let body = match actix_web::body::to_bytes(body).await {
        Ok(bytes) => bytes,
        Err(_) => return Err(actix_web::error::ErrorInternalServerError("a page body could not be read")),
    };
    let page = match gzip::compress(&body) {
        Ok(page) => page,
        Err(error) => {
            tracing::warn!(%error, "a page could not be compressed to be kept");
            return Ok(ServiceResponse::new(req, res.set_body(BoxBody::new(body))));
        }
    };
    // The visitor who asked for it gets the compressed bytes too, not a second compression.
    let vary = vary_with_encoding(&res);
    res.headers_mut().insert(header::VARY, vary.clone());
    let body = if gzip_accepted {
        res.headers_mut().insert(header::CONTENT_ENCODING, header::HeaderValue::from_static("gzip"));
        page.bytes.clone()
    } else {
        body
    };
    cache
        .copies
        .store(key, PageCopy { rendered_at, epoch, shows, etag, content_type, vary, page, counts_view_of, route });
    // Only now may the requests waiting for this page look again.
    drop(claim);
    Ok(ServiceResponse::new(req, res.set_body(BoxBody::new(body))))
}

/// The page's `Vary` as one value, with `Accept-Encoding` added: kept copies go out compressed
/// or not by the request's `Accept-Encoding`, whether from the copy or fresh from the handler.
fn vary_with_encoding(res: &HttpResponse<()>) -> header::HeaderValue {
    let mut names: Vec<&str> = res.headers().get_all(header::VARY).filter_map(|v| v.to_str().ok()).collect();
    names.push("Accept-Encoding");
    header::HeaderValue::from_str(&names.join(", ")).unwrap_or(header::HeaderValue::from_static("Accept-Encoding"))
}
