//! Site-wide posting rules, from the settings in effect (the operator's, or an admin's changes).

use crate::config::ModerationConfig;
use crate::domain::Privileges;
use crate::markdown::MarkdownOptions;
use crate::site_settings::SiteSettings;

/// What the site's settings say about posting.
#[derive(Debug, Clone, Copy)]
pub struct PostingPolicy {
    /// Members must confirm their address before posting.
    pub require_verified_email: bool,
    /// Markdown images are shown (over https only).
    pub allow_images: bool,
    /// Anti-spam rules: new members' links, posting rate limits, the spam-flag threshold.
    pub moderation: ModerationConfig,
    /// The reputation each privilege needs.
    pub privileges: Privileges,
}

impl PostingPolicy {
    /// The policy of a site with these settings.
    pub fn of_site(settings: &SiteSettings) -> Self {
        Self {
            require_verified_email: settings.require_verified_email,
            allow_images: settings.allow_images,
            moderation: settings.moderation,
            privileges: Privileges::of(&settings.moderation),
        }
    }

    /// How this site renders a post's Markdown.
    pub fn markdown(&self) -> MarkdownOptions {
        MarkdownOptions { allow_images: self.allow_images }
    }
}
