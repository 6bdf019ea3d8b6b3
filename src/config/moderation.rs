//! The anti-spam and moderation settings: flag threshold, what makes a member "new", posting
//! rate limits and the minimum time a form takes to fill in.

use serde::Deserialize;

use super::ConfigError;

/// Moderation and anti-spam rules; every number can be tuned per site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModerationConfig {
    /// Spam flags from different members that hide a post until a moderator looks; 0 never hides.
    pub spam_flags_to_hide: u32,
    /// A member is new until they have this many visible posts...
    pub new_member_posts: u32,
    /// ...and have been a member for this many days.
    pub new_member_days: u32,
    /// Links a new member's post may hold; a post with any link waits for review.
    pub new_member_max_links: u32,
    /// Sign-up and ask forms sent back faster than this are refused as robots; 0 turns it off.
    pub min_form_seconds: u32,
    /// Questions a member may ask per hour; 0 means no limit.
    pub questions_per_hour: u32,
    /// Answers a member may post per hour; 0 means no limit.
    pub answers_per_hour: u32,
    /// Comments a member may write per hour; 0 means no limit.
    pub comments_per_hour: u32,
    /// Votes a member may cast per hour; 0 means no limit.
    pub votes_per_hour: u32,
}

impl ModerationConfig {
    /// The rules a site has unless configured otherwise.
    pub const DEFAULT: ModerationConfig = ModerationConfig {
        spam_flags_to_hide: 3,
        new_member_posts: 3,
        new_member_days: 2,
        new_member_max_links: 2,
        min_form_seconds: 3,
        questions_per_hour: 10,
        answers_per_hour: 30,
        comments_per_hour: 60,
        votes_per_hour: 120,
    };
}

impl Default for ModerationConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The `[moderation]` table of `guidepost.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ModerationFile {
    spam_flags_to_hide: Option<u32>,
    new_member_posts: Option<u32>,
    new_member_days: Option<u32>,
    new_member_max_links: Option<u32>,
    min_form_seconds: Option<u32>,
    questions_per_hour: Option<u32>,
    answers_per_hour: Option<u32>,
    comments_per_hour: Option<u32>,
    votes_per_hour: Option<u32>,
}

/// Picks a setting: `(variable name, raw value)` from the environment, else from the file.
pub(super) type Pick<'a> = &'a dyn Fn(&str, Option<String>) -> Option<(String, String)>;

impl ModerationConfig {
    /// Reads every setting, the environment beating the file; each must be a whole number in range.
    pub(super) fn load(file: ModerationFile, pick: Pick<'_>) -> Result<Self, ConfigError> {
        let defaults = Self::default();
        let number = |key: &str, from_file: Option<u32>, default: u32, max: u32| -> Result<u32, ConfigError> {
            match pick(key, from_file.map(|n| n.to_string())) {
                Some((var, raw)) => match raw.trim().parse::<u32>() {
                    Ok(n) if n <= max => Ok(n),
                    _ => Err(ConfigError::new(&var, format!("`{raw}` is not a whole number from 0 to {max}"))),
                },
                None => Ok(default),
            }
        };
        Ok(Self {
            spam_flags_to_hide: number(
                "SPAM_FLAGS_TO_HIDE",
                file.spam_flags_to_hide,
                defaults.spam_flags_to_hide,
                100,
            )?,
            new_member_posts: number("NEW_MEMBER_POSTS", file.new_member_posts, defaults.new_member_posts, 1_000)?,
            new_member_days: number("NEW_MEMBER_DAYS", file.new_member_days, defaults.new_member_days, 365)?,
            new_member_max_links: number(
                "NEW_MEMBER_MAX_LINKS",
                file.new_member_max_links,
                defaults.new_member_max_links,
                100,
            )?,
            min_form_seconds: number("MIN_FORM_SECONDS", file.min_form_seconds, defaults.min_form_seconds, 600)?,
            questions_per_hour: number(
                "QUESTIONS_PER_HOUR",
                file.questions_per_hour,
                defaults.questions_per_hour,
                1_000_000,
            )?,
            answers_per_hour: number("ANSWERS_PER_HOUR", file.answers_per_hour, defaults.answers_per_hour, 1_000_000)?,
            comments_per_hour: number(
                "COMMENTS_PER_HOUR",
                file.comments_per_hour,
                defaults.comments_per_hour,
                1_000_000,
            )?,
            votes_per_hour: number("VOTES_PER_HOUR", file.votes_per_hour, defaults.votes_per_hour, 1_000_000)?,
        })
    }
}
