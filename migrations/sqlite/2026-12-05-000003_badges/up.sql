-- Badges are awarded by a background job (`services::badges`), never in a request. A write that
-- can earn one leaves a "to check" row here in its own transaction; the job claims the rows,
-- evaluates, awards and deletes them. `post_id` is an answer (its author is checked) or a
-- question (each of its answers is); `user_id` names a member to check when there is no post.
CREATE TABLE badge_checks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    BIGINT REFERENCES users (id) ON DELETE CASCADE,
    post_id    BIGINT REFERENCES posts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);

-- One row per badge earned. `subject_id` is the answer for per-answer badges, the tag for tag
-- badges and 0 otherwise: the key makes a second award (a rerun, a restart, another node) fail.
CREATE TABLE badge_awards (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    badge      TEXT NOT NULL,
    subject_id BIGINT NOT NULL DEFAULT 0,
    awarded_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, badge, subject_id)
);
-- A badge's page: its holders, newest first; a tag badge's holders in one tag.
CREATE INDEX badge_awards_newest ON badge_awards (badge, id);
CREATE INDEX badge_awards_of_subject ON badge_awards (badge, subject_id, id);

-- How many times each badge was awarded, kept in step with `badge_awards` by the job.
CREATE TABLE badge_totals (
    badge   TEXT PRIMARY KEY,
    awarded BIGINT NOT NULL DEFAULT 0
);

-- A member's answers in each tag: their total score and how many, recomputed by the badge job
-- for the member and tags a change touched. The tag badges read it; `/users?tag=` lists a tag's
-- best answerers from it.
CREATE TABLE user_tag_scores (
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tag_id       BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    answer_score BIGINT NOT NULL,
    answer_count BIGINT NOT NULL,
    PRIMARY KEY (user_id, tag_id)
);
CREATE INDEX user_tag_scores_by_tag ON user_tag_scores (tag_id, answer_score DESC, user_id DESC);

-- The members whose answers in a tag did most good over the last 90 days, recomputed by the
-- badge job for the tags its checks touched and in full every few hours (the window slides).
CREATE TABLE community_experts (
    tag_id      BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    points      BIGINT NOT NULL,
    accepted    BIGINT NOT NULL,
    endorsed    BIGINT NOT NULL,
    upvotes     BIGINT NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tag_id, user_id)
);
CREATE INDEX community_experts_by_points ON community_experts (tag_id, points DESC);

-- The experts' window reads recent votes and recent answers only, whatever the site's size.
CREATE INDEX votes_recent ON votes (created_at);
CREATE INDEX answers_recent ON posts (created_at) WHERE kind = 'answer';
