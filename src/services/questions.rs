//! Asking questions, and the rules for titles, bodies and tags.

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::anti_spam::{check_post_links, check_rate, Activity};
use super::hiding::{self, Visibility};
use super::policy::PostingPolicy;
use super::{ServiceError, ServiceResult};
use crate::changes::{Change, ChangeFeed};
use crate::db::models::posts::{self, NewPost, Post};
use crate::db::models::revisions::{self, NewRevision};
use crate::db::models::{tags, watches};
use crate::db::DbConnection;
pub use crate::domain::paths::slugify;
use crate::domain::PostKind;
use crate::markdown::{self, SafeHtml};

/// Title length, in characters.
pub const TITLE_LENGTH: std::ops::RangeInclusive<usize> = 15..=150;
/// Body length, in characters.
pub const BODY_LENGTH: std::ops::RangeInclusive<usize> = 30..=30_000;
/// How many tags a question carries.
pub const TAG_COUNT: std::ops::RangeInclusive<usize> = 1..=5;
/// Longest tag, in characters.
pub const MAX_TAG_LENGTH: usize = 35;

/// The ask form.
#[derive(Debug, Clone)]
pub struct Ask {
    /// The question in one line.
    pub title: String,
    /// The details, in Markdown.
    pub body: String,
    /// Tags separated by spaces or commas.
    pub tags: String,
}

/// Checks a title; returns it with whitespace tidied.
pub fn check_title(title: &str) -> ServiceResult<String> {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let length = title.chars().count();
    if !TITLE_LENGTH.contains(&length) {
        return Err(ServiceError::invalid(
            "title",
            format!("Use {} to {} characters; this title has {length}.", TITLE_LENGTH.start(), TITLE_LENGTH.end()),
        ));
    }
    Ok(title)
}

/// Checks a post body (questions and answers share the rule).
pub fn check_body(body: &str) -> ServiceResult<String> {
    let body = body.trim_end().replace("\r\n", "\n");
    let length = body.trim().chars().count();
    if !BODY_LENGTH.contains(&length) {
        return Err(ServiceError::invalid(
            "body",
            format!("Use {} to {} characters; this text has {length}.", BODY_LENGTH.start(), BODY_LENGTH.end()),
        ));
    }
    Ok(body)
}

/// Longest tags field accepted, in bytes: five of the longest tags with room for separators.
/// Checked before anything else looks at the text, so the work per request stays small.
pub const MAX_TAGS_TEXT: usize = 256;

/// Splits tags on spaces and commas, lower-cases them and checks each.
pub fn parse_tags(raw: &str) -> ServiceResult<Vec<String>> {
    let too_many = || ServiceError::invalid("tags", format!("Give {} to {} tags.", TAG_COUNT.start(), TAG_COUNT.end()));
    if raw.len() > MAX_TAGS_TEXT {
        return Err(too_many());
    }
    let mut names: Vec<String> = Vec::new();
    for name in raw.split([' ', ',', '\t', '\n', '\r']).map(str::trim).filter(|t| !t.is_empty()) {
        if names.len() == *TAG_COUNT.end() {
            return Err(too_many());
        }
        if name.chars().count() > MAX_TAG_LENGTH {
            return Err(ServiceError::invalid("tags", format!("`{name}` is longer than {MAX_TAG_LENGTH} characters.")));
        }
        let name = name.to_lowercase();
        let mut chars = name.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '+' | '#' | '-'));
        if !first_ok || !rest_ok {
            return Err(ServiceError::invalid(
                "tags",
                format!("`{name}` is not a tag: use letters, digits and . + # - (starting with a letter or digit)."),
            ));
        }
        if names.contains(&name) {
            return Err(ServiceError::invalid("tags", format!("`{name}` is given twice.")));
        }
        names.push(name);
    }
    if names.is_empty() {
        return Err(too_many());
    }
    Ok(names)
}

/// A post's body, checked and rendered.
#[derive(Debug, Clone)]
pub struct PostBody {
    /// The Markdown source, tidied.
    pub markdown: String,
    /// The sanitised HTML.
    pub html: SafeHtml,
}

/// Checks and renders a question's or answer's body. Rendering is CPU work: callers run it
/// before they take a database connection, never inside a transaction.
pub fn prepare_body(body: &str, policy: &PostingPolicy) -> ServiceResult<PostBody> {
    let markdown = check_body(body)?;
    let html = markdown::render_post(&markdown, &policy.markdown());
    Ok(PostBody { markdown, html })
}

/// Renders a draft for the preview exactly as posting would, refusing text longer than any post
/// may be (shorter text is fine: a draft grows). CPU work, like [`prepare_body`].
pub fn preview_body(body: &str, policy: &PostingPolicy) -> ServiceResult<SafeHtml> {
    let length = body.chars().count();
    if length > *BODY_LENGTH.end() {
        return Err(ServiceError::invalid(
            "body",
            format!("Use at most {} characters; this text has {length}.", BODY_LENGTH.end()),
        ));
    }
    Ok(markdown::render_post(body, &policy.markdown()))
}

/// A question checked and rendered, ready for [`ask`].
#[derive(Debug, Clone)]
pub struct QuestionDraft {
    title: String,
    body: PostBody,
    tags: Vec<String>,
}

impl Ask {
    /// Checks every field and renders the body: all the work of asking that needs no database,
    /// done before a connection is taken (see [`prepare_body`]).
    pub fn prepare(&self, policy: &PostingPolicy) -> ServiceResult<QuestionDraft> {
        let title = check_title(&self.title)?;
        let tags = parse_tags(&self.tags)?;
        let body = prepare_body(&self.body, policy)?;
        Ok(QuestionDraft { title, body, tags })
    }
}

