//! The forum's rules applied to pulldown-cmark's event stream, before HTML is written.
//!
//! Owns heading demotion, code-block language names, what an image becomes, flattening a comment
//! to inline content, and the limits that keep sanitising cheap. It must not be relied on for
//! safety: everything it emits still goes through the ammonia policy, which alone decides what
//! HTML may reach a page.

use pulldown_cmark::{Alignment, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Tag, TagEnd};

/// The longest language name kept on a code block; longer ones are noise, not languages.
const MAX_LANGUAGE_LEN: usize = 32;

/// Deeper than this, Markdown elements are dropped and their content kept. html5ever (inside
/// ammonia) spends time proportional to the depth on every tag, so 20 KB of `>` (20,000 nested
/// quotes) took seconds to sanitise; no real post nests even ten deep.
const MAX_NESTING: usize = 32;

/// Raw HTML tags beyond this many in one document are shown as text, not parsed: unclosed raw
/// tags nest like the quotes above. It is far above what a hand-written post uses.
pub(super) const MAX_RAW_HTML_TAGS: usize = 2_000;

/// What an `![alt](src)` turned into, remembered until its end event.
enum ImageAs {
    /// Kept as an image (allowed, https source).
    Image,
    /// A link to the source, with the alt text (or the URL, if there is none) as its text.
    Link { url: CowStr<'static>, has_text: bool },
    /// Just its alt text: it sits inside a link already, and links must not nest.
    Text,
}

/// An iterator adapter that rewrites events for a post or a comment.
pub(super) struct Rewriter<'a, I> {
    events: I,
    allow_images: bool,
    flatten_blocks: bool,
    /// How many levels headings go down: below the page's own headings.
    heading_drop: usize,
    link_depth: usize,
    images: Vec<ImageAs>,
    pending: Option<Event<'a>>,
    /// For each open element other than links and images: whether its start was kept.
    open: Vec<bool>,
    kept_depth: usize,
    raw_html_tags: usize,
}

