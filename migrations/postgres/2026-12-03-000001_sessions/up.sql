-- One row per signed-in browser. The session cookie names its row by a secret whose SHA-256 is
-- kept here; signing out deletes the row, so a copy of the cookie taken earlier stops working.
-- last_seen_at moves at most once a day and lets rows of abandoned sessions be pruned.
CREATE TABLE sessions (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_of_user ON sessions (user_id);
CREATE INDEX sessions_by_last_seen ON sessions (last_seen_at);
