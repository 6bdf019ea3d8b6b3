//! Counting question views, for the question page and for its copies the page cache serves.
//! Holds no handler, so the page cache middleware need not call into one.

use actix_web::http::header;
use actix_web::HttpRequest;

use crate::services::views;
use crate::state::AppState;
use crate::web::forms;

/// Counts an anonymous visitor's view of a question (by address and browser) unless this node
/// counted it recently; returns whether it counted.
pub async fn count_anonymous_view(state: &AppState, req: &HttpRequest, question_id: i64) -> bool {
    let visitor = format!(
        "ip:{}|{}",
        forms::client_ip(req, state.config.behind_proxy),
        req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default()
    );
    count_view(state, &visitor, question_id).await
}

/// Counts a view once per visitor per window. A failed write only loses the view: the page
/// is worth more to the visitor than the count.
pub async fn count_view(state: &AppState, visitor: &str, question_id: i64) -> bool {
    if !state.view_counter.is_new_view(visitor, question_id) {
        return false;
    }
    match state.db(move |conn| views::add(conn, question_id, 1)).await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, question_id, "a view could not be counted");
            false
        }
    }
}
