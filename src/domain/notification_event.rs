//! What happened to a watched question, or in a topic someone looks after, as a notification
//! records it.

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
        /// A question was asked in a topic the member leads or watches.
        QuestionInTopic = "topic_question",
        /// A staff member put the member (staff) on a question.
        Assigned = "assigned",
        /// A question in a topic the member leads nears its response target.
        TargetNearing = "target_nearing",
        /// A question the member leads (or, for admins, any question) passed its response target.
        TargetBreached = "target_breached",
        /// Someone mentioned the member (`@username`) in a post or comment.
        Mentioned = "mentioned",
        /// A reviewer applied the member's suggested edit.
        EditApproved = "edit_approved",
        /// A reviewer turned down the member's suggested edit.
        EditRejected = "edit_rejected",
    }
}

impl NotificationEvent {
    /// One sentence for a list or a mail, e.g. "Ann answered".
    pub fn sentence(self, actor: &str) -> String {
        match self {
            Self::NewAnswer => format!("{actor} answered"),
            Self::NewOfficialAnswer => format!("{actor} posted an official answer to"),
            Self::Accepted => format!("{actor} accepted an answer to"),
            Self::QuestionInTopic => format!("{actor} asked, in a topic you follow,"),
            Self::Assigned => format!("{actor} put you on"),
            Self::TargetNearing => "Response target near for".to_owned(),
            Self::TargetBreached => "Response target missed for".to_owned(),
            Self::Mentioned => format!("{actor} mentioned you in"),
            Self::EditApproved => format!("{actor} approved your suggested edit to"),
            Self::EditRejected => format!("{actor} turned down your suggested edit to"),
        }
    }

    /// The subject line of its mail.
    pub fn subject(self, title: &str) -> String {
        match self {
            Self::NewAnswer => format!("New answer: {title}"),
            Self::NewOfficialAnswer => format!("Official answer: {title}"),
            Self::Accepted => format!("Answer accepted: {title}"),
            Self::QuestionInTopic => format!("New question: {title}"),
            Self::Assigned => format!("Assigned to you: {title}"),
            Self::TargetNearing => format!("Response target near: {title}"),
            Self::TargetBreached => format!("Response target missed: {title}"),
            Self::Mentioned => format!("You were mentioned: {title}"),
            Self::EditApproved => format!("Edit approved: {title}"),
            Self::EditRejected => format!("Edit not approved: {title}"),
        }
    }
}
