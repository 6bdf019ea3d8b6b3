-- Every revision gets its own copy of its text again.
CREATE TABLE revisions_copied (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id       BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    editor_id     BIGINT NOT NULL REFERENCES users (id),
    title         TEXT,
    tags          TEXT,
    body_markdown TEXT NOT NULL,
    reason        TEXT,
    created_at    TIMESTAMP NOT NULL
);
INSERT INTO revisions_copied (id, post_id, editor_id, title, tags, body_markdown, reason, created_at)
    SELECT r.id, r.post_id, r.editor_id, r.title, r.tags, COALESCE(r.body_markdown, p.body_markdown), r.reason,
        r.created_at
    FROM revisions r JOIN posts p ON p.id = r.post_id;
DROP TABLE revisions;
ALTER TABLE revisions_copied RENAME TO revisions;
CREATE INDEX revisions_of_post ON revisions (post_id, id);
