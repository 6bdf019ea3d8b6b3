//! Sitemaps (sitemaps.org): `/sitemap.xml` is an index of `/sitemaps/questions-{n}.xml` (at most
//! 50,000 questions each, see [`crate::services::sitemaps`] for how they are split) and
//! `/sitemaps/tags.xml` (the home page, the tag index and every tag in use). URLs are absolute,
//! built from the configured base URL; files are cached publicly for an hour.
//!
//! A questions file is streamed: the first batch of rows is read before the response starts (so a
//! file whose questions are all gone is a 404 and a database failure a 500), the rest one batch at
//! a time, each on its own pooled connection, so a slow crawler never holds one. An empty `urlset`
//! is not valid, so a site without questions lists no questions file; the tags file always has
//! the home page.

use std::fmt::Write as _;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::web::{self, Bytes};
use actix_web::HttpResponse;
use chrono::NaiveDateTime;

use crate::domain::{paths, QuestionId};
use crate::error::AppError;
use crate::services::feeds::tag_path;
use crate::services::sitemaps::QuestionUrl;
use crate::services::sitemaps::{self, FileRange, Plan, PlanCache, BATCH_SIZE, FIXED_PAGES};
use crate::state::AppState;
use crate::web::request_budget::CostlyRequest;

/// The sitemap media type.
const CONTENT_TYPE: &str = "application/xml; charset=utf-8";
/// Crawlers may keep a sitemap for an hour.
const CACHE_CONTROL: &str = "public, max-age=3600";
const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
const URLSET_OPEN: &str = "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
const URLSET_CLOSE: &str = "</urlset>\n";

/// GET /sitemap.xml — the sitemap index.
pub async fn index(
    state: web::Data<AppState>,
    _budget: CostlyRequest,
    cache: web::Data<PlanCache>,
) -> Result<HttpResponse, AppError> {
    let plan = current_plan(&state, &cache).await?;
    let base = state.config.base_url_str();
    let mut xml = String::from(XML_DECLARATION);
    xml.push_str("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (n, last_activity) in plan.last_activity().enumerate() {
        push_entry(&mut xml, "sitemap", &format!("{base}/sitemaps/questions-{}.xml", n + 1), Some(last_activity));
    }
    // Tag pages list the newest questions, so they change whenever a question does.
    push_entry(&mut xml, "sitemap", &format!("{base}/sitemaps/tags.xml"), plan.newest_activity());
    xml.push_str("</sitemapindex>\n");
    Ok(xml_response(xml))
}

/// GET /sitemaps/questions-{n}.xml — the canonical URLs of the n-th block of questions.
pub async fn questions(
    state: web::Data<AppState>,
    _budget: CostlyRequest,
    cache: web::Data<PlanCache>,
    n: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let n: usize = n.parse().map_err(|_| AppError::NotFound)?;
    let plan = current_plan(&state, &cache).await?;
    let range = plan.file(n).ok_or(AppError::NotFound)?;
    let asked = BATCH_SIZE.min(range.limit);
    let first = state.db(move |conn| sitemaps::question_batch(conn, range, range.after_id, asked)).await?;
    if first.is_empty() {
        return Err(AppError::NotFound);
    }
    let file = QuestionFile {
        base_url: state.config.base_url_str().to_owned(),
        state,
        range,
        ready: Some(first),
        after_id: range.after_id,
        left: range.limit,
        opened: false,
        closed: false,
    };
    Ok(HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
        .streaming(futures_util::stream::try_unfold(file, next_part)))
}

/// GET /sitemaps/tags.xml — the home page, the tag index and the tags in use.
pub async fn tags(
    state: web::Data<AppState>,
    _budget: CostlyRequest,
    cache: web::Data<PlanCache>,
) -> Result<HttpResponse, AppError> {
    let plan = current_plan(&state, &cache).await?;
    let names = state.db(sitemaps::tag_names).await?;
    let base = state.config.base_url_str();
    let mut xml = String::with_capacity(200 + names.len() * 80);
    xml.push_str(XML_DECLARATION);
    xml.push_str(URLSET_OPEN);
    for path in FIXED_PAGES {
        push_entry(&mut xml, "url", &format!("{base}{path}"), plan.newest_activity());
    }
    // No per-tag <lastmod>: it would take the newest activity over every tagged question.
    for name in &names {
        push_entry(&mut xml, "url", &format!("{base}{}", tag_path(name)), None);
    }
    xml.push_str(URLSET_CLOSE);
    Ok(xml_response(xml))
}

