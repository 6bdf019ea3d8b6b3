//! Markdown written by users, turned into sanitised HTML ([`SafeHtml`]) or into plain text.
//!
//! This module owns the whole path from a post's or comment's Markdown source to the HTML a page
//! prints: pulldown-cmark parses, `rewrite` applies the forum's rules to the event stream
//! (heading demotion, code-block languages, images, flattening for comments), and `policy`
//! sanitises the result with ammonia and an explicit allow-list. Bodies are rendered once, at
//! write time, and stored beside their source.
//!
//! It must not touch the database, templates or HTTP, and nothing outside it may turn arbitrary
//! text into a [`SafeHtml`]: that type is the promise that autoescaping may be skipped.

/// `@username` mentions: finding them in rendered HTML and linking the ones that exist.
pub mod mentions;
// Public so that the fuzz targets (fuzz/) can check rendered HTML against the same allow-lists.
pub mod policy;
mod rewrite;
#[cfg(test)]
mod tests;

use std::fmt;

use pulldown_cmark::{Event, Options, Parser, TagEnd};
use serde::Serialize;

/// Sanitised HTML: the only value a template may print with `| safe`; everything else stays autoescaped.
///
/// It serialises as a plain string, so a template prints it with `{{ answer.body_html | safe }}`.
/// It is built only by [`render_post`], [`render_page`] and [`render_inline`] (and [`mentions::link`], which
/// adds mention links to their output), or by [`SafeHtml::from_trusted_db`] for HTML those functions rendered
/// earlier. It deliberately has no `Deserialize`, `From<String>`
/// or `FromStr`: each would be a way to smuggle unsanitised HTML past autoescaping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SafeHtml(String);

impl SafeHtml {
    /// Only for HTML this module rendered earlier and stored in the database (`posts.body_html`).
    ///
    /// Never pass it user input, form fields, imported HTML or anything else not produced by
    /// [`render_post`] or [`render_inline`]: that would print it unescaped. If the sanitising
    /// policy changes, stored bodies must be rendered again from their Markdown source.
    pub fn from_trusted_db(html: String) -> Self {
        Self(html)
    }

    /// The HTML, to write into a response or a database column.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The HTML as an owned string, to store in the database.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for SafeHtml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a post's author may use beyond the base Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkdownOptions {
    /// Whether `![alt](https://...)` shows as an image. When false, or when the source is not
    /// https, the image becomes a link to its source (alt text as the link text) and raw `<img>`
    /// tags lose their source; when false they are removed altogether.
    pub allow_images: bool,
}

/// Renders a question's or answer's Markdown into sanitised HTML.
///
/// CommonMark plus tables, strikethrough and task lists. Headings are demoted two levels
/// (`#` becomes `<h3>`), because the page's `<h1>` is the question title and its `<h2>`s are the
/// page's own sections: a post must not outrank them or break the outline screen readers use.
/// Raw HTML is sanitised, not escaped, so harmless tags such as `<kbd>`, `<sup>` and `<sub>` keep
/// working (as on Stack Overflow); everything outside the allow-list is removed, and `<script>`,
/// `<style>`, `<iframe>`, `<svg>` and the like go with their content. Footnotes are off: their
/// generated `id`s would collide between the several posts on one page.
///
/// Cost grows about linearly with the input: elements nest at most 32 deep and at most 2,000 raw
/// HTML tags are parsed (the rest show as text). Callers still cap the length they accept.
pub fn render_post(markdown: &str, options: &MarkdownOptions) -> SafeHtml {
    let events = rewrite::Rewriter::for_post(Parser::new_ext(markdown, post_syntax()), options.allow_images);
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    let sanitiser = if options.allow_images { policy::post_with_images() } else { policy::post_without_images() };
    SafeHtml(sanitiser.clean(&html).to_string())
}

/// Renders a site page an admin writes (the welcome text, `/about`) into sanitised HTML: a post's
/// rules with https images, headings one level down (`#` becomes `<h2>`) under the page's `<h1>`.
pub fn render_page(markdown: &str) -> SafeHtml {
    let events = rewrite::Rewriter::for_page(Parser::new_ext(markdown, post_syntax()));
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    SafeHtml(policy::site_page().clean(&html).to_string())
}

