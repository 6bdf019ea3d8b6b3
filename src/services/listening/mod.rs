//! Listening posts: staff follow feeds elsewhere (a blog search, another forum's tag, a review
//! site) with keyword rules in the search language; items that match wait in the **Heard
//! elsewhere** queue beside the questions and official answers here that already answer them,
//! until staff handle them, reply with a link, or bring them home as a question.

pub mod items;
pub mod poll;

use chrono::NaiveDateTime;
use guidepost_search::{KeywordRule, SearchIndex};

use super::actor::Actor;
use super::similar::{self, Suggestion};
use super::{audit, ServiceError, ServiceResult};
use crate::db::models::listening::{self, Feed, HeardItem, NewFeed};
use crate::db::{write_transaction, DbConnection};
use crate::webhooks::outbound::check_url;

pub use poll::{poll_due, poll_feed, PollOutcome};

/// Minutes between polls unless staff say otherwise.
pub const DEFAULT_INTERVAL_MINUTES: i32 = 60;
/// The shortest interval staff may set: polling more often than this is rude.
pub const MIN_INTERVAL_MINUTES: i32 = 5;
/// The longest: a week.
pub const MAX_INTERVAL_MINUTES: i32 = 7 * 24 * 60;
/// Items shown in the queue at once.
pub const QUEUE_LIMIT: i64 = 50;
/// Suggested answers shown beside each item.
const SUGGESTIONS: usize = 3;
/// Rule lines a feed may have.
const MAX_RULES: usize = 20;

/// A feed as staff add it on `/staff/listening`.
#[derive(Debug, Clone, Default)]
pub struct FeedForm {
    /// Its URL.
    pub url: String,
    /// What to call it; the URL's host when blank.
    pub name: String,
    /// Keyword rules, one per line.
    pub rules: String,
    /// Minutes between polls, as typed; blank for the default.
    pub interval_minutes: String,
}

/// Adds a feed; staff only. It is polled at the next tick.
pub fn add_feed(conn: &mut DbConnection, actor: &Actor, form: &FeedForm, now: NaiveDateTime) -> ServiceResult<i64> {
    actor.ensure_staff("add listening posts")?;
    let url =
        check_url(&form.url).map_err(|reason| ServiceError::invalid("url", format!("That feed URL: {reason}.")))?;
    let url = url.as_str().to_owned();
    let rules = check_rules(&form.rules)?;
    let interval = match form.interval_minutes.trim() {
        "" => DEFAULT_INTERVAL_MINUTES,
        typed => {
            typed.parse::<i32>().ok().filter(|m| (MIN_INTERVAL_MINUTES..=MAX_INTERVAL_MINUTES).contains(m)).ok_or_else(
                || {
                    ServiceError::invalid(
                        "interval_minutes",
                        format!("Give a number of minutes from {MIN_INTERVAL_MINUTES} to {MAX_INTERVAL_MINUTES}."),
                    )
                },
            )?
        }
    };
    let name = match form.name.trim() {
        "" => url::Url::parse(&url).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_else(|| url.clone()),
        typed if typed.chars().count() > 100 => {
            return Err(ServiceError::invalid("name", "Keep the name to 100 characters."));
        }
        typed => typed.to_owned(),
    };
    write_transaction(conn, |conn| {
        if listening::url_taken(conn, &url)? {
            return Err(ServiceError::invalid("url", "That feed is followed already."));
        }
        let feed = NewFeed { url: &url, name: &name, rules: &rules, interval_minutes: interval };
        let id = listening::insert_feed(conn, &feed, actor.id, now)?;
        audit::record(conn, actor, "listening.add", ("listening_feed", id), Some(&url), now)?;
        Ok(id)
    })
}

/// The rules as typed, each line judged; returned one per line, trimmed.
fn check_rules(typed: &str) -> ServiceResult<String> {
    let lines: Vec<&str> = typed.lines().map(str::trim).filter(|line| !line.is_empty()).collect();
    if lines.is_empty() {
        return Err(ServiceError::invalid("rules", "Give at least one rule: words, \"a phrase\", -exclusions."));
    }
    if lines.len() > MAX_RULES {
        return Err(ServiceError::invalid("rules", format!("Keep to {MAX_RULES} rules a feed.")));
    }
    for line in &lines {
        if line.chars().count() > 300 {
            return Err(ServiceError::invalid("rules", "Keep each rule to 300 characters."));
        }
        KeywordRule::parse(line).map_err(|e| ServiceError::invalid("rules", format!("“{line}”: {e}.")))?;
    }
    Ok(lines.join("\n"))
}

/// Stops following a feed and forgets its items; staff only.
pub fn remove_feed(conn: &mut DbConnection, actor: &Actor, id: i64, now: NaiveDateTime) -> ServiceResult<Feed> {
    actor.ensure_staff("remove listening posts")?;
    write_transaction(conn, |conn| {
        let feed = listening::find_feed(conn, id)?.ok_or(ServiceError::NotFound("listening post"))?;
        listening::delete_feed(conn, id)?;
        audit::record(conn, actor, "listening.remove", ("listening_feed", id), Some(&feed.url), now)?;
        Ok(feed)
    })
}

/// A feed for "check now"; staff only.
pub fn feed_to_check(conn: &mut DbConnection, actor: &Actor, id: i64) -> ServiceResult<Feed> {
    actor.ensure_staff("check listening posts")?;
    listening::find_feed(conn, id)?.ok_or(ServiceError::NotFound("listening post"))
}

/// An item in the queue, with what already answers it here.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Heard {
    /// The item.
    pub item: HeardItem,
    /// The feed's name.
    pub source: String,
    /// Questions here resembling it, best first; those with an official or accepted answer first.
    pub answers: Vec<Suggestion>,
}

