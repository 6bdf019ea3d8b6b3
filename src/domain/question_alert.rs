//! The alerts about a question that go out at most once.

use super::text_enum::text_enum;

text_enum! {
    /// An alert sent about a question, recorded so it is never sent twice.
    pub enum QuestionAlert {
        /// Its topics' leads and watchers were told it was asked.
        Asked = "asked",
        /// Its topics' leads were told its response target is near.
        Nearing = "nearing",
        /// Its topics' leads and the admins were told it is past its target.
        Breached = "breached",
    }
}
