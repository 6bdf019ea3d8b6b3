-- Who gets the weekly insights mail (product teams, typed in by an admin on /staff/insights).
-- Unsubscribing deletes the row.
CREATE TABLE insights_recipients (
    id         BIGSERIAL PRIMARY KEY,
    email      TEXT NOT NULL UNIQUE,
    added_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    added_at   TIMESTAMP NOT NULL
);

-- One row per week mailed: the node that inserts it sends that week's mail, so several nodes
-- send it once.
CREATE TABLE insights_mailings (
    week_start TIMESTAMP PRIMARY KEY,
    recipients INTEGER NOT NULL,
    sent_at    TIMESTAMP NOT NULL
);
