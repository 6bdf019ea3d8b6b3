-- Who was told they were mentioned in which post or comment: an edit tells only members not
-- already here, and a post tells at most five members over its whole life.
CREATE TABLE mentions (
    id         BIGSERIAL PRIMARY KEY,
    post_id    BIGINT REFERENCES posts (id) ON DELETE CASCADE,
    comment_id BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    CHECK ((post_id IS NULL) <> (comment_id IS NULL))
);
CREATE UNIQUE INDEX mentions_in_post ON mentions (post_id, user_id) WHERE post_id IS NOT NULL;
CREATE UNIQUE INDEX mentions_in_comment ON mentions (comment_id, user_id) WHERE comment_id IS NOT NULL;
CREATE INDEX mentions_of_user ON mentions (user_id);
