-- A revision whose text is the post's current text stores no copy of it: body_markdown NULL
-- means "the post's body_markdown now". Only a post's latest revision can be such a row; an edit
-- first writes the outgoing text into it. Every post's first revision used to repeat its body,
-- about a third of the text a seeded or imported site writes.
-- SQLite cannot drop a NOT NULL constraint, so the table is rebuilt (nothing refers to it).
CREATE TABLE revisions_shared (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id       BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    editor_id     BIGINT NOT NULL REFERENCES users (id),
    title         TEXT,
    tags          TEXT,
    body_markdown TEXT,
    reason        TEXT,
    created_at    TIMESTAMP NOT NULL
);
INSERT INTO revisions_shared (id, post_id, editor_id, title, tags, body_markdown, reason, created_at)
    SELECT id, post_id, editor_id, title, tags, body_markdown, reason, created_at FROM revisions;
DROP TABLE revisions;
ALTER TABLE revisions_shared RENAME TO revisions;
CREATE INDEX revisions_of_post ON revisions (post_id, id);
