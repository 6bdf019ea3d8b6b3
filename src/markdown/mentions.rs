//! `@username` mentions in rendered (already sanitised) post and comment HTML.
//!
//! Mentions are found and linked in the HTML [`super::render_post`] and [`super::render_inline`]
//! produced, not in the Markdown: the HTML already tells code (`<code>`, `<pre>`) and existing
//! links (`<a>`) from prose, exactly as the reader sees them, so `` `@fred` `` and
//! `[@fred](...)` stay as written. Which names exist is the caller's question (it needs the
//! database, which this module must not touch).
//!
//! A mention link is `<a class="mention" ...>`: the sanitiser strips `class` from every link a
//! user writes, so such a link can only have come from here. Linking is idempotent, and
//! [`mentioned`] also reads the names back out of earlier mention links.

use std::collections::HashMap;

use super::policy::LINK_REL;
use super::SafeHtml;

/// Longest and shortest username (see `services::accounts::check_username`).
const NAME_LENGTH: std::ops::RangeInclusive<usize> = 3..=30;

/// At most this many distinct names are read from one text: a post cannot make the site look
/// up thousands of names.
pub const MAX_CANDIDATES: usize = 50;

/// The opening of every mention link; nothing a user writes can produce it (see the module doc).
const MENTION_OPEN: &str = "<a class=\"mention\"";

/// The distinct usernames (lower-cased) the HTML mentions, in order of first mention, at most
/// [`MAX_CANDIDATES`]: `@name` in prose outside code and links, and earlier mention links.
pub fn mentioned(html: &SafeHtml) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |name: &str| {
        let key = name.to_ascii_lowercase();
        if names.len() < MAX_CANDIDATES && !names.contains(&key) {
            names.push(key);
        }
    };
    walk(html.as_str(), |piece| match piece {
        Piece::Prose(text) => {
            for (_, name) in mentions_in(text) {
                add(name);
            }
        }
        Piece::MentionText(text) => {
            if let Some(name) = text.strip_prefix('@') {
                add(name);
            }
        }
        Piece::Other(_) => {}
    });
    names
}

/// The HTML with each `@name` in prose whose lower-cased name is a key of `members` turned into
/// a link to the value (a site-relative profile path). Other text, code and links are unchanged.
pub fn link(html: &SafeHtml, members: &HashMap<String, String>) -> SafeHtml {
    if members.is_empty() {
        return html.clone();
    }
    let mut out = String::with_capacity(html.as_str().len() + 64 * members.len());
    walk(html.as_str(), |piece| match piece {
        Piece::Prose(text) => {
            let mut last = 0;
            for (at, name) in mentions_in(text) {
                let Some(path) = members.get(&name.to_ascii_lowercase()) else { continue };
                out.push_str(&text[last..at]);
                // Names are ASCII letters, digits, `_`, `-` and `.`, and paths are built from
                // ids and slugs of the same: nothing here needs escaping, or could.
                out.push_str(&format!("{MENTION_OPEN} href=\"{path}\" rel=\"{LINK_REL}\">@{name}</a>"));
                last = at + 1 + name.len();
            }
            out.push_str(&text[last..]);
        }
        Piece::MentionText(text) | Piece::Other(text) => out.push_str(text),
    });
    SafeHtml(out)
}

