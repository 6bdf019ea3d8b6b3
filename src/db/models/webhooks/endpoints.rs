//! The `webhook_endpoints` table: where deliveries go, signed with which secret, for which events
//! and (optionally) which topics.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::webhook_endpoints;
use crate::db::DbConnection;
use crate::domain::{WebhookEvent, WebhookFormat};

/// A stored endpoint.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
pub struct Endpoint {
    /// Row id.
    pub id: i64,
    /// Where deliveries are posted.
    pub url: String,
    /// `whsec_` + base64: what signs each delivery.
    pub secret: String,
    /// The subscribed event types, separated by spaces.
    pub event_types: String,
    /// The body the receiver wants.
    pub format: WebhookFormat,
    /// Set while switched off.
    pub disabled_at: Option<NaiveDateTime>,
    /// Why it was switched off.
    pub disabled_reason: Option<String>,
    /// Failed attempts since the last success.
    pub consecutive_failures: i32,
    /// The admin who registered it.
    pub created_by: Option<i64>,
    /// When.
    pub created_at: NaiveDateTime,
    /// The topics (tag names, separated by spaces) whose questions it hears of; empty: all.
    pub tags: String,
}

impl Endpoint {
    /// The events it subscribes to (unknown words, from a later version, are skipped).
    pub fn events(&self) -> Vec<WebhookEvent> {
        self.event_types.split_whitespace().filter_map(WebhookEvent::from_stored).collect()
    }

    /// Whether it subscribes to `event` (every endpoint takes a ping).
    pub fn wants(&self, event: WebhookEvent) -> bool {
        event == WebhookEvent::Ping || self.event_types.split_whitespace().any(|word| word == event.as_str())
    }

    /// The topics it is limited to (empty: every topic).
    pub fn topics(&self) -> Vec<&str> {
        self.tags.split_whitespace().collect()
    }

    /// Whether it hears of a question tagged `question_tags`: it has no topics filter, or the
    /// question is in one of its topics.
    pub fn covers(&self, question_tags: &[String]) -> bool {
        let mut topics = self.tags.split_whitespace().peekable();
        topics.peek().is_none() || topics.any(|topic| question_tags.iter().any(|tag| tag == topic))
    }
}

/// An endpoint to register.
#[derive(Debug, Insertable)]
#[diesel(table_name = webhook_endpoints)]
pub struct NewEndpoint<'a> {
    /// Where deliveries are posted.
    pub url: &'a str,
    /// The signing secret.
    pub secret: &'a str,
    /// The subscribed event types, separated by spaces.
    pub event_types: &'a str,
    /// The body the receiver wants.
    pub format: WebhookFormat,
    /// The topics it is limited to, separated by spaces; empty for all.
    pub tags: &'a str,
    /// The admin.
    pub created_by: Option<i64>,
    /// When.
    pub created_at: NaiveDateTime,
}

/// Registers an endpoint and returns its id.
pub fn insert(conn: &mut DbConnection, endpoint: &NewEndpoint<'_>) -> QueryResult<i64> {
    diesel::insert_into(webhook_endpoints::table).values(endpoint).returning(webhook_endpoints::id).get_result(conn)
}

/// One endpoint by id.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Endpoint>> {
    webhook_endpoints::table.find(id).select(Endpoint::as_select()).first(conn).optional()
}

/// Every endpoint, oldest first (a site has a handful).
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Endpoint>> {
    webhook_endpoints::table.order(webhook_endpoints::id).select(Endpoint::as_select()).load(conn)
}

/// The enabled endpoints, oldest first: those that take new deliveries.
pub fn enabled(conn: &mut DbConnection) -> QueryResult<Vec<Endpoint>> {
    webhook_endpoints::table
        .filter(webhook_endpoints::disabled_at.is_null())
        .order(webhook_endpoints::id)
        .select(Endpoint::as_select())
        .load(conn)
}

/// Switches an endpoint on (clearing its failure count) or off, with a reason.
pub fn set_disabled(conn: &mut DbConnection, id: i64, disabled: Option<(NaiveDateTime, &str)>) -> QueryResult<usize> {
    let (at, reason) = disabled.map_or((None, None), |(at, reason)| (Some(at), Some(reason)));
    diesel::update(webhook_endpoints::table.find(id))
        .set((
            webhook_endpoints::disabled_at.eq(at),
            webhook_endpoints::disabled_reason.eq(reason),
            webhook_endpoints::consecutive_failures.eq(0),
        ))
        .execute(conn)
}

/// Replaces the signing secret.
pub fn set_secret(conn: &mut DbConnection, id: i64, secret: &str) -> QueryResult<usize> {
    diesel::update(webhook_endpoints::table.find(id)).set(webhook_endpoints::secret.eq(secret)).execute(conn)
}

/// Removes an endpoint and (by the foreign key) its deliveries.
pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(webhook_endpoints::table.find(id)).execute(conn)
}

/// Records a successful attempt: the run of failures is over.
pub fn record_success(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::update(webhook_endpoints::table.find(id).filter(webhook_endpoints::consecutive_failures.ne(0)))
        .set(webhook_endpoints::consecutive_failures.eq(0))
        .execute(conn)
}

/// Records a failed attempt and returns the run of failures it makes; `None` when an admin
/// deleted the endpoint meanwhile.
pub fn record_failure(conn: &mut DbConnection, id: i64) -> QueryResult<Option<i32>> {
    diesel::update(webhook_endpoints::table.find(id))
        .set(webhook_endpoints::consecutive_failures.eq(webhook_endpoints::consecutive_failures + 1))
        .returning(webhook_endpoints::consecutive_failures)
        .get_result(conn)
        .optional()
}

/// Switches off an endpoint that is still on; false when it already was off (another node's
/// worker got there first, and told the admins already).
pub fn disable_if_enabled(conn: &mut DbConnection, id: i64, now: NaiveDateTime, reason: &str) -> QueryResult<bool> {
    let changed = diesel::update(webhook_endpoints::table.find(id).filter(webhook_endpoints::disabled_at.is_null()))
        .set((webhook_endpoints::disabled_at.eq(now), webhook_endpoints::disabled_reason.eq(reason)))
        .execute(conn)?;
    Ok(changed == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(tags: &str) -> Endpoint {
        Endpoint {
            id: 1,
            url: "https://hooks.example/in".to_owned(),
            secret: "whsec_x".to_owned(),
            event_types: "question.asked".to_owned(),
            format: WebhookFormat::Standard,
            disabled_at: None,
            disabled_reason: None,
            consecutive_failures: 0,
            created_by: None,
            created_at: NaiveDateTime::default(),
            tags: tags.to_owned(),
        }
    }

    #[test]
    fn an_empty_filter_covers_every_question_and_a_filter_only_its_topics() {
        let tagged = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<String>>();
        assert!(endpoint("").covers(&tagged(&["shipping"])));
        assert!(endpoint("").covers(&[]));
        assert!(endpoint("billing refunds").covers(&tagged(&["invoices", "refunds"])));
        assert!(!endpoint("billing refunds").covers(&tagged(&["shipping"])));
        assert!(!endpoint("billing").covers(&[]));
        assert!(!endpoint("billing").covers(&tagged(&["billing-old"])), "whole names only");
    }
}
