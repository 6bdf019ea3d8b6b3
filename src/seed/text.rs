//! Synthetic forum text with realistic shapes: question-like titles of 5 to 15 words, Markdown
//! bodies with paragraphs, lists and code blocks, short comments, and names. Words are drawn with
//! a Zipf-like skew, as in real text, so search sees common and rare terms.

use rand::rngs::StdRng;
use rand::Rng;

/// Nouns of a support forum's world.
const NOUNS: &[&str] = &[
    "router",
    "printer",
    "laptop",
    "battery",
    "charger",
    "widget",
    "account",
    "password",
    "invoice",
    "license",
    "server",
    "database",
    "backup",
    "update",
    "driver",
    "screen",
    "keyboard",
    "mouse",
    "cable",
    "adapter",
    "network",
    "firewall",
    "certificate",
    "email",
    "calendar",
    "meeting",
    "badge",
    "door",
    "parking",
    "heating",
    "thermostat",
    "coffee",
    "machine",
    "phone",
    "headset",
    "camera",
    "microphone",
    "speaker",
    "monitor",
    "dock",
    "tablet",
    "app",
    "browser",
    "plugin",
    "extension",
    "report",
    "dashboard",
    "export",
    "import",
    "spreadsheet",
    "document",
    "folder",
    "file",
    "permission",
    "role",
    "group",
    "token",
    "session",
    "cookie",
    "cache",
    "proxy",
    "domain",
    "subscription",
    "refund",
    "order",
    "shipment",
    "warranty",
    "repair",
    "firmware",
    "sensor",
    "valve",
    "pump",
    "filter",
    "engine",
    "brake",
    "tire",
    "chain",
    "pedal",
    "saddle",
    "wheel",
    "frame",
    "helmet",
    "light",
    "lock",
    "key",
    "card",
    "reader",
    "scanner",
    "label",
    "queue",
    "ticket",
    "timeout",
    "error",
    "warning",
    "crash",
    "freeze",
    "login",
    "signup",
    "profile",
];
/// Verbs.
const VERBS: &[&str] = &[
    "reset",
    "install",
    "configure",
    "update",
    "remove",
    "connect",
    "disconnect",
    "restart",
    "enable",
    "disable",
    "export",
    "import",
    "sync",
    "share",
    "print",
    "scan",
    "charge",
    "replace",
    "repair",
    "clean",
    "move",
    "rename",
    "recover",
    "renew",
    "cancel",
    "change",
    "upgrade",
    "downgrade",
    "migrate",
    "verify",
    "unlock",
    "block",
    "track",
];
/// Adjectives and other modifiers.
const ADJECTIVES: &[&str] = &[
    "new",
    "old",
    "broken",
    "slow",
    "wireless",
    "shared",
    "default",
    "corporate",
    "personal",
    "external",
    "internal",
    "secondary",
    "main",
    "blank",
    "missing",
    "duplicate",
    "expired",
    "locked",
    "red",
    "blue",
    "noisy",
    "hot",
    "cold",
    "wet",
    "loose",
    "stuck",
    "empty",
    "full",
    "encrypted",
    "public",
    "private",
    "legacy",
    "latest",
    "weekly",
    "daily",
];
/// Places and circumstances.
const CONTEXTS: &[&str] = &[
    "after the update",
    "on the second floor",
    "in the rain",
    "overnight",
    "on Mondays",
    "from home",
    "behind the proxy",
    "on a new laptop",
    "after a power cut",
    "with two monitors",
    "in the mobile app",
    "since last week",
    "when travelling",
    "during meetings",
    "on the guest network",
    "after a restart",
    "in dark mode",
    "at startup",
];
/// First names for members.
const FIRST: &[&str] = &[
    "Ann", "Bob", "Carol", "Dave", "Erin", "Fred", "Gus", "Hana", "Ivan", "Jia", "Kofi", "Lena", "Mia", "Noor", "Omar",
    "Pia", "Quinn", "Ravi", "Sara", "Tom", "Uma", "Vera", "Wilma", "Xavi", "Yara", "Zoe",
];
/// Last names for members.
const LAST: &[&str] = &[
    "Smith", "Garcia", "Müller", "Rossi", "Kowalski", "Nguyen", "Okafor", "Silva", "Tanaka", "Dubois", "Jensen",
    "Novak", "Haddad", "Kim", "Olsen", "Moreau", "Singh", "Costa", "Ivanova", "Berg",
];

/// Draws an index below `n` with a Zipf-like skew: small indexes are much more likely.
pub fn zipf(rng: &mut StdRng, n: usize) -> usize {
    // Inverse transform of a continuous 1/x density over [1, n+1): cheap and close to Zipf(1).
    let u: f64 = rng.random();
    #[expect(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "small n")]
    let index = ((n as f64 + 1.0).powf(u) - 1.0) as usize;
    index.min(n.saturating_sub(1))
}

