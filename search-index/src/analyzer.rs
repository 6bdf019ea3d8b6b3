//! The text analyzer shared by indexing and querying: it owns how words become terms.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer, TokenStream,
};
use tantivy::Index;

/// The name under which the English analyzer is registered with an index.
pub const ENGLISH: &str = "guidepost_en";

/// Tokens longer than this (in bytes) are dropped: they are base64 blobs, not words.
const MAX_TOKEN_LEN: usize = 40;

/// Builds the analyzer: simple tokens, long ones dropped, lower-cased, ASCII-folded, stemmed.
pub fn english() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Registers the analyzer with an index; call on every open, tantivy does not persist it.
pub fn register(index: &Index) {
    index.tokenizers().register(ENGLISH, english());
}

/// Runs `text` through the analyzer and returns the terms it produces.
pub fn analyze(text: &str) -> Vec<String> {
    let mut analyzer = english();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::analyze;

    #[test]
    fn stems_english() {
        assert_eq!(analyze("breaks breaking"), vec!["break", "break"]);
        assert_eq!(analyze("Widgets"), vec!["widget"]);
    }

    #[test]
    fn folds_accents_and_case() {
        assert_eq!(analyze("Café"), analyze("cafe"));
    }

    #[test]
    fn drops_long_tokens() {
        let long = "a".repeat(60);
        assert_eq!(analyze(&format!("rain {long}")), vec!["rain"]);
    }
}
