//! `/staff/insights`: rising topics, words and searches, and time to the first official answer,
//! as charts with tables; each table also as CSV (`/staff/insights/{table}.csv`).

use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION};
use actix_web::{web, HttpResponse};
use tera::Context;

use crate::error::AppError;
use crate::services::insights::{self, InsightsReport, Rising};
use crate::services::ServiceError;
use crate::state::AppState;
use crate::web::charts::{self, Caption, Svg};
use crate::web::visitor::{CurrentUser, Visitor};

/// Bars drawn in each chart (the table lists more).
const CHARTED: usize = 10;

/// The tables offered as CSV, by the name in their URL.
const TABLES: [&str; 5] =
    ["rising-topics", "rising-words", "rising-searches", "most-served-answers", "official-answer-times"];

async fn load(state: &AppState, actor: crate::services::actor::Actor) -> Result<InsightsReport, AppError> {
    let now = chrono::Utc::now().naive_utc();
    state.db(move |conn| insights::report(conn, &actor, now)).await
}

/// GET /staff/insights
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    CurrentUser(actor): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let lister = actor.clone();
    let recipients = state.db(move |conn| insights::mail::recipients(conn, &lister)).await?;
    let report = load(&state, actor).await?;
    let mut context = Context::new();
    context.insert("recipients", &recipients);
    context.insert("topics_chart", &rising_chart("topics-chart", "Rising topics", &report.rising_topics));
    context.insert("words_chart", &rising_chart("words-chart", "Rising words in titles", &report.rising_terms));
    context.insert(
        "searches_chart",
        &rising_chart("searches-chart", "Rising searches without an answer", &report.rising_searches),
    );
    context.insert("official_chart", &official_chart(&report));
    context.insert("served_chart", &served_chart(&report));
    context.insert("report", &report);
    visitor.render_private(&state, "staff/insights.html", context)
}

/// GET /staff/insights/{table}.csv — the table as the page shows it.
pub async fn csv(
    state: web::Data<AppState>,
    path: web::Path<String>,
    CurrentUser(actor): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let table = path.into_inner();
    if !TABLES.contains(&table.as_str()) {
        return Err(ServiceError::NotFound("insights table").into());
    }
    let report = load(&state, actor).await?;
    let body = match table.as_str() {
        "rising-topics" => rising_csv("topic", &report.rising_topics),
        "rising-words" => rising_csv("word", &report.rising_terms),
        "rising-searches" => rising_csv("search", &report.rising_searches),
        "most-served-answers" => served_csv(&report),
        _ => official_csv(&report),
    }
    .map_err(|e| AppError::Service(ServiceError::Internal(format!("writing CSV: {e}"))))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((CACHE_CONTROL, "private, no-store"))
        .insert_header((CONTENT_DISPOSITION, format!("attachment; filename=\"{table}.csv\"")))
        .body(body))
}

fn rising_chart(id: &str, title: &str, rows: &[Rising]) -> Option<Svg> {
    if rows.is_empty() {
        return None;
    }
    let labels: Vec<String> = rows.iter().take(CHARTED).map(|r| charts::short_label(&r.name)).collect();
    let bars: Vec<(&str, i64)> = labels.iter().map(String::as_str).zip(rows.iter().map(|r| r.this_week)).collect();
    let description = format!("This week's count of the {} most significant rises.", bars.len());
    let caption = Caption { id, title, description: &description };
    Some(charts::horizontal_bar_chart(caption, &bars, "This week"))
}

fn official_chart(report: &InsightsReport) -> Option<Svg> {
    if report.official_speed.is_empty() {
        return None;
    }
    let labels: Vec<String> = report.official_speed.iter().take(CHARTED).map(|s| charts::short_label(&s.tag)).collect();
    let bars: Vec<(&str, i64)> = labels
        .iter()
        .map(String::as_str)
        .zip(report.official_speed.iter().map(|s| s.median_hours.round() as i64))
        .collect();
    let description = format!("Median hours to the first official answer, for the {} busiest topics.", bars.len());
    let caption =
        Caption { id: "official-chart", title: "Time to the first official answer", description: &description };
    Some(charts::horizontal_bar_chart(caption, &bars, "Median hours"))
}

fn served_chart(report: &InsightsReport) -> Option<Svg> {
    if report.most_served.is_empty() {
        return None;
    }
    let labels: Vec<String> = report.most_served.iter().take(CHARTED).map(|a| charts::short_label(&a.title)).collect();
    let bars: Vec<(&str, i64)> =
        labels.iter().map(String::as_str).zip(report.most_served.iter().map(|a| a.views)).collect();
    let description = format!("Views of the {} most viewed answered questions.", bars.len());
    let caption = Caption { id: "served-chart", title: "Most-served answers", description: &description };
    Some(charts::horizontal_bar_chart(caption, &bars, "Views"))
}

fn served_csv(report: &InsightsReport) -> Result<String, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["question", "answer", "views", "opened_instead_of_asking", "search_clicks", "saved"])?;
    for row in &report.most_served {
        out.write_record([
            cell(&row.title),
            (if row.official { "official" } else { "accepted" }).to_owned(),
            row.views.to_string(),
            row.deflections.to_string(),
            row.search_clicks.to_string(),
            row.saved.to_string(),
        ])?;
    }
    finish(out)
}

fn rising_csv(what: &str, rows: &[Rising]) -> Result<String, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([what, "this_week", "weekly_before", "growth", "significance"])?;
    for row in rows {
        let growth = row.growth.map_or_else(|| "new".to_owned(), |g| g.to_string());
        out.write_record([
            cell(&row.name),
            row.this_week.to_string(),
            row.weekly_before.to_string(),
            growth,
            row.z.to_string(),
        ])?;
    }
    finish(out)
}

fn official_csv(report: &InsightsReport) -> Result<String, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["topic", "answered", "median_hours", "p90_hours"])?;
    for row in &report.official_speed {
        out.write_record([
            cell(&row.tag),
            row.answered.to_string(),
            row.median_hours.to_string(),
            row.p90_hours.to_string(),
        ])?;
    }
    finish(out)
}

fn finish(out: csv::Writer<Vec<u8>>) -> Result<String, csv::Error> {
    let bytes = out.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Text typed by visitors (a search) as a cell a spreadsheet shows as text: one starting like a
/// formula gets a leading apostrophe.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}
