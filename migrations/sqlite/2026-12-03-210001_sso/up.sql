-- Single sign-on. An identity is one account at one OpenID provider (the provider's id from the
-- configuration and the subject it names the person by), linked to one Guidepost account; a
-- person may link several. Sign-ins are matched by (provider, subject) only, never by address.
CREATE TABLE sso_identities (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider     TEXT NOT NULL,
    subject      TEXT NOT NULL,
    email        TEXT,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL,
    UNIQUE (provider, subject)
);
CREATE INDEX sso_identities_of_user ON sso_identities (user_id);

-- A sign-in under way, between the redirect to the provider and its return: found by the
-- SHA-256 of the state parameter and deleted when used, so each state works once on any node.
-- user_id is set when a signed-in member is linking a provider to their account.
CREATE TABLE sso_attempts (
    state_hash    TEXT PRIMARY KEY,
    provider      TEXT NOT NULL,
    nonce         TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    user_id       BIGINT REFERENCES users (id) ON DELETE CASCADE,
    return_to     TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL
);
CREATE INDEX sso_attempts_by_expiry ON sso_attempts (expires_at);

-- A provider account waiting to be linked to the existing account with its address, until that
-- account proves itself: with its password in the browser holding browser_token, or through the
-- link mailed to it (mail_token). Tokens are stored as SHA-256 digests.
CREATE TABLE sso_link_requests (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id            BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider           TEXT NOT NULL,
    subject            TEXT NOT NULL,
    email              TEXT NOT NULL,
    browser_token_hash TEXT NOT NULL UNIQUE,
    mail_token_hash    TEXT UNIQUE,
    created_at         TIMESTAMP NOT NULL,
    expires_at         TIMESTAMP NOT NULL
);
CREATE INDEX sso_link_requests_by_expiry ON sso_link_requests (expires_at);

-- An administrator's one-time sign-in link printed by `guidepost user break-glass`, for when
-- password sign-in is off or the provider is down: the SHA-256 of its secret, good once.
CREATE TABLE break_glass_links (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
