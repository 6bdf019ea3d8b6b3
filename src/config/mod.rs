//! Typed configuration, read once at start-up.
//!
//! Sources, weakest first: built-in defaults, the optional `guidepost.toml`, `GUIDEPOST_*`
//! environment variables, then command-line flags. Every problem is reported as one
//! [`ConfigError`] naming the setting, so `main` can print a single clear line and exit.
//! This module reads files and the environment only through the arguments it is given.

mod database_url;
mod moderation;

use std::collections::HashMap;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use url::Url;

pub use database_url::DatabaseUrl;
pub use moderation::ModerationConfig;

/// A configuration problem, naming the setting at fault.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct ConfigError {
    /// The environment variable (or file) the user should look at.
    pub setting: String,
    /// What is wrong with it, in plain words.
    pub message: String,
}

impl ConfigError {
    pub(crate) fn new(setting: &str, message: impl Into<String>) -> Self {
        Self { setting: setting.to_owned(), message: message.into() }
    }
}

/// The forum's configuration, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the data lives.
    pub database_url: DatabaseUrl,
    /// Connections kept in the pool.
    pub db_pool_size: u32,
    /// Socket address the HTTP server listens on.
    pub bind: SocketAddr,
    /// Folder for runtime data: the SQLite file, the search index, outgoing mail.
    pub data_dir: PathBuf,
    /// The public URL of the site, without a trailing slash; used for links in pages and mail.
    pub base_url: Url,
    /// The forum's name, shown in the header and page titles.
    pub site_name: String,
    /// Folder served under `/assets/` when it exists; otherwise copies built into the binary.
    pub assets_dir: PathBuf,
    /// Secret for signing and encrypting cookies; when `None` one is kept in the data dir.
    pub secret_key: Option<String>,
    /// Run pending migrations when `serve` starts.
    pub auto_migrate: bool,
    /// Where mail goes: `smtp://`, `smtps://`, `file://DIR` or `memory://` (interpreted by `mail`).
    pub mail_url: String,
    /// The `From` header of every message.
    pub mail_from: String,
    /// Members must verify their email address before they may post.
    pub require_verified_email: bool,
    /// Trust `X-Forwarded-For` / `Forwarded` for the client address (only behind a proxy you run).
    pub behind_proxy: bool,
    /// Show images in posts (https sources only); off strips them.
    pub allow_images: bool,
    /// Anti-spam and moderation rules.
    pub moderation: ModerationConfig,
    /// How long a node may answer anonymous visitors from its copy of a page; zero turns it off.
    pub page_cache_seconds: u32,
    /// Searches, similar-question look-ups, previews and sitemaps one client may ask this node
    /// for per minute (a visitor by address, a member by account); zero turns the limit off.
    pub heavy_requests_per_minute: u32,
}

impl Config {
    /// True when the site is served over https, so cookies must be `Secure`.
    pub fn is_https(&self) -> bool {
        self.base_url.scheme() == "https"
    }

    /// The base URL as a string without the trailing slash, for building absolute links.
    pub fn base_url_str(&self) -> &str {
        self.base_url.as_str().trim_end_matches('/')
    }
}

/// Values given on the command line; each one beats the environment and the file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--database-url`
    pub database_url: Option<String>,
    /// `--data-dir`
    pub data_dir: Option<PathBuf>,
    /// `--bind`
    pub bind: Option<String>,
    /// `--base-url`
    pub base_url: Option<String>,
    /// `--no-migrate` (as `Some(false)`)
    pub auto_migrate: Option<bool>,
}

/// The shape of `guidepost.toml`: every key optional, unknown keys rejected.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    db_pool_size: Option<u32>,
    bind: Option<String>,
    data_dir: Option<PathBuf>,
    base_url: Option<String>,
    site_name: Option<String>,
    assets_dir: Option<PathBuf>,
    secret_key: Option<String>,
    auto_migrate: Option<bool>,
    mail_url: Option<String>,
    mail_from: Option<String>,
    require_verified_email: Option<bool>,
    behind_proxy: Option<bool>,
    allow_images: Option<bool>,
    moderation: Option<moderation::ModerationFile>,
    page_cache_seconds: Option<u32>,
    heavy_requests_per_minute: Option<u32>,
}

