//! What a question page shows, shaped for its template: the page, its posts, comments, authors
//! and the links to other questions.

use chrono::NaiveDateTime;

use crate::db::models::posts;
use crate::domain::{paths, CloseReason, HeldReason, OfficialKind, QuestionId};
use crate::markdown::SafeHtml;
use crate::roles::Role;

/// An author as pages show them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuthorView {
    /// User id.
    pub id: i64,
    /// The name shown.
    pub display_name: String,
    /// The role's badge, if any.
    pub badge: Option<&'static str>,
    /// The role.
    pub role: Role,
    /// The profile page; empty for a deleted account, which has none.
    pub profile_path: String,
    /// Reputation and badges, shown beside the name.
    pub standing: Standing,
}

/// What a member earned, as shown beside their name: read with the author's row, so a page
/// showing many authors spends no query on it.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Standing {
    /// Reputation.
    pub reputation: i64,
    /// Gold badges.
    pub gold: i32,
    /// Silver badges.
    pub silver: i32,
    /// Bronze badges.
    pub bronze: i32,
}

/// A comment as the page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CommentView {
    /// Comment id.
    pub id: i64,
    /// The rendered text.
    pub html: SafeHtml,
    /// Who wrote it.
    pub author: AuthorView,
    /// When.
    pub created_at: NaiveDateTime,
    /// The Markdown source, for structured data.
    #[serde(skip)]
    pub markdown: String,
    /// Deleted (only moderators see such comments).
    pub deleted: bool,
    /// The viewer may delete it (its author, or a moderator).
    pub can_delete: bool,
    /// The viewer may flag it.
    pub can_flag: bool,
}

/// Where an imported post came from: shown under it, as its licence requires.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Attribution {
    /// The source site's host name.
    pub site: String,
    /// The original post's address.
    pub url: String,
    /// The original author's name.
    pub author_name: String,
    /// The licence it was published under.
    pub license: String,
}

/// A question or answer as the page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PostView {
    /// Post id.
    pub id: i64,
    /// The rendered body.
    pub html: SafeHtml,
    /// Up minus down votes.
    pub score: i32,
    /// Who wrote it.
    pub author: AuthorView,
    /// When it was posted.
    pub created_at: NaiveDateTime,
    /// When it was last edited.
    pub edited_at: Option<NaiveDateTime>,
    /// The asker accepted this answer.
    pub accepted: bool,
    /// Staff made this answer official.
    pub official: bool,
    /// `authored` or `endorsed`, for official answers.
    pub official_kind: Option<OfficialKind>,
    /// The staff member who made it official.
    pub official_by: Option<AuthorView>,
    /// When staff last confirmed it is still accurate.
    pub reviewed_at: Option<NaiveDateTime>,
    /// Comments, oldest first.
    pub comments: Vec<CommentView>,
    /// The viewer's vote: 1, -1 or 0.
    pub my_vote: i32,
    /// The viewer may edit it.
    pub can_edit: bool,
    /// The viewer wrote it (no voting on one's own post).
    pub is_mine: bool,
    /// The Markdown source, for structured data.
    #[serde(skip)]
    pub markdown: String,
    /// For imported posts: where it came from.
    pub source: Option<Attribution>,
    /// Deleted (only moderators see such posts).
    pub deleted: bool,
    /// Hidden until a moderator reviews it: `links` or `flags` (its author and moderators see it).
    pub held: Option<HeldReason>,
    /// The viewer may flag it.
    pub can_flag: bool,
}

/// Another question, as a link.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QuestionLink {
    /// Question id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// Its canonical path.
    pub path: String,
}

impl QuestionLink {
    /// The link to a question from its title row.
    pub(super) fn from_row((id, title, slug): posts::TitleRow) -> Self {
        QuestionLink { id, title: title.unwrap_or_default(), path: paths::question(QuestionId(id), slug.as_deref()) }
    }
}

/// Why and since when a question is closed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Closure {
    /// `duplicate`, `off-topic`, `unclear` or `resolved-elsewhere`.
    pub reason: CloseReason,
    /// When it was closed.
    pub at: NaiveDateTime,
    /// For duplicates: the canonical question, which holds the answers.
    pub duplicate_of: Option<QuestionLink>,
}

/// The whole page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QuestionPage {
    /// Question id.
    pub id: i64,
    /// The title.
    pub title: String,
    /// The canonical slug.
    pub slug: String,
    /// Tag names.
    pub tags: Vec<String>,
    /// The question itself.
    pub question: PostView,
    /// Answers: official first, then the accepted one, then by score, then oldest.
    pub answers: Vec<PostView>,
    /// De-duplicated views.
    pub view_count: i64,
    /// Newest activity.
    pub last_activity_at: NaiveDateTime,
    /// Locked questions take no answers, comments or votes.
    pub locked: bool,
    /// The viewer asked it (and may accept answers).
    pub viewer_is_asker: bool,
    /// The viewer is staff (and may post, endorse, withdraw and review official answers, and
    /// close questions as duplicates).
    pub viewer_is_staff: bool,
    /// The viewer is a moderator or admin (and may close for any reason).
    pub viewer_is_moderator: bool,
    /// The answer structured data calls accepted: the asker's choice, or else the newest
    /// official answer.
    pub structured_accepted_answer_id: Option<i64>,
    /// The viewer watches it (is told about new and accepted answers).
    pub viewer_watches: bool,
    /// The staff who lead the question's topics, shown to everyone: someone is on this topic.
    pub topic_leads: Vec<crate::db::models::topics::Lead>,
    /// An answer is official, so the question needs nobody on it.
    pub has_official: bool,
    /// The staff member on the question, shown to staff only.
    pub assignment: Option<crate::db::models::assignments::Assignment>,
    /// The Markdown source, for meta descriptions.
    pub body_markdown: String,
    /// Set while the question is closed.
    pub closed: Option<Closure>,
    /// Questions closed as duplicates of this one: other ways of asking it.
    pub also_asked_as: Vec<QuestionLink>,
    /// Votes to close (or, when closed, to reopen) so far, for a signed-in viewer.
    pub close_votes: Option<CloseTally>,
    /// The posts on the page with a suggested edit waiting for review (signed-in viewers only).
    pub pending_edits: Vec<i64>,
    /// Those of them the viewer suggested.
    pub my_pending_edits: Vec<i64>,
}

/// How many members voted to close (or reopen) a question, and whether the viewer did.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct CloseTally {
    /// Votes so far.
    pub votes: usize,
    /// The viewer is among them.
    pub viewer_voted: bool,
}

impl QuestionPage {
    /// The canonical path.
    pub fn path(&self) -> String {
        paths::question(QuestionId(self.id), Some(&self.slug))
    }
}
