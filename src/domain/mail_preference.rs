//! How a member wants to hear about their watched questions by mail.

use super::text_enum::text_enum;

text_enum! {
    /// How a member wants notification mail; ordered from the most mail to the least.
    #[derive(PartialOrd, Ord)]
    pub enum MailPreference {
        /// A mail for each event.
        Each = "each",
        /// One digest a day.
        Daily = "daily",
        /// No notification mail.
        Never = "never",
    }
}
