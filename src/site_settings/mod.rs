//! The settings an admin changes without a restart: what they are (`rules`, `colour`), the
//! effective values every page and use case reads ([`SiteSettings`]), and this node's live copy
//! kept in step with the database ([`live`]).
//!
//! Each setting's value is, weakest first: the built-in default, the TOML file, the
//! `GUIDEPOST_*` variable (together, the operator's value, read once into [`Config`]), then the
//! admin's stored value, unless the operator pinned the setting (`pinned_settings`), in which case
//! the operator's value always wins. Nothing here runs SQL; the rows come from
//! `db::models::site_settings` through [`live`].

pub mod colour;
pub mod live;
pub mod rules;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::{Config, ModerationConfig};
use crate::domain::{BusinessHours, SettingName};
use crate::markdown::{self, SafeHtml};

pub use live::LiveSettings;

/// The About page's text when neither the operator nor an admin wrote one.
const DEFAULT_ABOUT: &str = "This is a public question-and-answer site: members answer each other's questions, and \
our staff post **official answers**, which are always shown first.

# Guidelines

- **Search first.** Your question may already have a good answer.
- **One question per question**, with a clear title and the details someone would need to help.
- **Answer the question asked.** Thanks and \"me too\" belong in votes and comments.
- **Be kind.** Rude posts, spam and personal data are removed; flag them for the moderators.";

/// The settings in effect on this node: the operator's values with the admin's changes applied.
#[derive(Debug, Clone, Serialize)]
pub struct SiteSettings {
    /// The forum's name.
    pub site_name: String,
    /// A line saying what the site is for; may be empty.
    pub tagline: String,
    /// The header logo's address; empty for the built-in sign.
    pub logo_url: String,
    /// The accent colour, `#rrggbb`.
    pub accent_colour: String,
    /// The welcome text's Markdown; empty for the built-in welcome.
    pub welcome_text: String,
    /// The About page's Markdown; empty for the built-in guidelines.
    pub about_text: String,
    /// Members must confirm their address before posting.
    pub require_verified_email: bool,
    /// Images are shown in posts.
    pub allow_images: bool,
    /// Anti-spam and moderation rules.
    pub moderation: ModerationConfig,
    /// Hours within which a question should get an official answer; 0 for no site-wide target.
    pub response_target_hours: u32,
    /// The hours that count towards a response target.
    #[serde(skip)]
    pub business_hours: BusinessHours,
    /// The origins that may frame the embed pages, space-separated; empty for any.
    pub embed_origins: String,
    /// The welcome text rendered, when there is one.
    pub welcome_html: Option<SafeHtml>,
    /// The About page rendered (the built-in text when none was written).
    pub about_html: SafeHtml,
    /// Which settings the operator pinned: the admin page shows them fixed.
    #[serde(skip)]
    pub pinned: Vec<SettingName>,
    /// The settings' database generation these values were read at (0 before the first read).
    pub generation: i64,
}

impl SiteSettings {
    /// The operator's values (defaults, file, environment), before any admin change.
    pub fn from_config(config: &Config) -> Self {
        let mut settings = Self {
            site_name: config.site_name.clone(),
            tagline: config.tagline.clone(),
            logo_url: config.logo_url.clone(),
            accent_colour: config.accent_colour.clone(),
            welcome_text: config.welcome_text.clone(),
            about_text: config.about_text.clone(),
            require_verified_email: config.require_verified_email,
            allow_images: config.allow_images,
            moderation: config.moderation,
            response_target_hours: config.response_target_hours,
            business_hours: config.business_hours,
            embed_origins: config.embed_origins.clone(),
            welcome_html: None,
            about_html: markdown::render_page(DEFAULT_ABOUT),
            pinned: config.pinned_settings.clone(),
            generation: 0,
        };
        settings.render_pages();
        settings
    }