fn pick<'a>(rng: &mut StdRng, words: &[&'a str]) -> &'a str {
    words[zipf(rng, words.len())]
}

/// A question title of 5 to 15 words.
pub fn title(rng: &mut StdRng) -> String {
    let noun = pick(rng, NOUNS);
    let other = pick(rng, NOUNS);
    let verb = pick(rng, VERBS);
    let adjective = pick(rng, ADJECTIVES);
    let context = pick(rng, CONTEXTS);
    let title = match rng.random_range(0..6) {
        0 => format!("How do I {verb} the {adjective} {noun} {context}?"),
        1 => format!("Why does my {noun} stop working {context}?"),
        2 => format!("Cannot {verb} {noun} with a {adjective} {other}"),
        3 => format!("{adjective} {noun} shows an error when I {verb} the {other}", adjective = capitalize(adjective)),
        4 => format!("Is it possible to {verb} a {noun} without the {other}?"),
        _ => format!("What is the right way to {verb} the {noun} and {other} {context}?"),
    };
    title
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

fn sentence(rng: &mut StdRng) -> String {
    let words = rng.random_range(8..20);
    let mut out = capitalize(pick(rng, &["the", "my", "our", "this", "every", "a"]));
    for i in 0..words {
        out.push(' ');
        out.push_str(match i % 4 {
            0 => pick(rng, ADJECTIVES),
            1 => pick(rng, NOUNS),
            2 => pick(rng, VERBS),
            _ => pick(rng, &["the", "and", "with", "after", "before", "on", "in", "when", "but", "so"]),
        });
    }
    out.push('.');
    out
}

/// One block of a post body, as Markdown.
pub fn block(rng: &mut StdRng) -> String {
    match rng.random_range(0..10) {
        0 => {
            let verb = pick(rng, VERBS);
            let noun = pick(rng, NOUNS);
            format!(
                "```sh\n$ guidectl {verb} --{noun} {}\nerror: {noun} not found ({})\n```",
                rng.random_range(1..999),
                rng.random_range(100..600)
            )
        }
        1 => (0..rng.random_range(2..5)).map(|_| format!("- {}", sentence(rng))).collect::<Vec<_>>().join("\n"),
        2 => (1..rng.random_range(3..6)).map(|n| format!("{n}. {}", sentence(rng))).collect::<Vec<_>>().join("\n"),
        _ => {
            let sentences: Vec<String> = (0..rng.random_range(2..6)).map(|_| sentence(rng)).collect();
            let mut text = sentences.join(" ");
            if rng.random_range(0..4) == 0 {
                let noun = pick(rng, NOUNS);
                text.push_str(&format!(" The `{noun}` setting is **not** the problem."));
            }
            text
        }
    }
}

/// A short comment.
pub fn comment(rng: &mut StdRng) -> String {
    match rng.random_range(0..4) {
        0 => format!("Did you try to {} the {} first?", pick(rng, VERBS), pick(rng, NOUNS)),
        1 => format!("Same here with the {} {}.", pick(rng, ADJECTIVES), pick(rng, NOUNS)),
        2 => "Thanks, that fixed it for me.".to_owned(),
        _ => format!("Which version of the {} is this?", pick(rng, NOUNS)),
    }
}

/// A member's display name.
pub fn person(rng: &mut StdRng) -> String {
    format!("{} {}", FIRST[rng.random_range(0..FIRST.len())], LAST[rng.random_range(0..LAST.len())])
}

/// Tag names: nouns first (the popular ones), then noun pairs, as many as asked.
pub fn tag_names(count: usize) -> Vec<String> {
    let mut names: Vec<String> = NOUNS.iter().map(|n| (*n).to_owned()).collect();
    'pairs: for a in NOUNS {
        for b in VERBS {
            if names.len() >= count {
                break 'pairs;
            }
            names.push(format!("{a}-{b}"));
        }
    }
    names.truncate(count);
    names
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn titles_have_question_shapes() {
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..200 {
            let t = title(&mut rng);
            let words = t.split_whitespace().count();
            assert!((5..=15).contains(&words), "{t}");
            assert!((15..=150).contains(&t.chars().count()), "{t}");
        }
    }

    #[test]
    fn zipf_prefers_small_indexes() {
        let mut rng = StdRng::seed_from_u64(2);
        let draws: Vec<usize> = (0..10_000).map(|_| zipf(&mut rng, 500)).collect();
        let head = draws.iter().filter(|i| **i < 10).count();
        let tail = draws.iter().filter(|i| **i >= 490).count();
        assert!(head > 10 * tail.max(1), "{head} {tail}");
        assert!(draws.iter().all(|i| *i < 500));
    }

    #[test]
    fn same_seed_same_text() {
        let a: Vec<String> = (0..5).map(|_| title(&mut StdRng::seed_from_u64(7))).collect();
        let b: Vec<String> = (0..5).map(|_| title(&mut StdRng::seed_from_u64(7))).collect();
        assert_eq!(a, b);
    }
}
