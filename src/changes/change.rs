//! What a write use case says it changed: one typed domain event per fact.
//!
//! Consumers match on these exhaustively, so a new kind of change makes each of them decide
//! whether it cares: nothing is left to a consumer's memory of which call sites to watch.

use serde::Serialize;

/// One thing that changed in the forum, as its write use case states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// A member asked a question.
    QuestionAsked {
        /// The new question.
        question: i64,
        /// Who asked.
        author: i64,
        /// It waits in the review queue (a new member's links).
        held: bool,
    },
    /// Someone answered a question; `held` answers wait for a moderator and tell nobody yet.
    AnswerPosted {
        /// The question answered.
        question: i64,
        /// The new answer.
        answer: i64,
        /// Who answered.
        author: i64,
        /// Staff posted it as an official answer.
        official: bool,
        /// It waits in the review queue (a new member's links).
        held: bool,
    },
    /// A moderator let a held answer through; it is now public.
    HeldAnswerApproved {
        /// The question answered.
        question: i64,
        /// The answer now shown.
        answer: i64,
        /// Who wrote it.
        author: i64,
    },
    /// The asker accepted an answer.
    AnswerAccepted {
        /// The question.
        question: i64,
        /// The accepted answer.
        answer: i64,
        /// The asker.
        by: i64,
    },
    /// The asker withdrew acceptance of an answer.
    AcceptanceWithdrawn {
        /// The question.
        question: i64,
        /// The answer no longer accepted.
        answer: i64,
        /// The asker.
        by: i64,
    },
    /// Staff endorsed a community answer as official.
    AnswerEndorsed {
        /// The question.
        question: i64,
        /// The answer made official.
        answer: i64,
        /// The staff member.
        by: i64,
    },
    /// Staff withdrew an answer's official status.
    OfficialWithdrawn {
        /// The question.
        question: i64,
        /// The answer no longer official.
        answer: i64,
        /// The staff member.
        by: i64,
    },
    /// Staff confirmed an official answer is still accurate.
    OfficialReviewed {
        /// The question.
        question: i64,
        /// The official answer.
        answer: i64,
        /// The staff member.
        by: i64,
    },
    /// A member voted on, changed or took back a vote on a post.
    VoteCast {
        /// The post's question (the post itself when it is one).
        question: i64,
        /// The post voted on.
        post: i64,
        /// Who voted.
        voter: i64,
        /// Who wrote the post.
        author: i64,
        /// The vote now: 1 up, -1 down, 0 none.
        value: i32,
        /// The vote before: 1 up, -1 down, 0 none.
        previous: i32,
    },
    /// A post's title, tags or body changed.
    PostEdited {
        /// The post's question.
        question: i64,
        /// The edited post.
        post: i64,
        /// Who edited it.
        editor: i64,
    },
    /// A reviewer approved or rejected a member's suggested edit of a post (an approval also
    /// states the [`Change::PostEdited`] it made).
    SuggestedEditReviewed {
        /// The post's question.
        question: i64,
        /// The post the edit was suggested for.
        post: i64,
        /// The suggestion.
        suggestion: i64,
        /// Who suggested it.
        author: i64,
        /// Applied (true) or turned down.
        approved: bool,
        /// The reviewer.
        by: i64,
    },
    /// A post left or came back to public view (held, hidden by flags, approved, restored).
    PostVisibilityChanged {
        /// The post's question.
        question: i64,
        /// The post.
        post: i64,
        /// Whether the public sees it now.
        visible: bool,
    },
    /// A moderator locked, unlocked, deleted or undeleted a post.
    PostModerated {
        /// The post's question.
        question: i64,
        /// The post.
        post: i64,
        /// What was done.
        action: ModerationAction,
        /// The moderator.
        by: i64,
    },
    /// A question was closed, as a duplicate of `duplicate_of` or for another reason.
    QuestionClosed {
        /// The closed question.
        question: i64,
        /// The question it duplicates, when closed as a duplicate.
        duplicate_of: Option<i64>,
        /// Who closed it.
        by: i64,
    },
    /// A closed question was reopened.
    QuestionReopened {
        /// The reopened question.
        question: i64,
        /// The question it was a duplicate of, if it was closed as one.
        duplicate_of: Option<i64>,
        /// Who reopened it.
        by: i64,
    },
    /// A member commented on a post.
    CommentPosted {
        /// The post's question.
        question: i64,
        /// The post commented on.
        post: i64,
        /// The new comment.
        comment: i64,
        /// Who commented.
        author: i64,
    },
    /// A moderator deleted or restored a comment.
    CommentModerated {
        /// The comment's post's question.
        question: i64,
        /// The comment.
        comment: i64,
        /// Whether it is shown now.
        visible: bool,
        /// The moderator.
        by: i64,
    },
    /// Someone flagged a post or comment for moderators.
    Flagged {
        /// The post's question.
        question: i64,
        /// Who flagged.
        by: i64,
    },
    /// A moderator handled the flags on a post or comment.
    FlagsHandled {
        /// The post's question.
        question: i64,
        /// The moderator.
        by: i64,
    },
    /// A moderator deleted a member as a spammer, with their posts.
    SpammerRemoved {
        /// The member.
        user: i64,
        /// The moderator.
        by: i64,
    },
    /// Someone made an account (signing up, or an admin creating or inviting one).
    AccountCreated {
        /// The new account.
        user: i64,
    },
    /// An account's details changed: role, address, password, name, preferences, sessions.
    AccountChanged {
        /// The account.
        user: i64,
        /// What changed.
        what: AccountChange,
    },
    /// A member started or stopped watching a question.
    WatchChanged {
        /// The question.
        question: i64,
        /// The member.
        user: i64,
        /// Whether they watch it now.
        watching: bool,
    },
    /// A staff member took, assigned or gave back a question.
    QuestionAssigned {
        /// The question.
        question: i64,
        /// Who is on it now; `None` when it was given back (or released by an official answer).
        assignee: Option<i64>,
        /// Who did it.
        by: i64,
    },
    /// A topic's leads, own response target or a member's watch of it changed.
    TopicChanged {
        /// The tag.
        tag: i64,
        /// Who changed it.
        by: i64,
    },
    /// Mail was queued for sending (confirmations, resets, invitations, digests).
    MailQueued,
    /// An admin changed the run-time site settings (name, look, pages, posting rules).
    SiteSettingsChanged {
        /// The admin.
        by: i64,
    },
    /// A member's account was deleted, by them or by an admin on request: its row is anonymised
    /// and their posts stay under "Deleted member".
    AccountDeleted {
        /// The account.
        user: i64,
        /// Who deleted it (the member themselves, or an admin).
        by: i64,
    },
    /// The name a question's asker goes by changed (their account was deleted); the question's
    /// search document holds it.
    AskerRenamed {
        /// The question.
        question: i64,
        /// The asker.
        user: i64,
    },
}

/// What a moderator did to a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModerationAction {
    /// No new answers or comments.
    Locked,
    /// Open again.
    Unlocked,
    /// Removed from public view.
    Deleted,
    /// Restored.
    Undeleted,
}

/// Which part of an account changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountChange {
    /// Member, staff, moderator or admin.
    Role,
    /// Suspended or let back in.
    Suspension,
    /// The email address, or its confirmation.
    Email,
    /// The password.
    Password,
    /// Display name or other profile fields.
    Profile,
    /// Mail preferences (notifications, unsubscribing).
    MailPreference,
    /// Every session ended.
    SignedOutEverywhere,
    /// An identity provider account was linked or unlinked.
    SignInMethods,
}
