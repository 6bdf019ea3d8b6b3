//! The Atom feeds' contents: the newest questions (all, or one tag's), a question's newest answers
//! and the newest official answers, as plain data with absolute URLs. Knows nothing of HTTP or of
//! the XML the web layer writes from it.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::questions::find_question;
use super::{ServiceError, ServiceResult};
use crate::db::models::posts::{self, Post, QuestionOrder};
use crate::db::models::{feeds, tags, users};
use crate::db::DbConnection;
use crate::domain::{paths, QuestionId};

/// Entries per feed.
pub const ENTRIES: i64 = 30;

/// Characters a path segment keeps as they are (RFC 3986 "unreserved"); tag names may hold `#`
/// or `+`, which must not reach a URL raw.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The site a feed belongs to.
#[derive(Debug, Clone)]
pub struct Site {
    /// The public base URL, without a trailing slash.
    pub base_url: String,
    /// The forum's name.
    pub name: String,
}

/// A feed, ready to be written as Atom.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Feed {
    /// The feed's permanent id and `rel="self"` link: its own absolute URL.
    pub self_url: String,
    /// The page that shows the same list (`rel="alternate"`).
    pub page_url: String,
    /// The feed's title.
    pub title: String,
    /// The newest entry's `updated` (a fixed old date for an empty feed, so that its ETag holds).
    pub updated: NaiveDateTime,
    /// The entries, newest first.
    pub entries: Vec<Entry>,
}

/// One question or answer in a feed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Entry {
    /// Permanent id: the post's short absolute URL, which survives a change of title.
    pub id: String,
    /// The entry's title.
    pub title: String,
    /// Where to read it.
    pub url: String,
    /// When it was posted (for official answers: when it became official).
    pub published: NaiveDateTime,
    /// When it last changed.
    pub updated: NaiveDateTime,
    /// The author's shown name.
    pub author: String,
    /// The post's sanitised HTML, to be escaped into `<content type="html">`.
    pub html: String,
    /// Tag names, for questions.
    pub tags: Vec<String>,
}

/// The path of a tag's page, its name percent-encoded.
pub fn tag_path(name: &str) -> String {
    format!("/tags/{}", utf8_percent_encode(name, PATH_SEGMENT))
}

/// The newest questions on the site.
pub fn newest_questions(conn: &mut DbConnection, site: &Site) -> ServiceResult<Feed> {
    let rows = posts::list_questions(conn, QuestionOrder::Newest, 0, ENTRIES)?;
    let entries = question_entries(conn, site, rows)?;
    Ok(feed(
        site,
        "/feeds/questions.atom",
        "/questions?sort=newest",
        format!("{}: newest questions", site.name),
        entries,
    ))
}

/// The newest questions with a tag; an unknown tag is not found.
pub fn tagged_questions(conn: &mut DbConnection, site: &Site, name: &str) -> ServiceResult<Feed> {
    let tag = tags::find_by_name(conn, &name.to_lowercase())?.ok_or(ServiceError::NotFound("Tag"))?;
    let rows = posts::seek_tagged(conn, tag.id, None, ENTRIES)?;
    let entries = question_entries(conn, site, rows)?;
    let page = tag_path(&tag.name);
    let title = format!("{}: questions tagged {}", site.name, tag.name);
    let mut feed = feed(site, &format!("/feeds{page}.atom"), &page, title, entries);
    if feed.entries.is_empty() {
        feed.updated = tag.created_at;
    }
    Ok(feed)
}

/// A question's newest answers; a deleted question is gone, an unknown one not found.
pub fn answers_to(conn: &mut DbConnection, site: &Site, QuestionId(question_id): QuestionId) -> ServiceResult<Feed> {
    let question = find_question(conn, question_id)?;
    let rows = feeds::newest_answers(conn, question.id, ENTRIES)?;
    let title = text(question.title.as_deref().unwrap_or_default());
    let page = question_path(question.id, question.slug.as_deref());
    let authors = author_names(conn, rows.iter().map(|p| p.author_id))?;
    let entries = rows
        .into_iter()
        .map(|answer| {
            let author = author_of(&authors, answer.author_id);
            Entry {
                title: format!("Answer by {author}: {title}"),
                url: format!("{}{page}#answer-{}", site.base_url, answer.id),
                ..post_entry(site, &answer, author)
            }
        })
        .collect();
    let mut feed =
        feed(site, &format!("/feeds/questions/{}.atom", question.id), &page, format!("Answers to: {title}"), entries);
    // An unanswered question's feed last changed when the question was asked.
    if feed.entries.is_empty() {
        feed.updated = question.created_at;
    }
    Ok(feed)
}

