//! The text analyzer shared by indexing and querying: it owns how words become terms.

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, StopWordFilter, TextAnalyzer, TokenStream,
};
use tantivy::Index;

use crate::stemmer::CachedEnglishStemmer;

/// The name under which the English analyzer is registered with an index.
pub const ENGLISH: &str = "guidepost_en";

/// Words that say nothing about what a question is about: Lucene's English stop words, plus
/// the question words, pronouns and auxiliaries every question is made of. Dropped from a
/// query's free words (not from phrases, and never at index time), where in an OR of words they
/// would only match, and make the search visit, nearly every question.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
    "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
    "how", "what", "why", "when", "where", "which", "who", "do", "does", "did", "can", "could", "should", "would", "i",
    "me", "my", "you", "your", "we", "our", "am", "has", "have", "had", "been", "from", "about", "so",
];

/// Tokens longer than this (in bytes) are dropped: they are base64 blobs, not words.
const MAX_TOKEN_LEN: usize = 40;

/// Builds the analyzer: simple tokens, long ones dropped, lower-cased, ASCII-folded, stemmed
/// (through a cache: see [`crate::stemmer`]).
pub fn english() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(CachedEnglishStemmer)
        .build()
}

/// The analyzer with stop words dropped, for a query's free words.
fn english_without_stop_words() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(STOP_WORDS.iter().map(|word| (*word).to_string())))
        .filter(CachedEnglishStemmer)
        .build()
}

/// Registers the analyzer with an index; call on every open, tantivy does not persist it.
pub fn register(index: &Index) {
    index.tokenizers().register(ENGLISH, english());
}

/// Runs `text` through the analyzer and returns the terms it produces.
pub fn analyze(text: &str) -> Vec<String> {
    terms(english(), text)
}

/// The terms of a query's free words: stop words dropped, unless that would leave none.
pub fn analyze_query_words<'a>(words: impl IntoIterator<Item = &'a str> + Clone) -> Vec<String> {
    let meaningful: Vec<String> =
        words.clone().into_iter().flat_map(|w| terms(english_without_stop_words(), w)).collect();
    if meaningful.is_empty() {
        words.into_iter().flat_map(analyze).collect()
    } else {
        meaningful
    }
}

fn terms(mut analyzer: TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{analyze, analyze_query_words};

    #[test]
    fn query_words_drop_stop_words_unless_nothing_is_left() {
        assert_eq!(analyze_query_words(["How", "do", "I", "paint", "the", "widgets?"]), vec!["paint", "widget"]);
        assert_eq!(analyze_query_words(["to", "be", "or", "not"]), vec!["to", "be", "or", "not"]);
        assert!(analyze_query_words(["?!"]).is_empty());
    }

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
