//! Reading a feed's items (Atom, RSS 0.x/1.0/2.0 and JSON Feed, through feed-rs) into plain text
//! a rule can be judged against and staff can read. Markup in an item is someone else's: it is
//! reduced to text here and never shown as HTML.

use chrono::NaiveDateTime;

/// Characters of an item's text kept as its excerpt.
pub const EXCERPT_CHARS: usize = 600;
/// Characters of a title kept.
const TITLE_CHARS: usize = 300;
/// Characters of an author's name kept.
const AUTHOR_CHARS: usize = 120;
/// Characters of an item's whole text judged against the rules.
const TEXT_CHARS: usize = 20_000;
/// Items read from one feed; a feed of recent items has far fewer.
pub const MAX_ITEMS: usize = 500;

/// A feed, read.
#[derive(Debug, Clone)]
pub struct ReadFeed {
    /// The feed's own title, if it has one.
    pub title: Option<String>,
    /// Its items, in the feed's order.
    pub items: Vec<Item>,
}

/// One item of a feed, as plain text.
#[derive(Debug, Clone)]
pub struct Item {
    /// Its id in the feed: its own, or made from its link and title.
    pub key: String,
    /// Where it is read (http or https only).
    pub link: Option<String>,
    /// Its title (or the start of its text, when it has none).
    pub title: String,
    /// Its title and text, for the rules.
    pub text: String,
    /// The start of its text.
    pub excerpt: String,
    /// Its first author.
    pub author: Option<String>,
    /// When it was published (or last updated).
    pub published_at: Option<NaiveDateTime>,
}

/// Reads `body` as a feed; fails with a message staff can act on.
pub fn read(body: &[u8]) -> Result<ReadFeed, String> {
    // The id of an item without one is made from its link and title, never at random: an item
    // read again must be known again.
    let parser = feed_rs::parser::Builder::new()
        .id_generator(|links, title, _uri| {
            let link = links.first().map(|link| link.href.as_str()).unwrap_or_default();
            let title = title.as_ref().map(|t| t.content.as_str()).unwrap_or_default();
            if link.is_empty() && title.is_empty() {
                String::new()
            } else {
                format!("{link}\n{title}")
            }
        })
        .build();
    let feed = parser.parse(body).map_err(|e| format!("not a feed this reads (Atom, RSS or JSON Feed): {e}"))?;
    let items = feed.entries.into_iter().take(MAX_ITEMS).filter_map(item).collect();
    Ok(ReadFeed {
        title: feed.title.map(|t| cut(&plain_text(&t.content), TITLE_CHARS)).filter(|t| !t.is_empty()),
        items,
    })
}

fn item(entry: feed_rs::model::Entry) -> Option<Item> {
    let link = entry
        .links
        .iter()
        .find(|link| link.rel.as_deref().is_none_or(|rel| rel == "alternate"))
        .or_else(|| entry.links.first())
        .map(|link| link.href.trim().to_owned())
        .filter(|href| href.starts_with("https://") || href.starts_with("http://"));
    let body = entry
        .content
        .and_then(|content| content.body)
        .or_else(|| entry.summary.as_ref().map(|summary| summary.content.clone()))
        .map(|html| plain_text(&html))
        .unwrap_or_default();
    let title = entry.title.map(|t| plain_text(&t.content)).unwrap_or_default();
    let title = if title.is_empty() { cut(&body, 80) } else { cut(&title, TITLE_CHARS) };
    if entry.id.is_empty() || (title.is_empty() && link.is_none()) {
        return None;
    }
    let text = cut(&format!("{title}\n{body}"), TEXT_CHARS);
    let author =
        entry.authors.first().map(|person| cut(&plain_text(&person.name), AUTHOR_CHARS)).filter(|a| !a.is_empty());
    Some(Item {
        key: cut(&entry.id, 500),
        link,
        title,
        text,
        excerpt: cut(&body, EXCERPT_CHARS),
        author,
        published_at: entry.published.or(entry.updated).map(|at| at.naive_utc()),
    })
}

/// The text of an HTML fragment: tags dropped (scripts and styles with their content), entities
/// read, whitespace collapsed. Plain text passes through (an ampersand in it stays one).
pub fn plain_text(html: &str) -> String {
    // Block boundaries must not glue words together ("<p>one</p><p>two</p>").
    let spaced = html.replace('<', " <");
    let cleaned = ammonia::Builder::empty().clean(&spaced).to_string();
    let text = cleaned
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` cut to at most `max` characters, at a word where one is near, with an ellipsis.
pub fn cut(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let end = text.char_indices().nth(max.saturating_sub(1)).map_or(text.len(), |(at, _)| at);
    let head = &text[..end];
    let head = match head.rfind(' ') {
        Some(space) if space > end / 2 => &head[..space],
        _ => head,
    };
    format!("{}…", head.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_becomes_text() {
        assert_eq!(
            plain_text("<p>Red&nbsp;widget</p><p>broke &amp; <b>died</b></p><script>alert(1)</script>"),
            "Red widget broke & died"
        );
        assert_eq!(plain_text("Fish & chips < 5"), "Fish & chips < 5");
    }

    #[test]
    fn cuts_at_a_word() {
        assert_eq!(cut("one two three four", 10), "one two…");
        assert_eq!(cut("short", 10), "short");
    }

    #[test]
    fn rss_items_without_ids_are_known_again() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>
            <item><title>Widget &lt;b&gt;broke&lt;/b&gt;</title><link>https://blog.example/1</link>
            <description>&lt;p&gt;It broke in the rain&lt;/p&gt;</description></item></channel></rss>"#;
        let first = read(rss).unwrap();
        let again = read(rss).unwrap();
        assert_eq!(first.title.as_deref(), Some("Blog"));
        assert_eq!(first.items[0].key, again.items[0].key);
        assert_eq!(first.items[0].title, "Widget broke");
        assert_eq!(first.items[0].excerpt, "It broke in the rain");
        assert_eq!(first.items[0].link.as_deref(), Some("https://blog.example/1"));
    }

    #[test]
    fn entities_of_a_document_type_are_never_expanded() {
        let laughs = br#"<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY lol "lol">
            <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
            <feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>f</id>
            <entry><id>e1</id><title>Widget &lol3;</title></entry></feed>"#;
        match read(laughs) {
            Ok(feed) => assert!(feed.items.iter().all(|item| !item.text.contains("lollol")), "{:?}", feed.items),
            Err(message) => assert!(message.starts_with("not a feed"), "{message}"),
        }
    }

    #[test]
    fn links_to_other_schemes_are_dropped() {
        let atom = br#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>f</id>
            <entry><id>e1</id><title>Widget</title><link href="javascript:alert(1)"/></entry></feed>"#;
        let read = read(atom).unwrap();
        assert_eq!(read.items[0].link, None);
    }
}