/// This worker's plan if it is fresh, else a new one.
async fn current_plan(state: &web::Data<AppState>, cache: &PlanCache) -> Result<Arc<Plan>, AppError> {
    cache.get_or_make(|| state.db(sitemaps::plan)).await
}

fn xml_response(xml: String) -> HttpResponse {
    HttpResponse::Ok().content_type(CONTENT_TYPE).insert_header((header::CACHE_CONTROL, CACHE_CONTROL)).body(xml)
}

/// A questions file being written.
struct QuestionFile {
    state: web::Data<AppState>,
    base_url: String,
    range: FileRange,
    /// Rows read but not yet written: the first batch, read before the response started.
    ready: Option<Vec<QuestionUrl>>,
    /// The last id written.
    after_id: i64,
    /// How many more URLs the file may hold.
    left: i64,
    opened: bool,
    closed: bool,
}

/// Writes the next batch of a questions file (the first with the opening tag, the last with the
/// closing one); `None` once the file is complete.
async fn next_part(mut file: QuestionFile) -> Result<Option<(Bytes, QuestionFile)>, AppError> {
    if file.closed {
        return Ok(None);
    }
    let asked = BATCH_SIZE.min(file.left);
    let rows = match file.ready.take() {
        Some(rows) => rows,
        None => {
            let (range, after_id) = (file.range, file.after_id);
            file.state.db(move |conn| sitemaps::question_batch(conn, range, after_id, asked)).await?
        }
    };
    let mut part = String::with_capacity(rows.len() * 140 + 128);
    if !file.opened {
        part.push_str(XML_DECLARATION);
        part.push_str(URLSET_OPEN);
        file.opened = true;
    }
    for row in &rows {
        let path = paths::question(QuestionId(row.id), row.slug.as_deref());
        push_entry(&mut part, "url", &format!("{}{path}", file.base_url), Some(row.last_activity_at));
    }
    file.left -= rows.len() as i64;
    file.after_id = rows.last().map_or(file.after_id, |row| row.id);
    if (rows.len() as i64) < asked || file.left == 0 {
        part.push_str(URLSET_CLOSE);
        file.closed = true;
    }
    Ok(Some((Bytes::from(part), file)))
}

/// Appends `<url>` or `<sitemap>` with its `<loc>` and, when known, `<lastmod>` (W3C datetime, UTC).
fn push_entry(xml: &mut String, element: &str, loc: &str, lastmod: Option<NaiveDateTime>) {
    xml.push('<');
    xml.push_str(element);
    xml.push_str("><loc>");
    escape_into(xml, loc);
    xml.push_str("</loc>");
    if let Some(at) = lastmod {
        // Writing into a String cannot fail.
        let _ = write!(xml, "<lastmod>{}</lastmod>", at.format("%Y-%m-%dT%H:%M:%SZ"));
    }
    xml.push_str("</");
    xml.push_str(element);
    xml.push_str(">\n");
}

/// Escapes text for XML content: our URLs are built from URL-safe slugs and percent-encoded tag
/// names, but a base URL may carry `&`, and escaping costs nothing.
fn escape_into(xml: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => xml.push_str("&amp;"),
            '<' => xml.push_str("&lt;"),
            '>' => xml.push_str("&gt;"),
            '"' => xml.push_str("&quot;"),
            '\'' => xml.push_str("&apos;"),
            c => xml.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_escaped_and_dated_in_utc() {
        let at = chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default().naive_utc();
        let mut xml = String::new();
        push_entry(&mut xml, "url", "http://forum.test/?a=1&b='<2>'", Some(at));
        assert_eq!(
            xml,
            "<url><loc>http://forum.test/?a=1&amp;b=&apos;&lt;2&gt;&apos;</loc>\
             <lastmod>2026-11-18T11:06:40Z</lastmod></url>\n"
        );
    }
}
