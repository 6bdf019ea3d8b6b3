//! Highlighted snippets for a results page: HTML-escaped text with matched words in `<b>`.
//!
//! The caller passes the title and body text it already loaded for the page, so the index need
//! not store bodies. Output is escaped by tantivy (or by [`escape`] for the fallback) and safe
//! to print unescaped.

use tantivy::query::{AllQuery, Query};
use tantivy::snippet::SnippetGenerator;

use crate::error::SearchError;
use crate::index::SearchIndex;
use crate::query::ParsedQuery;
use crate::search::build;

/// Builds title and body snippets for one query; make one per results page.
pub struct Highlighter {
    title: SnippetGenerator,
    body: SnippetGenerator,
    max_chars: usize,
}

impl std::fmt::Debug for Highlighter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Highlighter").field("max_chars", &self.max_chars).finish_non_exhaustive()
    }
}

impl Highlighter {
    /// Prepares highlighting of `query`'s words; body snippets are at most `max_chars` long.
    pub fn new(index: &SearchIndex, query: &ParsedQuery, max_chars: usize) -> Result<Highlighter, SearchError> {
        let searcher = index.searcher();
        let fields = index.fields();
        let query: Box<dyn Query> = build(fields, query, false).map_or(Box::new(AllQuery), |built| built.matching());
        let mut title = SnippetGenerator::create(&searcher, query.as_ref(), fields.title)?;
        title.set_max_num_chars(TITLE_MAX_CHARS);
        let mut body = SnippetGenerator::create(&searcher, query.as_ref(), fields.body)?;
        body.set_max_num_chars(max_chars);
        Ok(Highlighter { title, body, max_chars })
    }

    /// The whole title as HTML, matched words in `<b>`.
    pub fn title(&self, title: &str) -> String {
        let snippet = self.title.snippet(title);
        // The fragment runs from the first to the last matched token; put back what surrounds it.
        match title.find(snippet.fragment()) {
            Some(start) if !snippet.highlighted().is_empty() => {
                let end = start + snippet.fragment().len();
                format!("{}{}{}", escape(&title[..start]), snippet.to_html(), escape(&title[end..]))
            }
            _ => render(&self.title, title, TITLE_MAX_CHARS),
        }
    }

    /// The best fragment of the body as HTML, or its beginning when no word matched.
    pub fn body(&self, body: &str) -> String {
        render(&self.body, body, self.max_chars)
    }
}

/// Titles are short: one fragment this long covers the whole title.
const TITLE_MAX_CHARS: usize = 500;

/// The highlighted fragment, or the escaped start of `text` when nothing matched.
fn render(generator: &SnippetGenerator, text: &str, max_chars: usize) -> String {
    let snippet = generator.snippet(text);
    if snippet.highlighted().is_empty() {
        let end = text.char_indices().nth(max_chars).map_or(text.len(), |(i, _)| i);
        return escape(&text[..end]);
    }
    snippet.to_html()
}

/// Escapes text for HTML, like tantivy does for snippet fragments.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{escape, Highlighter};
    use crate::{ParsedQuery, QuestionDoc, SearchIndex};

    fn index() -> SearchIndex {
        let index = SearchIndex::in_memory().unwrap();
        let mut writer = index.writer().unwrap();
        writer
            .upsert(&QuestionDoc {
                id: 1,
                title: "Why did my red widget break?".into(),
                body: "It broke in the rain.".into(),
                ..QuestionDoc::default()
            })
            .unwrap();
        writer.commit_with_cursor(1).unwrap();
        index
    }

    #[test]
    fn highlights_matched_words() {
        let index = index();
        let h = Highlighter::new(&index, &ParsedQuery::parse("widgets rain red"), 100).unwrap();
        assert_eq!(h.title("Why did my red widget break?"), "Why did my <b>red</b> <b>widget</b> break?");
        assert_eq!(h.title("Red & <widgets>!"), "<b>Red</b> &amp; &lt;<b>widgets</b>&gt;!");
        assert!(h.body("<i>Wet</i> rain & wind").contains("<b>rain</b> &amp; wind"));
    }

    #[test]
    fn falls_back_to_escaped_start() {
        let index = index();
        let h = Highlighter::new(&index, &ParsedQuery::parse("tag:x"), 5).unwrap();
        assert_eq!(h.title("a <b> title"), "a &lt;b&gt; title");
        assert_eq!(h.body("héllo world"), "héllo");
    }

    #[test]
    fn escapes() {
        assert_eq!(escape(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;");
    }
}
