-- /metrics counts the messages given up on every scrape; without this the count reads the whole
-- outbox, sent mail included, which only grows.
CREATE INDEX mail_outbox_failed ON mail_outbox (failed_at) WHERE failed_at IS NOT NULL;