impl Heard {
    /// The answer a reply should link: the first with an official answer, else with an
    /// accepted one, else none.
    pub fn best_answer(&self) -> Option<&Suggestion> {
        self.answers.iter().find(|s| s.official).or_else(|| self.answers.iter().find(|s| s.accepted))
    }
}

/// The queue page: feeds, and items waiting (or handled lately, with `handled`); staff only.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Queue {
    /// Every feed.
    pub feeds: Vec<Feed>,
    /// The items shown.
    pub items: Vec<Heard>,
    /// Items waiting in all.
    pub open: i64,
}

/// The `/staff/listening` page's data; staff only.
pub fn queue(conn: &mut DbConnection, index: &SearchIndex, actor: &Actor, handled: bool) -> ServiceResult<Queue> {
    actor.ensure_staff("read the heard-elsewhere queue")?;
    let feeds = listening::all_feeds(conn)?;
    let open = listening::open_count(conn)?;
    let mut items = Vec::new();
    for (item, source) in listening::queue(conn, handled, QUEUE_LIMIT)? {
        let answers = answers_for(conn, index, &item)?;
        items.push(Heard { item, source, answers });
    }
    Ok(Queue { feeds, items, open })
}

/// Questions here that may answer `item`, from its title and the start of its text; those with an
/// official or accepted answer first.
fn answers_for(conn: &mut DbConnection, index: &SearchIndex, item: &HeardItem) -> ServiceResult<Vec<Suggestion>> {
    let text = format!("{} {}", item.title, items::cut(&item.excerpt, 200));
    let mut found = similar::suggestions(conn, index, &text, None, SUGGESTIONS * 2)?;
    // Stable: within each group the search's order stands.
    found.sort_by_key(|s| (!s.official, !s.accepted));
    found.truncate(SUGGESTIONS);
    Ok(found)
}

/// Marks an item handled (`true`) or back in the queue (`false`); staff only.
pub fn set_handled(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    handled: bool,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    actor.ensure_staff("handle heard-elsewhere items")?;
    write_transaction(conn, |conn| {
        let (item, _) = listening::find_item(conn, id)?.ok_or(ServiceError::NotFound("heard item"))?;
        let by = handled.then_some((actor.id, now));
        listening::set_handled(conn, id, by, item.question_id.filter(|_| handled))?;
        Ok(())
    })
}

/// A question drafted from an item: its title, and its text quoted with attribution and a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The question's title.
    pub title: String,
    /// Its Markdown body.
    pub body: String,
}

/// The question "bring it home" opens from an item; staff only.
pub fn draft(conn: &mut DbConnection, actor: &Actor, id: i64) -> ServiceResult<Draft> {
    actor.ensure_staff("bring heard items home")?;
    let (item, source) = listening::find_item(conn, id)?.ok_or(ServiceError::NotFound("heard item"))?;
    Ok(draft_of(&item, &source))
}

fn draft_of(item: &HeardItem, source: &str) -> Draft {
    let quoted: String = if item.excerpt.is_empty() { item.title.clone() } else { item.excerpt.clone() };
    let quoted = quoted.lines().map(|line| format!("> {}", escape_markdown(line))).collect::<Vec<_>>().join("\n");
    let who = item.author.as_deref().map(|a| format!("{} ", escape_markdown(a))).unwrap_or_default();
    let place = match &item.link {
        Some(link) => format!("[{}](<{}>)", escape_markdown(source), link.replace('>', "%3E")),
        None => escape_markdown(source),
    };
    let when = item.published_at.map(|at| format!(", {}", at.format("%-d %B %Y"))).unwrap_or_default();
    let body = format!("{quoted}\n\n— {who}on {place}{when}\n");
    let title = items::cut(&item.title, 150);
    Draft { title, body }
}

/// Someone else's words, kept as text in Markdown: characters that would start markup escaped.
fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!' | '|' | '~') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Notes that the question `question_id` was opened from the item, which is then handled;
/// staff only. An item already gone (a feed removed meanwhile) is no error.
pub fn brought_home(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    question_id: i64,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    actor.ensure_staff("bring heard items home")?;
    write_transaction(conn, |conn| {
        listening::set_handled(conn, id, Some((actor.id, now)), Some(question_id))?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> HeardItem {
        HeardItem {
            id: 1,
            feed_id: 1,
            item_key: "k".into(),
            link: Some("https://blog.example/red-widget".into()),
            title: "My red widget broke in the rain".into(),
            excerpt: "It *died* after [one] shower".into(),
            author: Some("Ann".into()),
            published_at: chrono::NaiveDate::from_ymd_opt(2026, 11, 30).and_then(|d| d.and_hms_opt(9, 0, 0)),
            heard_at: chrono::NaiveDateTime::default(),
            handled_at: None,
            handled_by: None,
            question_id: None,
        }
    }

    #[test]
    fn a_draft_quotes_attributes_and_links() {
        let draft = draft_of(&item(), "Widget blog");
        assert_eq!(draft.title, "My red widget broke in the rain");
        assert_eq!(
            draft.body,
            "> It \\*died\\* after \\[one\\] shower\n\n— Ann on [Widget blog](<https://blog.example/red-widget>), 30 November 2026\n"
        );
    }

    #[test]
    fn rules_are_checked_line_by_line() {
        assert_eq!(check_rules(" widget \n\n\"red widget\" -sale ").unwrap(), "widget\n\"red widget\" -sale");
        assert!(check_rules("widget\ntag:x").is_err());
        assert!(check_rules("  \n ").is_err());
    }
}