impl<'a, I: Iterator<Item = Event<'a>>> Rewriter<'a, I> {
    /// Rules for a question or answer body.
    pub(super) fn for_post(events: I, allow_images: bool) -> Self {
        Self::new(events, allow_images, false)
    }

    /// Rules for a site page an admin writes (`/about`): as a post, but its headings sit just
    /// below the page's `<h1>`, which is all the page has above them.
    pub(super) fn for_page(events: I) -> Self {
        Self { heading_drop: 1, ..Self::new(events, true, false) }
    }

    /// Rules for a comment: no images, and every block flattened into inline content.
    pub(super) fn for_inline(events: I) -> Self {
        Self::new(events, false, true)
    }

    fn new(events: I, allow_images: bool, flatten_blocks: bool) -> Self {
        Self {
            events,
            allow_images,
            flatten_blocks,
            heading_drop: 2,
            link_depth: 0,
            images: Vec::new(),
            pending: None,
            open: Vec::new(),
            kept_depth: 0,
            raw_html_tags: 0,
        }
    }

    /// Drops elements nested deeper than [`MAX_NESTING`] (keeping their content) and turns raw
    /// HTML past [`MAX_RAW_HTML_TAGS`] into text. Links and images cannot nest, so they are exempt.
    fn limit(&mut self, event: Event<'a>) -> Option<Event<'a>> {
        match event {
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) | Event::End(TagEnd::Link | TagEnd::Image) => {
                Some(event)
            }
            Event::Start(_) => {
                let keep = self.kept_depth < MAX_NESTING;
                self.open.push(keep);
                if keep {
                    self.kept_depth += 1;
                }
                keep.then_some(event)
            }
            Event::End(_) => {
                let kept = self.open.pop().unwrap_or(true);
                if kept {
                    self.kept_depth = self.kept_depth.saturating_sub(1);
                }
                kept.then_some(event)
            }
            Event::Html(html) => Some(self.raw_html(html, Event::Html)),
            Event::InlineHtml(html) => Some(self.raw_html(html, Event::InlineHtml)),
            other => Some(other),
        }
    }

    /// Raw HTML as `kind` while the document is within its tag budget, as text after that.
    fn raw_html(&mut self, html: CowStr<'a>, kind: fn(CowStr<'a>) -> Event<'a>) -> Event<'a> {
        self.raw_html_tags = self.raw_html_tags.saturating_add(raw_tag_count(&html));
        if self.raw_html_tags <= MAX_RAW_HTML_TAGS {
            kind(html)
        } else {
            Event::Text(html)
        }
    }

    /// The rewritten event, or `None` to drop it.
    fn apply(&mut self, event: Event<'a>) -> Option<Event<'a>> {
        if let Some(ImageAs::Link { has_text, .. }) = self.images.last_mut() {
            if matches!(event, Event::Text(_) | Event::Code(_)) {
                *has_text = true;
            }
        }
        match event {
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                self.start_image(link_type, dest_url, title, id)
            }
            Event::End(TagEnd::Image) => self.end_image(),
            Event::Start(Tag::Link { .. }) => {
                self.link_depth += 1;
                Some(event)
            }
            Event::End(TagEnd::Link) => {
                self.link_depth = self.link_depth.saturating_sub(1);
                Some(event)
            }
            Event::Start(tag) if self.flatten_blocks && !is_inline(tag.to_end()) => None,
            // A space keeps the last word of one block from running into the first of the next.
            Event::End(end) if self.flatten_blocks && !is_inline(end) => Some(Event::Text(" ".into())),
            Event::HardBreak | Event::Rule if self.flatten_blocks => Some(Event::SoftBreak),
            Event::Start(Tag::Heading { level, .. }) => {
                // Heading attributes are off, so id/classes/attrs are empty; dropping them anyway
                // keeps user content from ever setting ids on the page.
                Some(Event::Start(Tag::Heading {
                    level: demoted(level, self.heading_drop),
                    id: None,
                    classes: Vec::new(),
                    attrs: Vec::new(),
                }))
            }
            Event::End(TagEnd::Heading(level)) => Some(Event::End(TagEnd::Heading(demoted(level, self.heading_drop)))),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                Some(Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(code_language(&info).into()))))
            }
            // pulldown-cmark writes alignment as `style="text-align: ..."`, and no `style` may
            // reach the page; dropping it here keeps the output clean rather than half-stripped.
            Event::Start(Tag::Table(alignments)) => {
                Some(Event::Start(Tag::Table(vec![Alignment::None; alignments.len()])))
            }
            other => Some(other),
        }
    }

    fn start_image(
        &mut self,
        link_type: LinkType,
        dest_url: CowStr<'a>,
        title: CowStr<'a>,
        id: CowStr<'a>,
    ) -> Option<Event<'a>> {
        if self.allow_images && is_https(&dest_url) {
            self.images.push(ImageAs::Image);
            Some(Event::Start(Tag::Image { link_type, dest_url, title, id }))
        } else if self.link_depth > 0 {
            self.images.push(ImageAs::Text);
            None
        } else {
            // A link keeps the reader one click from the picture without loading it into the page.
            self.images.push(ImageAs::Link { url: dest_url.clone().into_static(), has_text: false });
            self.link_depth += 1;
            Some(Event::Start(Tag::Link { link_type, dest_url, title, id }))
        }
    }

    fn end_image(&mut self) -> Option<Event<'a>> {
        match self.images.pop() {
            Some(ImageAs::Image) | None => Some(Event::End(TagEnd::Image)),
            Some(ImageAs::Text) => None,
            Some(ImageAs::Link { url, has_text }) => {
                self.link_depth = self.link_depth.saturating_sub(1);
                if has_text {
                    Some(Event::End(TagEnd::Link))
                } else {
                    // An empty link is invisible and has no accessible name: show where it goes.
                    self.pending = Some(Event::End(TagEnd::Link));
                    Some(Event::Text(url))
                }
            }
        }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Rewriter<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(event) = self.pending.take() {
            return Some(event);
        }
        loop {
            let event = self.events.next()?;
            if let Some(rewritten) = self.apply(event).and_then(|event| self.limit(event)) {
                return Some(rewritten);
            }
        }
    }
}

