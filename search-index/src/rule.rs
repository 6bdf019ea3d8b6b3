//! Keyword rules: a query in the search language, judged against one piece of text instead of the
//! index (a listening post's rule against an item heard elsewhere). Words, phrases and exclusions
//! are read as a search reads them, through the same analyzer, so `widgets` matches "widget" and
//! `"red widget"` matches "Red Widgets". A rule filters where a search ranks: every free word and
//! phrase must be there (a search is content with any), and no excluded word may be.

use std::collections::HashSet;

use crate::analyzer::{analyze, analyze_query_words};
use crate::query::ParsedQuery;

/// One keyword rule, analysed once and judged against many texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeywordRule {
    /// Terms that must all appear.
    words: Vec<String>,
    /// Term sequences that must each appear in order, side by side.
    phrases: Vec<Vec<String>>,
    /// Terms that must not appear.
    excluded: Vec<String>,
}

/// Why a rule cannot be judged against text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// Nothing to look for: no word or phrase (exclusions alone would match almost everything).
    #[error("give at least one word or \"phrase\" to listen for")]
    NothingToMatch,
    /// `tag:`, `user:` and `is:` describe questions here; text from elsewhere has none.
    #[error("tag:, user: and is: filter this forum's questions; text heard elsewhere has none of them")]
    QuestionFilter,
}

impl KeywordRule {
    /// Parses and analyses `rule`; refuses one that could not match text sensibly.
    pub fn parse(rule: &str) -> Result<KeywordRule, RuleError> {
        let query = ParsedQuery::parse(rule);
        if !query.tags.is_empty() || !query.users.is_empty() || !query.flags.is_empty() {
            return Err(RuleError::QuestionFilter);
        }
        let words = analyze_query_words(query.terms.iter().map(String::as_str));
        let phrases: Vec<Vec<String>> =
            query.phrases.iter().map(|phrase| analyze(phrase)).filter(|terms| !terms.is_empty()).collect();
        if words.is_empty() && phrases.is_empty() {
            return Err(RuleError::NothingToMatch);
        }
        let excluded = query.excluded.iter().flat_map(|word| analyze(word)).collect();
        Ok(KeywordRule { words, phrases, excluded })
    }

    /// Whether `text` holds every word and phrase of the rule and none of its exclusions.
    pub fn matches(&self, text: &str) -> bool {
        self.matches_terms(&analyze(text))
    }

    /// [`KeywordRule::matches`] on text already analysed (to judge several rules at one cost).
    pub fn matches_terms(&self, terms: &[String]) -> bool {
        let present: HashSet<&str> = terms.iter().map(String::as_str).collect();
        self.words.iter().all(|word| present.contains(word.as_str()))
            && self.excluded.iter().all(|word| !present.contains(word.as_str()))
            && self.phrases.iter().all(|phrase| terms.windows(phrase.len()).any(|window| window == phrase.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> KeywordRule {
        KeywordRule::parse(text).unwrap()
    }

    #[test]
    fn every_word_must_appear_in_any_form() {
        let rule = rule("widget broken");
        assert!(rule.matches("My widgets are all BROKEN after the update"));
        assert!(!rule.matches("My widget works fine"));
    }

    #[test]
    fn phrases_match_side_by_side_only() {
        let rule = rule("\"red widget\" rain");
        assert!(rule.matches("The Red Widgets stopped working in the rain"));
        assert!(!rule.matches("A red and blue widget in the rain"));
    }

    #[test]
    fn exclusions_veto_a_match() {
        let rule = rule("widget -giveaway -\"press release\"");
        assert!(rule.matches("Widget keeps rebooting"));
        assert!(!rule.matches("Widget giveaway this week"));
        assert!(!rule.matches("Widget maker's press release"));
    }

    #[test]
    fn rules_that_cannot_judge_text_are_refused() {
        assert_eq!(KeywordRule::parse("-spam"), Err(RuleError::NothingToMatch));
        assert_eq!(KeywordRule::parse("   "), Err(RuleError::NothingToMatch));
        assert_eq!(KeywordRule::parse("widget tag:router"), Err(RuleError::QuestionFilter));
        assert_eq!(KeywordRule::parse("widget is:answered"), Err(RuleError::QuestionFilter));
    }

    #[test]
    fn stop_words_alone_still_count() {
        // A rule of only common words keeps them rather than matching everything.
        assert!(rule("the who").matches("The Who played here"));
        assert!(!rule("the who").matches("A band played here"));
    }
}
