//! What a member does to any post through the API: comment, vote, edit, flag (posts and
//! comments).

use actix_web::http::header::LOCATION;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Written;
use crate::domain::{paths, AnswerId, ApiScope, PostId, QuestionId};
use crate::error::AppError;
use crate::services::commenting;
use crate::services::editing::{self, PostEdit};
use crate::services::flags::{self, FlagReason, FlagTarget, Flagged};
use crate::services::voting::{self, VoteValue};
use crate::state::AppState;
use crate::web::api::problem::Problem;
use crate::web::api_auth::ApiCaller;

/// A new comment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    /// The comment, in Markdown (links and emphasis only).
    pub body: String,
}

/// Where a comment was added.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentAdded {
    /// The post commented on.
    pub post_id: i64,
    /// Its question.
    pub question_id: i64,
    /// The question as the API reads it, comments included.
    pub api_url: String,
}

/// POST /api/v1/posts/{id}/comments — comments on a question or answer.
#[utoipa::path(
    post, path = "/api/v1/posts/{id}/comments", tag = "posts", operation_id = "add_comment",
    summary = "Comment on a post",
    description = "Comments on a question or an answer, under the same rules as the comment form. Needs the `write` scope.",
    params(("id" = i64, Path, description = "The question's or answer's id.")),
    request_body = NewComment,
    responses(
        (status = 201, description = "Commented; `Location` is the question in the API.", body = CommentAdded),
        (status = 400, description = "The body is not JSON, or the id not a number.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or a wrong one.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the scope, the member is suspended, or the question is locked.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The post does not take comments now.", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The post was deleted.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not acceptable; `errors` names it.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many comments or requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearerAuth" = []))
)]
pub async fn comment(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<PostId>,
    body: web::Json<NewComment>,
) -> Result<HttpResponse, AppError> {
    let actor = caller.require(ApiScope::Write)?;
    let post_id = id.into_inner();
    let body = body.into_inner().body;
    let policy = state.posting_policy();
    let now = chrono::Utc::now().naive_utc();
    let question_id =
        state.write(move |conn, feed| commenting::add_comment(conn, feed, &actor, policy, post_id, &body, now)).await?;
    let api_url = paths::api_question(QuestionId(question_id));
    Ok(HttpResponse::Created().insert_header((LOCATION, api_url.clone())).json(CommentAdded {
        post_id: post_id.get(),
        question_id,
        api_url,
    }))
}

/// Which way to vote.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// +1
    Up,
    /// -1
    Down,
    /// Withdraw one's vote.
    None,
}

/// A vote.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVote {
    /// `up`, `down` or `none` (withdraws the vote).
    pub direction: Direction,
}

/// A post's score after a vote.
#[derive(Debug, Serialize, ToSchema)]
pub struct VoteState {
    /// The post voted on.
    pub post_id: i64,
    /// Its score now.
    pub score: i32,
    /// The caller's vote now: 1, -1 or 0.
    pub vote: i32,
}

/// POST /api/v1/posts/{id}/vote — votes on a question or answer.
#[utoipa::path(
    post, path = "/api/v1/posts/{id}/vote", tag = "posts", operation_id = "vote",
    summary = "Vote on a post",
    description = "Votes a question or answer up or down, or withdraws the vote, under the same rules as the buttons (not one's own posts; vote limits). Needs the `write` scope.",
    params(("id" = i64, Path, description = "The question's or answer's id.")),
    request_body = NewVote,
    responses(
        (status = 200, description = "The post's score and the caller's vote now.", body = VoteState),
        (status = 400, description = "The body is not JSON, or the id not a number.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or a wrong one.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the scope, the post is the caller's own, the member is suspended, or the question is locked.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The post takes no votes now.", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The post was deleted.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not acceptable; `errors` names it.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many votes or requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearerAuth" = []))
)]
pub async fn vote(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<PostId>,
    body: web::Json<NewVote>,
) -> Result<HttpResponse, AppError> {
    let actor = caller.require(ApiScope::Write)?;
    let post_id = id.into_inner();
    let value = match body.into_inner().direction {
        Direction::Up => VoteValue::Up,
        Direction::Down => VoteValue::Down,
        Direction::None => VoteValue::None,
    };
    let policy = state.posting_policy();
    let now = chrono::Utc::now().naive_utc();
    let outcome = state.write(move |conn, feed| voting::vote(conn, feed, &actor, policy, post_id, value, now)).await?;
    Ok(HttpResponse::Ok().json(VoteState { post_id: outcome.post_id, score: outcome.score, vote: outcome.vote }))
}

/// An edit of a post.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostChange {
    /// The new title (questions only).
    pub title: Option<String>,
    /// The new tags (questions only).
    pub tags: Option<Vec<String>>,
    /// The new body, in Markdown.
    pub body: String,
    /// Why it was edited, shown in the revision history.
    #[serde(default)]
    pub reason: String,
}

