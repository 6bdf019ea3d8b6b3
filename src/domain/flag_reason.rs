//! Why a member flags a post or comment.

use super::text_enum::text_enum;

text_enum! {
    /// Why a member flags something; ordered strongest first, so a moderator acts on the
    /// strongest open flag.
    #[derive(PartialOrd, Ord)]
    pub enum FlagReason {
        /// Advertising or links that have nothing to do with the question (the strongest).
        Spam = "spam",
        /// Rude or abusive.
        Rude = "rude",
        /// Not what this forum is for.
        OffTopic = "off-topic",
        /// Something else; the note says what.
        NeedsModerator = "needs-moderator",
    }
}
