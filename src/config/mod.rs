//! Typed configuration, read once at start-up.
//!
//! Sources, weakest first: built-in defaults, the optional `guidepost.toml`, `GUIDEPOST_*`
//! environment variables, then command-line flags, merged by figment in `sources`; `load` then
//! judges each winning value. Every problem is reported as one [`ConfigError`] naming the
//! setting (variable, flag, or file key), so `main` can print a single clear line and exit.
//! This module reads files and the environment only through the arguments it is given.

mod database_url;
mod metrics_token;
mod moderation;
mod shape;
mod sources;
mod sso;
mod validate;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use url::Url;

use sources::{Layers, Origin};

use crate::domain::SettingName;

pub use database_url::DatabaseUrl;
pub use metrics_token::MetricsToken;
pub use moderation::ModerationConfig;
pub use sso::SsoProvider;

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
    /// API requests one caller may make of this node per minute (a token, a signed-in member or
    /// an anonymous address); zero turns the limit off.
    pub api_requests_per_minute: u32,
    /// A line under the site name saying what the site is for; may be empty.
    pub tagline: String,
    /// The header logo: an https address or a path on this site; empty for the built-in sign.
    pub logo_url: String,
    /// The accent colour, `#rrggbb`, readable under white button text.
    pub accent_colour: String,
    /// Markdown at the top of the home page; empty for the built-in welcome.
    pub welcome_text: String,
    /// Markdown of the `/about` page; empty for the built-in guidelines.
    pub about_text: String,
    /// Run-time settings the admin page may not change: the values above always apply.
    pub pinned_settings: Vec<SettingName>,
    /// The bearer token that opens `/metrics`; `None` keeps `/metrics` closed (404).
    pub metrics_token: Option<MetricsToken>,
    /// Webhooks may post to loopback, private and link-local addresses (tests, a receiver on
    /// the same network); off by default, so an admin cannot aim the server at its neighbours.
    pub webhook_allow_private: bool,
    /// Private addresses webhooks and listening posts may reach although the rest stay refused
    /// (an internal forum's feed, the tests' servers on 127.0.0.1).
    pub outbound_allow_addresses: Vec<std::net::IpAddr>,
    /// Hours a question may wait for its first answer before `question.overdue` announces it.
    pub webhook_response_target_hours: u32,
    /// Members may sign up and sign in with a password; off leaves single sign-on only (admins
    /// keep a break-glass link from the CLI).
    pub password_sign_in: bool,
    /// Hours within which a question should get an official answer; 0 for no site-wide target.
    pub response_target_hours: u32,
    /// The hours that count towards a response target; around the clock when unset.
    pub business_hours: crate::domain::BusinessHours,
    /// The origins allowed to frame the embed pages, space-separated; empty for any.
    pub embed_origins: String,
    /// OpenID Connect providers people may sign in with, in the order their buttons show.
    pub sso_providers: Vec<SsoProvider>,
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

/// A source of environment variables; the real process environment or a test's map.
pub type Env = HashMap<String, String>;

/// Reads the process environment, keeping only our variables.
pub fn process_env() -> Env {
    std::env::vars().filter(|(k, _)| k.starts_with("GUIDEPOST_")).collect()
}

