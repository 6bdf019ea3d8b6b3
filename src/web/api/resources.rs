//! The JSON shapes `/api/v1` answers with: stable field names, documented for the OpenAPI
//! document, built from the same views the HTML pages render (so both doors show the same thing).
//! Nothing here reads the database.

use chrono::{NaiveDateTime, SecondsFormat};
use serde::Serialize;
use utoipa::ToSchema;

use crate::services::question_lists::QuestionSummary as SummaryView;
use crate::services::question_page::{AuthorView, CommentView, PostView, QuestionPage};
use crate::services::{profiles, similar};

/// A time as RFC 3339 in UTC, as JSON clients expect (the database keeps naive UTC).
pub fn time(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Who wrote a post or comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct Author {
    /// User id (0 for an account since deleted).
    pub id: i64,
    /// The name shown.
    pub display_name: String,
    /// `member`, `staff`, `moderator` or `admin`.
    pub role: String,
    /// The role's badge, if it has one.
    pub badge: Option<String>,
    /// The public profile page; empty for a deleted account.
    pub profile_path: String,
    /// Their reputation (1 for a new member).
    pub reputation: i64,
    /// Badges they hold, by class.
    pub badges: BadgeCounts,
}

/// How many gold, silver and bronze badges a member holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct BadgeCounts {
    /// Gold badges.
    pub gold: i32,
    /// Silver badges.
    pub silver: i32,
    /// Bronze badges.
    pub bronze: i32,
}

impl From<&AuthorView> for Author {
    fn from(view: &AuthorView) -> Self {
        Author {
            id: view.id,
            display_name: view.display_name.clone(),
            role: view.role.to_string(),
            badge: view.badge.map(str::to_owned),
            profile_path: view.profile_path.clone(),
            reputation: view.standing.reputation,
            badges: BadgeCounts {
                gold: view.standing.gold,
                silver: view.standing.silver,
                bronze: view.standing.bronze,
            },
        }
    }
}

/// A question in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionSummary {
    /// Question id.
    pub id: i64,
    /// The title.
    pub title: String,
    /// The canonical page of the question on the site.
    pub path: String,
    /// Tag names.
    pub tags: Vec<String>,
    /// Up votes minus down votes.
    pub score: i32,
    /// Visible answers.
    pub answer_count: i32,
    /// Views.
    pub view_count: i64,
    /// The asker accepted an answer.
    pub accepted: bool,
    /// Staff answered officially.
    pub official: bool,
    /// Who asked.
    pub author: Author,
    /// When it was asked.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// The newest activity on it.
    #[schema(format = DateTime)]
    pub last_activity_at: String,
    /// The start of the question's text, as plain text.
    pub excerpt: String,
}

impl From<&SummaryView> for QuestionSummary {
    fn from(view: &SummaryView) -> Self {
        QuestionSummary {
            id: view.id,
            title: view.title.clone(),
            path: view.path.clone(),
            tags: view.tags.clone(),
            score: view.score,
            answer_count: view.answer_count,
            view_count: view.view_count,
            accepted: view.accepted,
            official: view.official,
            author: Author::from(&view.author),
            created_at: time(view.created_at),
            last_activity_at: time(view.last_activity_at),
            excerpt: view.excerpt.clone(),
        }
    }
}

/// A page of questions.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionList {
    /// The questions, in the order asked for.
    pub items: Vec<QuestionSummary>,
    /// The next page's link, or `null` on the last page.
    pub next: Option<String>,
}

/// A comment on a question or answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Comment {
    /// Comment id.
    pub id: i64,
    /// Who wrote it.
    pub author: Author,
    /// When.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// The Markdown source.
    pub body_markdown: String,
    /// The sanitised HTML.
    pub body_html: String,
    /// Deleted (only moderators see such comments).
    pub deleted: bool,
}

impl From<&CommentView> for Comment {
    fn from(view: &CommentView) -> Self {
        Comment {
            id: view.id,
            author: Author::from(&view.author),
            created_at: time(view.created_at),
            body_markdown: view.markdown.clone(),
            body_html: view.html.as_str().to_owned(),
            deleted: view.deleted,
        }
    }
}

/// A question's text or an answer, as the question page shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Post {
    /// Post id (a question's equals the question's id).
    pub id: i64,
    /// Up votes minus down votes.
    pub score: i32,
    /// Who wrote it.
    pub author: Author,
    /// When it was posted.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When it was last edited.
    #[schema(format = DateTime)]
    pub edited_at: Option<String>,
    /// The Markdown source.
    pub body_markdown: String,
    /// The sanitised HTML.
    pub body_html: String,
    /// The asker accepted this answer.
    pub accepted: bool,
    /// Staff made this answer official.
    pub official: bool,
    /// `authored` (posted as official) or `endorsed` (made official later), for official answers.
    pub official_kind: Option<String>,
    /// The staff member who made it official.
    pub official_by: Option<Author>,
    /// When staff last confirmed it is still accurate.
    #[schema(format = DateTime)]
    pub reviewed_at: Option<String>,
    /// The caller's vote on it: 1, -1 or 0.
    pub my_vote: i32,
    /// Deleted (only moderators see such posts).
    pub deleted: bool,
    /// Hidden until a moderator reviews it (`links` or `flags`); only its author and moderators see it.
    pub held: Option<String>,
    /// Comments, oldest first.
    pub comments: Vec<Comment>,
}