/// A source of environment variables; the real process environment or a test's map.
pub type Env = HashMap<String, String>;

/// Reads the process environment, keeping only our variables.
pub fn process_env() -> Env {
    std::env::vars().filter(|(k, _)| k.starts_with("GUIDEPOST_")).collect()
}

impl Config {
    /// Builds the configuration from all sources, weakest first.
    pub fn load(config_file: Option<&Path>, env: &Env, overrides: Overrides) -> Result<Self, ConfigError> {
        let file = match config_file {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let pick = |key: &str, from_file: Option<String>| -> Option<(String, String)> {
            let var = format!("GUIDEPOST_{key}");
            env.get(&var).cloned().map(|v| (var.clone(), v)).or(from_file.map(|v| (var, v)))
        };

        let data_dir = overrides
            .data_dir
            .or_else(|| pick("DATA_DIR", None).map(|(_, v)| PathBuf::from(v)))
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));

        let database_url = match overrides
            .database_url
            .map(|v| ("--database-url".to_owned(), v))
            .or_else(|| pick("DATABASE_URL", file.database_url))
        {
            Some((_, raw)) => DatabaseUrl::parse(&raw)?,
            None => DatabaseUrl::Sqlite(data_dir.join("guidepost.db")),
        };

        let db_pool_size = match pick("DB_POOL_SIZE", file.db_pool_size.map(|n| n.to_string())) {
            Some((var, raw)) => match raw.trim().parse::<u32>() {
                Ok(n) if (1..=512).contains(&n) => n,
                _ => return Err(ConfigError::new(&var, format!("`{raw}` is not a pool size between 1 and 512"))),
            },
            None => 16,
        };

        let (bind_setting, bind_raw) = overrides
            .bind
            .map(|v| ("--bind".to_owned(), v))
            .or_else(|| pick("BIND", file.bind))
            .unwrap_or_else(|| ("GUIDEPOST_BIND".to_owned(), "127.0.0.1:8080".to_owned()));
        let bind = parse_bind(&bind_setting, &bind_raw)?;

        let base_url = match overrides
            .base_url
            .map(|v| ("--base-url".to_owned(), v))
            .or_else(|| pick("BASE_URL", file.base_url))
        {
            Some((setting, raw)) => parse_base_url(&setting, &raw)?,
            None => default_base_url(bind)?,
        };

        let site_name = pick("SITE_NAME", file.site_name).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
        let site_name = if site_name.is_empty() { "Guidepost".to_owned() } else { site_name };
        if site_name.chars().count() > 80 {
            return Err(ConfigError::new("GUIDEPOST_SITE_NAME", "is longer than 80 characters"));
        }

        let assets_dir = pick("ASSETS_DIR", None)
            .map(|(_, v)| PathBuf::from(v))
            .or(file.assets_dir)
            .unwrap_or_else(|| PathBuf::from("assets"));

        let secret_key = match pick("SECRET_KEY", file.secret_key) {
            Some((var, key)) if key.len() < 32 => {
                return Err(ConfigError::new(&var, "must be at least 32 characters (64 random bytes recommended)"))
            }
            Some((_, key)) => Some(key),
            None => None,
        };

        let auto_migrate = match overrides.auto_migrate {
            Some(flag) => flag,
            None => match pick("AUTO_MIGRATE", file.auto_migrate.map(|b| b.to_string())) {
                Some((var, raw)) => parse_bool(&var, &raw)?,
                None => true,
            },
        };