/// The newest official answers, the most recently made official first.
pub fn official_answers(conn: &mut DbConnection, site: &Site) -> ServiceResult<Feed> {
    let rows = feeds::newest_official(conn, ENTRIES)?;
    let authors = author_names(conn, rows.iter().map(|(p, _, _)| p.author_id))?;
    let entries = rows
        .into_iter()
        .map(|(answer, title, slug)| {
            let question_id = answer.question_id.unwrap_or_default();
            let became_official = answer.official_at.unwrap_or(answer.created_at);
            let entry = post_entry(site, &answer, author_of(&authors, answer.author_id));
            Entry {
                title: format!("Official answer: {}", text(title.as_deref().unwrap_or_default())),
                url: format!("{}{}#answer-{}", site.base_url, question_path(question_id, slug.as_deref()), answer.id),
                published: became_official,
                updated: entry.updated.max(became_official),
                ..entry
            }
        })
        .collect();
    let title = format!("{}: official answers", site.name);
    Ok(feed(site, "/feeds/official.atom", "/search?q=is%3Aofficial&sort=newest", title, entries))
}

fn feed(site: &Site, self_path: &str, page_path: &str, title: String, entries: Vec<Entry>) -> Feed {
    Feed {
        self_url: format!("{}{self_path}", site.base_url),
        page_url: format!("{}{page_path}", site.base_url),
        title: text(&title),
        updated: entries.iter().map(|e| e.updated).max().unwrap_or_default(),
        entries,
    }
}

fn question_entries(conn: &mut DbConnection, site: &Site, rows: Vec<Post>) -> ServiceResult<Vec<Entry>> {
    let authors = author_names(conn, rows.iter().map(|p| p.author_id))?;
    Ok(rows
        .into_iter()
        .map(|question| Entry {
            id: format!("{}/questions/{}", site.base_url, question.id),
            title: text(question.title.as_deref().unwrap_or_default()),
            url: format!("{}{}", site.base_url, question_path(question.id, question.slug.as_deref())),
            tags: question.tag_list(),
            ..post_entry(site, &question, author_of(&authors, question.author_id))
        })
        .collect())
}

/// The parts of an entry every post has; id and URL are the answer permalink.
fn post_entry(site: &Site, post: &Post, author: String) -> Entry {
    Entry {
        id: format!("{}/a/{}", site.base_url, post.id),
        title: String::new(),
        url: format!("{}/a/{}", site.base_url, post.id),
        published: post.created_at,
        updated: post.edited_at.map_or(post.created_at, |edited| edited.max(post.created_at)),
        author,
        html: text(&post.body_html),
        tags: Vec::new(),
    }
}

fn question_path(id: i64, slug: Option<&str>) -> String {
    paths::question(QuestionId(id), slug)
}

fn author_names(conn: &mut DbConnection, ids: impl Iterator<Item = i64>) -> ServiceResult<HashMap<i64, String>> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(users::find_many(conn, &ids)?.into_iter().map(|u| (u.id, text(&u.display_name))).collect())
}

fn author_of(authors: &HashMap<i64, String>, id: i64) -> String {
    authors.get(&id).cloned().unwrap_or_else(|| "deleted user".to_owned())
}

/// Text as XML 1.0 may carry it: control characters other than tab and line breaks (which a post
/// may contain, pasted from a terminal) would make the whole feed unreadable, so they are dropped.
fn text(value: &str) -> String {
    value
        .chars()
        .filter(|&c| !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_paths_are_percent_encoded() {
        assert_eq!(tag_path("rust"), "/tags/rust");
        assert_eq!(tag_path("c#"), "/tags/c%23");
        assert_eq!(tag_path("c++"), "/tags/c%2B%2B");
        assert_eq!(tag_path("node.js"), "/tags/node.js");
    }

    #[test]
    fn characters_xml_cannot_carry_are_dropped() {
        assert_eq!(text("a\u{0}b\u{1b}[0mc\td\ne\u{fffe}"), "ab[0mc\td\ne");
        assert_eq!(text("<&> é"), "<&> é");
    }
}
