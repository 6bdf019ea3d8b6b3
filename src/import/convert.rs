//! Turning Stack Exchange values into Guidepost's: HTML bodies into Markdown, tag lists, dates,
//! usernames, close reasons and licences.

use chrono::NaiveDateTime;

use crate::domain::CloseReason;

/// Markdown for an imported HTML body: the editable source. The page shows it rendered and
/// sanitised by the same pipeline as everything written here.
pub fn body_to_markdown(html: &str) -> String {
    let converter = htmd::HtmlToMarkdown::builder().skip_tags(vec!["script", "style", "iframe", "object"]).build();
    // The converter fails only on a broken DOM; keeping the text escaped loses nothing readable.
    converter.convert(html).unwrap_or_else(|_| html.replace('<', "&lt;"))
}

/// Tag names from `<a><b>` (older dumps) or `|a|b|` (newer ones), lower-cased, at most five.
pub fn tags(raw: &str) -> Vec<String> {
    let separators: &[char] = if raw.contains('|') { &['|'] } else { &['<', '>'] };
    let mut names: Vec<String> = Vec::new();
    for name in raw.split(separators).map(str::trim).filter(|n| !n.is_empty()) {
        let name = name.to_lowercase();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.truncate(5);
    names
}

/// A dump timestamp (`2018-02-06T20:19:50.957`, UTC).
pub fn date(raw: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M:%S%.f").ok()
}

/// The short name of a site: `bicycles.meta.stackexchange.com` becomes `bicyclesmeta`.
pub fn site_label(site: &str) -> String {
    let host = site.split(".stackexchange.com").next().unwrap_or(site);
    let host = host.split(".com").next().unwrap_or(host);
    let label: String = host.chars().filter(char::is_ascii_alphanumeric).collect();
    if label.is_empty() {
        "imported".to_owned()
    } else {
        label.chars().take(12).collect()
    }
}

/// A unique, valid username for an imported author: their name, the site and their id there.
pub fn username(display_name: &str, site_label: &str, source_id: i64) -> String {
    let suffix = format!("-{site_label}{source_id}");
    let room = 30_usize.saturating_sub(suffix.len()).max(1);
    let mut base: String = slug::slugify(display_name).chars().take(room).collect();
    base = base.trim_end_matches('-').to_owned();
    if base.is_empty() {
        base.push_str("user");
    }
    let mut name = format!("{base}{suffix}");
    name.truncate(30);
    name
}

/// Guidepost's close reason for a Stack Exchange close reason id (PostHistory type 10).
pub fn close_reason(reason_id: Option<i64>) -> CloseReason {
    match reason_id {
        Some(1 | 101) => CloseReason::Duplicate,
        Some(3 | 4 | 103 | 104 | 105) => CloseReason::Unclear,
        _ => CloseReason::OffTopic,
    }
}

/// The licence of a post: its `ContentLicense`, or CC BY-SA for dumps from before it existed.
pub fn license(raw: Option<&str>) -> String {
    raw.map(str::trim).filter(|l| !l.is_empty()).unwrap_or("CC BY-SA").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_tag_formats() {
        assert_eq!(tags("<discussion><on-topic>"), ["discussion", "on-topic"]);
        assert_eq!(tags("|c++|Rust|"), ["c++", "rust"]);
        assert!(tags("").is_empty());
    }

    #[test]
    fn dates_and_labels() {
        assert!(date("2018-02-06T20:19:50.957").is_some());
        assert!(date("2018-02-06T20:19:50").is_some());
        assert!(date("yesterday").is_none());
        assert_eq!(site_label("bicycles.meta.stackexchange.com"), "bicyclesmeta");
        assert_eq!(site_label("ai.stackexchange.com"), "ai");
    }

    #[test]
    fn usernames_are_valid_and_distinct() {
        let name = username("Jean-Édouard O'Neil the Third of Somewhere Long", "quantumcomp", 123_456);
        assert!(name.len() <= 30 && name.ends_with("-quantumcomp123456"), "{name}");
        assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')));
        assert_ne!(username("Ann", "ai", 1), username("Ann", "ai", 2));
        assert_eq!(username("???", "ai", 7), "user-ai7");
    }

    #[test]
    fn html_becomes_markdown() {
        let md = body_to_markdown("<p>Use <code>ls</code> and <strong>stop</strong>.</p><script>x()</script>");
        assert!(md.contains("`ls`") && md.contains("**stop**") && !md.contains("x()"), "{md}");
    }
}
