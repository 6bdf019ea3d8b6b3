//! Everything a question page shows, read in a handful of indexed queries: the question, its
//! answers in the order a visitor should read them, comments, authors and the viewer's votes.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::actor::Actor;
use super::questions::find_question;
use super::{ServiceError, ServiceResult};
use crate::db::models::{comments, posts, users, votes};
use crate::db::DbConnection;
use crate::domain::{paths, CloseReason, HeldReason, OfficialKind, QuestionId, UserId};
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
    /// The profile page.
    pub profile_path: String,
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
    fn from_row((id, title, slug): posts::TitleRow) -> Self {
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

/// Duplicates listed under "also asked as", at most.
const MAX_ALSO_ASKED: i64 = 20;

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
    /// The Markdown source, for meta descriptions.
    pub body_markdown: String,
    /// Set while the question is closed.
    pub closed: Option<Closure>,
    /// Questions closed as duplicates of this one: other ways of asking it.
    pub also_asked_as: Vec<QuestionLink>,
}

impl QuestionPage {
    /// The canonical path.
    pub fn path(&self) -> String {
        paths::question(QuestionId(self.id), Some(&self.slug))
    }
}

/// The order answers are read in: official, accepted, higher score, older.
fn answer_rank(answer: &PostView) -> (bool, bool, i32, i64) {
    (!answer.official, !answer.accepted, -answer.score, answer.id)
}

/// What the viewer may see and do, decided once for the whole page.
#[derive(Clone, Copy)]
struct ViewerRules<'a> {
    viewer: Option<&'a Actor>,
    /// Signed in and not suspended: may flag, and delete their own comments.
    active: Option<&'a Actor>,
    moderator: bool,
}

impl<'a> ViewerRules<'a> {
    fn new(viewer: Option<&'a Actor>) -> Self {
        let active = viewer.filter(|v| !v.suspended);
        Self { viewer, active, moderator: active.is_some_and(|v| v.role.is_moderator()) }
    }

    /// Moderators still see what was deleted, to review it and undelete it; authors see their
    /// own posts that wait for review.
    fn may_see(&self, post: &posts::Post) -> bool {
        post.deleted_at.is_none()
            || self.moderator
            || (post.held_reason.is_some() && self.viewer.is_some_and(|v| v.id == post.author_id))
    }

    fn is_author(&self, author_id: i64) -> bool {
        self.viewer.is_some_and(|v| v.id == author_id)
    }

    fn may_edit(&self, post: &posts::Post) -> bool {
        self.active.is_some_and(|v| v.id == post.author_id || v.role.is_moderator())
    }

    fn may_flag(&self, author_id: i64, deleted: bool) -> bool {
        self.active.is_some_and(|v| v.id != author_id) && !deleted
    }
}

/// Loads a question page.
pub fn load(
    conn: &mut DbConnection,
    QuestionId(question_id): QuestionId,
    viewer: Option<&Actor>,
) -> ServiceResult<QuestionPage> {
    let rules = ViewerRules::new(viewer);
    let question = match find_question(conn, question_id) {
        Err(ServiceError::Gone(message)) => match posts::find(conn, question_id)? {
            Some(post) if rules.may_see(&post) => post,
            _ => return Err(ServiceError::Gone(message)),
        },
        other => other?,
    };
    let answers: Vec<posts::Post> = match viewer {
        Some(_) => {
            posts::answers_of_including_deleted(conn, question.id)?.into_iter().filter(|a| rules.may_see(a)).collect()
        }
        None => posts::answers_of(conn, question.id)?,
    };
    let mut around = Surroundings::load(conn, &question, &answers, rules)?;
    let question_view = around.post_view(&question, &question, rules);
    let mut answer_views: Vec<PostView> = answers.iter().map(|a| around.post_view(a, &question, rules)).collect();
    answer_views.sort_by_key(answer_rank);
    let newest_official =
        answers.iter().filter(|a| a.official_kind.is_some()).max_by_key(|a| (a.official_at, a.id)).map(|a| a.id);
    Ok(QuestionPage {
        id: question.id,
        title: question.title.clone().unwrap_or_default(),
        slug: paths::question_slug(question.slug.as_deref()).to_owned(),
        tags: question.tag_list(),
        question: question_view,
        answers: answer_views,
        view_count: question.view_count,
        last_activity_at: question.last_activity_at,
        locked: question.locked_at.is_some(),
        viewer_is_asker: rules.is_author(question.author_id),
        viewer_is_staff: rules.active.is_some_and(|v| v.role.is_staff()),
        viewer_is_moderator: rules.moderator,
        structured_accepted_answer_id: question.accepted_answer_id.or(newest_official),
        viewer_watches: match viewer {
            Some(v) => crate::db::models::watches::exists(conn, v.id, question.id)?,
            None => false,
        },
        closed: closure(conn, &question)?,
        also_asked_as: posts::duplicates_of(conn, question.id, MAX_ALSO_ASKED)?
            .into_iter()
            .map(QuestionLink::from_row)
            .collect(),
        body_markdown: question.body_markdown,
    })
}