/// Asks a question: the post, its tags and its first revision, in one transaction. A new
/// member's question with links is held for a moderator's review (`held_reason` is set).
pub fn ask(
    conn: &mut DbConnection,
    feed: &ChangeFeed,
    actor: &Actor,
    policy: PostingPolicy,
    draft: QuestionDraft,
    now: NaiveDateTime,
) -> ServiceResult<Post> {
    actor.ensure_can_post(policy.require_verified_email)?;
    let QuestionDraft { title, body: PostBody { markdown: body, html }, tags: tag_names } = draft;
    let slug = slugify(&title);
    let tag_text = tag_names.join(" ");
    feed.write(conn, now, |conn, changes| {
        check_rate(conn, actor, Activity::Question, &policy.moderation, now)?;
        let held = check_post_links(conn, actor, &body, &policy.moderation, now)?;
        let id = posts::insert(
            conn,
            &NewPost {
                kind: PostKind::Question,
                question_id: None,
                author_id: actor.id,
                title: Some(&title),
                slug: Some(&slug),
                tags: Some(&tag_text),
                body_markdown: &body,
                body_html: html.as_str(),
                created_at: now,
                last_activity_at: now,
            },
        )?;
        tags::attach(conn, id, &tag_names, now)?;
        changes.push(Change::QuestionAsked { question: id, author: actor.id, held: held.is_some() });
        watches::insert(conn, actor.id, id, now)?; // the asker hears about answers without asking to
        revisions::insert(
            conn,
            &NewRevision {
                post_id: id,
                editor_id: actor.id,
                title: Some(&title),
                tags: Some(&tag_text),
                // Shares the post's text (see `models::revisions`).
                body_markdown: None,
                reason: None,
                created_at: now,
            },
        )?;
        let question = posts::find(conn, id)?.ok_or(ServiceError::NotFound("Question"))?;
        match held {
            Some(why) => {
                hiding::set_post(conn, changes, &question, Visibility::Held(why), now)?;
                posts::find(conn, id)?.ok_or(ServiceError::NotFound("Question"))
            }
            None => Ok(question),
        }
    })
}

/// A question that is not deleted, or 404 (410 when deleted).
pub fn find_question(conn: &mut DbConnection, id: i64) -> ServiceResult<Post> {
    match posts::find(conn, id)? {
        Some(post) if post.is_question() && post.deleted_at.is_none() => Ok(post),
        Some(post) if post.is_question() => Err(ServiceError::Gone("This question was deleted.".to_owned())),
        _ => Err(ServiceError::NotFound("Question")),
    }
}

/// A question or answer members may act on (vote, comment, flag, edit, read its history): not
/// deleted, and for an answer, its question not deleted either; otherwise 404. An answer lives
/// only on its question's page, so a deleted question takes its answers out of reach with it.
pub fn find_live_post(conn: &mut DbConnection, id: i64) -> ServiceResult<Post> {
    let post = posts::find(conn, id)?.filter(|p| p.deleted_at.is_none()).ok_or(ServiceError::NotFound("Post"))?;
    match post.question_id {
        Some(question_id) if !posts::is_visible(conn, question_id)? => Err(ServiceError::NotFound("Post")),
        _ => Ok(post),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_split_checked_and_lower_cased() {
        assert_eq!(parse_tags("Rust, c++  c#").unwrap(), ["rust", "c++", "c#"]);
        assert!(parse_tags("").is_err());
        assert!(parse_tags("a b c d e f").is_err());
        assert!(parse_tags("rust rust").is_err());
        assert!(parse_tags("-rust").is_err());
        assert!(parse_tags(&"a".repeat(36)).is_err());
        assert!(parse_tags("what?").is_err());
    }

    #[test]
    fn tag_lists_are_refused_before_any_work_grows_with_them() {
        // 85,000 distinct tags once took seconds of pairwise comparisons, to end by counting
        // them all ("you gave 85000"); the list is refused unread.
        let many: String = (0..85_000).map(|n| format!("t{n} ")).collect();
        assert_eq!(parse_tags(&many).unwrap_err().to_string(), "tags: Give 1 to 5 tags.");
        let sixth = "a b c d e f ".to_owned() + &"g".repeat(200);
        assert_eq!(parse_tags(&sixth).unwrap_err().to_string(), "tags: Give 1 to 5 tags.");
        assert!(parse_tags("a b c d e f").unwrap_err().to_string().contains("Give 1 to 5 tags"));
        assert_eq!(parse_tags("a\r\nb").unwrap(), ["a", "b"]);
        assert!(parse_tags(&format!("{} ", "x".repeat(MAX_TAGS_TEXT))).is_err());
    }

    #[test]
    fn slugs_are_short_and_safe() {
        assert_eq!(slugify("Why did my red widget break in the rain?"), "why-did-my-red-widget-break-in-the-rain");
        assert_eq!(slugify("???"), "question");
        assert!(slugify(&"word ".repeat(40)).len() <= 80);
    }

    #[test]
    fn titles_and_bodies_have_lengths() {
        assert!(check_title("too short").is_err());
        assert_eq!(check_title("  A   question   that is long enough ").unwrap(), "A question that is long enough");
        assert!(check_body("short").is_err());
        assert!(check_body(&"x".repeat(30_001)).is_err());
    }
}
