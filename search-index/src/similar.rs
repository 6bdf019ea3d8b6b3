//! "Has this been asked before?": questions whose words resemble a title being typed, and a
//! measure of how closely another title covers it.

use std::collections::BTreeSet;

use tantivy::tokenizer::{LowerCaser, SimpleTokenizer, StopWordFilter, TextAnalyzer, TokenStream};

use crate::analyzer;
use crate::error::SearchError;
use crate::index::SearchIndex;
use crate::query::ParsedQuery;
use crate::search::{best_matches, Hit};

/// Words that say nothing about a question's subject: function words plus the way questions
/// are phrased ("how do I", "is there a way to"). Lucene's English list lacks the latter.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "am", "an", "and", "any", "anyone", "are", "as", "at", "be", "been", "but",
    "by", "can", "could", "did", "do", "does", "doing", "for", "from", "get", "getting", "had", "has", "have", "help",
    "how", "i", "if", "in", "into", "is", "it", "its", "i'm", "me", "my", "need", "no", "not", "of", "on", "or", "our",
    "please", "possible", "question", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "to", "use", "using", "was", "way", "we", "what", "when", "where", "which",
    "while", "who", "why", "will", "with", "would", "you", "your",
];

/// Questions resembling `text` (a title, usually), best first, without `exclude`.
///
/// The text is taken as plain words: quotes, `-` and `tag:` in a title are not operators here.
pub fn similar(index: &SearchIndex, text: &str, exclude: Option<u64>, limit: usize) -> Result<Vec<Hit>, SearchError> {
    let terms = meaningful_words(text);
    if terms.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let query = ParsedQuery { terms, ..ParsedQuery::default() };
    let hits = best_matches(index, &query, limit + 1)?;
    Ok(hits.into_iter().filter(|hit| Some(hit.id) != exclude).take(limit).collect())
}

/// The share (0 to 1) of `typed`'s meaningful words that `other` also contains, after
/// stemming and folding; 0 when `typed` has no meaningful words.
pub fn coverage(typed: &str, other: &str) -> f32 {
    let wanted = content_terms(typed);
    if wanted.is_empty() {
        return 0.0;
    }
    let found = content_terms(other);
    let shared = wanted.intersection(&found).count();
    #[expect(clippy::cast_precision_loss, reason = "titles have a handful of words")]
    let share = shared as f32 / wanted.len() as f32;
    share
}

/// The distinct stemmed terms of `text`, English stop words left out.
fn content_terms(text: &str) -> BTreeSet<String> {
    analyzer::analyze(&meaningful_words(text).join(" ")).into_iter().collect()
}

/// The words of `text`, lower-cased, stop words left out; not yet stemmed (the stop list is not).
fn meaningful_words(text: &str) -> Vec<String> {
    let stop_words = StopWordFilter::remove(STOP_WORDS.iter().map(|w| (*w).to_owned()));
    let mut words = TextAnalyzer::builder(SimpleTokenizer::default()).filter(LowerCaser).filter(stop_words).build();
    let mut stream = words.token_stream(text);
    let mut kept = Vec::new();
    while let Some(token) = stream.next() {
        kept.push(token.text.clone());
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::{content_terms, coverage};

    #[test]
    fn stop_words_do_not_count() {
        assert!(!content_terms("How do I reset the router").contains("how"));
        assert!(content_terms("How do I reset the router").contains("router"));
    }

    #[test]
    fn coverage_is_a_share_of_the_typed_words() {
        assert!((coverage("reset my router", "How to reset a router?") - 1.0).abs() < f32::EPSILON);
        assert!((coverage("reset my router password", "Router reset") - 2.0 / 3.0).abs() < 0.01);
        assert!(coverage("the a of", "anything").abs() < f32::EPSILON);
    }
}
