//! What the embed pages, oEmbed answers and share cards show of a question or an answer: the
//! question and the one answer worth carrying elsewhere (the official one, else the accepted
//! one; or the answer asked for), read in a few indexed queries. Only public content: nothing
//! here depends on who asks.

use std::collections::HashMap;

use serde::Serialize;

use super::question_page::{author_view, unknown_author, AuthorView};
use super::questions::find_question;
use super::similar::{self, Suggestion, TitleCache};
use super::{question_lists, ServiceError, ServiceResult};
use crate::db::models::{posts, users};
use crate::db::DbConnection;
use crate::domain::{paths, AnswerId, QuestionId};
use crate::markdown::SafeHtml;
use guidepost_search::SearchIndex;

/// Characters of the question's text an embed card shows.
const QUESTION_EXCERPT_CHARS: usize = 240;
/// Characters of the answer's text a share card or oEmbed description carries.
const ANSWER_EXCERPT_CHARS: usize = 400;

/// What is embedded: a question (with its best answer) or one answer (with its question).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Embedded {
    /// `/embed/questions/{id}`
    Question(QuestionId),
    /// `/embed/answers/{id}`
    Answer(AnswerId),
}

impl Embedded {
    /// The embed page's path.
    pub fn embed_path(self) -> String {
        match self {
            Embedded::Question(id) => format!("/embed/questions/{id}"),
            Embedded::Answer(id) => format!("/embed/answers/{id}"),
        }
    }

    /// The share card's path.
    pub fn card_path(self) -> String {
        match self {
            Embedded::Question(id) => format!("/cards/questions/{id}.png"),
            Embedded::Answer(id) => format!("/cards/answers/{id}.png"),
        }
    }
}

/// A question as an embed card shows it.
#[derive(Debug, Clone, Serialize)]
pub struct EmbedCard {
    /// The question's id.
    pub question_id: i64,
    /// Its title.
    pub title: String,
    /// Its canonical page.
    pub path: String,
    /// The start of its text, plain.
    pub excerpt: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// Who asked.
    pub asker: AuthorView,
    /// Answers it has.
    pub answer_count: i32,
    /// Closed (as a duplicate or otherwise).
    pub closed: bool,
    /// The answer shown: the one asked for, else the official one, else the accepted one.
    pub answer: Option<EmbedAnswer>,
}

/// The answer an embed card carries.
#[derive(Debug, Clone, Serialize)]
pub struct EmbedAnswer {
    /// Its id.
    pub id: i64,
    /// Its sanitised HTML.
    pub html: SafeHtml,
    /// The start of its text, plain (share cards, oEmbed descriptions).
    pub excerpt: String,
    /// Staff's official answer.
    pub official: bool,
    /// The asker accepted it.
    pub accepted: bool,
    /// Its score.
    pub score: i32,
    /// Who wrote it.
    pub author: AuthorView,
    /// Its place on the question's page.
    pub path: String,
}

impl EmbedCard {
    /// Who wrote what is embedded: the answer's author for an answer, else the asker.
    pub fn author_of(&self, embedded: Embedded) -> &AuthorView {
        match (&self.answer, embedded) {
            (Some(answer), Embedded::Answer(_)) => &answer.author,
            _ => &self.asker,
        }
    }
}

/// Loads what an embed of `embedded` shows; 404 for what no visitor may read (missing, deleted,
/// held, an answer whose question is gone).
pub fn load(conn: &mut DbConnection, embedded: Embedded) -> ServiceResult<EmbedCard> {
    let (question, answer) = match embedded {
        Embedded::Question(QuestionId(id)) => {
            let question = find_question(conn, id).map_err(|e| missing_as(e, "Question"))?;
            let answers = posts::answers_of(conn, question.id)?;
            let best = best_answer(&question, answers);
            (question, best)
        }
        Embedded::Answer(AnswerId(id)) => {
            let answer = posts::find(conn, id)?
                .filter(|a| !a.is_question() && a.deleted_at.is_none())
                .ok_or(ServiceError::NotFound("Answer"))?;
            let question_id = answer.question_id.ok_or(ServiceError::NotFound("Answer"))?;
            let question = find_question(conn, question_id).map_err(|e| missing_as(e, "Answer"))?;
            (question, Some(answer))
        }
    };
    let mut ids = vec![question.author_id];
    ids.extend(answer.iter().map(|a| a.author_id));
    let authors: HashMap<i64, AuthorView> =
        users::find_many(conn, &ids)?.iter().map(|u| (u.id, author_view(u))).collect();
    let author = |id: i64| authors.get(&id).cloned().unwrap_or_else(|| unknown_author(id));
    let question_id = QuestionId(question.id);
    let answer = answer.map(|a| EmbedAnswer {
        id: a.id,
        excerpt: question_lists::excerpt(&a.body_markdown, ANSWER_EXCERPT_CHARS),
        html: SafeHtml::from_trusted_db(a.body_html),
        official: a.official_kind.is_some(),
        accepted: question.accepted_answer_id == Some(a.id),
        score: a.score,
        author: author(a.author_id),
        path: paths::answer_on_page(question_id, question.slug.as_deref(), AnswerId(a.id)),
    });
    Ok(EmbedCard {
        question_id: question.id,
        title: question.title.clone().unwrap_or_default(),
        path: paths::question(question_id, question.slug.as_deref()),
        excerpt: question_lists::excerpt(&question.body_markdown, QUESTION_EXCERPT_CHARS),
        tags: question.tag_list(),
        asker: author(question.author_id),
        answer_count: question.answer_count,
        closed: question.closed_at.is_some(),
        answer,
    })
}

