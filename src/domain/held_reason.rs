//! Why a hidden post or comment is waiting for a moderator.

use super::text_enum::text_enum;

text_enum! {
    /// Why a hidden post or comment is waiting for a moderator.
    pub enum HeldReason {
        /// A new member's post with links.
        Links = "links",
        /// It reached the spam-flag threshold.
        Flags = "flags",
    }
}