/// Roughly how many tags some raw HTML opens: each `<` followed by a letter.
pub(super) fn raw_tag_count(html: &str) -> usize {
    html.as_bytes().windows(2).filter(|pair| pair[0] == b'<' && pair[1].is_ascii_alphabetic()).count()
}

/// Whether a tag is inline (lives inside a paragraph) rather than a block.
pub(super) fn is_inline(end: TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// `drop` levels down (two in a post, so `#` sits below the page's `<h1>` title and `<h2>`
/// sections), never below `<h6>`.
fn demoted(level: HeadingLevel, drop: usize) -> HeadingLevel {
    const LEVELS: [HeadingLevel; 6] =
        [HeadingLevel::H1, HeadingLevel::H2, HeadingLevel::H3, HeadingLevel::H4, HeadingLevel::H5, HeadingLevel::H6];
    let at = LEVELS.iter().position(|l| *l == level).unwrap_or(0);
    LEVELS[(at + drop).min(LEVELS.len() - 1)]
}

/// The language of a fenced code block, reduced to `[a-z0-9+#-]`, or empty for none.
///
/// The info string is free text (```` ```rust,ignore title="x" ````); only its first word names
/// the language, and only these characters can appear in a class that CSS and highlighters use.
pub(super) fn code_language(info: &str) -> String {
    let first_word = info.split(|c: char| c.is_whitespace() || c == ',' || c == '{').next().unwrap_or("");
    first_word
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '+' | '#' | '-'))
        .take(MAX_LANGUAGE_LEN)
        .collect()
}

/// Whether a URL is absolute and uses https (images over http would be mixed content).
pub(super) fn is_https(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|url| url.scheme() == "https")
}

/// Escapes the Markdown that would start a block at the beginning of each line of a comment.
///
/// Comments are inline only, so `# title`, `> quote`, `- item`, `1. item`, code fences and
/// `---` must show as the characters typed rather than vanish into flattened structure. A
/// backslash before ASCII punctuation is CommonMark's own escape, so the text renders unchanged.
/// Leading indentation is dropped so that nothing becomes an indented code block.
pub(super) fn neutralize_block_syntax(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + 16);
    for (index, line) in markdown.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let line = line.trim_start_matches([' ', '\t']);
        match block_marker_at(line) {
            Some((at, len)) => {
                out.push_str(&line[..at]);
                // Every character of the marker: a fence's `~~` left unescaped would open a strikethrough.
                for c in line[at..at + len].chars() {
                    out.push('\\');
                    out.push(c);
                }
                out.push_str(&line[at + len..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

/// Where the marker that would make `line` (already unindented) start a block begins, and its
/// length in bytes; every marker character is ASCII punctuation, so each can be escaped.
fn block_marker_at(line: &str) -> Option<(usize, usize)> {
    let content = line.trim_end();
    let first = content.chars().next()?;
    let after_first = content[first.len_utf8()..].chars().next();
    let ends_marker = |c: Option<char>| matches!(c, None | Some(' ' | '\t'));
    match first {
        // Headings, block quotes.
        '#' | '>' => Some((0, 1)),
        // Setext underlines and thematic breaks: only the marker character (and spaces).
        '-' | '*' | '_' | '=' if content.chars().all(|c| c == first || c == ' ' || c == '\t') => Some((0, 1)),
        // Bullet list items.
        '-' | '*' | '+' if ends_marker(after_first) => Some((0, 1)),
        // Code fences; a run of backticks followed by more backticks is a code span, not a fence.
        '`' | '~' => {
            let run = content.chars().take_while(|&c| c == first).count();
            (run >= 3 && (first == '~' || !content[run..].contains('`'))).then_some((0, run))
        }
        // Ordered list items: up to nine digits, then `.` or `)`, then a space or the end.
        '0'..='9' => {
            let digits = content.chars().take_while(char::is_ascii_digit).count();
            let mut after = content[digits..].chars();
            let delimiter = after.next();
            (digits <= 9 && matches!(delimiter, Some('.' | ')')) && ends_marker(after.next())).then_some((digits, 1))
        }
        _ => None,
    }
}
