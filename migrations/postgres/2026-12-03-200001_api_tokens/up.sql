-- Personal API tokens: a program acts as its member through one, within the token's scopes.
-- Only the secret's SHA-256 is kept (the member sees the token once); `prefix` is its first
-- characters, shown in lists so a member can tell tokens apart. A revoked token keeps its row
-- (who revoked it, and when) for the audit trail; last_used_at moves at most once a minute.
CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP,
    revoked_by   BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX api_tokens_of_user ON api_tokens (user_id);
