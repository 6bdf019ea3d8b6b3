-- Edits of others' posts by members below the edit privilege: they wait here until a reviewer
-- approves (the edit is applied as the suggester's revision) or rejects them. `base_revision_id`
-- is the post's latest revision when the edit was suggested (NULL for a post without one): a
-- suggestion whose post moved on since is stale, and cannot be approved.
CREATE TABLE suggested_edits (
    id               BIGSERIAL PRIMARY KEY,
    post_id          BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_id        BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title            TEXT,
    tags             TEXT,
    body             TEXT NOT NULL,
    summary          TEXT NOT NULL,
    base_revision_id BIGINT,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    reviewer_id      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    review_note      TEXT,
    created_at       TIMESTAMP NOT NULL,
    reviewed_at      TIMESTAMP
);
-- The queue: pending suggestions, oldest first.
CREATE INDEX suggested_edits_queue ON suggested_edits (status, created_at);
CREATE INDEX suggested_edits_of_post ON suggested_edits (post_id, id);
CREATE INDEX suggested_edits_of_author ON suggested_edits (author_id, id);
-- One pending suggestion per post: a second suggester's insert fails here, even in a race.
CREATE UNIQUE INDEX suggested_edits_one_pending ON suggested_edits (post_id) WHERE status = 'pending';
