//! Site-wide posting rules that come from configuration.

use crate::config::{Config, ModerationConfig};
use crate::markdown::MarkdownOptions;

/// What the configuration says about posting.
#[derive(Debug, Clone, Copy)]
pub struct PostingPolicy {
    /// Members must confirm their address before posting.
    pub require_verified_email: bool,
    /// Markdown images are shown (over https only).
    pub allow_images: bool,
    /// Anti-spam rules: new members' links, posting rate limits, the spam-flag threshold.
    pub moderation: ModerationConfig,
}

impl PostingPolicy {
    /// The policy of a configured site.
    pub fn from_config(config: &Config) -> Self {
        Self {
            require_verified_email: config.require_verified_email,
            allow_images: config.allow_images,
            moderation: config.moderation,
        }
    }

    /// How this site renders a post's Markdown.
    pub fn markdown(&self) -> MarkdownOptions {
        MarkdownOptions { allow_images: self.allow_images }
    }
}