impl From<&PostView> for Post {
    fn from(view: &PostView) -> Self {
        Post {
            id: view.id,
            score: view.score,
            author: Author::from(&view.author),
            created_at: time(view.created_at),
            edited_at: view.edited_at.map(time),
            body_markdown: view.markdown.clone(),
            body_html: view.html.as_str().to_owned(),
            accepted: view.accepted,
            official: view.official,
            official_kind: view.official_kind.map(|k| k.to_string()),
            official_by: view.official_by.as_ref().map(Author::from),
            reviewed_at: view.reviewed_at.map(time),
            my_vote: view.my_vote,
            deleted: view.deleted,
            held: view.held.map(|h| h.to_string()),
            comments: view.comments.iter().map(Comment::from).collect(),
        }
    }
}

/// Why a question is closed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Closed {
    /// `duplicate`, `off-topic`, `unclear` or `resolved-elsewhere`.
    pub reason: String,
    /// When it was closed.
    #[schema(format = DateTime)]
    pub at: String,
    /// For duplicates: the id of the question that holds the answers.
    pub duplicate_of: Option<i64>,
}

/// One question with its answers and comments.
#[derive(Debug, Serialize, ToSchema)]
pub struct Question {
    /// Question id.
    pub id: i64,
    /// The title.
    pub title: String,
    /// The canonical page of the question on the site.
    pub path: String,
    /// Tag names.
    pub tags: Vec<String>,
    /// Views.
    pub view_count: i64,
    /// The newest activity on it.
    #[schema(format = DateTime)]
    pub last_activity_at: String,
    /// Locked questions take no answers, comments or votes.
    pub locked: bool,
    /// Set while the question is closed.
    pub closed: Option<Closed>,
    /// The caller watches it.
    pub watching: bool,
    /// The question's own text, votes and comments.
    pub question: Post,
    /// The answers in the order the page shows them: official first, then the accepted one,
    /// then by score, then oldest.
    pub answers: Vec<Post>,
}

impl From<&QuestionPage> for Question {
    fn from(page: &QuestionPage) -> Self {
        Question {
            id: page.id,
            title: page.title.clone(),
            path: page.path(),
            tags: page.tags.clone(),
            view_count: page.view_count,
            last_activity_at: time(page.last_activity_at),
            locked: page.locked,
            closed: page.closed.as_ref().map(|c| Closed {
                reason: c.reason.to_string(),
                at: time(c.at),
                duplicate_of: c.duplicate_of.as_ref().map(|d| d.id),
            }),
            watching: page.viewer_watches,
            question: Post::from(&page.question),
            answers: page.answers.iter().map(Post::from).collect(),
        }
    }
}

/// An existing question resembling a title.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimilarQuestion {
    /// Question id.
    pub id: i64,
    /// The title.
    pub title: String,
    /// The canonical page of the question on the site.
    pub path: String,
    /// Visible answers.
    pub answer_count: i32,
    /// The asker accepted an answer.
    pub accepted: bool,
    /// Staff answered officially.
    pub official: bool,
    /// A strong resemblance: the ask form shows it before posting.
    pub strong: bool,
}

impl From<&similar::Suggestion> for SimilarQuestion {
    fn from(s: &similar::Suggestion) -> Self {
        SimilarQuestion {
            id: s.id,
            title: s.title.clone(),
            path: s.path.clone(),
            answer_count: s.answer_count,
            accepted: s.accepted,
            official: s.official,
            strong: s.strong,
        }
    }
}

/// Questions resembling a title, most similar first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimilarQuestions {
    /// At most five questions.
    pub items: Vec<SimilarQuestion>,
}

/// An answer listed on a profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileAnswer {
    /// The answer's permalink on the site.
    pub path: String,
    /// The title of the question it answers.
    pub question_title: String,
    /// Up votes minus down votes.
    pub score: i32,
    /// The start of its text, as plain text.
    pub excerpt: String,
    /// When it was posted.
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// A member's public profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    /// User id.
    pub id: i64,
    /// The username.
    pub username: String,
    /// The name shown beside their posts.
    pub display_name: String,
    /// `member`, `staff`, `moderator` or `admin`.
    pub role: String,
    /// The role's badge, if it has one.
    pub badge: Option<String>,
    /// The profile page on the site.
    pub profile_path: String,
    /// When the account was made.
    #[schema(format = DateTime)]
    pub member_since: String,
    /// Their latest questions.
    pub questions: Vec<QuestionSummary>,
    /// Their latest answers.
    pub answers: Vec<ProfileAnswer>,
}

impl From<&profiles::Profile> for User {
    fn from(p: &profiles::Profile) -> Self {
        let author = Author::from(&p.author);
        User {
            id: p.user_id,
            username: p.username.clone(),
            display_name: author.display_name,
            role: author.role,
            badge: author.badge,
            profile_path: author.profile_path,
            member_since: time(p.member_since),
            questions: p.questions.iter().map(QuestionSummary::from).collect(),
            answers: p
                .answers
                .iter()
                .map(|a| ProfileAnswer {
                    path: a.path.clone(),
                    question_title: a.question_title.clone(),
                    score: a.score,
                    excerpt: a.excerpt.clone(),
                    created_at: time(a.created_at),
                })
                .collect(),
        }
    }
}
