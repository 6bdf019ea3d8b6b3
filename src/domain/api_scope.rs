//! What a personal API token lets a program do on its member's behalf.

use super::text_enum::text_enum;

text_enum! {
    /// One permission of an API token; a token holds one or more.
    pub enum ApiScope {
        /// Read what the member may read (held posts of their own, their watches).
        Read = "read",
        /// Act as the member: ask, answer, comment, vote, accept, edit, flag, watch.
        Write = "write",
        /// Staff work: official answers, endorsing, withdrawing, reviewing, closing.
        Staff = "staff",
    }
}

impl ApiScope {
    /// Whether a token holding `self` may do what `needed` allows: writing and staff work both
    /// need reading what they act on, so either implies `read`.
    pub fn covers(self, needed: ApiScope) -> bool {
        self == needed || needed == ApiScope::Read
    }

    /// Reads a stored, space-separated scope list; unknown words are skipped (a scope retired
    /// by a later version grants nothing).
    pub fn parse_list(stored: &str) -> Vec<ApiScope> {
        stored.split_whitespace().filter_map(ApiScope::from_stored).collect()
    }

    /// The stored form of a scope list: the words in declaration order, space-separated.
    pub fn list_to_stored(scopes: &[ApiScope]) -> String {
        ApiScope::ALL.iter().filter(|s| scopes.contains(s)).map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
    }
}
