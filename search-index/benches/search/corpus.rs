//! The synthetic forum the search benchmark indexes (a Zipf-distributed vocabulary of real
//! function words and made-up content words, tags, authors, answers and statuses) and the mix of
//! queries it times.

use guidepost_search::{QuestionDoc, QuestionStatus, Sort};

/// Distinct content words.
pub(crate) const VOCABULARY: usize = 4_000;
/// Distinct tags.
pub(crate) const TAGS: usize = 500;
/// Distinct authors.
pub(crate) const AUTHORS: usize = 20_000;
/// The first question's creation time (2017-01-01) and the span the questions cover (8 years).
pub(crate) const FIRST_CREATED: i64 = 1_483_228_800;
pub(crate) const CREATED_SPAN: i64 = 8 * 365 * 86_400;

/// Common English function words, in roughly their frequency order; they head the Zipf ranking.
pub(crate) const FUNCTION_WORDS: &[&str] = &[
    "the", "to", "a", "i", "is", "and", "in", "of", "it", "how", "do", "for", "with", "on", "what", "can", "my", "not",
    "this", "that", "when", "be", "why", "does", "an", "from", "are", "or", "using", "use", "get", "after", "if",
    "there", "way", "should", "without", "by", "at", "as", "but", "we", "which", "have", "into", "after", "new", "all",
    "one", "so",
];

/// Consonant and vowel clusters that make English-looking words.
pub(crate) const ONSETS: &[&str] = &[
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "br", "cl", "cr", "dr", "fl",
    "gr", "pl", "pr", "sh", "sl", "sp", "st", "str", "th", "tr",
];
pub(crate) const NUCLEI: &[&str] = &["a", "e", "i", "o", "u", "ai", "ea", "ee", "io", "ou", "y"];
pub(crate) const CODAS: &[&str] = &["", "", "", "n", "r", "s", "t", "l", "nd", "ng", "ck", "rt", "st", "ll", "x"];

/// splitmix64: tiny, fast and deterministic; quality is ample for shaping test data.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `low..=high`.
    pub(crate) fn range(&mut self, low: usize, high: usize) -> usize {
        let span = (high - low + 1) as u64;
        low + usize::try_from(self.next() % span).unwrap_or(0)
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `0.0..1.0`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(crate) fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.range(0, items.len() - 1)]
    }
}

/// Draws ranks `0..n` with probability proportional to `1 / (rank + 1)^exponent`, in O(1)
/// through a quantised inverse-CDF table.
pub(crate) struct Zipf {
    table: Vec<u32>,
}

impl Zipf {
    const SLOTS: usize = 1 << 16;

    pub(crate) fn new(n: usize, exponent: f64) -> Zipf {
        let weights: Vec<f64> = (0..n).map(|rank| 1.0 / ((rank + 1) as f64).powf(exponent)).collect();
        let total: f64 = weights.iter().sum();
        let mut table = Vec::with_capacity(Zipf::SLOTS);
        let mut cumulative = 0.0;
        for (rank, weight) in weights.iter().enumerate() {
            cumulative += weight / total;
            let until = ((cumulative * Zipf::SLOTS as f64).round() as usize).min(Zipf::SLOTS);
            while table.len() < until {
                table.push(u32::try_from(rank).unwrap_or(u32::MAX));
            }
        }
        table.resize(Zipf::SLOTS, u32::try_from(n - 1).unwrap_or(u32::MAX));
        Zipf { table }
    }

    pub(crate) fn sample(&self, rng: &mut Rng) -> usize {
        self.table[usize::try_from(rng.next() >> 48).unwrap_or(0)] as usize
    }
}

/// Words, tags and the distributions over them.
pub(crate) struct Lexicon {
    /// Function words first, then made-up content words; Zipf-ranked in this order.
    words: Vec<String>,
    word_ranks: Zipf,
    /// Content words only (no function words), for query terms.
    content_ranks: Zipf,
    tags: Vec<String>,
    tag_ranks: Zipf,
}

