//! How an answer became official.

use super::text_enum::text_enum;

text_enum! {
    /// How an answer became official.
    pub enum OfficialKind {
        /// Staff posted it as official.
        Authored = "authored",
        /// Staff endorsed a community answer.
        Endorsed = "endorsed",
    }
}