/// PATCH /api/v1/posts/{id} — edits a question or answer, keeping a revision.
#[utoipa::path(
    patch, path = "/api/v1/posts/{id}", tag = "posts", operation_id = "edit_post",
    summary = "Edit a post",
    description = "Edits a question (title, tags, body) or an answer (body) as the edit form does: its author or a moderator, with a revision kept. Needs the `write` scope.",
    params(("id" = i64, Path, description = "The question's or answer's id.")),
    request_body = PostChange,
    responses(
        (status = 200, description = "Edited.", body = Written),
        (status = 400, description = "The body is not JSON, or the id not a number.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or a wrong one.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the scope, the caller may not edit this post, or the question is locked.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The post cannot be edited now.", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The post was deleted.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not acceptable; `errors` names it.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many edits or requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearerAuth" = []))
)]
pub async fn edit(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<PostId>,
    body: web::Json<PostChange>,
) -> Result<HttpResponse, AppError> {
    let actor = caller.require(ApiScope::Write)?;
    let id = id.into_inner();
    let PostChange { title, tags, body, reason } = body.into_inner();
    let edit = PostEdit { title, tags: tags.map(|t| t.join(" ")), body, reason };
    let policy = state.posting_policy();
    let now = chrono::Utc::now().naive_utc();
    let draft = state.compute(move || edit.prepare(&policy)).await?;
    let post = state.write(move |conn, feed| editing::edit(conn, feed, &actor, policy, id, draft, now)).await?;
    let (path, question_id) = match post.question_id {
        Some(question_id) => (paths::answer_permalink(AnswerId(post.id)), QuestionId(question_id)),
        None => (paths::question(QuestionId(post.id), post.slug.as_deref()), QuestionId(post.id)),
    };
    Ok(HttpResponse::Ok().json(Written {
        id: post.id,
        path,
        api_url: paths::api_question(question_id),
        held_for_review: post.held_reason.is_some(),
    }))
}

/// Why something is flagged.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FlagWhy {
    /// Advertising or unrelated links.
    Spam,
    /// Rude or abusive.
    Rude,
    /// Not what this forum is for.
    OffTopic,
    /// Something else; `note` says what.
    NeedsModerator,
}

/// A flag.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFlag {
    /// Why: `spam`, `rude`, `off-topic` or `needs-moderator`.
    pub reason: FlagWhy,
    /// A note for the moderators (required with `needs-moderator`).
    pub note: Option<String>,
}

/// What became of a flag.
#[derive(Debug, Serialize, ToSchema)]
pub struct FlagState {
    /// Enough members flagged it as spam: it is hidden until a moderator looks.
    pub hidden: bool,
}

/// POST /api/v1/posts/{id}/flag — flags a question or answer for the moderators.
#[utoipa::path(
    post, path = "/api/v1/posts/{id}/flag", tag = "posts", operation_id = "flag_post",
    summary = "Flag a post",
    description = "Flags a question or answer for the moderators, as the Flag form does. Needs the `write` scope.",
    params(("id" = i64, Path, description = "The question's or answer's id.")),
    request_body = NewFlag,
    responses(
        (status = 201, description = "Flagged.", body = FlagState),
        (status = 400, description = "The body is not JSON, or the id not a number.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or a wrong one.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the scope, the post is the caller's own, or the member is suspended.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The caller flagged it already.", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The post was deleted.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not acceptable; `errors` names it.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many flags or requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearerAuth" = []))
)]
pub async fn flag_post(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<i64>,
    body: web::Json<NewFlag>,
) -> Result<HttpResponse, AppError> {
    flag(state, caller, FlagTarget::Post(id.into_inner()), body.into_inner()).await
}

/// POST /api/v1/comments/{id}/flag — flags a comment for the moderators.
#[utoipa::path(
    post, path = "/api/v1/comments/{id}/flag", tag = "posts", operation_id = "flag_comment",
    summary = "Flag a comment",
    description = "Flags a comment for the moderators, as the Flag form does. Needs the `write` scope.",
    params(("id" = i64, Path, description = "The comment's id.")),
    request_body = NewFlag,
    responses(
        (status = 201, description = "Flagged.", body = FlagState),
        (status = 400, description = "The body is not JSON, or the id not a number.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token, or a wrong one.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the scope, the comment is the caller's own, or the member is suspended.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The caller flagged it already.", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The comment was deleted.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not acceptable; `errors` names it.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many flags or requests; see `Retry-After`.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearerAuth" = []))
)]
pub async fn flag_comment(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<i64>,
    body: web::Json<NewFlag>,
) -> Result<HttpResponse, AppError> {
    flag(state, caller, FlagTarget::Comment(id.into_inner()), body.into_inner()).await
}

async fn flag(
    state: web::Data<AppState>,
    caller: ApiCaller,
    target: FlagTarget,
    NewFlag { reason, note }: NewFlag,
) -> Result<HttpResponse, AppError> {
    let actor = caller.require(ApiScope::Write)?;
    let reason = match reason {
        FlagWhy::Spam => FlagReason::Spam,
        FlagWhy::Rude => FlagReason::Rude,
        FlagWhy::OffTopic => FlagReason::OffTopic,
        FlagWhy::NeedsModerator => FlagReason::NeedsModerator,
    };
    let policy = state.posting_policy();
    let now = chrono::Utc::now().naive_utc();
    let (_, outcome) = state
        .write(move |conn, feed| {
            let form = flags::FlagForm { target, reason, note: note.as_deref() };
            flags::flag(conn, feed, &actor, policy, form, now)
        })
        .await?;
    Ok(HttpResponse::Created().json(FlagState { hidden: outcome == Flagged::Hidden }))
}