/// A stretch of sanitised HTML, as [`walk`] hands it out.
enum Piece<'a> {
    /// Text a reader sees as prose (outside code and links), entities still escaped.
    Prose(&'a str),
    /// The text of a mention link made earlier.
    MentionText(&'a str),
    /// A tag, or text inside code or another link.
    Other(&'a str),
}

/// Calls `visit` with every piece of `html`, in order; together they are the whole of it.
///
/// The input is html5ever's serialisation of a sanitised tree (via ammonia): text never holds a
/// raw `<`, every attribute value is double-quoted and comments are stripped, so a tag runs from
/// `<` to the first `>` outside quotes.
fn walk<'a>(html: &'a str, mut visit: impl FnMut(Piece<'a>)) {
    let (mut code_depth, mut link_depth, mut in_mention) = (0_usize, 0_usize, false);
    let mut rest = html;
    while !rest.is_empty() {
        if rest.starts_with('<') {
            let end = tag_end(rest);
            let tag = &rest[..end];
            let closing = tag.starts_with("</");
            match tag_name(tag).as_str() {
                "code" | "pre" if closing => code_depth = code_depth.saturating_sub(1),
                "code" | "pre" => code_depth += 1,
                "a" if closing => {
                    link_depth = link_depth.saturating_sub(1);
                    in_mention = false;
                }
                "a" => {
                    link_depth += 1;
                    in_mention = link_depth == 1 && tag.starts_with(MENTION_OPEN);
                }
                _ => {}
            }
            visit(Piece::Other(tag));
            rest = &rest[end..];
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = &rest[..end];
            visit(if in_mention && code_depth == 0 {
                Piece::MentionText(text)
            } else if link_depth == 0 && code_depth == 0 {
                Piece::Prose(text)
            } else {
                Piece::Other(text)
            });
            rest = &rest[end..];
        }
    }
}

/// The length of the tag at the start of `html` (through its `>`), quotes respected.
fn tag_end(html: &str) -> usize {
    let mut quoted = false;
    for (i, c) in html.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '>' if !quoted => return i + 1,
            _ => {}
        }
    }
    html.len()
}

/// The lower-cased element name of a tag such as `<a href="...">` or `</code>`.
fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('<')
        .trim_start_matches('/')
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Whether `c` may appear in a username.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Each `@name` in `text`: the byte offset of its `@` and the name as written. The `@` must not
/// follow a name character (so `fred@example.com` is an address, not a mention), and a trailing
/// `.` ends the sentence, not the name.
fn mentions_in(text: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let mut previous: Option<char> = None;
    let mut skip_to = 0;
    for (at, c) in text.char_indices() {
        if at < skip_to {
            previous = Some(c);
            continue;
        }
        if c == '@' && !previous.is_some_and(is_name_char) {
            let after = &text[at + 1..];
            let length = after.find(|c: char| !is_name_char(c)).unwrap_or(after.len());
            let name = after[..length].trim_end_matches('.');
            skip_to = at + 1 + length;
            if NAME_LENGTH.contains(&name.len()) {
                found.push((at, name));
            }
        }
        previous = Some(c);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::{render_inline, render_post, MarkdownOptions};

    fn members(names: &[&str]) -> HashMap<String, String> {
        names.iter().enumerate().map(|(i, n)| (n.to_ascii_lowercase(), format!("/users/{}/{n}", i + 1))).collect()
    }

    #[test]
    fn finds_names_in_prose_only() {
        let html = render_post(
            "Hi @Fred and @ann. Not `@code`, not fred@example.com, not [@link](https://x.test) or\n\n```\n@block\n```\n\n@ab is too short.",
            &MarkdownOptions { allow_images: false },
        );
        assert_eq!(mentioned(&html), ["fred", "ann"]);
    }

    #[test]
    fn links_known_names_and_is_idempotent() {
        let html = render_inline("Thanks @Fred, and @nobody, and `@fred` too, @fred.");
        let linked = link(&html, &members(&["fred"]));
        assert_eq!(
            linked.as_str(),
            "Thanks <a class=\"mention\" href=\"/users/1/fred\" rel=\"nofollow ugc noopener\">@Fred</a>, and @nobody, \
             and <code>@fred</code> too, <a class=\"mention\" href=\"/users/1/fred\" rel=\"nofollow ugc noopener\">@fred</a>."
        );
        assert_eq!(link(&linked, &members(&["fred"])), linked);
        assert_eq!(mentioned(&linked), ["fred", "nobody"]);
    }

    #[test]
    fn a_forged_mention_class_is_stripped() {
        let html = render_post(
            r#"<a class="mention" href="/users/9/x">@victim</a> is plain"#,
            &MarkdownOptions { allow_images: false },
        );
        assert!(!html.as_str().contains("mention\""), "{}", html.as_str());
        assert!(mentioned(&html).is_empty());
    }

    #[test]
    fn quoted_brackets_in_attributes_do_not_end_a_tag() {
        let html = render_post(r#"[x](https://a.test "a>@fred") then @ann"#, &MarkdownOptions { allow_images: false });
        assert_eq!(mentioned(&html), ["ann"]);
    }
}
