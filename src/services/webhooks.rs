//! Webhook endpoints as admins manage them (`/admin/webhooks`): registering (URL, events,
//! format, the topics it is limited to), switching on and off, deleting, a new secret, a test ping, the delivery log and
//! "send again". Admins only; every action is audited in the transaction that makes it.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::json;

use super::actor::Actor;
use super::{audit, ServiceError, ServiceResult};
use crate::db::models::webhooks::deliveries::{self, Delivery};
use crate::db::models::webhooks::endpoints::{self, Endpoint, NewEndpoint};
use crate::db::{write_transaction, DbConnection};
use crate::domain::{WebhookEvent, WebhookFormat};
use crate::services::questions::MAX_TAG_LENGTH;
use crate::webhooks::{outbound, payload, signing};

/// The audit log's target kind for an endpoint.
const TARGET: &str = "webhook";
/// Deliveries shown on an endpoint's page.
const LOG_LENGTH: i64 = 50;
/// The longest URL accepted.
const MAX_URL_CHARS: usize = 2_000;
/// The most topics one endpoint may be limited to.
pub const MAX_TOPICS: usize = 20;

/// What the admin filled in to register an endpoint.
#[derive(Debug, Clone, Default)]
pub struct EndpointForm {
    /// Where to post.
    pub url: String,
    /// The event words ticked.
    pub events: Vec<String>,
    /// `standard` or `chat`.
    pub format: String,
    /// The topics it is limited to: tag names separated by spaces (or commas); empty for all.
    pub tags: String,
}

/// An endpoint as the admin pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct EndpointView {
    /// Its id.
    pub id: i64,
    /// Where deliveries go.
    pub url: String,
    /// The signing secret (admins see it, to set up the receiver).
    pub secret: String,
    /// The subscribed events' words.
    pub events: Vec<&'static str>,
    /// `standard` or `chat`.
    pub format: WebhookFormat,
    /// The topics whose questions it hears of; empty for every topic.
    pub topics: Vec<String>,
    /// Whether it takes deliveries.
    pub enabled: bool,
    /// When and why it was switched off.
    pub disabled_at: Option<String>,
    /// Why it was switched off.
    pub disabled_reason: Option<String>,
    /// Failed attempts in a row.
    pub consecutive_failures: i32,
    /// When it was registered.
    pub created_at: String,
}

impl EndpointView {
    fn of(endpoint: &Endpoint) -> Self {
        Self {
            id: endpoint.id,
            url: endpoint.url.clone(),
            secret: endpoint.secret.clone(),
            events: endpoint.events().into_iter().map(WebhookEvent::as_str).collect(),
            format: endpoint.format,
            topics: endpoint.topics().into_iter().map(str::to_owned).collect(),
            enabled: endpoint.disabled_at.is_none(),
            disabled_at: endpoint.disabled_at.map(payload::rfc3339),
            disabled_reason: endpoint.disabled_reason.clone(),
            consecutive_failures: endpoint.consecutive_failures,
            created_at: payload::rfc3339(endpoint.created_at),
        }
    }
}

/// One line of an endpoint's delivery log.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryView {
    /// Its id (for "send again").
    pub id: i64,
    /// The event's word.
    pub event: String,
    /// The `webhook-id`.
    pub message_id: String,
    /// When it was queued.
    pub created_at: String,
    /// Attempts so far.
    pub attempts: i32,
    /// `delivered`, `failed` (given up) or `pending`.
    pub state: &'static str,
    /// The last answer's status code.
    pub status: Option<i32>,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// The start of the last answer.
    pub response: Option<String>,
}

impl DeliveryView {
    fn of(delivery: &Delivery) -> Self {
        let state = if delivery.delivered_at.is_some() {
            "delivered"
        } else if delivery.failed_at.is_some() {
            "failed"
        } else {
            "pending"
        };
        Self {
            id: delivery.id,
            event: delivery.event_type.clone(),
            message_id: delivery.message_id.clone(),
            created_at: payload::rfc3339(delivery.created_at),
            attempts: delivery.attempts,
            state,
            status: delivery.last_status,
            error: delivery.last_error.clone(),
            response: delivery.response_excerpt.clone(),
        }
    }
}

