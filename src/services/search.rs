//! Searching the forum: the results page, its log for the staff's "FAQ gaps", and clicks.
//!
//! The index finds and ranks; the database supplies what the page shows, so a result is never
//! staler than the question itself. A hit whose question has since been deleted is left out.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use guidepost_search::{search, Highlighter, ParsedQuery, SearchIndex, Sort};

use super::question_lists::{summarize, QuestionSummary};
use super::recent::Recent;
use super::{ServiceError, ServiceResult};
use crate::db::models::{posts, search_log};
use crate::db::{write_transaction, DbConnection};
use crate::domain::{paths, QuestionId};
use crate::markdown::plain_text_prefix;

/// Results per page.
pub const PAGE_SIZE: usize = 20;
/// The deepest results page offered; past it, a narrower query serves better.
pub const MAX_PAGE: usize = 50;
/// Queries longer than this are cut (at a character boundary) before parsing.
pub const MAX_QUERY_CHARS: usize = 500;
/// Logged queries are cut to this length.
const MAX_LOGGED_CHARS: usize = 200;
/// Body snippets are at most this long.
const SNIPPET_CHARS: usize = 240;
/// How much of a result's text its snippet is chosen from: analysing every word of twenty long
/// posts was most of a results page's time, and the best fragment is nearly always early.
const SNIPPET_SOURCE_CHARS: usize = 4_000;

/// What a visitor asked for.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// The raw query, already cleaned by [`clean_query`].
    pub query: String,
    /// The order.
    pub sort: Sort,
    /// 1-based page, within 1..=[`MAX_PAGE`].
    pub page: usize,
}

/// One result: the usual summary plus highlighted title and text.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchResult {
    /// The question as lists show it.
    pub question: QuestionSummary,
    /// The title as HTML with matched words marked (escaped by the search crate).
    pub title_html: String,
    /// The best fragment of the text as HTML with matched words marked.
    pub snippet_html: String,
}

/// A page of results.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SearchPage {
    /// How many questions matched.
    pub total: usize,
    /// This page's results.
    pub results: Vec<SearchResult>,
    /// 1-based page number.
    pub page: usize,
    /// Whether a next page exists (within [`MAX_PAGE`]).
    pub has_next: bool,
    /// The typo-forgiving pass found these.
    pub fuzzy: bool,
    /// `total` is a floor: counting stops once there are more matches than anyone pages through.
    pub total_is_lower_bound: bool,
    /// The query had something to search for (an empty one shows the form only, unlogged).
    pub searched: bool,
    /// The search log row, which result links carry so a click is recorded.
    pub log_id: Option<i64>,
}

/// Removes control characters, collapses whitespace and cuts the query to [`MAX_QUERY_CHARS`].
pub fn clean_query(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len().min(MAX_QUERY_CHARS * 4));
    for word in raw.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    match out.char_indices().nth(MAX_QUERY_CHARS) {
        Some((cut, _)) => out[..cut].trim_end().to_owned(),
        None => out,
    }
}

/// The form a query is logged and grouped under: lower-case, cut to a sane length.
pub(crate) fn log_key(query: &str) -> String {
    query.to_lowercase().chars().take(MAX_LOGGED_CHARS).collect()
}

/// Results pages remembered per node.
const REMEMBERED_PAGES: NonZeroUsize = match NonZeroUsize::new(500) {
    Some(n) => n,
    None => NonZeroUsize::MIN,
};

/// This node's recent results pages: the questions a FAQ is asked most are searched for over
/// and over in the same words. A page is reused for two seconds at most, and for [`RESULTS_LAG`]
/// only once a write has committed on this node or the index has moved on since it was made.
pub type ResultCache = Recent<String, SearchPage>;

/// How long a results page may lag the writes and the index: about as long as the index itself
/// takes to hear of a write (searchable within a second). Without it, a busy site (a write
/// every few milliseconds) searched its whole index again for every visitor.
pub const RESULTS_LAG: Duration = Duration::from_secs(1);

/// An empty results cache.
pub fn new_result_cache() -> ResultCache {
    Recent::new(REMEMBERED_PAGES, Duration::from_secs(2))
}

/// The log rows of searches made recently, by client and query (see [`run`]).
pub type LoggedSearches = Recent<String, i64>;

/// Clients' queries remembered per node for [`LoggedSearches`].
const REMEMBERED_SEARCHERS: NonZeroUsize = match NonZeroUsize::new(50_000) {
    Some(n) => n,
    None => NonZeroUsize::MIN,
};

/// An empty memory of logged searches; each client's query counts once an hour.
pub fn new_logged_searches() -> LoggedSearches {
    Recent::new(REMEMBERED_SEARCHERS, Duration::from_secs(3_600))
}

/// Who searched, as far as the search log is concerned: the client's key (never stored) and
/// this node's memory of what each client had logged.
pub struct Searcher<'a> {
    /// The client (an address or an account, see `web::request_budget`); only compared.
    pub client: &'a str,
    /// Queries logged recently, by client.
    pub logged: &'a LoggedSearches,
}

