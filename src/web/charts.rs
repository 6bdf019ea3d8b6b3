//! Server-drawn SVG charts: a vertical bar chart with an overlaid second series and a horizontal
//! bar chart. No JavaScript and no chart library: a few rectangles and labels are less code than
//! adapting one, and the markup stays under our control for the CSP and for accessibility.
//!
//! Colours come from CSS classes (`assets/css/staff.css`), never from inline styles (the CSP
//! forbids them) or fixed fills (they would not follow the dark theme). Every chart is an image
//! with a title and a description; pages must also print the same numbers as a table.
//!
//! This module must not take numbers from anywhere but its callers, and every piece of text it
//! places in the markup goes through [`escape`].

use std::fmt::Write;

use serde::Serialize;

/// SVG markup this module drew from numbers and escaped labels.
///
/// Templates print it with `| safe`; that is sound only because nothing but the functions below
/// can build one (no `From<String>`, no `Deserialize`), and they escape every text they place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Svg(String);

impl Svg {
    /// The markup.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The names a chart is announced by.
#[derive(Debug, Clone, Copy)]
pub struct Caption<'a> {
    /// A prefix for the element ids, unique in the page.
    pub id: &'a str,
    /// A short title.
    pub title: &'a str,
    /// A sentence summing up what the chart shows.
    pub description: &'a str,
}

/// One bar of a [`bar_chart`]: a total and the part of it drawn over it in the second colour.
#[derive(Debug, Clone)]
pub struct Bar {
    /// The axis label ("Mar 3").
    pub label: String,
    /// The bar's full height.
    pub total: i64,
    /// The highlighted part of it.
    pub part: i64,
}

const WIDTH: f64 = 640.0;
/// Labels of horizontal bars are cut to this many characters.
const LABEL_CHARS: usize = 16;

/// A label cut to fit beside a horizontal bar, with an ellipsis when it was cut.
pub fn short_label(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(LABEL_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// A vertical bar chart: each bar's `total` with its `part` overlaid (the part must not exceed
/// the total). `series` names the total and the part in each bar's tooltip ("asked", "with an
/// official answer"); `(x_label, y_label)` name the axes.
pub fn bar_chart(caption: Caption<'_>, bars: &[Bar], series: (&str, &str), (x_label, y_label): (&str, &str)) -> Svg {
    const HEIGHT: f64 = 260.0;
    let (left, right, top, bottom) = (52.0, 12.0, 14.0, 52.0);
    let plot_w = WIDTH - left - right;
    let plot_h = HEIGHT - top - bottom;
    let (max, step) = scale(bars.iter().map(|b| b.total).max().unwrap_or(0));
    let y = |v: i64| top + plot_h - plot_h * v as f64 / max as f64;
    let (total_name, part_name) = (escape(series.0), escape(series.1));
    let mut svg = open(caption, HEIGHT);
    for tick in (0..=max).step_by(step_usize(step)) {
        let ty = y(tick);
        let _ = write!(
            svg,
            r#"<line class="chart-grid" x1="{left}" x2="{:.1}" y1="{ty:.1}" y2="{ty:.1}"/><text class="chart-tick" x="{:.1}" y="{:.1}" text-anchor="end">{tick}</text>"#,
            WIDTH - right,
            left - 6.0,
            ty + 4.0,
        );
    }
    let slot = plot_w / bars.len().max(1) as f64;
    let bar_w = (slot * 0.7).max(1.0);
    // Label every bar when they fit, else every n-th, so labels never overlap.
    let label_every = bars.len().div_ceil(10).max(1);
    for (i, bar) in bars.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar_w) / 2.0;
        let label = escape(&bar.label);
        let _ = write!(svg, "<g><title>{label}: {} {total_name}, {} {part_name}</title>", bar.total, bar.part);
        for (class, value) in [("chart-bar", bar.total), ("chart-bar-part", bar.part.min(bar.total))] {
            if value > 0 {
                let _ = write!(
                    svg,
                    r#"<rect class="{class}" x="{x:.1}" y="{:.1}" width="{bar_w:.1}" height="{:.1}"/>"#,
                    y(value),
                    y(0) - y(value),
                );
            }
        }
        svg.push_str("</g>");
        if i % label_every == 0 {
            let _ = write!(
                svg,
                r#"<text class="chart-tick" x="{:.1}" y="{:.1}" text-anchor="middle">{label}</text>"#,
                x + bar_w / 2.0,
                top + plot_h + 16.0,
            );
        }
    }
    axes(&mut svg, (left, top, plot_w, plot_h));
    let _ = write!(
        svg,
        r#"<text class="chart-axis-label" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text><text class="chart-axis-label" transform="rotate(-90)" x="{:.1}" y="14" text-anchor="middle">{}</text>"#,
        left + plot_w / 2.0,
        HEIGHT - 8.0,
        escape(x_label),
        -(top + plot_h / 2.0),
        escape(y_label),
    );
    close(svg)
}

