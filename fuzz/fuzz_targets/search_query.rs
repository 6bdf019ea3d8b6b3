//! The search box's query language: never panics, and what it parses is well-formed and runs.
//!
//! Checks the parts' invariants (no empty or untrimmed parts, tag and user names already
//! normalised, each flag once), that each part reads back as itself when typed alone, and that
//! the whole query runs against a small in-memory index without an error.

#![no_main]

use std::sync::LazyLock;

use guidepost_search::{search, ParsedQuery, QuestionDoc, SearchIndex, Sort};
use libfuzzer_sys::fuzz_target;

/// A few questions, so that words, phrases, tags and users can match and the fuzzy pass runs.
static INDEX: LazyLock<SearchIndex> = LazyLock::new(|| {
    let index = SearchIndex::in_memory().expect("an in-memory index");
    let mut writer = index.writer().expect("the index's writer");
    let questions = [
        ("Why did my red widget break in the rain?", "It was left outside overnight.", "widgets rain", "fred"),
        ("How do I oil a chain?", "Use a light oil and wipe off the rest.", "chain maintenance", "ann"),
        ("Café «naïve» ünïcödé", "日本 text and émoji 🚲", "日本 unicode", "zoë"),
    ];
    for (id, (title, body, tags, author)) in (1..).zip(questions) {
        let doc = QuestionDoc {
            id,
            title: title.into(),
            body: body.into(),
            answers: vec!["An answer about rain and chains.".into()],
            tags: tags.split(' ').map(str::to_owned).collect(),
            author: author.into(),
            created: 1_700_000_000 + i64::try_from(id).unwrap_or(0),
            answered: id % 2 == 1,
            ..QuestionDoc::default()
        };
        writer.add(&doc).expect("add a question");
    }
    writer.commit_with_cursor(1).expect("commit");
    drop(writer);
    index
});

fuzz_target!(|data: &[u8]| {
    let Some((&selector, text)) = data.split_first() else { return };
    let input = String::from_utf8_lossy(text);
    let query = ParsedQuery::parse(&input);

    for term in &query.terms {
        assert!(!term.is_empty() && !term.contains(char::is_whitespace), "term {term:?}");
        assert!(!term.starts_with(['"', '-']) && !term.ends_with('"'), "term {term:?}");
        assert_eq!(
            ParsedQuery::parse(term).terms,
            std::slice::from_ref(term),
            "term {term:?} does not read back as a term"
        );
    }
    for phrase in &query.phrases {
        assert!(!phrase.is_empty() && phrase.trim() == phrase && !phrase.contains('"'), "phrase {phrase:?}");
        let typed = ParsedQuery::parse(&format!("\"{phrase}\""));
        assert_eq!(typed.phrases, std::slice::from_ref(phrase), "phrase {phrase:?} does not read back");
    }
    for word in &query.excluded {
        assert!(!word.is_empty() && !word.contains(char::is_whitespace), "excluded {word:?}");
    }
    for (kind, names) in [("tag", &query.tags), ("user", &query.users)] {
        for name in names {
            assert!(!name.is_empty(), "empty {kind} name from {input:?}");
            assert!(!name.contains(char::is_whitespace), "{kind} {name:?}");
            assert_eq!(&name.to_lowercase(), name, "{kind} {name:?} is not normalised");
            let typed = ParsedQuery::parse(&format!("{kind}:{name}"));
            let back = if kind == "tag" { typed.tags } else { typed.users };
            assert_eq!(back, std::slice::from_ref(name), "{kind}:{name} does not read back");
        }
    }
    for (i, flag) in query.flags.iter().enumerate() {
        assert!(!query.flags[..i].contains(flag), "flag {flag:?} twice");
    }
    assert_eq!(query.is_empty(), query == ParsedQuery::default());
    if query.is_empty() {
        // Only quotes and dashes may vanish: a word typed must show up somewhere.
        assert!(input.split_whitespace().all(|w| w.trim_matches(['"', '-']).is_empty()), "{input:?} parsed as nothing");
    }

    let sort = match selector % 3 {
        0 => Sort::Relevance,
        1 => Sort::Newest,
        _ => Sort::Votes,
    };
    let offset = usize::from(selector / 3 % 4);
    if let Err(e) = search(&INDEX, &query, sort, offset, 10) {
        panic!("{input:?} parsed as {query:?} fails to run: {e}");
    }
});
