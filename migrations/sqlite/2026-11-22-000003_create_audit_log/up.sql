-- Who did what to whom, for staff and moderator actions (roles, suspensions, official answers,
-- moderation). Rows are only ever added.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    action      TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id   BIGINT NOT NULL,
    detail      TEXT,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_by_target ON audit_log (target_kind, target_id, id);
CREATE INDEX audit_log_by_time ON audit_log (created_at);