/// Renders a comment's Markdown into sanitised inline HTML, with no wrapping `<p>`.
///
/// Only emphasis, strong, code spans, links and strikethrough render. Block syntax at the start of
/// a line (`#`, `>`, `-`, `1.`, fences, `---`) is shown as the text the author typed, other blocks
/// (paragraphs, raw block HTML) are flattened into one line, images become links, and hard line
/// breaks become spaces: a comment is one short run of text under a post.
pub fn render_inline(markdown: &str) -> SafeHtml {
    let source = rewrite::neutralize_block_syntax(markdown);
    let events = rewrite::Rewriter::for_inline(Parser::new_ext(&source, Options::ENABLE_STRIKETHROUGH));
    let mut html = String::with_capacity(source.len() + source.len() / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    // Trimmed after cleaning too: a removed `<script>` block can leave the whitespace around it.
    SafeHtml(policy::inline().clean(html.trim()).to_string().trim().to_owned())
}

/// The text of some Markdown without any markup, whitespace collapsed to single spaces.
///
/// For meta descriptions, search snippets and the search index: link text and image alt text are
/// kept; URLs, raw HTML tags and the content of `<script>`, `<style>`, `<svg>` and the like are not.
/// The result is text, not HTML: templates must print it autoescaped.
pub fn plain_text(markdown: &str) -> String {
    text_of(markdown, None)
}

/// The start of [`plain_text`]: exactly its first characters, at least `at_least` of them when the
/// text has that many (the whole text otherwise). Excerpts need only this much, and reading a long
/// post's inline markup to the end only to throw it away made lists slow.
pub fn plain_text_prefix(markdown: &str, at_least: usize) -> String {
    text_of(markdown, Some(at_least))
}

/// Counts the characters the collapsed text will have, as the raw text grows.
#[derive(Default)]
struct CollapsedLength {
    chars: usize,
    started: bool,
    space_pending: bool,
}

impl CollapsedLength {
    fn add(&mut self, raw: &str) {
        for c in raw.chars() {
            if c.is_whitespace() {
                self.space_pending = self.started;
            } else {
                self.chars += 1 + usize::from(self.space_pending);
                self.started = true;
                self.space_pending = false;
            }
        }
    }
}

fn text_of(markdown: &str, at_least: Option<usize>) -> String {
    let mut collapsed = CollapsedLength::default();
    let mut text = String::with_capacity(at_least.map_or(markdown.len(), |n| n.saturating_mul(2)).min(markdown.len()));
    let mut html_block = String::new();
    let mut raw_html_tags = 0_usize;
    // Inside an inline `<script>`, `<svg>`, ... pair the text is code, not prose: ammonia drops it
    // from the rendered post, so the description and the index must not show it either.
    let mut hidden_until: Option<String> = None;
    let mut counted = 0;
    for event in Parser::new_ext(markdown, post_syntax()) {
        if let Some(at_least) = at_least {
            // The raw text only ever grows at its end, so its collapsed form only ever grows too:
            // once long enough, later events cannot change the characters already collected.
            collapsed.add(&text[counted..]);
            counted = text.len();
            if collapsed.chars >= at_least {
                break;
            }
        }
        if let Some(closing) = &hidden_until {
            if matches!(&event, Event::InlineHtml(tag) if starts_with_ignore_case(tag, closing)) {
                hidden_until = None;
            }
            continue;
        }
        match event {
            Event::InlineHtml(tag) => hidden_until = policy::hidden_content_tag(&tag).map(|name| format!("</{name}")),
            Event::Text(part) | Event::Code(part) => text.push_str(&part),
            Event::Html(part) => html_block.push_str(&part),
            Event::End(TagEnd::HtmlBlock) => {
                // Past the budget the block is left out: parsing it could take seconds (see
                // `rewrite::MAX_RAW_HTML_TAGS`), and its tags are no use in a snippet.
                raw_html_tags = raw_html_tags.saturating_add(rewrite::raw_tag_count(&html_block));
                if raw_html_tags <= rewrite::MAX_RAW_HTML_TAGS {
                    text.push(' ');
                    text.push_str(&policy::text_of_html(&html_block));
                    text.push(' ');
                }
                html_block.clear();
            }
            // Blocks and breaks separate words (a list item's text and its nested list, say);
            // inline markup (emphasis, links) must not split them.
            Event::SoftBreak | Event::HardBreak | Event::Rule => text.push(' '),
            Event::Start(tag) if !rewrite::is_inline(tag.to_end()) => text.push(' '),
            Event::End(end) if !rewrite::is_inline(end) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `text` starts with the ASCII `prefix`, ignoring case, as HTML tag names do.
fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len()).is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

/// The Markdown extensions posts use; [`plain_text`] uses the same so it sees the same structure.
fn post_syntax() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}