/// Every endpoint.
pub fn list(conn: &mut DbConnection, actor: &Actor) -> ServiceResult<Vec<EndpointView>> {
    actor.ensure_admin()?;
    Ok(endpoints::all(conn)?.iter().map(EndpointView::of).collect())
}

/// One endpoint and its newest deliveries.
pub fn show(conn: &mut DbConnection, actor: &Actor, id: i64) -> ServiceResult<(EndpointView, Vec<DeliveryView>)> {
    actor.ensure_admin()?;
    let endpoint = find(conn, id)?;
    let log = deliveries::log_of(conn, id, LOG_LENGTH)?.iter().map(DeliveryView::of).collect();
    Ok((EndpointView::of(&endpoint), log))
}

/// Registers an endpoint with a fresh secret; returns its id. Nothing is stored unless the URL,
/// the events and the format all pass.
pub fn register(conn: &mut DbConnection, actor: &Actor, form: &EndpointForm, now: NaiveDateTime) -> ServiceResult<i64> {
    actor.ensure_admin()?;
    let url = form.url.trim();
    if url.chars().count() > MAX_URL_CHARS {
        return Err(ServiceError::invalid("url", format!("The URL is longer than {MAX_URL_CHARS} characters.")));
    }
    let url =
        outbound::check_url(url).map_err(|why| ServiceError::invalid("url", format!("This URL is refused: {why}.")))?;
    let mut chosen = BTreeSet::new();
    for word in &form.events {
        let event = WebhookEvent::from_stored(word)
            .filter(|e| WebhookEvent::SUBSCRIBABLE.contains(e))
            .ok_or_else(|| ServiceError::invalid("events", format!("There is no event called `{word}`.")))?;
        chosen.insert(event.as_str());
    }
    // Stored in the catalogue's order, as the form lists them.
    let events: Vec<&str> =
        WebhookEvent::SUBSCRIBABLE.iter().map(|e| e.as_str()).filter(|word| chosen.contains(word)).collect();
    if events.is_empty() {
        return Err(ServiceError::invalid("events", "Choose at least one event to send."));
    }
    let format = WebhookFormat::from_stored(form.format.trim())
        .ok_or_else(|| ServiceError::invalid("format", "Choose the standard or the chat format."))?;
    let tags = topics_filter(&form.tags)?;
    let event_types = events.join(" ");
    let secret = signing::new_secret();
    write_transaction(conn, |conn| {
        let id = endpoints::insert(
            conn,
            &NewEndpoint {
                url: url.as_str(),
                secret: &secret,
                event_types: &event_types,
                format,
                tags: &tags,
                created_by: Some(actor.id),
                created_at: now,
            },
        )?;
        let mut detail = format!("{} ({format}): {event_types}", url.as_str());
        if !tags.is_empty() {
            detail.push_str(&format!("; topics: {tags}"));
        }
        audit::record(conn, actor, "webhook.create", (TARGET, id), Some(&detail), now)?;
        Ok(id)
    })
}

/// The topics filter as stored: tag names, lower-cased, each once, separated by one space (empty
/// for every topic). Names are checked as tags are (letters, digits and `. + # -`), not looked
/// up: a filter may name a topic before its first question.
fn topics_filter(raw: &str) -> ServiceResult<String> {
    let mut names: Vec<String> = Vec::new();
    for name in raw.split([' ', ',', '\t', '\n', '\r']).filter(|name| !name.is_empty()) {
        let name = name.to_lowercase();
        let mut chars = name.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '+' | '#' | '-'));
        if !first_ok || !rest_ok || name.chars().count() > MAX_TAG_LENGTH {
            // Cut short: the admin's own text comes back in the message.
            let shown: String = name.chars().take(MAX_TAG_LENGTH).collect();
            return Err(ServiceError::invalid(
                "tags",
                format!("`{shown}` is not a topic: use tag names (letters, digits and . + # -) separated by spaces."),
            ));
        }
        if !names.contains(&name) {
            names.push(name);
        }
        if names.len() > MAX_TOPICS {
            return Err(ServiceError::invalid("tags", format!("Name at most {MAX_TOPICS} topics.")));
        }
    }
    Ok(names.join(" "))
}

