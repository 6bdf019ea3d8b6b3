//! Everything a question page shows, read in a handful of indexed queries: the question, its
//! answers in the order a visitor should read them, comments, authors and the viewer's votes.

use std::collections::HashMap;

mod views;

pub use views::{
    Attribution, AuthorView, CloseTally, Closure, CommentView, PostView, QuestionLink, QuestionPage, Standing,
};

use super::actor::Actor;
use super::questions::find_question;
use super::{ServiceError, ServiceResult};
use crate::db::models::{close_votes, comments, posts, topics, users, votes};
use crate::db::DbConnection;
use crate::domain::{paths, QuestionId, UserId};
use crate::markdown::SafeHtml;
use crate::roles::Role;

/// Duplicates listed under "also asked as", at most.
const MAX_ALSO_ASKED: i64 = 20;

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

    /// Whether the page offers "Edit": to the author and moderators, and to any other active
    /// member on an unlocked post (at once with the edit privilege, else as a suggested edit).
    fn may_edit(&self, post: &posts::Post) -> bool {
        self.active.is_some_and(|v| v.id == post.author_id || v.role.is_moderator() || post.locked_at.is_none())
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
    // Only signed-in visitors are told of edits waiting for review: the public page stays one
    // query shorter, and the same for everyone.
    let (pending_edits, my_pending_edits) = match viewer {
        Some(v) => {
            let post_ids: Vec<i64> = std::iter::once(question.id).chain(answers.iter().map(|a| a.id)).collect();
            super::suggested_edits::pending_marks(conn, v.id, &post_ids)?
        }
        None => (Vec::new(), Vec::new()),
    };
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
        has_official: question.has_official,
        topic_leads: topics::leads_of_tag_names(conn, &question.tag_list())?,
        assignment: super::assignments::of_question(conn, rules.active, question.id)?,
        closed: closure(conn, &question)?,
        also_asked_as: posts::duplicates_of(conn, question.id, MAX_ALSO_ASKED)?
            .into_iter()
            .map(QuestionLink::from_row)
            .collect(),
        close_votes: match viewer {
            Some(v) => Some(close_tally(conn, &question, v.id)?),
            None => None,
        },
        body_markdown: question.body_markdown,
        pending_edits,
        my_pending_edits,
    })
}

/// The votes that would change the question's state: to reopen it when closed, else to close it.
fn close_tally(conn: &mut DbConnection, question: &posts::Post, viewer: i64) -> ServiceResult<CloseTally> {
    let kind = if question.closed_at.is_some() { close_votes::REOPEN } else { close_votes::CLOSE };
    let votes = close_votes::of_question(conn, question.id, kind)?;
    Ok(CloseTally { votes: votes.len(), viewer_voted: votes.iter().any(|v| v.user_id == viewer) })
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

/// How pages show a user; a deleted account has no profile to link to (an empty path).
pub fn author_view(user: &users::User) -> AuthorView {
    let role = user.role;
    let profile_path =
        if user.deleted_at.is_some() { String::new() } else { paths::profile(UserId(user.id), &user.username) };
    let standing = Standing {
        reputation: user.reputation,
        gold: user.gold_badges,
        silver: user.silver_badges,
        bronze: user.bronze_badges,
    };
    AuthorView {
        id: user.id,
        display_name: user.display_name.clone(),
        badge: role.badge(),
        role,
        profile_path,
        standing,
    }
}

fn author_of(authors: &HashMap<i64, AuthorView>, id: i64) -> AuthorView {
    authors.get(&id).cloned().unwrap_or_else(|| unknown_author(id))
}

/// An author whose row is gone, shown as "deleted user".
pub fn unknown_author(id: i64) -> AuthorView {
    AuthorView {
        id,
        display_name: "deleted user".to_owned(),
        badge: None,
        role: Role::Member,
        profile_path: format!("/users/{id}/deleted"),
        standing: Standing::default(),
    }
}
