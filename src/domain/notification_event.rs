//! What happened to a watched question, as a notification records it.

use super::text_enum::text_enum;

text_enum! {
    /// What happened to a watched question.
    pub enum NotificationEvent {
        /// Someone answered.
        NewAnswer = "answer",
        /// Staff posted (or endorsed) an official answer.
        NewOfficialAnswer = "official_answer",
        /// The asker accepted an answer.
        Accepted = "accepted",
    }
}

impl NotificationEvent {
    /// One sentence for a list or a mail, e.g. "Ann answered".
    pub fn sentence(self, actor: &str) -> String {
        match self {
            Self::NewAnswer => format!("{actor} answered"),
            Self::NewOfficialAnswer => format!("{actor} posted an official answer to"),
            Self::Accepted => format!("{actor} accepted an answer to"),
        }
    }

    /// The subject line of its mail.
    pub fn subject(self, title: &str) -> String {
        match self {
            Self::NewAnswer => format!("New answer: {title}"),
            Self::NewOfficialAnswer => format!("Official answer: {title}"),
            Self::Accepted => format!("Answer accepted: {title}"),
        }
    }
}
