//! What reputation earns: the privileges a member unlocks at thresholds the admin sets.

use super::text_enum::text_enum;
use crate::config::ModerationConfig;

text_enum! {
    /// Something a member may do once others have trusted their posts enough; staff, moderators
    /// and admins always may. Ordered as the privileges page lists them, cheapest first.
    pub enum Privilege {
        /// Flag posts and comments for moderators.
        Flag = "flag",
        /// Comment on any post (below it: on one's own posts and the answers to one's questions).
        Comment = "comment",
        /// Vote posts down.
        VoteDown = "vote_down",
        /// Review suggested edits.
        Review = "review",
        /// Vote to close and reopen questions.
        Close = "close",
        /// Edit others' posts without review (below it, edits wait as suggestions).
        Edit = "edit",
    }
}

impl Privilege {
    /// What it lets a member do, finishing "… needs N reputation".
    pub fn action(self) -> &'static str {
        match self {
            Self::Flag => "Flagging",
            Self::Comment => "Commenting on others' posts",
            Self::VoteDown => "Voting down",
            Self::Review => "Reviewing suggested edits",
            Self::Close => "Voting to close or reopen",
            Self::Edit => "Editing others' posts without review",
        }
    }

    /// A sentence for the privileges page.
    pub fn explanation(self) -> &'static str {
        match self {
            Self::Flag => "Tell the moderators about spam, rudeness or posts that need their attention.",
            Self::Comment => {
                "Ask for details or suggest improvements under any post. Everyone may comment on their own posts \
                 and on the answers to their questions."
            }
            Self::VoteDown => {
                "Mark posts that are wrong or unhelpful. It costs the post's author 2 reputation, and costs you 1 \
                 on answers."
            }
            Self::Review => "Approve or turn down the edits others suggest, with the change shown side by side.",
            Self::Close => {
                "Vote to close questions that are duplicates, off-topic or unclear, and to reopen them; enough votes \
                 act together."
            }
            Self::Edit => "Improve anyone's question or answer at once; below this, your edits wait for a reviewer.",
        }
    }
}

/// The reputation each privilege needs on this site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Privileges {
    /// To flag.
    pub flag: u32,
    /// To comment everywhere.
    pub comment: u32,
    /// To vote down.
    pub vote_down: u32,
    /// To review suggested edits.
    pub review: u32,
    /// To vote to close or reopen.
    pub close: u32,
    /// To edit without review.
    pub edit: u32,
}

impl Privileges {
    /// The thresholds in a site's rules.
    pub fn of(rules: &ModerationConfig) -> Self {
        Self {
            flag: rules.reputation_to_flag,
            comment: rules.reputation_to_comment,
            vote_down: rules.reputation_to_vote_down,
            review: rules.reputation_to_review,
            close: rules.reputation_to_close,
            edit: rules.reputation_to_edit,
        }
    }

    /// The reputation `privilege` needs.
    pub fn threshold(&self, privilege: Privilege) -> u32 {
        match privilege {
            Privilege::Flag => self.flag,
            Privilege::Comment => self.comment,
            Privilege::VoteDown => self.vote_down,
            Privilege::Review => self.review,
            Privilege::Close => self.close,
            Privilege::Edit => self.edit,
        }
    }
}

impl Default for Privileges {
    fn default() -> Self {
        Self::of(&ModerationConfig::DEFAULT)
    }
}
