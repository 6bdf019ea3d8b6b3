-- Reputation: what others think of a member's posts, kept per event so the total can be
-- recomputed and explained. `users.reputation` is the maintained total (1 + the unreversed
-- amounts, never below 1); the badge counts are kept by the badge job.
ALTER TABLE users ADD COLUMN reputation BIGINT NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN gold_badges INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN silver_badges INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN bronze_badges INTEGER NOT NULL DEFAULT 0;
CREATE INDEX users_by_reputation ON users (reputation DESC, id DESC);

-- One row per reputation event. `amount` is what it granted (a capped upvote may grant less,
-- even 0); a reversed row (vote withdrawn is deleted instead) keeps its amount for the record
-- and no longer counts.
CREATE TABLE reputation_events (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason      TEXT NOT NULL CHECK (reason IN ('question_upvoted', 'answer_upvoted', 'question_downvoted',
                    'answer_downvoted', 'downvoted_answer', 'answer_accepted', 'accepted_answer',
                    'answer_endorsed', 'edit_approved', 'imported')),
    amount      INTEGER NOT NULL,
    post_id     BIGINT REFERENCES posts (id) ON DELETE CASCADE,
    -- the voter, asker, staff member or reviewer whose act earned it
    actor_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMP NOT NULL,
    reversed_at TIMESTAMP,
    reversal    TEXT CHECK (reversal IN ('post_deleted', 'serial_voting'))
);
CREATE INDEX reputation_events_of_user ON reputation_events (user_id, id);
CREATE INDEX reputation_events_of_post ON reputation_events (post_id, actor_id);
CREATE INDEX reputation_events_of_actor ON reputation_events (actor_id, created_at);

-- Votes to close or reopen a question, from members with the privilege; enough of them act.
CREATE TABLE close_votes (
    question_id  BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- 'close' or 'reopen': a closed question collects reopen votes
    kind         TEXT NOT NULL CHECK (kind IN ('close', 'reopen')),
    reason       TEXT,
    duplicate_of BIGINT REFERENCES posts (id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (question_id, user_id, kind)
);
CREATE INDEX close_votes_pending ON close_votes (kind, created_at);

-- Notifications now also tell of mentions and reviewed edit suggestions.
ALTER TABLE notifications DROP CONSTRAINT notifications_event_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_event_check
    CHECK (event IN ('answer', 'official_answer', 'accepted', 'topic_question', 'assigned', 'target_nearing',
        'target_breached', 'mentioned', 'edit_approved', 'edit_rejected'));
