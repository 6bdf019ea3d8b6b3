//! Why a question is closed.

use super::text_enum::text_enum;

text_enum! {
    /// Why a question is closed, as stored; a duplicate's canonical question is stored beside it.
    pub enum CloseReason {
        /// Asked before.
        Duplicate = "duplicate",
        /// Not what this forum is for.
        OffTopic = "off-topic",
        /// Cannot be answered as asked.
        Unclear = "unclear",
        /// The asker got their answer somewhere else.
        ResolvedElsewhere = "resolved-elsewhere",
    }
}
