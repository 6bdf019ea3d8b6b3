//! `GUIDEPOST_METRICS_TOKEN`: the bearer token Prometheus must send to read `/metrics`. It is a
//! secret, so its `Debug` form is redacted and it is compared only in constant time.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::ConfigError;

/// The fewest characters a token may have: 32 random characters are beyond guessing.
pub const MIN_LENGTH: usize = 32;

/// The token that opens `/metrics`.
#[derive(Clone)]
pub struct MetricsToken {
    digest: [u8; 32],
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(***)")
    }
}

impl MetricsToken {
    /// Judges the configured text; blank means metrics are off. `setting` names it in errors,
    /// which never repeat the value.
    pub(super) fn parse(setting: &str, raw: &str) -> Result<Option<Self>, ConfigError> {
        let token = raw.trim();
        if token.is_empty() {
            return Ok(None);
        }
        if !token.chars().all(|c| c.is_ascii_graphic()) {
            return Err(ConfigError::new(
                setting,
                "must be printable ASCII without spaces (it is sent in an HTTP header)",
            ));
        }
        if token.len() < MIN_LENGTH {
            return Err(ConfigError::new(
                setting,
                format!("must be at least {MIN_LENGTH} characters (e.g. the output of `openssl rand -hex 32`)"),
            ));
        }
        Ok(Some(Self { digest: Sha256::digest(token.as_bytes()).into() }))
    }

    /// Whether `presented` is the token. Both sides are hashed first, so the comparison takes the
    /// same time whatever the presented token's length or its first differing byte.
    pub fn matches(&self, presented: &str) -> bool {
        let presented: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        self.digest.ct_eq(&presented).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn opens_only_for_the_token_itself() {
        let token = MetricsToken::parse("GUIDEPOST_METRICS_TOKEN", TOKEN).ok().flatten();
        let token = token.as_ref();
        assert!(token.is_some_and(|t| t.matches(TOKEN)));
        assert!(token.is_some_and(|t| !t.matches("0123456789abcdef0123456789abcdeF")));
        assert!(token.is_some_and(|t| !t.matches("")));
        assert!(!format!("{token:?}").contains("0123"));
    }

    #[test]
    fn blank_is_off_and_weak_tokens_are_refused() {
        assert!(matches!(MetricsToken::parse("T", "  "), Ok(None)));
        let short = MetricsToken::parse("GUIDEPOST_METRICS_TOKEN", "secret").err().map(|e| e.to_string());
        assert!(short
            .is_some_and(|e| e.starts_with("GUIDEPOST_METRICS_TOKEN: must be at least 32") && !e.contains("secret`")));
        assert!(MetricsToken::parse("T", "0123456789abcdef 0123456789abcdef").is_err());
    }
}
