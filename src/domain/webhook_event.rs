//! What a webhook can announce, and the shape a receiver wants it in.

use super::text_enum::text_enum;

text_enum! {
    /// An event type an endpoint subscribes to; the word is the payload's `type`.
    pub enum WebhookEvent {
        /// A question became public (asked, or let through by a moderator).
        QuestionAsked = "question.asked",
        /// An answer became public.
        AnswerPosted = "answer.posted",
        /// Staff posted an official answer or endorsed one as official.
        AnswerOfficial = "answer.official",
        /// The asker accepted an answer.
        AnswerAccepted = "answer.accepted",
        /// A question has had no answer for longer than the response target.
        QuestionOverdue = "question.overdue",
        /// A question was closed (as a duplicate or for another reason).
        QuestionClosed = "question.closed",
        /// Someone flagged a post or comment for moderators.
        FlagRaised = "flag.raised",
        /// An admin's test delivery from the endpoint's page; never subscribed to.
        Ping = "ping",
    }
}

impl WebhookEvent {
    /// The events an admin may subscribe an endpoint to, in the order the form lists them.
    pub const SUBSCRIBABLE: &'static [WebhookEvent] = &[
        Self::QuestionAsked,
        Self::AnswerPosted,
        Self::AnswerOfficial,
        Self::AnswerAccepted,
        Self::QuestionOverdue,
        Self::QuestionClosed,
        Self::FlagRaised,
    ];

    /// What the event means, for the form and the README's table.
    pub fn describe(self) -> &'static str {
        match self {
            Self::QuestionAsked => "A question was asked (held questions once a moderator approves them)",
            Self::AnswerPosted => "An answer was posted (held answers once approved)",
            Self::AnswerOfficial => "Staff posted an official answer or endorsed one",
            Self::AnswerAccepted => "The asker accepted an answer",
            Self::QuestionOverdue => "A question is still unanswered past the response target",
            Self::QuestionClosed => "A question was closed",
            Self::FlagRaised => "Someone flagged a post or comment for moderators",
            Self::Ping => "A test delivery sent from the endpoint's page",
        }
    }
}

text_enum! {
    /// The body a webhook endpoint receives.
    pub enum WebhookFormat {
        /// The event as JSON: `{"type", "timestamp", "data"}`.
        Standard = "standard",
        /// Slack-compatible incoming-webhook JSON (`text` and `blocks`), which Slack, Mattermost
        /// and Rocket.Chat accept.
        Chat = "chat",
    }
}
