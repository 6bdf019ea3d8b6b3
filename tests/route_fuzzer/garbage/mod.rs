//! Garbage of every shape for the route fuzzer (tests/route_fuzzer/): path segments, query
//! strings, form fields, bodies in every content type, headers and methods. Everything is drawn
//! from one seeded PRNG, so a failing run replays from its seed; plausible values (real ids,
//! names, tokens, the right password) are mixed in so requests also get past the first check.

mod bodies;
mod headers;
mod values;

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;

pub(crate) use bodies::{body, Body, Csrf};
pub(crate) use headers::{junk_cookies, junk_headers, METHODS};
pub(crate) use values::{encode, id_of, junk_query, junk_segment};

/// What a form field holds, so plausible values can be drawn as well as garbage.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value {
    /// Free text (titles, reasons, notes).
    Text,
    /// Markdown (post and comment bodies).
    Markdown,
    /// Tags, separated by spaces or commas.
    Tags,
    /// An email address.
    Email,
    /// A password.
    Password,
    /// A username or sign-in name.
    Username,
    /// A post, user or other id, or a question's address.
    Id,
    /// A return path.
    Next,
    /// A checkbox.
    Checkbox,
    /// One of a few words.
    OneOf(&'static [&'static str]),
}

/// Real things of the seeded site that make a request plausible.
#[derive(Debug, Default, Clone)]
pub(crate) struct Known {
    /// Ids of every row: posts, comments, users, flags, search log entries.
    pub(crate) ids: Vec<i64>,
    /// The same ids by what they are ids of ("questions", "answers", "comments", "users", ...).
    pub(crate) ids_of: std::collections::BTreeMap<&'static str, Vec<i64>>,
    /// Usernames.
    pub(crate) usernames: Vec<String>,
    /// Email addresses of accounts.
    pub(crate) emails: Vec<String>,
    /// Tag names.
    pub(crate) tags: Vec<String>,
    /// Question slugs.
    pub(crate) slugs: Vec<String>,
    /// Real tokens: email verification, password set and reset, unsubscribe.
    pub(crate) tokens: Vec<String>,
    /// Asset file names.
    pub(crate) assets: Vec<String>,
    /// The password every seeded account has.
    pub(crate) password: String,
}

/// A coin that lands heads with probability `p`.
pub(crate) fn chance(rng: &mut StdRng, p: f64) -> bool {
    rng.random_bool(p)
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    items.choose(rng).unwrap_or_else(|| panic!("picked from an empty list"))
}

fn pick_owned(rng: &mut StdRng, items: &[String], fallback: &str) -> String {
    items.choose(rng).cloned().unwrap_or_else(|| fallback.to_owned())
}
