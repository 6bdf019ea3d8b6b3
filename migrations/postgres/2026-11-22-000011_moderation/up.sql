-- Moderation: members' flags, posts held for review, and the indexes the moderators' pages and the
-- posting rate limits read.

-- One flag per member per question, answer or comment. A flag stays open until a moderator agrees
-- (and acts) or disagrees (and dismisses it); handled flags are kept as a record.
CREATE TABLE flags (
    id          BIGSERIAL PRIMARY KEY,
    flagger_id  BIGINT NOT NULL REFERENCES users (id),
    post_id     BIGINT REFERENCES posts (id),
    comment_id  BIGINT REFERENCES comments (id),
    reason      TEXT NOT NULL CHECK (reason IN ('spam', 'rude', 'off-topic', 'needs-moderator')),
    note        TEXT,
    created_at  TIMESTAMP NOT NULL,
    handled_at  TIMESTAMP,
    handled_by  BIGINT REFERENCES users (id),
    outcome     TEXT CHECK (outcome IN ('agreed', 'disagreed')),
    CHECK ((post_id IS NULL) <> (comment_id IS NULL))
);
CREATE UNIQUE INDEX flags_one_per_member_post ON flags (flagger_id, post_id) WHERE post_id IS NOT NULL;
CREATE UNIQUE INDEX flags_one_per_member_comment ON flags (flagger_id, comment_id) WHERE comment_id IS NOT NULL;
CREATE INDEX flags_open ON flags (created_at, id) WHERE handled_at IS NULL;
CREATE INDEX flags_on_post ON flags (post_id) WHERE post_id IS NOT NULL;
CREATE INDEX flags_on_comment ON flags (comment_id) WHERE comment_id IS NOT NULL;

-- A held post or comment is hidden (deleted_at is set, so every visitor-facing query already
-- leaves it out) until a moderator looks at it: 'links' for a new member's post with links,
-- 'flags' for one that reached the spam-flag threshold. Approving clears both columns.
ALTER TABLE posts ADD COLUMN held_reason TEXT CHECK (held_reason IN ('links', 'flags'));
ALTER TABLE comments ADD COLUMN held_reason TEXT CHECK (held_reason IN ('links', 'flags'));
CREATE INDEX posts_held ON posts (deleted_at, id) WHERE held_reason IS NOT NULL;

-- Posting rate limits count a member's recent comments and votes.
CREATE INDEX comments_by_author ON comments (author_id, created_at);
CREATE INDEX votes_by_user_time ON votes (user_id, created_at);

-- The moderation log is filtered by who acted and by what was done.
CREATE INDEX audit_log_by_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_by_action ON audit_log (action, id);
