//! The response target part of the staff dashboard (`/staff`): the share of promises kept per
//! week and per topic, as charts with tables of the same numbers, and the current breaches.
//! How the figures read lives here; what they are is `services::response_targets::report`.

use serde::Serialize;
use tera::Context;

use crate::services::response_targets::report::{Breach, Tally, TargetReport};
use crate::services::staff_queue::age;
use crate::web::charts::{self, Bar, Caption};
use crate::web::staff_dashboard::percent;

/// One row of a promises table.
#[derive(Serialize)]
struct TallyRow {
    label: String,
    met: i64,
    missed: i64,
    pending: i64,
    share: String,
}

/// One breach as the table shows it.
#[derive(Serialize)]
struct BreachRow<'a> {
    #[serde(flatten)]
    breach: &'a Breach,
    due: String,
    overdue: String,
}

fn row(label: String, tally: &Tally) -> TallyRow {
    TallyRow { label, met: tally.met, missed: tally.missed, pending: tally.pending, share: percent(tally.share()) }
}

/// Adds the report's variables to the dashboard's page.
pub fn add_to(context: &mut Context, report: &TargetReport) {
    let weeks: Vec<TallyRow> = report
        .weeks
        .iter()
        .map(|w| {
            let end = w.start + chrono::Days::new(u64::from(w.days.max(1)) - 1);
            row(format!("{} to {}", w.start.format("%Y-%m-%d"), end.format("%Y-%m-%d")), &w.tally)
        })
        .collect();
    let tags: Vec<TallyRow> = report.tags.iter().map(|t| row(t.tag.clone(), &t.tally)).collect();
    let breaches: Vec<BreachRow<'_>> = report
        .breaches
        .iter()
        .map(|b| BreachRow {
            breach: b,
            due: b.due_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            overdue: age(b.overdue),
        })
        .collect();
    let week_bars: Vec<Bar> = report
        .weeks
        .iter()
        .map(|w| Bar {
            label: w.start.format("%b %-d").to_string(),
            total: w.tally.met + w.tally.missed,
            part: w.tally.met,
        })
        .collect();
    let tag_bars: Vec<Bar> = report
        .tags
        .iter()
        .map(|t| Bar { label: t.tag.clone(), total: t.tally.met + t.tally.missed, part: t.tally.met })
        .collect();
    let summary = format!(
        "{} met, {} missed and {} pending in all ({} within target). The table below gives the same numbers.",
        report.total.met,
        report.total.missed,
        report.total.pending,
        percent(report.total.share())
    );
    let week_description = format!("Questions past their due time or answered officially, per week: {summary}");
    let week_chart = charts::bar_chart(
        Caption {
            id: "target-week-chart",
            title: "Answered officially within target, per week",
            description: &week_description,
        },
        &week_bars,
        ("decided", "within target"),
        ("Week starting", "Questions"),
    );
    let tag_description = format!("The same, for the topics with most questions: {summary}");
    let tag_chart = charts::bar_chart(
        Caption {
            id: "target-tag-chart",
            title: "Answered officially within target, per topic",
            description: &tag_description,
        },
        &tag_bars,
        ("decided", "within target"),
        ("Topic", "Questions"),
    );
    context.insert("target_weeks", &weeks);
    context.insert("target_tags", &tags);
    context.insert("target_total", &row("Total".to_owned(), &report.total));
    context.insert("target_week_chart", &week_chart);
    context.insert("target_tag_chart", &tag_chart);
    context.insert("breaches", &breaches);
}
