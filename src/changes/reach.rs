//! What a change reaches beyond its own consumers' rows: the public pages an anonymous visitor
//! sees differently, and the questions whose search documents it alters. Each is an exhaustive
//! match, so a new kind of change must say where it reaches.

use super::change::{AccountChange, Change};

/// Which pages an anonymous visitor sees differently after a change: what the page cache drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicPages {
    /// None: the change is private to members or staff (mail, passwords, sessions).
    Unchanged,
    /// Lists only (the users page, topic pages): a new account, a topic's leads.
    Lists,
    /// These questions' pages, and the lists that show them.
    Questions(i64, Option<i64>),
    /// Any page may show it (a member's name or role beside every post they wrote).
    All,
}

impl Change {
    /// The pages an anonymous visitor sees differently after this change. A question's page
    /// shows its posts, comments, votes, state and watchers; flags and assignment are shown only
    /// to staff, but are cheap to count in, and a hidden post's visibility has its own change.
    pub fn public_pages(&self) -> PublicPages {
        match *self {
            Self::QuestionAsked { question, .. }
            | Self::AnswerPosted { question, .. }
            | Self::HeldAnswerApproved { question, .. }
            | Self::AnswerAccepted { question, .. }
            | Self::AcceptanceWithdrawn { question, .. }
            | Self::AnswerEndorsed { question, .. }
            | Self::OfficialWithdrawn { question, .. }
            | Self::OfficialReviewed { question, .. }
            | Self::VoteCast { question, .. }
            | Self::PostEdited { question, .. }
            | Self::SuggestedEditReviewed { question, .. }
            | Self::PostVisibilityChanged { question, .. }
            | Self::PostModerated { question, .. }
            | Self::CommentPosted { question, .. }
            | Self::CommentModerated { question, .. }
            | Self::Flagged { question, .. }
            | Self::FlagsHandled { question, .. }
            | Self::WatchChanged { question, .. }
            | Self::QuestionAssigned { question, .. }
            | Self::AskerRenamed { question, .. } => PublicPages::Questions(question, None),
            // A duplicate's original lists (or stops listing) it.
            Self::QuestionClosed { question, duplicate_of, .. }
            | Self::QuestionReopened { question, duplicate_of, .. } => PublicPages::Questions(question, duplicate_of),
            Self::AccountCreated { .. } | Self::TopicChanged { .. } => PublicPages::Lists,
            Self::AccountChanged {
                what: AccountChange::Role | AccountChange::Suspension | AccountChange::Profile,
                ..
            }
            | Self::AccountDeleted { .. }
            | Self::SpammerRemoved { .. }
            | Self::SiteSettingsChanged { .. } => PublicPages::All,
            Self::AccountChanged { .. } | Self::MailQueued => PublicPages::Unchanged,
        }
    }

    /// The questions whose search documents this change may alter (title, body, answers, tags,
    /// score, state, visibility). Comments, flags and watches are not searched.
    pub fn searched_questions(&self) -> impl Iterator<Item = i64> {
        let (first, second) = match *self {
            Self::QuestionAsked { question, .. }
            | Self::AnswerPosted { question, .. }
            | Self::HeldAnswerApproved { question, .. }
            | Self::AnswerAccepted { question, .. }
            | Self::AcceptanceWithdrawn { question, .. }
            | Self::AnswerEndorsed { question, .. }
            | Self::OfficialWithdrawn { question, .. }
            | Self::PostEdited { question, .. }
            | Self::PostVisibilityChanged { question, .. }
            | Self::PostModerated { question, .. }
            | Self::AskerRenamed { question, .. } => (Some(question), None),
            // An answer's score is not part of its question's search document.
            Self::VoteCast { question, post, .. } => (Some(question).filter(|&q| q == post), None),
            // A duplicate's original lists (or stops listing) it.
            Self::QuestionClosed { question, duplicate_of, .. }
            | Self::QuestionReopened { question, duplicate_of, .. } => (Some(question), duplicate_of),
            // "Last reviewed" is not searched.
            Self::OfficialReviewed { .. }
            // Its approval's `PostEdited` carries the new text.
            | Self::SuggestedEditReviewed { .. }
            | Self::CommentPosted { .. }
            | Self::CommentModerated { .. }
            | Self::Flagged { .. }
            | Self::FlagsHandled { .. }
            | Self::WatchChanged { .. }
            | Self::QuestionAssigned { .. }
            | Self::TopicChanged { .. }
            | Self::SpammerRemoved { .. }
            | Self::AccountCreated { .. }
            | Self::AccountChanged { .. }
            | Self::AccountDeleted { .. }
            | Self::MailQueued
            | Self::SiteSettingsChanged { .. } => (None, None),
        };
        first.into_iter().chain(second)
    }
}