    /// These settings with the admin's stored values applied (text by name, as stored), at
    /// `generation`. A pinned setting keeps the operator's value; a stored value that no longer
    /// passes its checks (written by an older release, or by hand) is skipped and logged. The
    /// Markdown pages are left as they were: see [`SiteSettings::render_pages`].
    pub fn with_stored(&self, stored: &BTreeMap<SettingName, String>, generation: i64) -> Self {
        let mut settings = self.clone();
        for (&name, value) in stored {
            if settings.is_pinned(name) {
                continue;
            }
            if let Err(reason) = settings.set(name, value) {
                tracing::warn!(setting = %name, %reason, "a stored site setting was ignored");
            }
        }
        settings.generation = generation;
        settings
    }

    /// Whether the operator fixed this setting.
    pub fn is_pinned(&self, name: SettingName) -> bool {
        self.pinned.contains(&name)
    }

    /// The setting's value as canonical text: what the form shows and what is stored.
    pub fn text(&self, name: SettingName) -> String {
        match name {
            SettingName::SiteName => self.site_name.clone(),
            SettingName::Tagline => self.tagline.clone(),
            SettingName::LogoUrl => self.logo_url.clone(),
            SettingName::AccentColour => self.accent_colour.clone(),
            SettingName::WelcomeText => self.welcome_text.clone(),
            SettingName::AboutText => self.about_text.clone(),
            SettingName::RequireVerifiedEmail => self.require_verified_email.to_string(),
            SettingName::AllowImages => self.allow_images.to_string(),
            SettingName::ResponseTargetHours => self.response_target_hours.to_string(),
            SettingName::BusinessHours => self.business_hours.to_string(),
            SettingName::EmbedOrigins => self.embed_origins.clone(),
            rule => {
                let mut moderation = self.moderation;
                moderation.rule_mut(rule.as_str()).map(|value| value.to_string()).unwrap_or_default()
            }
        }
    }

    /// Checks `raw` for `name` and takes it; the rendered pages are brought up to date by the
    /// caller ([`SiteSettings::with_stored`]).
    fn set(&mut self, name: SettingName, raw: &str) -> Result<(), String> {
        let text = rules::normalise(name, raw)?;
        match name {
            SettingName::SiteName => self.site_name = text,
            SettingName::Tagline => self.tagline = text,
            SettingName::LogoUrl => self.logo_url = text,
            SettingName::AccentColour => self.accent_colour = text,
            SettingName::WelcomeText => self.welcome_text = text,
            SettingName::AboutText => self.about_text = text,
            SettingName::RequireVerifiedEmail => self.require_verified_email = text == "true",
            SettingName::AllowImages => self.allow_images = text == "true",
            SettingName::ResponseTargetHours => self.response_target_hours = text.parse().map_err(|_| text.clone())?,
            SettingName::BusinessHours => self.business_hours = BusinessHours::parse(&text)?,
            SettingName::EmbedOrigins => self.embed_origins = text,
            rule => {
                let value = text.parse::<u32>().map_err(|e| e.to_string())?;
                if let Some(slot) = self.moderation.rule_mut(rule.as_str()) {
                    *slot = value;
                }
            }
        }
        Ok(())
    }

    /// Renders the welcome text and the About page: once per change on each node, never per view.
    pub fn render_pages(&mut self) {
        self.welcome_html = (!self.welcome_text.is_empty()).then(|| markdown::render_page(&self.welcome_text));
        let about = if self.about_text.is_empty() { DEFAULT_ABOUT } else { &self.about_text };
        self.about_html = markdown::render_page(about);
    }

    /// The embed pages' `frame-ancestors` sources: the listed origins, or `*` (any http or https
    /// page) when none are listed.
    pub fn frame_ancestors(&self) -> &str {
        if self.embed_origins.is_empty() {
            "*"
        } else {
            &self.embed_origins
        }
    }

    /// The accent, `#rrggbb`, when it is not the stylesheet's own (which needs no extra stylesheet).
    pub fn custom_accent(&self) -> Option<&str> {
        (self.accent_colour != colour::CSS_ACCENT).then_some(self.accent_colour.as_str())
    }
}
