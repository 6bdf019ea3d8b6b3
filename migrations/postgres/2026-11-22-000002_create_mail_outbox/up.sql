-- Mail waiting to be sent, written in the same transaction as the change that causes it, so a
-- message is never lost to a crash or an SMTP outage. The mail worker claims, sends and retries.
CREATE TABLE mail_outbox (
    id              BIGSERIAL PRIMARY KEY,
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    -- a worker that claimed the row owns it until then; a crashed worker's claim simply expires
    claimed_until   TIMESTAMP,
    sent_at         TIMESTAMP,
    -- set when the worker gives up after its last attempt
    failed_at       TIMESTAMP,
    last_error      TEXT
);
-- The worker's question: which unsent, not given-up rows are due, oldest first.
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
