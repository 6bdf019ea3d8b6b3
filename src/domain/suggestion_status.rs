//! Where a suggested edit stands.

use super::text_enum::text_enum;

text_enum! {
    /// Where a suggested edit stands: waiting for a reviewer, or decided.
    pub enum SuggestionStatus {
        /// Waiting in the review queue.
        Pending = "pending",
        /// A reviewer applied it.
        Approved = "approved",
        /// A reviewer turned it down.
        Rejected = "rejected",
    }
}