/// A horizontal bar chart: one labelled bar per row, its value printed at its end; `x_label`
/// names the horizontal axis.
pub fn horizontal_bar_chart(caption: Caption<'_>, rows: &[(&str, i64)], x_label: &str) -> Svg {
    let (left, right, top, row_h) = (120.0, 48.0, 10.0, 34.0);
    let height = top + row_h * rows.len() as f64 + 44.0;
    let plot_w = WIDTH - left - right;
    let plot_h = row_h * rows.len() as f64;
    let (max, step) = scale(rows.iter().map(|r| r.1).max().unwrap_or(0));
    let x = |v: i64| left + plot_w * v as f64 / max as f64;
    let mut svg = open(caption, height);
    for tick in (0..=max).step_by(step_usize(step)) {
        let tx = x(tick);
        let _ = write!(
            svg,
            r#"<line class="chart-grid" x1="{tx:.1}" x2="{tx:.1}" y1="{top}" y2="{:.1}"/><text class="chart-tick" x="{tx:.1}" y="{:.1}" text-anchor="middle">{tick}</text>"#,
            top + plot_h,
            top + plot_h + 16.0,
        );
    }
    for (i, (label, value)) in rows.iter().enumerate() {
        let row_y = top + row_h * i as f64;
        let label = escape(label);
        let _ = write!(
            svg,
            r#"<g><title>{label}: {value}</title><text class="chart-tick" x="{:.1}" y="{:.1}" text-anchor="end">{label}</text>"#,
            left - 8.0,
            row_y + row_h / 2.0 + 4.0,
        );
        if *value > 0 {
            let _ = write!(
                svg,
                r#"<rect class="chart-bar" x="{left}" y="{:.1}" width="{:.1}" height="{:.1}"/>"#,
                row_y + 6.0,
                x(*value) - left,
                row_h - 12.0,
            );
        }
        let _ = write!(
            svg,
            r#"<text class="chart-value" x="{:.1}" y="{:.1}">{value}</text></g>"#,
            x(*value) + 6.0,
            row_y + row_h / 2.0 + 4.0,
        );
    }
    axes(&mut svg, (left, top, plot_w, plot_h));
    let _ = write!(
        svg,
        r#"<text class="chart-axis-label" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
        left + plot_w / 2.0,
        height - 6.0,
        escape(x_label),
    );
    close(svg)
}

/// Escapes text for SVG content and attribute values (tera's HTML escaping suits XML too).
fn escape(text: &str) -> String {
    tera::escape_html(text)
}

/// The `<svg>` opening tag with its accessible name and description.
fn open(caption: Caption<'_>, height: f64) -> String {
    let id = escape(caption.id);
    format!(
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(caption.title),
        escape(caption.description),
    )
}

/// Draws the two axis lines along the plot's left and bottom edges.
fn axes(svg: &mut String, (left, top, plot_w, plot_h): (f64, f64, f64, f64)) {
    let bottom = top + plot_h;
    let _ = write!(
        svg,
        r#"<line class="chart-axis" x1="{left}" x2="{left}" y1="{top}" y2="{bottom:.1}"/><line class="chart-axis" x1="{left}" x2="{:.1}" y1="{bottom:.1}" y2="{bottom:.1}"/>"#,
        left + plot_w,
    );
}

fn close(mut svg: String) -> Svg {
    svg.push_str("</svg>");
    Svg(svg)
}

/// A round axis maximum at or above `max` and a tick step (1, 2 or 5 times a power of ten) that
/// gives at most five steps; an empty chart still gets an axis up to 1.
fn scale(max: i64) -> (i64, i64) {
    let max = max.max(1);
    let mut magnitude = 1;
    loop {
        for factor in [1, 2, 5] {
            let step = factor * magnitude;
            if max <= step * 5 {
                let top = (max + step - 1) / step * step;
                return (top, step);
            }
        }
        magnitude *= 10;
    }
}

fn step_usize(step: i64) -> usize {
    usize::try_from(step).unwrap_or(1).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAPTION: Caption<'static> = Caption { id: "t", title: "Questions <asked>", description: "A & B" };

    #[test]
    fn scales_are_round() {
        assert_eq!(scale(0), (1, 1));
        assert_eq!(scale(3), (3, 1));
        assert_eq!(scale(7), (8, 2));
        assert_eq!(scale(23), (25, 5));
        assert_eq!(scale(180), (200, 50));
    }

    #[test]
    fn charts_are_labelled_images_with_escaped_text() {
        let bars = vec![Bar { label: "<b>Mar 3</b>".into(), total: 4, part: 1 }];
        let svg = bar_chart(CAPTION, &bars, ("asked", "official"), ("Day", "Questions"));
        let svg = svg.as_str();
        assert!(svg.starts_with("<svg class=\"chart\""));
        assert!(svg.contains(r#"role="img" aria-labelledby="t-title t-desc""#));
        assert!(svg.contains("<title id=\"t-title\">Questions &lt;asked&gt;</title>"));
        assert!(svg.contains("<desc id=\"t-desc\">A &amp; B</desc>"));
        assert!(svg.contains("&lt;b&gt;Mar 3&lt;&#x2F;b&gt;"));
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("<title>&lt;b&gt;Mar 3&lt;&#x2F;b&gt;: 4 asked, 1 official</title>"));
        assert!(!svg.contains("style"));
        assert_eq!(svg.matches("class=\"chart-bar\"").count(), 1);
        assert_eq!(svg.matches("class=\"chart-bar-part\"").count(), 1);

        let svg = horizontal_bar_chart(CAPTION, &[("Under 1 day", 2), ("Over 90 days", 0)], "Open questions");
        assert!(svg.as_str().contains(">Over 90 days</text>"));
        assert_eq!(svg.as_str().matches("class=\"chart-bar\"").count(), 1);
        assert!(svg.as_str().ends_with("</svg>"));
    }
}
