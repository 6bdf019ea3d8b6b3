-- Endpoints an admin registered on /admin/webhooks. The secret signs every delivery (Standard
-- Webhooks), so it is stored as the receiver knows it: `whsec_` + base64 of random bytes.
CREATE TABLE webhook_endpoints (
    id                   BIGSERIAL PRIMARY KEY,
    url                  TEXT NOT NULL,
    secret               TEXT NOT NULL,
    -- the event types it subscribes to, as their words separated by spaces
    event_types          TEXT NOT NULL,
    -- `standard` (the signed event JSON) or `chat` (Slack-compatible incoming-webhook JSON)
    format               TEXT NOT NULL,
    -- set while the endpoint is switched off, by an admin or after a run of failed attempts
    disabled_at          TIMESTAMP,
    disabled_reason      TEXT,
    -- failed attempts since the last success; the worker disables the endpoint at a limit
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    created_by           BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at           TIMESTAMP NOT NULL
);

-- One delivery per (event, subscribed endpoint), written in the transaction of the change that
-- causes it, so a crash can delay a delivery but never lose it. The worker claims, sends and
-- retries, as the mail worker does with mail_outbox.
CREATE TABLE webhook_deliveries (
    id              BIGSERIAL PRIMARY KEY,
    endpoint_id     BIGINT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_type      TEXT NOT NULL,
    -- the `webhook-id` header: the same on every attempt, so receivers can drop repeats
    message_id      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    -- a worker that claimed the row owns it until then; a crashed worker's claim simply expires
    claimed_until   TIMESTAMP,
    delivered_at    TIMESTAMP,
    -- set when the worker gives up after its last attempt
    failed_at       TIMESTAMP,
    last_status     INTEGER,
    last_error      TEXT,
    -- the start of the receiver's last answer, cut short
    response_excerpt TEXT
);
CREATE UNIQUE INDEX webhook_deliveries_message ON webhook_deliveries (message_id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (endpoint_id, id);

-- Events announced about a question that must be announced at most once: `question.asked`
-- (held questions are announced when approved, never again when restored) and
-- `question.overdue` (found by a sweep every node runs; the key makes a second finder fail).
CREATE TABLE webhook_announcements (
    question_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    event_type  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (question_id, event_type)
);
