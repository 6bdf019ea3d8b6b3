//! Switching off an endpoint after a run of failed attempts, and telling every admin by mail, in
//! one transaction: the first node to get there does both, any other finds it off already.

use chrono::NaiveDateTime;
use tera::Context;

use crate::db::models::users;
use crate::db::models::webhooks::endpoints::{self, Endpoint};
use crate::db::{write_transaction, DbConnection};
use crate::mail::{Letter, Outbox};
use crate::services::ServiceResult;

/// Switches off `endpoint` after `failures` failed attempts in a row (the last with `error`)
/// and queues a notice to each admin; false when it was off already.
pub fn disable_after_failures(
    conn: &mut DbConnection,
    outbox: &Outbox,
    endpoint: &Endpoint,
    failures: i32,
    error: &str,
    now: NaiveDateTime,
) -> ServiceResult<bool> {
    let reason = format!("{failures} failed attempts in a row; the last: {error}");
    let switched = write_transaction(conn, |conn| {
        if !endpoints::disable_if_enabled(conn, endpoint.id, now, &reason)? {
            return Ok(false);
        }
        for address in users::admin_addresses(conn)? {
            let mut context = Context::new();
            context.insert("url", &endpoint.url);
            context.insert("failures", &failures);
            context.insert("reason", error);
            context.insert("endpoint_page", &format!("{}/admin/webhooks/{}", outbox.base_url(), endpoint.id));
            let letter = Letter {
                to: &address,
                subject: "A webhook endpoint was switched off".to_owned(),
                template: "webhook_disabled",
                context,
            };
            outbox.queue_with_headers(conn, letter, &[])?;
        }
        Ok::<_, crate::services::ServiceError>(true)
    })?;
    if switched {
        outbox.wake();
    }
    Ok(switched)
}
