//! The settings' names and the typed shape of `guidepost.toml`, and the built-in defaults in that
//! shape. This module only describes; `sources` layers the values and `load` judges them.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::moderation::{ModerationConfig, ModerationFile};
use super::sso::SsoFile;

/// The pool a SQLite node opens unless told otherwise. Each SQLite connection keeps its own page
/// cache, schema and statements, and one file serves no more readers at once than the node has
/// threads for: at a million questions, 8 connections instead of 16 held 25–35 MB less after the
/// benchmark's mixed run, as fast (README, Benchmarks). PostgreSQL keeps the general default.
pub(super) const SQLITE_POOL_SIZE: u32 = 8;

/// Every top-level key of the file; each is also the variable `GUIDEPOST_<KEY>`.
pub(super) const KEYS: [&str; 29] = [
    "database_url",
    "db_pool_size",
    "bind",
    "data_dir",
    "base_url",
    "site_name",
    "assets_dir",
    "secret_key",
    "auto_migrate",
    "mail_url",
    "mail_from",
    "require_verified_email",
    "behind_proxy",
    "allow_images",
    "page_cache_seconds",
    "heavy_requests_per_minute",
    "api_requests_per_minute",
    "tagline",
    "logo_url",
    "accent_colour",
    "welcome_text",
    "about_text",
    "metrics_token",
    "webhook_allow_private",
    "webhook_response_target_hours",
    "password_sign_in",
    "response_target_hours",
    "business_hours",
    "embed_origins",
];

/// The key listing the run-time settings the operator fixes (a list in the file, names separated
/// by commas in `GUIDEPOST_PINNED_SETTINGS`); read apart from the others, since it is a list.
pub(super) const PINNED_SETTINGS: &str = "pinned_settings";

/// The key listing private addresses webhooks and listening posts may reach all the same (a
/// list in the file, addresses separated by commas in `GUIDEPOST_OUTBOUND_ALLOW_ADDRESSES`).
pub(super) const OUTBOUND_ALLOW_ADDRESSES: &str = "outbound_allow_addresses";

/// The keys whose values are lists, read apart from the others.
pub(super) const LIST_KEYS: [&str; 2] = [PINNED_SETTINGS, OUTBOUND_ALLOW_ADDRESSES];

/// The forum's name when none is set, or the one set is blank.
pub(super) const SITE_NAME: &str = "Guidepost";

/// The table of the file that holds the single sign-on providers (`[[sso.providers]]`).
pub(super) const SSO_TABLE: &str = "sso";

/// The table of the file that holds [`super::moderation::KEYS`].
pub(super) const MODERATION_TABLE: &str = "moderation";

/// The shape of `guidepost.toml`: every key optional, typed as TOML types it, unknown keys rejected.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code, reason = "read only to check the file's shape; values are read from the layers")]
pub(super) struct FileShape {
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
    moderation: Option<ModerationFile>,
    page_cache_seconds: Option<u32>,
    heavy_requests_per_minute: Option<u32>,
    api_requests_per_minute: Option<u32>,
    tagline: Option<String>,
    logo_url: Option<String>,
    accent_colour: Option<String>,
    welcome_text: Option<String>,
    about_text: Option<String>,
    pinned_settings: Option<Vec<String>>,
    metrics_token: Option<String>,
    webhook_allow_private: Option<bool>,
    outbound_allow_addresses: Option<Vec<String>>,
    webhook_response_target_hours: Option<u32>,
    password_sign_in: Option<bool>,
    response_target_hours: Option<u32>,
    business_hours: Option<String>,
    embed_origins: Option<String>,
    sso: Option<SsoFile>,
}

/// The weakest layer. Settings missing here (the database and base URLs, the secret, mail) have
/// defaults derived from other settings, worked out once the layers are merged.
#[derive(Debug, Serialize)]
pub(super) struct Defaults {
    db_pool_size: u32,
    bind: &'static str,
    data_dir: &'static str,
    site_name: &'static str,
    assets_dir: &'static str,
    auto_migrate: bool,
    require_verified_email: bool,
    behind_proxy: bool,
    allow_images: bool,
    moderation: ModerationConfig,
    page_cache_seconds: u32,
    heavy_requests_per_minute: u32,
    api_requests_per_minute: u32,
    tagline: &'static str,
    logo_url: &'static str,
    accent_colour: &'static str,
    welcome_text: &'static str,
    about_text: &'static str,
    webhook_allow_private: bool,
    webhook_response_target_hours: u32,
    password_sign_in: bool,
    response_target_hours: u32,
    business_hours: &'static str,
    embed_origins: &'static str,
}

impl Defaults {
    /// The built-in values, as the README's configuration table lists them.
    pub(super) const VALUES: Defaults = Defaults {
        db_pool_size: 16,
        bind: "127.0.0.1:8080",
        data_dir: "data",
        site_name: SITE_NAME,
        assets_dir: "assets",
        auto_migrate: true,
        require_verified_email: true,
        behind_proxy: false,
        allow_images: true,
        moderation: ModerationConfig::DEFAULT,
        page_cache_seconds: 2,
        heavy_requests_per_minute: 120,
        api_requests_per_minute: 600,
        tagline: "",
        logo_url: "",
        accent_colour: crate::site_settings::colour::CSS_ACCENT,
        welcome_text: "",
        about_text: "",
        webhook_allow_private: false,
        webhook_response_target_hours: 24,
        password_sign_in: true,
        response_target_hours: 24,
        business_hours: "",
        embed_origins: "",
    };
}
