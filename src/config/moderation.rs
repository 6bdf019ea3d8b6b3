//! The anti-spam and moderation settings: flag threshold, what makes a member "new", posting
//! rate limits and the minimum time a form takes to fill in.

use serde::{Deserialize, Serialize};

use super::shape::MODERATION_TABLE;
use super::sources::Layers;
use super::ConfigError;

/// Moderation and anti-spam rules; every number can be tuned per site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
    /// Reputation a member needs to flag posts and comments.
    pub reputation_to_flag: u32,
    /// Reputation a member needs to comment everywhere (below it, on their own posts and answers to their questions).
    pub reputation_to_comment: u32,
    /// Reputation a member needs to vote down.
    pub reputation_to_vote_down: u32,
    /// Reputation a member needs to review suggested edits.
    pub reputation_to_review: u32,
    /// Reputation a member needs to vote to close or reopen questions.
    pub reputation_to_close: u32,
    /// Reputation a member needs to edit others' posts without review.
    pub reputation_to_edit: u32,
    /// Close (or reopen) votes that close (or reopen) a question.
    pub close_votes_needed: u32,
    /// Reputation a member may earn from votes in one day (UTC); 0 means no cap.
    pub reputation_daily_cap: u32,
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
        reputation_to_flag: 15,
        reputation_to_comment: 50,
        reputation_to_vote_down: 125,
        reputation_to_review: 250,
        reputation_to_close: 500,
        reputation_to_edit: 1000,
        close_votes_needed: 3,
        reputation_daily_cap: 200,
    };
}

impl Default for ModerationConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The keys of the `[moderation]` table; each is also the variable `GUIDEPOST_<KEY>`.
pub(super) const KEYS: [&str; 17] = [
    "spam_flags_to_hide",
    "new_member_posts",
    "new_member_days",
    "new_member_max_links",
    "min_form_seconds",
    "questions_per_hour",
    "answers_per_hour",
    "comments_per_hour",
    "votes_per_hour",
    "reputation_to_flag",
    "reputation_to_comment",
    "reputation_to_vote_down",
    "reputation_to_review",
    "reputation_to_close",
    "reputation_to_edit",
    "close_votes_needed",
    "reputation_daily_cap",
];

/// The shape of the `[moderation]` table of `guidepost.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(dead_code, reason = "read only to check the file's shape; values are read from the layers")]
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
    reputation_to_flag: Option<u32>,
    reputation_to_comment: Option<u32>,
    reputation_to_vote_down: Option<u32>,
    reputation_to_review: Option<u32>,
    reputation_to_close: Option<u32>,
    reputation_to_edit: Option<u32>,
    close_votes_needed: Option<u32>,
    reputation_daily_cap: Option<u32>,
}

/// The largest value each rule takes, by key; the admin settings page holds to the same limits.
const MAXIMA: [(&str, u32); 17] = [
    ("spam_flags_to_hide", 100),
    ("new_member_posts", 1_000),
    ("new_member_days", 365),
    ("new_member_max_links", 100),
    ("min_form_seconds", 600),
    ("questions_per_hour", 1_000_000),
    ("answers_per_hour", 1_000_000),
    ("comments_per_hour", 1_000_000),
    ("votes_per_hour", 1_000_000),
    ("reputation_to_flag", 100_000),
    ("reputation_to_comment", 100_000),
    ("reputation_to_vote_down", 100_000),
    ("reputation_to_review", 100_000),
    ("reputation_to_close", 100_000),
    ("reputation_to_edit", 100_000),
    ("close_votes_needed", 50),
    ("reputation_daily_cap", 100_000),
];

impl ModerationConfig {
    /// The largest value the rule `key` takes, or `None` for a key that is no rule.
    pub fn max_of(key: &str) -> Option<u32> {
        MAXIMA.iter().find(|(k, _)| *k == key).map(|(_, max)| *max)
    }

    /// The rule called `key`, for reading and changing one rule by its name.
    pub fn rule_mut(&mut self, key: &str) -> Option<&mut u32> {
        Some(match key {
            "spam_flags_to_hide" => &mut self.spam_flags_to_hide,
            "new_member_posts" => &mut self.new_member_posts,
            "new_member_days" => &mut self.new_member_days,
            "new_member_max_links" => &mut self.new_member_max_links,
            "min_form_seconds" => &mut self.min_form_seconds,
            "questions_per_hour" => &mut self.questions_per_hour,
            "answers_per_hour" => &mut self.answers_per_hour,
            "comments_per_hour" => &mut self.comments_per_hour,
            "votes_per_hour" => &mut self.votes_per_hour,
            "reputation_to_flag" => &mut self.reputation_to_flag,
            "reputation_to_comment" => &mut self.reputation_to_comment,
            "reputation_to_vote_down" => &mut self.reputation_to_vote_down,
            "reputation_to_review" => &mut self.reputation_to_review,
            "reputation_to_close" => &mut self.reputation_to_close,
            "reputation_to_edit" => &mut self.reputation_to_edit,
            "close_votes_needed" => &mut self.close_votes_needed,
            "reputation_daily_cap" => &mut self.reputation_daily_cap,
            _ => return None,
        })
    }

    /// Reads every rule from the merged layers; each must be a whole number in range.
    pub(super) fn load(layers: &Layers) -> Result<Self, ConfigError> {
        let mut rules = Self::DEFAULT;
        for (key, max) in MAXIMA {
            let setting = layers.get(&format!("{MODERATION_TABLE}.{key}"))?;
            let value = setting.whole_number(0..=max, &format!("a whole number from 0 to {max}"))?;
            if let Some(rule) = rules.rule_mut(key) {
                *rule = value;
            }
        }
        Ok(rules)
    }
}
