//! The query language: free text plus `"phrase"`, `-word`, `tag:`, `user:` and `is:`.
//!
//! Parsing never fails: anything malformed degrades to plain terms, so a visitor's typo never
//! becomes an error page. This module only parses; [`crate::search`] turns the result into
//! tantivy queries.

use crate::document::normalise_name;

/// An `is:` filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// `is:answered`: has at least one answer.
    Answered,
    /// `is:unanswered`: has no answer.
    Unanswered,
    /// `is:official`: has an official answer.
    Official,
    /// `is:accepted`: has an accepted answer.
    Accepted,
    /// `is:closed`: is closed.
    Closed,
}

impl Flag {
    /// Reads the word after `is:`, if it names a known flag.
    pub fn parse(word: &str) -> Option<Flag> {
        match word.to_ascii_lowercase().as_str() {
            "answered" => Some(Flag::Answered),
            "unanswered" => Some(Flag::Unanswered),
            "official" => Some(Flag::Official),
            "accepted" => Some(Flag::Accepted),
            "closed" => Some(Flag::Closed),
            _ => None,
        }
    }
}

/// A search query, parsed into its parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Free words, as typed (the analyzer normalises them at search time).
    pub terms: Vec<String>,
    /// Quoted phrases, as typed.
    pub phrases: Vec<String>,
    /// Words that must not appear (`-word`).
    pub excluded: Vec<String>,
    /// Required tags (`tag:NAME`), lower-cased.
    pub tags: Vec<String>,
    /// Required authors (`user:NAME`), lower-cased; several mean "any of them".
    pub users: Vec<String>,
    /// Required `is:` flags.
    pub flags: Vec<Flag>,
}

impl ParsedQuery {
    /// Parses `input`; never fails.
    pub fn parse(input: &str) -> ParsedQuery {
        let mut query = ParsedQuery::default();
        let mut rest = input;
        loop {
            rest = rest.trim_start();
            if rest.is_empty() {
                break;
            }
            if let Some(after_quote) = rest.strip_prefix('"') {
                rest = query.take_phrase(after_quote, false);
                continue;
            }
            if let Some(after_quote) = rest.strip_prefix("-\"") {
                rest = query.take_phrase(after_quote, true);
                continue;
            }
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            query.take_word(&rest[..end]);
            rest = &rest[end..];
        }
        query
    }