/// What the page's posts are shown with: comments, authors, the viewer's votes, sources.
struct Surroundings {
    authors: HashMap<i64, AuthorView>,
    my_votes: HashMap<i64, i32>,
    sources: HashMap<i64, Attribution>,
    comments_by_post: HashMap<i64, Vec<CommentView>>,
}

impl Surroundings {
    /// Reads them for the question and its answers: one query each.
    fn load(
        conn: &mut DbConnection,
        question: &posts::Post,
        answers: &[posts::Post],
        rules: ViewerRules<'_>,
    ) -> ServiceResult<Self> {
        let post_ids: Vec<i64> = std::iter::once(question.id).chain(answers.iter().map(|a| a.id)).collect();
        let all_comments = if rules.moderator {
            comments::on_posts_including_deleted(conn, &post_ids)?
        } else {
            comments::on_posts(conn, &post_ids)?
        };
        let mut author_ids: Vec<i64> = std::iter::once(question.author_id)
            .chain(answers.iter().map(|a| a.author_id))
            .chain(all_comments.iter().map(|c| c.author_id))
            .chain(answers.iter().filter_map(|a| a.official_by))
            .collect();
        author_ids.sort_unstable();
        author_ids.dedup();
        let authors: HashMap<i64, AuthorView> =
            users::find_many(conn, &author_ids)?.iter().map(|u| (u.id, author_view(u))).collect();
        let my_votes = match rules.viewer {
            Some(v) => votes::of_user_on(conn, v.id, &post_ids)?.into_iter().collect(),
            None => HashMap::new(),
        };
        let sources = crate::db::models::imports::sources_of(conn, &post_ids)?
            .into_iter()
            .map(|s| {
                let attribution = Attribution {
                    site: s.source_site,
                    url: s.source_url,
                    author_name: s.author_name,
                    license: s.license,
                };
                (s.post_id, attribution)
            })
            .collect();
        let mut comments_by_post: HashMap<i64, Vec<CommentView>> = HashMap::new();
        for c in all_comments {
            let deleted = c.deleted_at.is_some();
            comments_by_post.entry(c.post_id).or_default().push(CommentView {
                id: c.id,
                html: SafeHtml::from_trusted_db(c.body_html),
                author: author_of(&authors, c.author_id),
                created_at: c.created_at,
                markdown: c.body_markdown,
                deleted,
                can_delete: rules.moderator || rules.active.is_some_and(|v| v.id == c.author_id),
                can_flag: rules.may_flag(c.author_id, deleted),
            });
        }
        Ok(Self { authors, my_votes, sources, comments_by_post })
    }

    /// A question or answer as the viewer sees it; takes its comments and source along.
    fn post_view(&mut self, post: &posts::Post, question: &posts::Post, rules: ViewerRules<'_>) -> PostView {
        PostView {
            id: post.id,
            html: SafeHtml::from_trusted_db(post.body_html.clone()),
            score: post.score,
            author: author_of(&self.authors, post.author_id),
            created_at: post.created_at,
            edited_at: post.edited_at,
            accepted: question.accepted_answer_id == Some(post.id),
            official: post.official_kind.is_some(),
            official_kind: post.official_kind,
            official_by: post.official_by.map(|id| author_of(&self.authors, id)),
            reviewed_at: post.reviewed_at,
            comments: self.comments_by_post.remove(&post.id).unwrap_or_default(),
            my_vote: self.my_votes.get(&post.id).copied().unwrap_or(0),
            can_edit: rules.may_edit(post),
            is_mine: rules.is_author(post.author_id),
            markdown: post.body_markdown.clone(),
            source: self.sources.remove(&post.id),
            deleted: post.deleted_at.is_some() && post.held_reason.is_none(),
            held: post.held_reason,
            can_flag: rules.may_flag(post.author_id, post.deleted_at.is_some()),
        }
    }
}

/// Why and since when the question is closed, with the question it duplicates.
fn closure(conn: &mut DbConnection, question: &posts::Post) -> ServiceResult<Option<Closure>> {
    let (Some(at), Some(reason)) = (question.closed_at, question.close_reason) else {
        return Ok(None);
    };
    let duplicate_of = match question.duplicate_of_id {
        Some(id) => posts::titles(conn, &[id])?.into_iter().next().map(QuestionLink::from_row),
        None => None,
    };
    Ok(Some(Closure { reason, at, duplicate_of }))
}

/// How pages show a user.
pub fn author_view(user: &users::User) -> AuthorView {
    let role = user.role;
    AuthorView {
        id: user.id,
        display_name: user.display_name.clone(),
        badge: role.badge(),
        role,
        profile_path: paths::profile(UserId(user.id), &user.username),
    }
}

fn author_of(authors: &HashMap<i64, AuthorView>, id: i64) -> AuthorView {
    authors.get(&id).cloned().unwrap_or_else(|| AuthorView {
        id,
        display_name: "deleted user".to_owned(),
        badge: None,
        role: Role::Member,
        profile_path: format!("/users/{id}/deleted"),
    })
}
