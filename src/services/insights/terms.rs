//! The words of question titles, counted by week: what customers ask about in their own words,
//! beyond the topics they picked. Each title counts a word once; short and common words are left
//! out.

use std::collections::{BTreeSet, HashMap};

/// Words too common in questions to say what one is about.
const STOP_WORDS: &[&str] = &[
    "about", "after", "again", "all", "also", "and", "any", "are", "because", "been", "before", "but", "can", "cannot",
    "could", "did", "does", "doesn", "doing", "don", "for", "from", "get", "gets", "getting", "had", "has", "have",
    "how", "into", "its", "just", "like", "make", "more", "most", "not", "now", "one", "only", "other", "out",
    "should", "some", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "use", "used",
    "using", "want", "was", "way", "were", "what", "when", "where", "which", "while", "who", "why", "will", "with",
    "without", "would", "you", "your",
];

/// The distinct words of a title worth counting: lower-case, three letters or more, not only
/// digits, not a stop word.
pub fn words(title: &str) -> BTreeSet<String> {
    title
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 3 && !w.chars().all(|c| c.is_ascii_digit()))
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect()
}

/// `(word, titles this week, titles before)` over `(title, asked this week)` pairs.
pub fn count_by_week<'a>(titles: impl IntoIterator<Item = (&'a str, bool)>) -> Vec<(String, i64, i64)> {
    let mut counts: HashMap<String, (i64, i64)> = HashMap::new();
    for (title, this_week) in titles {
        for word in words(title) {
            let entry = counts.entry(word).or_default();
            if this_week {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
        }
    }
    counts.into_iter().map(|(word, (now, before))| (word, now, before)).collect()
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn titles_keep_their_telling_words_once() {
        let found: Vec<String> = words("Why does the Red widget stop? The red WIDGET, in 2026").into_iter().collect();
        assert_eq!(found, ["red", "stop", "widget"]);
    }
}