        let mail_url = pick("MAIL_URL", file.mail_url)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_else(|| format!("file://{}", data_dir.join("mail").display()));
        let mail_from = match pick("MAIL_FROM", file.mail_from) {
            Some((var, raw)) => {
                let raw = raw.trim().to_owned();
                if !raw.contains('@') || raw.contains(['\r', '\n']) {
                    return Err(ConfigError::new(
                        &var,
                        format!("`{raw}` is not an address like Support <help@example.com>"),
                    ));
                }
                raw
            }
            None => format!("{site_name} <noreply@{}>", base_url.host_str().unwrap_or("localhost")),
        };
        let require_verified_email =
            match pick("REQUIRE_VERIFIED_EMAIL", file.require_verified_email.map(|b| b.to_string())) {
                Some((var, raw)) => parse_bool(&var, &raw)?,
                None => true,
            };
        let behind_proxy = match pick("BEHIND_PROXY", file.behind_proxy.map(|b| b.to_string())) {
            Some((var, raw)) => parse_bool(&var, &raw)?,
            None => false,
        };

        let allow_images = match pick("ALLOW_IMAGES", file.allow_images.map(|b| b.to_string())) {
            Some((var, raw)) => parse_bool(&var, &raw)?,
            None => true,
        };

        let moderation = ModerationConfig::load(file.moderation.unwrap_or_default(), &pick)?;
        let page_cache_seconds = match pick("PAGE_CACHE_SECONDS", file.page_cache_seconds.map(|n| n.to_string())) {
            Some((var, raw)) => match raw.trim().parse::<u32>() {
                Ok(n) if n <= 3_600 => n,
                _ => return Err(ConfigError::new(&var, format!("`{raw}` is not a number of seconds from 0 to 3600"))),
            },
            None => 2,
        };
        let heavy_requests_per_minute =
            match pick("HEAVY_REQUESTS_PER_MINUTE", file.heavy_requests_per_minute.map(|n| n.to_string())) {
                Some((var, raw)) => match raw.trim().parse::<u32>() {
                    Ok(n) if n <= 1_000_000 => n,
                    _ => return Err(ConfigError::new(&var, format!("`{raw}` is not a number from 0 to 1000000"))),
                },
                None => 120,
            };

