//! The one place that builds the canonical paths of questions, answers and profiles, so every
//! link, redirect, feed and sitemap agrees byte for byte.

use super::{AnswerId, PostId, QuestionId, UserId};

/// What a question's path shows when it has no slug (questions always get one when asked or
/// imported, so this is a guard, not a case visitors see).
const FALLBACK_SLUG: &str = "question";

/// `/questions/{id}/{slug}`: a question's canonical page.
pub fn question(id: QuestionId, slug: Option<&str>) -> String {
    format!("/questions/{id}/{}", question_slug(slug))
}

/// The slug a question's canonical path uses.
pub fn question_slug(slug: Option<&str>) -> &str {
    slug.unwrap_or(FALLBACK_SLUG)
}

/// `/questions/{id}/{slug}#answer-{answer}`: an answer on its question's canonical page.
pub fn answer_on_page(question_id: QuestionId, slug: Option<&str>, answer: AnswerId) -> String {
    format!("{}#answer-{answer}", question(question_id, slug))
}

/// `/questions/{id}#answer-{answer}`: an answer, through the slug-less question path that
/// redirects to the canonical page (for callers that have not loaded the question's slug).
pub fn answer_by_question_id(question_id: QuestionId, answer: AnswerId) -> String {
    format!("/questions/{question_id}#answer-{answer}")
}

/// `/a/{id}`: an answer's short permalink, which redirects to its place on the question's page.
pub fn answer_permalink(answer: AnswerId) -> String {
    format!("/a/{answer}")
}

/// `/questions/{id}`: the slug-less question path, which redirects to the canonical page.
pub fn question_by_id(id: QuestionId) -> String {
    format!("/questions/{id}")
}

/// `/posts/{id}`: any post, wherever it is (redirects to the question or the answer on it).
pub fn post(id: PostId) -> String {
    format!("/posts/{id}")
}

/// `/api/v1/questions/{id}`: a question (with its answers) as the API reads it.
pub fn api_question(id: QuestionId) -> String {
    format!("/api/v1/questions/{id}")
}

/// `/users/{id}/{slug}`: a member's profile, under the slug of their username.
pub fn profile(id: UserId, username: &str) -> String {
    format!("/users/{id}/{}", slugify(username))
}

/// The URL slug of a title or name: lower-case ASCII words joined by hyphens, at most 80
/// characters, never empty.
pub fn slugify(title: &str) -> String {
    let slug = slug::slugify(title);
    let mut cut = String::new();
    for word in slug.split('-') {
        if cut.len() + word.len() + 1 > 80 {
            break;
        }
        if !cut.is_empty() {
            cut.push('-');
        }
        cut.push_str(word);
    }
    if cut.is_empty() {
        FALLBACK_SLUG.to_owned()
    } else {
        cut
    }
}

/// `/auth/sso/{provider}`: where a "Sign in with ..." button posts.
pub fn sso_start(provider: &str) -> String {
    format!("/auth/sso/{provider}")
}

/// `/auth/sso/{provider}/callback`: where the provider sends the browser back (the redirect URI
/// registered at the provider).
pub fn sso_callback(provider: &str) -> String {
    format!("/auth/sso/{provider}/callback")
}

/// `/login/break-glass/{token}`: an admin's one-time password sign-in while password sign-in is off.
pub fn break_glass(token: &str) -> String {
    format!("/login/break-glass/{token}")
}

/// A tag's page, `/tags/{name}`, the name percent-encoded.
pub fn tag(name: &str) -> String {
    format!("/tags/{}", url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>())
}
