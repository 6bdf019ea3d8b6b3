-- Members, staff, moderators and admins; imported authors have no email and no password.
CREATE TABLE users (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    username          TEXT NOT NULL,
    -- lower-cased username: uniqueness and look-ups are case-insensitive on both backends
    username_key      TEXT NOT NULL UNIQUE,
    display_name      TEXT NOT NULL,
    -- stored normalised (trimmed, lower-cased); NULL for imported authors
    email             TEXT UNIQUE,
    password_hash     TEXT,
    role              TEXT NOT NULL DEFAULT 'member'
                      CHECK (role IN ('member', 'staff', 'moderator', 'admin')),
    email_verified_at TIMESTAMP,
    suspended_at      TIMESTAMP,
    suspended_reason  TEXT,
    -- bumped to invalidate every session of the user (password change, "sign out everywhere")
    session_epoch     BIGINT NOT NULL DEFAULT 0,
    created_at        TIMESTAMP NOT NULL,
    last_seen_at      TIMESTAMP
);

-- Single-use secrets mailed or printed to a user; only their SHA-256 is kept.
CREATE TABLE auth_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('set_password', 'verify_email', 'reset_password')),
    token_hash TEXT NOT NULL UNIQUE,
    -- the address being verified, for verify_email
    email      TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX auth_tokens_by_user ON auth_tokens (user_id, purpose);

CREATE INDEX users_by_role ON users (role);
