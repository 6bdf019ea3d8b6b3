//! Why a member's reputation moved: one word per rule, stored with each ledger row.

use super::text_enum::text_enum;

text_enum! {
    /// What earned (or cost) a member reputation.
    pub enum ReputationReason {
        /// Someone voted their question up.
        QuestionUpvoted = "question_upvoted",
        /// Someone voted their answer up.
        AnswerUpvoted = "answer_upvoted",
        /// Someone voted their question down.
        QuestionDownvoted = "question_downvoted",
        /// Someone voted their answer down.
        AnswerDownvoted = "answer_downvoted",
        /// They voted someone's answer down (a small cost, so downvotes are meant).
        DownvotedAnswer = "downvoted_answer",
        /// The asker accepted their answer.
        AnswerAccepted = "answer_accepted",
        /// They accepted an answer to their question.
        AcceptedAnswer = "accepted_answer",
        /// Staff endorsed their answer as official.
        AnswerEndorsed = "answer_endorsed",
        /// A reviewer approved an edit they suggested.
        EditApproved = "edit_approved",
        /// Reputation brought from an imported site, as a starting balance.
        Imported = "imported",
    }
}

impl ReputationReason {
    /// The points the rule grants (before the daily cap); `Imported` carries its own amount.
    pub fn points(self) -> i32 {
        match self {
            Self::QuestionUpvoted => 5,
            Self::AnswerUpvoted => 10,
            Self::QuestionDownvoted | Self::AnswerDownvoted => -2,
            Self::DownvotedAnswer => -1,
            Self::AnswerAccepted | Self::AnswerEndorsed => 15,
            Self::AcceptedAnswer | Self::EditApproved => 2,
            Self::Imported => 0,
        }
    }

    /// The rules the day's cap on vote-earned reputation applies to.
    pub const CAPPED: [Self; 2] = [Self::QuestionUpvoted, Self::AnswerUpvoted];

    /// Whether the day's cap on vote-earned reputation applies.
    pub fn capped(self) -> bool {
        Self::CAPPED.contains(&self)
    }

    /// How the profile's reputation tab names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::QuestionUpvoted => "question upvoted",
            Self::AnswerUpvoted => "answer upvoted",
            Self::QuestionDownvoted => "question downvoted",
            Self::AnswerDownvoted => "answer downvoted",
            Self::DownvotedAnswer => "voted an answer down",
            Self::AnswerAccepted => "answer accepted",
            Self::AcceptedAnswer => "accepted an answer",
            Self::AnswerEndorsed => "answer endorsed as official",
            Self::EditApproved => "suggested edit approved",
            Self::Imported => "imported reputation",
        }
    }
}