impl Lexicon {
    pub(crate) fn new(rng: &mut Rng) -> Lexicon {
        let mut words: Vec<String> = FUNCTION_WORDS.iter().map(|w| (*w).to_string()).collect();
        words.dedup();
        let mut seen: std::collections::HashSet<String> = words.iter().cloned().collect();
        while words.len() < FUNCTION_WORDS.len() + VOCABULARY {
            let syllables = match rng.range(0, 9) {
                0..=2 => 1,
                3..=7 => 2,
                _ => 3,
            };
            let mut word = String::new();
            for _ in 0..syllables {
                word.push_str(rng.pick(ONSETS));
                word.push_str(rng.pick(NUCLEI));
            }
            word.push_str(rng.pick(CODAS));
            if seen.insert(word.clone()) {
                words.push(word);
            }
        }
        let content = words.len() - FUNCTION_WORDS.len();
        let mut tags = Vec::with_capacity(TAGS);
        while tags.len() < TAGS {
            // Tags are content words, some of them two-part ("brake-pads"), as on real sites.
            let tag = if rng.chance(0.3) {
                format!("{}-{}", words[rng.range(60, 1_500)], words[rng.range(60, 1_500)])
            } else {
                words[rng.range(60, 1_500)].clone()
            };
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        Lexicon {
            word_ranks: Zipf::new(words.len(), 1.0),
            content_ranks: Zipf::new(content, 1.0),
            words,
            tags,
            tag_ranks: Zipf::new(TAGS, 1.1),
        }
    }

    pub(crate) fn word(&self, rng: &mut Rng) -> &str {
        &self.words[self.word_ranks.sample(rng)]
    }

    pub(crate) fn content_word(&self, rng: &mut Rng) -> &str {
        &self.words[FUNCTION_WORDS.len() + self.content_ranks.sample(rng)]
    }

    /// `low..=high` words of running text with some punctuation.
    pub(crate) fn text(&self, rng: &mut Rng, low: usize, high: usize) -> String {
        let count = rng.range(low, high);
        let mut text = String::with_capacity(count * 7);
        for i in 0..count {
            if i > 0 {
                text.push_str(match rng.range(0, 99) {
                    0..=5 => ". ",
                    6..=10 => ", ",
                    _ => " ",
                });
            }
            text.push_str(self.word(rng));
        }
        text
    }

    /// A title: a question opener, then content-heavy words; 5 to 15 words in all.
    pub(crate) fn title(&self, rng: &mut Rng) -> String {
        const OPENERS: &[&str] = &["How do I", "Why does my", "What is the", "Can I", "How to", "Is it possible to"];
        let mut title = String::new();
        let mut count = rng.range(5, 15);
        if rng.chance(0.6) {
            let opener = rng.pick(OPENERS);
            title.push_str(opener);
            count = count.saturating_sub(opener.split(' ').count());
        }
        for _ in 0..count.max(2) {
            if !title.is_empty() {
                title.push(' ');
            }
            let word = if rng.chance(0.65) { self.content_word(rng) } else { self.word(rng) };
            title.push_str(word);
        }
        title.push('?');
        title
    }
}

/// The `n`-th synthetic question; the same `n` and seed always give the same question.
pub(crate) fn question(lexicon: &Lexicon, rng: &mut Rng, n: usize, total: usize) -> QuestionDoc {
    let id = n as u64 + 1;
    let answers = match rng.range(0, 99) {
        0..=24 => 0,
        25..=59 => 1,
        60..=84 => 2,
        85..=94 => 3,
        _ => 4,
    };
    let mut doc = QuestionDoc {
        id,
        title: lexicon.title(rng),
        body: lexicon.text(rng, 50, 200),
        tags: Vec::new(),
        author: format!("user{}", rng.range(1, AUTHORS)),
        // Spread over the span in id order, as a real forum's questions are.
        created: FIRST_CREATED + CREATED_SPAN * n as i64 / total.max(1) as i64 + rng.range(0, 3_600) as i64,
        score: match rng.range(0, 99) {
            0..=9 => -(rng.range(1, 3) as i64),
            10..=69 => rng.range(0, 3) as i64,
            70..=97 => rng.range(4, 30) as i64,
            _ => rng.range(31, 500) as i64,
        },
        answer_count: answers,
        answered: answers > 0,
        ..QuestionDoc::default()
    };
    for _ in 0..rng.range(1, 4) {
        let tag = &lexicon.tags[lexicon.tag_ranks.sample(rng)];
        if !doc.tags.contains(tag) {
            doc.tags.push(tag.clone());
        }
    }
    for i in 0..answers {
        let text = lexicon.text(rng, 30, 150);
        if i == 0 && rng.chance(0.08) {
            doc.official = true;
            doc.best_answers.push(text);
        } else if i == 0 && rng.chance(0.45) {
            doc.accepted = true;
            doc.best_answers.push(text);
        } else {
            doc.answers.push(text);
        }
    }
    match rng.range(0, 999) {
        0..=4 => doc.status = QuestionStatus::Deleted,
        5..=24 => {
            doc.status = QuestionStatus::Duplicate;
            doc.closed = true;
        }
        25..=59 => {
            doc.status = QuestionStatus::Closed;
            doc.closed = true;
        }
        _ => {}
    }
    doc
}

/// One query of the mix: what kind it is (for the breakdown), its text and the order asked.
pub(crate) struct Probe {
    pub(crate) kind: &'static str,
    pub(crate) text: String,
    pub(crate) sort: Sort,
}

/// A fixed mix of queries as visitors type them, with the order each asks for.
pub(crate) fn queries(lexicon: &Lexicon, rng: &mut Rng, sample_titles: &[String], count: usize) -> Vec<Probe> {
    const FLAGS: &[&str] = &["is:answered", "is:unanswered", "is:accepted", "is:official", "is:closed"];
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        // `low..=high` content words, space-separated.
        let words = |rng: &mut Rng, low: usize, high: usize| -> String {
            let n = rng.range(low, high);
            (0..n).map(|_| lexicon.content_word(rng)).collect::<Vec<_>>().join(" ")
        };
        let kind = rng.range(0, 99);
        let label = match kind {
            0..=54 => "words",
            55..=64 => "question words",
            65..=74 => "phrase",
            75..=89 => "operators",
            90..=94 => "exclusion",
            _ => "typo",
        };
        let text = match kind {
            // Plain words, 1 to 4.
            0..=54 => words(rng, 1, 4),
            // Typed the way people ask: with function words.
            55..=64 => {
                let opener = rng.pick(&["how to", "what is", "why does", "can i", "how do i"]);
                format!("{opener} {}", words(rng, 1, 3))
            }
            // A phrase lifted from an existing title, sometimes with another word.
            65..=74 => {
                let title = &sample_titles[rng.range(0, sample_titles.len() - 1)];
                let title_words: Vec<&str> = title.trim_end_matches('?').split(' ').collect();
                let len = rng.range(2, 3).min(title_words.len());
                let start = rng.range(0, title_words.len() - len);
                let phrase = title_words[start..start + len].join(" ");
                if rng.chance(0.5) {
                    format!("\"{phrase}\" {}", lexicon.content_word(rng))
                } else {
                    format!("\"{phrase}\"")
                }
            }
            // Operators: a tag or a flag with words, or a tag alone.
            75..=89 => {
                let tag = &lexicon.tags[lexicon.tag_ranks.sample(rng)];
                match rng.range(0, 2) {
                    0 => format!("tag:{tag} {}", words(rng, 1, 2)),
                    1 => format!("{} {}", rng.pick(FLAGS), words(rng, 1, 2)),
                    _ => format!("tag:{tag} {}", rng.pick(FLAGS)),
                }
            }
            // An excluded word.
            90..=94 => format!("{} -{}", words(rng, 2, 2), lexicon.content_word(rng)),
            // A typo in a rarer, longer word: few or no exact matches, so the fuzzy pass runs.
            _ => {
                let mut word = lexicon.content_word(rng).to_string();
                while word.len() < 6 {
                    word = lexicon.words[FUNCTION_WORDS.len() + rng.range(500, VOCABULARY - 1)].clone();
                }
                let at = rng.range(1, word.len() - 2);
                let mut typo: Vec<char> = word.chars().collect();
                typo.swap(at, at + 1);
                typo.into_iter().collect()
            }
        };
        let sort = match rng.range(0, 99) {
            0..=84 => Sort::Relevance,
            85..=94 => Sort::Newest,
            _ => Sort::Votes,
        };
        out.push(Probe { kind: label, text, sort });
    }
    out
}