    /// True when the query has nothing that could match text nor any filter.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
            && self.phrases.is_empty()
            && self.excluded.is_empty()
            && self.tags.is_empty()
            && self.users.is_empty()
            && self.flags.is_empty()
    }

    /// True when the query has words or phrases to rank by.
    pub fn has_text(&self) -> bool {
        !self.terms.is_empty() || !self.phrases.is_empty()
    }

    /// Takes a phrase up to its closing quote; an unclosed quote makes the rest plain words.
    fn take_phrase<'a>(&mut self, after_quote: &'a str, excluded: bool) -> &'a str {
        let Some(close) = after_quote.find('"') else {
            for word in after_quote.split_whitespace() {
                self.take_word(word.trim_matches('"'));
            }
            return "";
        };
        let phrase = after_quote[..close].trim();
        if excluded {
            self.excluded.extend(phrase.split_whitespace().map(str::to_string));
        } else if !phrase.is_empty() {
            self.phrases.push(phrase.to_string());
        }
        &after_quote[close + 1..]
    }

    /// Sorts one whitespace-free word into the right bucket.
    fn take_word(&mut self, word: &str) {
        let word = word.trim_matches('"');
        if word.is_empty() {
            return;
        }
        if let Some(excluded) = word.strip_prefix('-') {
            let excluded = excluded.trim_start_matches('-');
            if !excluded.is_empty() {
                self.excluded.push(excluded.to_string());
            }
            return;
        }
        if let Some((key, value)) = word.split_once(':') {
            let value = value.trim();
            let taken = match key.to_ascii_lowercase().as_str() {
                "tag" if !value.is_empty() => {
                    self.tags.push(normalise_name(value));
                    true
                }
                // `user:@` names nobody: like `user:`, it stays a word rather than a filter
                // that matches no one (found by fuzz/, the search_query target).
                "user" if !value.trim_start_matches('@').is_empty() => {
                    self.users.push(normalise_name(value.trim_start_matches('@')));
                    true
                }
                "is" => match Flag::parse(value) {
                    Some(flag) => {
                        if !self.flags.contains(&flag) {
                            self.flags.push(flag);
                        }
                        true
                    }
                    None => false,
                },
                _ => false,
            };
            if taken {
                return;
            }
        }
        self.terms.push(word.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::{Flag, ParsedQuery};

    fn p(input: &str) -> ParsedQuery {
        ParsedQuery::parse(input)
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn plain_words() {
        let q = p("  red   widget rain ");
        assert_eq!(q.terms, strings(&["red", "widget", "rain"]));
        assert!(q.phrases.is_empty());
        assert!(q.has_text());
    }

    #[test]
    fn phrase() {
        let q = p(r#"why "red widget" breaks"#);
        assert_eq!(q.terms, strings(&["why", "breaks"]));
        assert_eq!(q.phrases, strings(&["red widget"]));
    }

    #[test]
    fn phrase_glued_to_words() {
        // A quote inside a word is not a phrase; the analyzer splits such words later.
        let q = p(r#"a"b c"d"#);
        assert_eq!(q.terms, strings(&["a\"b", "c\"d"]));
        assert!(q.phrases.is_empty());
    }

    #[test]
    fn empty_phrase_is_ignored() {
        let q = p(r#"rain "" "   ""#);
        assert_eq!(q.terms, strings(&["rain"]));
        assert!(q.phrases.is_empty());
    }

    #[test]
    fn unbalanced_quote_degrades_to_terms() {
        let q = p(r#"rain "red widget"#);
        assert_eq!(q.terms, strings(&["rain", "red", "widget"]));
        assert!(q.phrases.is_empty());
        let q = p(r#"""#);
        assert!(q.is_empty());
    }

    #[test]
    fn exclusion() {
        let q = p("widget -rain --snow");
        assert_eq!(q.terms, strings(&["widget"]));
        assert_eq!(q.excluded, strings(&["rain", "snow"]));
    }

    #[test]
    fn excluded_phrase_excludes_its_words() {
        let q = p(r#"widget -"red paint""#);
        assert_eq!(q.excluded, strings(&["red", "paint"]));
    }

    #[test]
    fn lone_dash_is_ignored() {
        let q = p("widget - rain -");
        assert_eq!(q.terms, strings(&["widget", "rain"]));
        assert!(q.excluded.is_empty());
    }

    #[test]
    fn tags_and_users_are_lowercased() {
        let q = p("tag:Widgets user:@Fred TAG:rain User:ann");
        assert_eq!(q.tags, strings(&["widgets", "rain"]));
        assert_eq!(q.users, strings(&["fred", "ann"]));
        assert!(q.terms.is_empty());
        assert!(!q.has_text());
        assert!(!q.is_empty());
    }

    #[test]
    fn empty_operator_values_degrade_to_terms() {
        let q = p("tag: user: is:");
        assert_eq!(q.terms, strings(&["tag:", "user:", "is:"]));
        assert!(q.tags.is_empty() && q.users.is_empty() && q.flags.is_empty());
    }

    #[test]
    fn user_of_only_at_signs_degrades_to_term() {
        let q = p("user:@ user:@@ widget");
        assert!(q.users.is_empty());
        assert_eq!(q.terms, strings(&["user:@", "user:@@", "widget"]));
    }

    #[test]
    fn flags() {
        let q = p("is:answered IS:Official is:accepted is:closed is:unanswered is:answered");
        assert_eq!(q.flags, vec![Flag::Answered, Flag::Official, Flag::Accepted, Flag::Closed, Flag::Unanswered]);
    }

    #[test]
    fn unknown_flag_degrades_to_term() {
        let q = p("is:pinned widget");
        assert!(q.flags.is_empty());
        assert_eq!(q.terms, strings(&["is:pinned", "widget"]));
    }

    #[test]
    fn unknown_operator_is_a_term() {
        let q = p("http://example.com foo:bar");
        assert_eq!(q.terms, strings(&["http://example.com", "foo:bar"]));
    }

    #[test]
    fn empty_and_blank() {
        assert!(p("").is_empty());
        assert!(p("   \t\n").is_empty());
    }

    #[test]
    fn unicode_does_not_panic() {
        let q = p("café «naïve» \"ünïcödé\" -é tag:日本");
        assert_eq!(q.phrases, strings(&["ünïcödé"]));
        assert_eq!(q.excluded, strings(&["é"]));
        assert_eq!(q.tags, strings(&["日本"]));
    }

    #[test]
    fn everything_together() {
        let q = p(r#"widget "in the rain" -snow tag:widgets user:fred is:official"#);
        assert_eq!(q.terms, strings(&["widget"]));
        assert_eq!(q.phrases, strings(&["in the rain"]));
        assert_eq!(q.excluded, strings(&["snow"]));
        assert_eq!(q.tags, strings(&["widgets"]));
        assert_eq!(q.users, strings(&["fred"]));
        assert_eq!(q.flags, vec![Flag::Official]);
    }
}
