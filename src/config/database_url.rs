//! The database URL: which backend, decided from the scheme alone, and a display that hides
//! the password so the URL is safe to log.

use std::fmt;
use std::path::PathBuf;

use url::Url;

use super::ConfigError;

/// Which database the forum runs on, decided from the URL scheme alone.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An embedded SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL server, as a libpq connection URL.
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses `sqlite://PATH`, a bare path, or `postgres://` / `postgresql://` URLs.
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        const SETTING: &str = "GUIDEPOST_DATABASE_URL";
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(ConfigError::new(SETTING, "is empty"));
        }
        if let Some(path) = raw.strip_prefix("sqlite://").or_else(|| raw.strip_prefix("sqlite:")) {
            if path.is_empty() {
                return Err(ConfigError::new(SETTING, "sqlite:// needs a file path, e.g. sqlite://data/guidepost.db"));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            let url = Url::parse(raw)
                .map_err(|e| ConfigError::new(SETTING, format!("is not a valid PostgreSQL URL: {e}")))?;
            if url.host_str().is_none_or(str::is_empty) && !url.query_pairs().any(|(k, _)| k == "host") {
                return Err(ConfigError::new(SETTING, "the PostgreSQL URL names no host"));
            }
            return Ok(Self::Postgres(raw.to_owned()));
        }
        match raw.split_once("://") {
            Some((scheme, _)) => Err(ConfigError::new(
                SETTING,
                format!("unsupported database `{scheme}`; use sqlite://PATH or postgres://USER@HOST/DB"),
            )),
            None => Ok(Self::Sqlite(PathBuf::from(raw))),
        }
    }

    /// A short backend name for logs and health output.
    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// Shows the URL with any password replaced, so it is safe to log.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            Self::Postgres(raw) => match Url::parse(raw) {
                Ok(mut url) if url.password().is_some() => {
                    // set_password only fails for URLs that cannot carry one; ours can.
                    let _ = url.set_password(Some("***"));
                    write!(f, "{url}")
                }
                _ => f.write_str(raw),
            },
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_url_schemes() {
        assert_eq!(DatabaseUrl::parse("sqlite:///tmp/x.db").unwrap(), DatabaseUrl::Sqlite("/tmp/x.db".into()));
        assert_eq!(DatabaseUrl::parse("data/x.db").unwrap(), DatabaseUrl::Sqlite("data/x.db".into()));
        assert_eq!(DatabaseUrl::parse("postgresql://u@h/db").unwrap().backend_name(), "postgres");
        let err = DatabaseUrl::parse("mysql://x").unwrap_err();
        assert_eq!(err.setting, "GUIDEPOST_DATABASE_URL");
        assert!(err.message.contains("unsupported database `mysql`"), "{err}");
    }

    #[test]
    fn database_url_display_hides_the_password() {
        let url = DatabaseUrl::parse("postgres://app:hunter2@db.example/forum").unwrap();
        assert_eq!(url.to_string(), "postgres://app:***@db.example/forum");
    }
}