        Ok(Self {
            database_url,
            db_pool_size,
            bind,
            data_dir,
            base_url,
            site_name,
            assets_dir,
            secret_key,
            auto_migrate,
            mail_url,
            mail_from,
            require_verified_email,
            behind_proxy,
            allow_images,
            moderation,
            page_cache_seconds,
            heavy_requests_per_minute,
        })
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let setting = format!("--config {}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::new(&setting, format!("cannot read: {e}")))?;
    toml::from_str(&text).map_err(|e| ConfigError::new(&setting, e.message().to_owned()))
}

fn parse_bind(setting: &str, raw: &str) -> Result<SocketAddr, ConfigError> {
    let invalid = || ConfigError::new(setting, format!("`{raw}` is not an address like 127.0.0.1:8080"));
    match raw.trim().to_socket_addrs() {
        Ok(mut addrs) => addrs.next().ok_or_else(invalid),
        Err(_) => Err(invalid()),
    }
}

fn parse_base_url(setting: &str, raw: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(raw.trim()).map_err(|e| ConfigError::new(setting, format!("`{raw}` is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ConfigError::new(setting, format!("`{raw}` must be an http:// or https:// URL with a host")));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ConfigError::new(setting, "must not have a query or fragment"));
    }
    Ok(url)
}

fn default_base_url(bind: SocketAddr) -> Result<Url, ConfigError> {
    // A wildcard bind address is not something a browser can visit; point at loopback instead.
    let host = match bind.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_owned(),
        ip if ip.is_unspecified() => "[::1]".to_owned(),
        ip if ip.is_ipv6() => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    parse_base_url("GUIDEPOST_BASE_URL", &format!("http://{host}:{}", bind.port()))
}

fn parse_bool(setting: &str, raw: &str) -> Result<bool, ConfigError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::new(setting, format!("`{raw}` is not true or false"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn defaults_are_a_local_sqlite_site() {
        let config = Config::load(None, &Env::new(), Overrides::default()).unwrap();
        assert_eq!(config.database_url, DatabaseUrl::Sqlite(PathBuf::from("data/guidepost.db")));
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.base_url_str(), "http://127.0.0.1:8080");
        assert_eq!(config.site_name, "Guidepost");
        assert!(config.auto_migrate);
    }

    #[test]
    fn flags_beat_env_which_beats_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("guidepost.toml");
        std::fs::write(&file, "bind = \"127.0.0.1:7000\"\nsite_name = \"From file\"\ndata_dir = \"/srv/gp\"\n")
            .unwrap();
        let vars = env(&[("GUIDEPOST_BIND", "127.0.0.1:7001")]);
        let flags = Overrides { bind: Some("127.0.0.1:7002".into()), ..Overrides::default() };
        let config = Config::load(Some(&file), &vars, flags).unwrap();
        assert_eq!(config.bind.port(), 7002);
        assert_eq!(config.site_name, "From file");
        assert_eq!(config.database_url, DatabaseUrl::Sqlite("/srv/gp/guidepost.db".into()));
        let config = Config::load(Some(&file), &vars, Overrides::default()).unwrap();
        assert_eq!(config.bind.port(), 7001);
    }

    #[test]
    fn moderation_rules_come_from_the_file_and_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("guidepost.toml");
        std::fs::write(&file, "[moderation]\nquestions_per_hour = 5\nspam_flags_to_hide = 4\n").unwrap();
        let vars = env(&[("GUIDEPOST_QUESTIONS_PER_HOUR", "7"), ("GUIDEPOST_MIN_FORM_SECONDS", "0")]);
        let rules = Config::load(Some(&file), &vars, Overrides::default()).unwrap().moderation;
        assert_eq!((rules.questions_per_hour, rules.spam_flags_to_hide, rules.min_form_seconds), (7, 4, 0));
        assert_eq!(rules.answers_per_hour, ModerationConfig::default().answers_per_hour);
        let bad = Config::load(None, &env(&[("GUIDEPOST_VOTES_PER_HOUR", "lots")]), Overrides::default());
        assert_eq!(bad.unwrap_err().setting, "GUIDEPOST_VOTES_PER_HOUR");
        std::fs::write(&file, "[moderation]\nquestion_per_hour = 5\n").unwrap();
        assert!(Config::load(Some(&file), &Env::new(), Overrides::default()).is_err(), "typos are refused");
    }

    #[test]
    fn bad_values_name_their_setting() {
        let err = Config::load(None, &env(&[("GUIDEPOST_BIND", "nowhere")]), Overrides::default()).unwrap_err();
        assert_eq!(err.setting, "GUIDEPOST_BIND");
        let err = Config::load(None, &env(&[("GUIDEPOST_BASE_URL", "ftp://x")]), Overrides::default()).unwrap_err();
        assert_eq!(err.setting, "GUIDEPOST_BASE_URL");
        let err = Config::load(None, &env(&[("GUIDEPOST_AUTO_MIGRATE", "maybe")]), Overrides::default()).unwrap_err();
        assert_eq!(err.setting, "GUIDEPOST_AUTO_MIGRATE");
        let err = Config::load(None, &env(&[("GUIDEPOST_SECRET_KEY", "short")]), Overrides::default()).unwrap_err();
        assert_eq!(err.setting, "GUIDEPOST_SECRET_KEY");
    }

    #[test]
    fn unknown_file_keys_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("guidepost.toml");
        std::fs::write(&file, "bnd = \"x\"\n").unwrap();
        let err = Config::load(Some(&file), &Env::new(), Overrides::default()).unwrap_err();
        assert!(err.message.contains("bnd"), "{err}");
    }
}
