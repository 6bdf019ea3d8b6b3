//! The ammonia allow-lists: which tags, attributes and URLs user HTML may contain.
//!
//! Owns every sanitising decision; it is the only safety boundary between user input and a
//! [`super::SafeHtml`]. Each policy is built once, on first use, and shared, because building one
//! allocates its sets. It must not be loosened for convenience: add a tag only with a test
//! showing it cannot carry script, styles or a hostile URL.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};

/// The `rel` every user link carries: no ranking credit, marked as user content, no `window.opener`.
pub const LINK_REL: &str = "nofollow ugc noopener";

/// Schemes a link may use; relative URLs (same site) are also allowed. `javascript:`, `data:`,
/// `vbscript:` and all others are removed with the attribute.
pub const URL_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// Tags whose content is removed with them: it is code or hidden text, never prose.
const CLEAN_CONTENT_TAGS: [&str; 10] =
    ["script", "style", "iframe", "object", "noscript", "template", "textarea", "title", "svg", "math"];

/// Tags a post may contain. No `h1`/`h2`: Markdown headings are demoted to `h3` and below, and a
/// raw `<h1>` is unwrapped to its text, so nothing in a post outranks the page's own headings.
pub const POST_TAGS: [&str; 27] = [
    "p",
    "br",
    "hr",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "ul",
    "ol",
    "li",
    "pre",
    "code",
    "em",
    "strong",
    "del",
    "sup",
    "sub",
    "kbd",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "input",
];

/// Tags a comment may contain: inline ones only.
pub const INLINE_TAGS: [&str; 8] = ["em", "strong", "del", "code", "kbd", "sup", "sub", "a"];

/// The policy for posts whose author may show images.
pub fn post_with_images() -> &'static Builder<'static> {
    static POLICY: LazyLock<Builder<'static>> = LazyLock::new(|| post(true));
    &POLICY
}

/// The policy for posts whose author may not show images: raw `<img>` tags are removed.
pub fn post_without_images() -> &'static Builder<'static> {
    static POLICY: LazyLock<Builder<'static>> = LazyLock::new(|| post(false));
    &POLICY
}

/// The policy for the site's own pages an admin writes (`/about`, the welcome text): a post's,
/// with images, plus `h2`, since their headings sit one level below the page's `<h1>`.
pub fn site_page() -> &'static Builder<'static> {
    static POLICY: LazyLock<Builder<'static>> = LazyLock::new(|| {
        let mut builder = post(true);
        builder.add_tags(["h2"]);
        builder
    });
    &POLICY
}

/// The policy for comments.
pub fn inline() -> &'static Builder<'static> {
    static POLICY: LazyLock<Builder<'static>> = LazyLock::new(|| {
        let mut builder = base(INLINE_TAGS.into());
        builder.tag_attributes(HashMap::from([("a", HashSet::from(["href", "title"]))]));
        builder
    });
    &POLICY
}

/// If `tag` opens an element whose content is removed with it (`<script ...>`), its name.
pub(super) fn hidden_content_tag(tag: &str) -> Option<&'static str> {
    if tag.trim_end().ends_with("/>") {
        // `<svg/>` closes itself, so nothing after it is hidden.
        return None;
    }
    let name = tag.strip_prefix('<')?;
    let name = name.split(|c: char| !c.is_ascii_alphanumeric()).next()?;
    CLEAN_CONTENT_TAGS.into_iter().find(|hidden| hidden.eq_ignore_ascii_case(name))
}

/// The text inside some raw HTML, tags and script/style content removed, entities decoded.
pub(super) fn text_of_html(html: &str) -> String {
    static POLICY: LazyLock<Builder<'static>> = LazyLock::new(|| base(HashSet::new()));
    let escaped = POLICY.clean(html).to_string();
    // With no tags allowed the output is one text node, which html5ever's serialiser escapes with
    // exactly these four entities (and nothing else starts with `&`), so this reverses it. `&amp;`
    // goes last so that an escaped `&lt;` typed by the user stays `&lt;`.
    escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", "\u{a0}").replace("&amp;", "&")
}

fn post(allow_images: bool) -> Builder<'static> {
    let mut tags: HashSet<&str> = POST_TAGS.into();
    let mut attributes = HashMap::from([
        ("a", HashSet::from(["href", "title"])),
        ("ol", HashSet::from(["start"])),
        // Filtered to `language-*` by `keep_attribute`.
        ("code", HashSet::from(["class"])),
        // `type` is forced below. A raw `<input type=checkbox>` without `disabled` stays a
        // clickable box that does nothing: no form, no script, so harmless.
        ("input", HashSet::from(["checked", "disabled"])),
    ]);
    let mut builder = base(HashSet::new());
    if allow_images {
        tags.insert("img");
        attributes.insert("img", HashSet::from(["src", "alt", "title"]));
        builder.set_tag_attribute_value("img", "loading", "lazy");
    }
    // At most one forced attribute per tag: ammonia keeps them in a randomly ordered map, and
    // two would come out in a different order from run to run (and break the snapshots).
    builder
        .tags(tags)
        .tag_attributes(attributes)
        // Task-list markers: any `<input>` that survives is a checkbox, whatever it said.
        .set_tag_attribute_value("input", "type", "checkbox")
        // A wide code block scrolls; keyboard users must be able to focus it to scroll it
        // (axe: scrollable-region-focusable). Set after cleaning, so it cannot be removed.
        .set_tag_attribute_value("pre", "tabindex", "0");
    builder
}

/// The settings every policy shares; `tags` are the elements kept, all others are unwrapped.
fn base(tags: HashSet<&'static str>) -> Builder<'static> {
    let mut builder = Builder::empty();
    builder
        .tags(tags)
        .clean_content_tags(CLEAN_CONTENT_TAGS.into())
        // No `lang`, `title`, `style`, `class`, `id` or `on*` on arbitrary elements.
        .generic_attributes(HashSet::new())
        .tag_attributes(HashMap::new())
        .url_schemes(URL_SCHEMES.into())
        .url_relative(UrlRelative::PassThrough)
        .link_rel(Some(LINK_REL))
        .strip_comments(true)
        .attribute_filter(keep_attribute);
    builder
}

/// Checks attribute values that the tag/attribute allow-list alone cannot judge.
fn keep_attribute<'v>(element: &str, attribute: &str, value: &'v str) -> Option<Cow<'v, str>> {
    match (element, attribute) {
        // A browser skips control characters inside a URL (and reads `java\x01script:` as a
        // relative path today); the URL parser behind the scheme check may read it differently.
        // A link or image whose address carries one is not worth the doubt.
        ("a", "href") | ("img", "src") if value.chars().any(char::is_control) => None,
        // Images over http would be mixed content, and relative ones could hit our own URLs.
        ("img", "src") if !super::rewrite::is_https(value) => None,
        ("code", "class") if !is_language_class(value) => None,
        _ => Some(Cow::Borrowed(value)),
    }
}

/// Whether a class is `language-` and a name that [`super::rewrite::code_language`] could produce.
fn is_language_class(class: &str) -> bool {
    class
        .strip_prefix("language-")
        .is_some_and(|language| !language.is_empty() && super::rewrite::code_language(language) == language)
}