/// What an admin does to an endpoint from its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Switch it back on (its failure count starts again).
    Enable,
    /// Switch it off; waiting deliveries wait.
    Disable,
    /// Replace its secret.
    RotateSecret,
    /// Queue a `ping` delivery.
    Ping,
    /// Remove it and its deliveries.
    Delete,
}

impl Action {
    /// The action a path segment names.
    pub fn from_path(segment: &str) -> Option<Self> {
        Some(match segment {
            "enable" => Self::Enable,
            "disable" => Self::Disable,
            "rotate-secret" => Self::RotateSecret,
            "test" => Self::Ping,
            "delete" => Self::Delete,
            _ => return None,
        })
    }

    fn audit_name(self) -> &'static str {
        match self {
            Self::Enable => "webhook.enable",
            Self::Disable => "webhook.disable",
            Self::RotateSecret => "webhook.rotate_secret",
            Self::Ping => "webhook.ping",
            Self::Delete => "webhook.delete",
        }
    }
}

/// Does `action` to endpoint `id`; `base_url` is the site's, for the ping's payload.
pub fn act(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    action: Action,
    base_url: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    actor.ensure_admin()?;
    write_transaction(conn, |conn| {
        let endpoint = find(conn, id)?;
        match action {
            Action::Enable => {
                endpoints::set_disabled(conn, id, None)?;
            }
            Action::Disable => {
                endpoints::set_disabled(conn, id, Some((now, "switched off by an admin")))?;
            }
            Action::RotateSecret => {
                endpoints::set_secret(conn, id, &signing::new_secret())?;
            }
            Action::Ping => {
                let ping = payload::Announcement::unscoped(json!({ "endpoint": { "id": id }, "site": base_url }));
                payload::enqueue(conn, std::slice::from_ref(&endpoint), WebhookEvent::Ping, &ping, now)?;
            }
            Action::Delete => {
                endpoints::delete(conn, id)?;
            }
        }
        audit::record(conn, actor, action.audit_name(), (TARGET, id), Some(&endpoint.url), now)?;
        Ok(())
    })
}

/// Queues a delivery again, due now, with the same `webhook-id` ("Send again").
pub fn send_again(
    conn: &mut DbConnection,
    actor: &Actor,
    endpoint_id: i64,
    delivery_id: i64,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    actor.ensure_admin()?;
    write_transaction(conn, |conn| {
        if !deliveries::send_again(conn, endpoint_id, delivery_id, now)? {
            return Err(ServiceError::NotFound("Delivery"));
        }
        let detail = format!("delivery {delivery_id}");
        audit::record(conn, actor, "webhook.send_again", (TARGET, endpoint_id), Some(&detail), now)?;
        Ok(())
    })
}

fn find(conn: &mut DbConnection, id: i64) -> ServiceResult<Endpoint> {
    endpoints::find(conn, id)?.ok_or(ServiceError::NotFound("Webhook endpoint"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_topics_filter_is_checked_lower_cased_and_each_name_kept_once() {
        assert_eq!(topics_filter("").unwrap(), "");
        assert_eq!(topics_filter("  Billing, shipping billing\tc++ ").unwrap(), "billing shipping c++");
        assert!(topics_filter("billing!").is_err());
        assert!(topics_filter("-billing").is_err());
        assert!(topics_filter(&"a".repeat(MAX_TAG_LENGTH + 1)).is_err());
        let twenty: Vec<String> = (1..=MAX_TOPICS).map(|n| format!("t{n}")).collect();
        assert!(topics_filter(&twenty.join(" ")).is_ok());
        assert!(topics_filter(&format!("{} t0", twenty.join(" "))).is_err());
    }
}