/// A deleted question is simply not there for an embed (404, not the question page's 410, which
/// tells crawlers to drop the page); other errors stay what they are.
fn missing_as(error: ServiceError, what: &'static str) -> ServiceError {
    match error {
        ServiceError::Gone(_) | ServiceError::NotFound(_) => ServiceError::NotFound(what),
        other => other,
    }
}

/// The answer a question's card carries: the newest official one, else the accepted one.
fn best_answer(question: &posts::Post, answers: Vec<posts::Post>) -> Option<posts::Post> {
    let accepted = question.accepted_answer_id;
    answers
        .into_iter()
        .filter(|a| a.official_kind.is_some() || Some(a.id) == accepted)
        .max_by_key(|a| (a.official_kind.is_some(), a.official_at, a.id))
}

/// An existing question the ask box suggests, with the answer that may already solve it.
#[derive(Debug, Clone, Serialize)]
pub struct Answered {
    /// The question, as the ask form suggests it.
    #[serde(flatten)]
    pub question: Suggestion,
    /// Its official (else accepted) answer, if it has one.
    pub answer: Option<EmbedAnswer>,
}

/// The ask box's suggestions for a title: the ask form's own (through its cache), each with the
/// answer a customer would read first.
pub fn suggestions_with_answers(
    conn: &mut DbConnection,
    index: &SearchIndex,
    cache: &TitleCache,
    title: &str,
) -> ServiceResult<Vec<Answered>> {
    let found = similar::ask_suggestions(conn, index, cache, title)?;
    found
        .iter()
        .map(|s| {
            let answered = s.official || s.accepted;
            let answer = if answered { load(conn, Embedded::Question(QuestionId(s.id)))?.answer } else { None };
            Ok(Answered { question: s.clone(), answer })
        })
        .collect()
}

/// What a path on this site embeds, if it is a question's or an answer's address: `/questions/{id}`
/// with or without its slug (an `#answer-{id}` fragment picks that answer), `/a/{id}` and
/// `/posts/{id}` are answers or questions as the id turns out.
pub fn embedded_at(path: &str, fragment: Option<&str>) -> Option<EmbedAddress> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let id = |text: &str| text.parse::<i64>().ok().filter(|&id| id > 0);
    let answer_in_fragment = fragment.and_then(|f| f.strip_prefix("answer-")).and_then(id);
    match segments.as_slice() {
        ["questions", question] | ["questions", question, _] => {
            let question = id(question)?;
            Some(match answer_in_fragment {
                Some(answer) => EmbedAddress::Answer(answer),
                None => EmbedAddress::Question(question),
            })
        }
        ["a", answer] => id(answer).map(EmbedAddress::Answer),
        ["posts", post] => id(post).map(EmbedAddress::Post),
        _ => None,
    }
}

/// A post a URL names, before the database says what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbedAddress {
    /// A question's page.
    Question(i64),
    /// An answer's place.
    Answer(i64),
    /// `/posts/{id}`: either.
    Post(i64),
}

/// What `address` embeds, once `/posts/{id}` is known to be a question or an answer; 404 for a
/// post no visitor may read.
pub fn resolve(conn: &mut DbConnection, address: EmbedAddress) -> ServiceResult<Embedded> {
    match address {
        EmbedAddress::Question(id) => Ok(Embedded::Question(QuestionId(id))),
        EmbedAddress::Answer(id) => Ok(Embedded::Answer(AnswerId(id))),
        EmbedAddress::Post(id) => match posts::find(conn, id)? {
            Some(post) if post.deleted_at.is_none() && post.is_question() => Ok(Embedded::Question(QuestionId(id))),
            Some(post) if post.deleted_at.is_none() => Ok(Embedded::Answer(AnswerId(id))),
            _ => Err(ServiceError::NotFound("Post")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{embedded_at, EmbedAddress};

    #[test]
    fn addresses_of_questions_and_answers() {
        assert_eq!(embedded_at("/questions/12/how-to", None), Some(EmbedAddress::Question(12)));
        assert_eq!(embedded_at("/questions/12", None), Some(EmbedAddress::Question(12)));
        assert_eq!(embedded_at("/questions/12/how-to", Some("answer-30")), Some(EmbedAddress::Answer(30)));
        assert_eq!(embedded_at("/a/30", None), Some(EmbedAddress::Answer(30)));
        assert_eq!(embedded_at("/posts/7", None), Some(EmbedAddress::Post(7)));
        for other in ["/", "/tags/x", "/questions/x", "/questions/0", "/questions/1/a/b", "/a/-1", "/users/1/x"] {
            assert_eq!(embedded_at(other, None), None, "{other}");
        }
    }
}