/// Runs a search and loads its page. The first page of a search is logged (never who), whether
/// or not the page came from `cache`, but once an hour per client and query: the staff's FAQ
/// gaps count people, and one client searching the same words again and again is one person.
/// A repeat within the hour shares the first search's row (and so its click).
pub fn run(
    conn: &mut DbConnection,
    index: &SearchIndex,
    cache: &ResultCache,
    searcher: &Searcher<'_>,
    request: &SearchRequest,
    written: u64,
    now: NaiveDateTime,
) -> ServiceResult<SearchPage> {
    let page = request.page.clamp(1, MAX_PAGE);
    let key = format!("{:?}|{page}|{}", request.sort, request.query);
    // A new index commit changes results as surely as a write does.
    let changed = index.generation().rotate_left(32) ^ written;
    let started = Instant::now();
    let found = cache.get_or_compute_within(key, changed, RESULTS_LAG, || find(conn, index, request, page))?;
    let mut shown = SearchPage::clone(&found);
    if page == 1 && shown.searched {
        let seen_key = format!("{}|{}", searcher.client, log_key(&request.query));
        shown.log_id = match searcher.logged.get(&seen_key, 0, started) {
            Some(earlier) => Some(*earlier),
            None => {
                let took_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
                let count = i32::try_from(shown.total).unwrap_or(i32::MAX);
                let key = log_key(&request.query);
                let id = write_transaction(conn, |conn| search_log::insert(conn, &key, count, took_ms, now))?;
                searcher.logged.put(seen_key, 0, std::sync::Arc::new(id), started);
                Some(id)
            }
        };
    }
    Ok(shown)
}

/// Searches the index and loads the page's questions; nothing is logged.
fn find(
    conn: &mut DbConnection,
    index: &SearchIndex,
    request: &SearchRequest,
    page: usize,
) -> ServiceResult<SearchPage> {
    let parsed = ParsedQuery::parse(&request.query);
    if parsed.is_empty() {
        return Ok(SearchPage { page: 1, ..SearchPage::default() });
    }
    let found = search(index, &parsed, request.sort, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        .map_err(|e| ServiceError::Internal(format!("search: {e}")))?;
    let ids: Vec<i64> = found.hits.iter().filter_map(|hit| i64::try_from(hit.id).ok()).collect();
    let mut rows: HashMap<i64, posts::Post> =
        posts::find_many(conn, &ids)?.into_iter().filter(|p| p.deleted_at.is_none()).map(|p| (p.id, p)).collect();
    let ordered: Vec<posts::Post> = ids.iter().filter_map(|id| rows.remove(id)).collect();
    let texts: HashMap<i64, String> =
        ordered.iter().map(|p| (p.id, plain_text_prefix(&p.body_markdown, SNIPPET_SOURCE_CHARS))).collect();
    let highlighter = Highlighter::new(index, &parsed, SNIPPET_CHARS)
        .map_err(|e| ServiceError::Internal(format!("search highlighting: {e}")))?;
    let results = summarize(conn, ordered, page as i64)?
        .questions
        .into_iter()
        .map(|question| SearchResult {
            title_html: highlighter.title(&question.title),
            snippet_html: highlighter.body(texts.get(&question.id).map_or("", String::as_str)),
            question,
        })
        .collect();
    Ok(SearchPage {
        total: found.total,
        results,
        page,
        has_next: found.total > page * PAGE_SIZE && page < MAX_PAGE,
        fuzzy: found.fuzzy,
        total_is_lower_bound: found.total_is_lower_bound,
        searched: true,
        log_id: None,
    })
}

/// Records that a search's result was opened (when the search is known); returns the
/// question's path to go on to.
pub fn click(conn: &mut DbConnection, log_id: Option<i64>, question_id: i64) -> ServiceResult<String> {
    let question = posts::find(conn, question_id)?
        .filter(|p| p.is_question() && p.deleted_at.is_none())
        .ok_or(ServiceError::NotFound("Question"))?;
    if let Some(log_id) = log_id {
        write_transaction(conn, |conn| search_log::click(conn, log_id, question.id))?;
    }
    Ok(paths::question(QuestionId(question.id), question.slug.as_deref()))
}

#[cfg(test)]
mod tests {
    use super::{clean_query, log_key, MAX_QUERY_CHARS};

    #[test]
    fn cleaning_drops_controls_and_cuts() {
        assert_eq!(clean_query("  a\u{0}b \t\n c  "), "a b c");
        let long = "é".repeat(MAX_QUERY_CHARS * 3);
        assert_eq!(clean_query(&long).chars().count(), MAX_QUERY_CHARS);
    }

    #[test]
    fn log_key_is_case_insensitive() {
        assert_eq!(log_key("Reset Router"), log_key("reset router"));
    }
}