impl Config {
    /// Builds the configuration from all sources, weakest first.
    pub fn load(config_file: Option<&Path>, env: &Env, overrides: Overrides) -> Result<Self, ConfigError> {
        let layers = Layers::gather(config_file, env, &overrides)?;

        let data_dir = layers.get("data_dir")?;
        // A flag's path need not be UTF-8, which the layers' text cannot carry; take it as given.
        let data_dir = match (data_dir.origin, overrides.data_dir) {
            (Origin::Flag, Some(path)) => path,
            _ => PathBuf::from(data_dir.text),
        };

        let database_url = match layers.find("database_url") {
            Some(setting) => {
                DatabaseUrl::parse(&setting.text).map_err(|e| ConfigError { setting: setting.name, ..e })?
            }
            None => DatabaseUrl::Sqlite(data_dir.join("guidepost.db")),
        };

        let pool_size = layers.get("db_pool_size")?;
        let db_pool_size = match (&pool_size.origin, &database_url) {
            (Origin::Default, DatabaseUrl::Sqlite(_)) => shape::SQLITE_POOL_SIZE,
            _ => pool_size.whole_number(1..=512, "a pool size between 1 and 512")?,
        };

        let bind = layers.get("bind")?.bind_address()?;
        let base_url = match layers.find("base_url") {
            Some(setting) => setting.base_url()?,
            None => validate::default_base_url(bind)?,
        };

        let site_name = layers.get("site_name")?;
        let name = site_name.text.trim();
        // A blank name (`GUIDEPOST_SITE_NAME=`) means "not set", not an empty header.
        let name = if name.is_empty() { shape::SITE_NAME.to_owned() } else { name.to_owned() };
        if name.chars().count() > 80 {
            return Err(ConfigError::new(&site_name.name, "is longer than 80 characters"));
        }
        let site_name = name;

        let assets_dir = PathBuf::from(layers.get("assets_dir")?.text);

        let secret_key = match layers.find("secret_key") {
            Some(setting) if setting.text.len() < 32 => {
                return Err(ConfigError::new(
                    &setting.name,
                    "must be at least 32 characters (64 random bytes recommended)",
                ))
            }
            setting => setting.map(|s| s.text),
        };

        let auto_migrate = layers.get("auto_migrate")?.switch()?;

        let mail_url = match layers.find("mail_url") {
            Some(setting) => setting.text.trim().to_owned(),
            None => format!("file://{}", data_dir.join("mail").display()),
        };
        let mail_from = match layers.find("mail_from") {
            Some(setting) => {
                let raw = setting.text.trim().to_owned();
                if !raw.contains('@') || raw.contains(['\r', '\n']) {
                    return Err(ConfigError::new(
                        &setting.name,
                        format!("`{raw}` is not an address like Support <help@example.com>"),
                    ));
                }
                raw
            }
            None => format!("{site_name} <noreply@{}>", base_url.host_str().unwrap_or("localhost")),
        };
        let require_verified_email = layers.get("require_verified_email")?.switch()?;
        let behind_proxy = layers.get("behind_proxy")?.switch()?;
        let allow_images = layers.get("allow_images")?.switch()?;

        let moderation = ModerationConfig::load(&layers)?;
        let page_cache_seconds =
            layers.get("page_cache_seconds")?.whole_number(0..=3_600, "a number of seconds from 0 to 3600")?;
        let heavy_requests_per_minute =
            layers.get("heavy_requests_per_minute")?.whole_number(0..=1_000_000, "a number from 0 to 1000000")?;
        let api_requests_per_minute =
            layers.get("api_requests_per_minute")?.whole_number(0..=1_000_000, "a number from 0 to 1000000")?;
        let metrics_token = match layers.find("metrics_token") {
            Some(setting) => MetricsToken::parse(&setting.name, &setting.text)?,
            None => None,
        };

        let webhook_allow_private = layers.get("webhook_allow_private")?.switch()?;
        let webhook_response_target_hours =
            layers.get("webhook_response_target_hours")?.whole_number(1..=8_760, "a number of hours from 1 to 8760")?;

        let password_sign_in_setting = layers.get("password_sign_in")?;
        let password_sign_in = password_sign_in_setting.switch()?;
        let sso_providers = sso::load(&layers, &layers.file_name())?;
        if !password_sign_in && sso_providers.is_empty() {
            return Err(ConfigError::new(
                &password_sign_in_setting.name,
                "turns password sign-in off, but no [[sso.providers]] are configured: members could not sign in",
            ));
        }

        let page_settings = PageSettings::load(&layers)?;
        let response_target_hours = layers
            .get("response_target_hours")?
            .whole_number(0..=crate::site_settings::rules::MAX_TARGET_HOURS, "a number of hours from 0 to 8760")?;
        let business_hours_setting = layers.get("business_hours")?;
        let business_hours = crate::domain::BusinessHours::parse(&business_hours_setting.text)
            .map_err(|reason| ConfigError::new(&business_hours_setting.name, reason))?;
        let embed_origins_setting = layers.get("embed_origins")?;
        let embed_origins =
            crate::site_settings::rules::normalise(SettingName::EmbedOrigins, &embed_origins_setting.text)
                .map_err(|reason| ConfigError::new(&embed_origins_setting.name, reason))?;
        let pinned_settings = pinned_settings(&layers)?;
        let outbound_allow_addresses = outbound_allow_addresses(&layers)?;

        Ok(Self {
            tagline: page_settings.tagline,
            logo_url: page_settings.logo_url,
            accent_colour: page_settings.accent_colour,
            welcome_text: page_settings.welcome_text,
            about_text: page_settings.about_text,
            pinned_settings,
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
            api_requests_per_minute,
            metrics_token,
            webhook_allow_private,
            outbound_allow_addresses,
            webhook_response_target_hours,
            password_sign_in,
            response_target_hours,
            business_hours,
            embed_origins,
            sso_providers,
        })
    }
}

/// The look of the site and its own pages, judged by the rules the admin page uses.
struct PageSettings {
    tagline: String,
    logo_url: String,
    accent_colour: String,
    welcome_text: String,
    about_text: String,
}

impl PageSettings {
    fn load(layers: &Layers) -> Result<Self, ConfigError> {
        let judge = |name: SettingName| -> Result<String, ConfigError> {
            let setting = layers.get(name.as_str())?;
            crate::site_settings::rules::normalise(name, &setting.text)
                .map_err(|reason| ConfigError::new(&setting.name, reason))
        };
        Ok(Self {
            tagline: judge(SettingName::Tagline)?,
            logo_url: judge(SettingName::LogoUrl)?,
            accent_colour: judge(SettingName::AccentColour)?,
            welcome_text: judge(SettingName::WelcomeText)?,
            about_text: judge(SettingName::AboutText)?,
        })
    }
}

/// The settings the operator fixed; every name must be one the admin page changes.
fn pinned_settings(layers: &Layers) -> Result<Vec<SettingName>, ConfigError> {
    let Some((names, setting)) = layers.list(shape::PINNED_SETTINGS) else {
        return Ok(Vec::new());
    };
    let mut pinned = Vec::new();
    for name in names {
        let known = SettingName::from_stored(&name).ok_or_else(|| {
            let all: Vec<&str> = SettingName::ALL.iter().map(|n| n.as_str()).collect();
            ConfigError::new(&setting, format!("`{name}` is not a run-time setting; use any of {}", all.join(", ")))
        })?;
        if !pinned.contains(&known) {
            pinned.push(known);
        }
    }
    Ok(pinned)
}

/// The private addresses outbound requests may reach all the same; each must be an IP address.
fn outbound_allow_addresses(layers: &Layers) -> Result<Vec<std::net::IpAddr>, ConfigError> {
    let Some((items, setting)) = layers.list(shape::OUTBOUND_ALLOW_ADDRESSES) else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .map(|item| {
            item.parse().map_err(|_| {
                ConfigError::new(&setting, format!("`{item}` is not an IP address like 10.0.0.7 or fd00::7"))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
