-- A vote no longer writes its reputation in its own transaction: it leaves one row here, and the
-- reputation job applies many at once (the ledger rows, the kept totals, the badge check), so
-- the vote touches two small b-trees fewer than five. No foreign keys: checking them would read
-- the users' and posts' pages the row exists to spare, and the job skips what has gone.
CREATE TABLE reputation_queue (
    id         INTEGER PRIMARY KEY,
    post_id    BIGINT NOT NULL,
    voter_id   BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
