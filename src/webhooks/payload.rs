//! What a delivery says: the event's JSON (`{"type", "timestamp", "data"}`), read from the
//! database inside the transaction of the change, and queued once per subscribed endpoint.
//!
//! `data` names ids and absolute public URLs (from `GUIDEPOST_BASE_URL`) and the question's
//! title; it holds no post bodies and no addresses. Posts the public cannot see (held for
//! review, deleted) are not announced at all.

use chrono::NaiveDateTime;
use serde_json::{json, Value};

use crate::db::models::posts::{self, Post};
use crate::db::models::webhooks::deliveries::{self, NewDelivery};
use crate::db::models::webhooks::endpoints::Endpoint;
use crate::db::DbConnection;
use crate::domain::{paths, AnswerId, QuestionId, WebhookEvent};

/// What an event is about, as the change named it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    /// The question.
    pub question: i64,
    /// The answer, for answer events.
    pub answer: Option<i64>,
    /// Who acted (asker, answerer, accepter, staff member, flagger, closer).
    pub actor: Option<i64>,
    /// For `question.closed`: the question it duplicates.
    pub duplicate_of: Option<i64>,
}

impl Subject {
    /// An event about a question alone.
    pub fn question(question: i64, actor: Option<i64>) -> Self {
        Self { question, answer: None, actor, duplicate_of: None }
    }

    /// An event about an answer on a question.
    pub fn answer(question: i64, answer: i64, actor: i64) -> Self {
        Self { question, answer: Some(answer), actor: Some(actor), duplicate_of: None }
    }
}

/// An event ready to queue: its `data`, and the topics of the question it is about, which decide
/// the endpoints that hear of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Announcement {
    /// The event's `data`.
    pub data: Value,
    /// The question's tags; `None` for an event about no question (a ping), which no topics
    /// filter holds back.
    pub topics: Option<Vec<String>>,
}

impl Announcement {
    /// An event about no question: every endpoint that subscribes hears of it.
    pub fn unscoped(data: Value) -> Self {
        Self { data, topics: None }
    }

    /// Whether `endpoint` is to hear of it: it subscribes to `event` and, for an event about a
    /// question, covers one of the question's topics.
    fn reaches(&self, endpoint: &Endpoint, event: WebhookEvent) -> bool {
        endpoint.wants(event) && self.topics.as_deref().is_none_or(|topics| endpoint.covers(topics))
    }
}

/// The event's `data` with the question's topics, or `None` when the question or answer is not
/// public (held, deleted).
pub fn data(conn: &mut DbConnection, base_url: &str, subject: &Subject) -> diesel::QueryResult<Option<Announcement>> {
    let Some(question) = posts::find(conn, subject.question)?.filter(is_public) else {
        return Ok(None);
    };
    let question_url = format!("{base_url}{}", paths::question(QuestionId(question.id), question.slug.as_deref()));
    let mut data = json!({
        "question": {
            "id": question.id,
            "title": question.title,
            "url": question_url,
            "tags": question.tag_list(),
            "created_at": rfc3339(question.created_at),
        }
    });
    if let Some(answer_id) = subject.answer {
        let Some(answer) = posts::find(conn, answer_id)?.filter(is_public) else {
            return Ok(None);
        };
        let url = format!(
            "{base_url}{}",
            paths::answer_on_page(QuestionId(question.id), question.slug.as_deref(), AnswerId(answer.id))
        );
        data["answer"] = json!({
            "id": answer.id,
            "url": url,
            "official": answer.official_kind.is_some(),
            "accepted": question.accepted_answer_id == Some(answer.id),
            "created_at": rfc3339(answer.created_at),
        });
    }
    if let Some(actor) = subject.actor {
        data["actor"] = json!({ "id": actor });
    }
    if let Some(original) = subject.duplicate_of {
        data["duplicate_of"] =
            json!({ "id": original, "url": format!("{base_url}{}", paths::question_by_id(QuestionId(original))) });
    }
    Ok(Some(Announcement { data, topics: Some(question.tag_list()) }))
}

fn is_public(post: &Post) -> bool {
    post.deleted_at.is_none() && post.held_reason.is_none()
}

/// A timestamp as the payload writes it: RFC 3339 in UTC.
pub fn rfc3339(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The whole event as it is stored and sent in the standard format.
pub fn event_json(event: WebhookEvent, data: Value, now: NaiveDateTime) -> String {
    json!({ "type": event.as_str(), "timestamp": rfc3339(now), "data": data }).to_string()
}

/// Queues one delivery of the event to each endpoint that subscribes to it and covers the
/// question's topics (call inside the transaction of the change); returns how many were queued.
pub fn enqueue(
    conn: &mut DbConnection,
    endpoints: &[Endpoint],
    event: WebhookEvent,
    announcement: &Announcement,
    now: NaiveDateTime,
) -> diesel::QueryResult<usize> {
    let mut queued = 0;
    let body = event_json(event, announcement.data.clone(), now);
    for endpoint in endpoints.iter().filter(|e| announcement.reaches(e, event)) {
        let message_id = super::signing::new_message_id();
        deliveries::insert(
            conn,
            &NewDelivery {
                endpoint_id: endpoint.id,
                event_type: event.as_str(),
                message_id: &message_id,
                payload: &body,
                created_at: now,
                next_attempt_at: now,
            },
        )?;
        queued += 1;
    }
    Ok(queued)
}
