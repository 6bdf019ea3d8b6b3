//! `/staff/gaps`: searches that found nothing useful, for staff to answer.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use tera::Context;

use crate::db::models::search_log::Gap;
use crate::error::AppError;
use crate::services::search_gaps;
use crate::state::AppState;
use crate::web::charts::{self, Caption};
use crate::web::visitor::{CurrentUser, Visitor};

/// Gaps drawn in the chart (the table lists more).
const CHARTED: usize = 10;

/// A gap as the table shows it: with how many wait for its answer.
#[derive(serde::Serialize)]
struct GapRow<'a> {
    gap: &'a Gap,
    waiting: i64,
}

/// GET /staff/gaps
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let now = chrono::Utc::now().naive_utc();
    let report = state.db(move |conn| search_gaps::report(conn, &actor, now)).await?;
    let labels: Vec<String> = report.gaps.iter().take(CHARTED).map(|gap| charts::short_label(&gap.query)).collect();
    let rows: Vec<(&str, i64)> =
        labels.iter().map(String::as_str).zip(report.gaps.iter().map(|g| g.searches)).collect();
    let description = format!(
        "The {} most frequent searches of the last {} days that nobody followed to a question.",
        rows.len(),
        report.window_days
    );
    let chart = (!rows.is_empty()).then(|| {
        let caption =
            Caption { id: "gaps-chart", title: "Most frequent unanswered searches", description: &description };
        charts::horizontal_bar_chart(caption, &rows, "Searches without a click")
    });
    let mut context = Context::new();
    let waiting_by_query: HashMap<&str, i64> =
        report.waiting.iter().map(|gap| (gap.query.as_str(), gap.waiting)).collect();
    let gap_rows: Vec<GapRow<'_>> = report
        .gaps
        .iter()
        .map(|gap| GapRow { gap, waiting: waiting_by_query.get(gap.query.as_str()).copied().unwrap_or(0) })
        .collect();
    context.insert("gap_rows", &gap_rows);
    context.insert("report", &report);
    context.insert("chart", &chart);
    visitor.render_private(&state, "staff/gaps.html", context)
}
