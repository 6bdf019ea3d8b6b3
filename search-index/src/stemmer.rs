//! English stemming that remembers the words it has stemmed.
//!
//! Snowball stemming was a third of the indexing time and most of a results page's (snippets
//! analyse each result's text), and text repeats its words (a few thousand make up most of any
//! forum). So each thread keeps a bounded map from word to stem, shared by every analyzer the
//! thread runs: tantivy clones an analyzer for each snippet, and a cache living in the analyzer
//! would start empty every time. The stems are exactly tantivy's `Stemmer`'s, which this filter
//! calls on a miss; it changes speed only, never a term.

use std::cell::RefCell;
use std::collections::HashMap;

use tantivy::tokenizer::{Language, RawTokenizer, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};

/// Distinct words remembered per thread; past this, new words are stemmed every time.
const REMEMBERED: usize = 20_000;

thread_local! {
    /// This thread's stems, and the stemmer that makes them on a miss.
    static STEMS: RefCell<(HashMap<String, String>, TextAnalyzer)> = RefCell::new((
        HashMap::new(),
        TextAnalyzer::builder(RawTokenizer::default()).filter(Stemmer::new(Language::English)).build(),
    ));
}

/// A token filter stemming English words through a cache.
#[derive(Clone, Copy, Debug, Default)]
pub struct CachedEnglishStemmer;

impl TokenFilter for CachedEnglishStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter { inner: tokenizer }
    }
}

/// The tokenizer [`CachedEnglishStemmer`] wraps around another.
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream { tail: self.inner.token_stream(text) }
    }
}

/// The token stream of [`CachedStemmerFilter`].
pub struct CachedStemmerStream<S> {
    tail: S,
}

impl<S: TokenStream> TokenStream for CachedStemmerStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        STEMS.with_borrow_mut(|(stems, stemmer)| {
            if let Some(stem) = stems.get(&token.text) {
                token.text.clone_from(stem);
                return;
            }
            let stem = {
                let mut stream = stemmer.token_stream(&token.text);
                if stream.advance() {
                    stream.token().text.clone()
                } else {
                    token.text.clone()
                }
            };
            if stems.len() < REMEMBERED {
                stems.insert(std::mem::replace(&mut token.text, stem.clone()), stem);
            } else {
                token.text = stem;
            }
        });
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::CachedEnglishStemmer;
    use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer, TokenStream};

    fn terms(mut analyzer: TextAnalyzer, text: &str) -> Vec<String> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push(token.text.clone());
        }
        out
    }

    #[test]
    fn stems_exactly_like_tantivy_twice_over() {
        let text = "Breaking widgets broke; the widget's breakers were breaking generously, happily running runs";
        let plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build();
        let mut cached =
            TextAnalyzer::builder(SimpleTokenizer::default()).filter(LowerCaser).filter(CachedEnglishStemmer).build();
        let expected = terms(plain, text);
        // The second pass is served from the cache.
        for _ in 0..2 {
            let mut stream = cached.token_stream(text);
            let mut got = Vec::new();
            while let Some(token) = stream.next() {
                got.push(token.text.clone());
            }
            assert_eq!(got, expected);
        }
    }
}
