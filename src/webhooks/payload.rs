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

/// The event's `data`, or `None` when the question or answer is not public (held, deleted).
pub fn data(conn: &mut DbConnection, base_url: &str, subject: &Subject) -> diesel::QueryResult<Option<Value>> {
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
    Ok(Some(data))
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

/// Queues one delivery of the event to each endpoint that subscribes to it (call inside the
/// transaction of the change); returns how many were queued.
pub fn enqueue(
    conn: &mut DbConnection,
    endpoints: &[Endpoint],
    event: WebhookEvent,
    data: &Value,
    now: NaiveDateTime,
) -> diesel::QueryResult<usize> {
    let mut queued = 0;
    let body = event_json(event, data.clone(), now);
    for endpoint in endpoints.iter().filter(|e| e.wants(event)) {
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
