//! Webhook endpoints as admins manage them (`/admin/webhooks`): registering (URL, events,
//! format), switching on and off, deleting, a new secret, a test ping, the delivery log and
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
use crate::webhooks::{outbound, payload, signing};

/// The audit log's target kind for an endpoint.
const TARGET: &str = "webhook";
/// Deliveries shown on an endpoint's page.
const LOG_LENGTH: i64 = 50;
/// The longest URL accepted.
const MAX_URL_CHARS: usize = 2_000;

/// What the admin filled in to register an endpoint.
#[derive(Debug, Clone, Default)]
pub struct EndpointForm {
    /// Where to post.
    pub url: String,
    /// The event words ticked.
    pub events: Vec<String>,
    /// `standard` or `chat`.
    pub format: String,
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
                created_by: Some(actor.id),
                created_at: now,
            },
        )?;
        let detail = format!("{} ({format}): {event_types}", url.as_str());
        audit::record(conn, actor, "webhook.create", (TARGET, id), Some(&detail), now)?;
        Ok(id)
    })
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
                let data = json!({ "endpoint": { "id": id }, "site": base_url });
                payload::enqueue(conn, std::slice::from_ref(&endpoint), WebhookEvent::Ping, &data, now)?;
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
