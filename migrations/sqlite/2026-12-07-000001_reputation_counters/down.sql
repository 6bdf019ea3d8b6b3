CREATE TABLE reputation_events_old (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason      TEXT NOT NULL CHECK (reason IN ('question_upvoted', 'answer_upvoted', 'question_downvoted',
                    'answer_downvoted', 'downvoted_answer', 'answer_accepted', 'accepted_answer',
                    'answer_endorsed', 'edit_approved', 'imported')),
    amount      INTEGER NOT NULL,
    post_id     BIGINT REFERENCES posts (id) ON DELETE CASCADE,
    actor_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMP NOT NULL,
    reversed_at TIMESTAMP,
    reversal    TEXT CHECK (reversal IN ('post_deleted', 'serial_voting'))
);
INSERT INTO reputation_events_old (id, user_id, reason, amount, post_id, actor_id, created_at, reversed_at, reversal)
    SELECT id, user_id, reason, amount, post_id, actor_id, created_at, reversed_at, reversal FROM reputation_events;
DROP TABLE reputation_events;
ALTER TABLE reputation_events_old RENAME TO reputation_events;
CREATE INDEX reputation_events_of_user ON reputation_events (user_id, id);
CREATE INDEX reputation_events_of_post ON reputation_events (post_id, actor_id);
CREATE INDEX reputation_events_of_actor ON reputation_events (actor_id, created_at);
CREATE INDEX reputation_events_serial ON reputation_events (actor_id, user_id, reversed_at)
    WHERE reversal = 'serial_voting';
CREATE INDEX reputation_events_counting ON reputation_events (user_id, created_at, reason, amount)
    WHERE reversed_at IS NULL;
ALTER TABLE users DROP COLUMN capped_earned;
ALTER TABLE users DROP COLUMN capped_day;
ALTER TABLE users DROP COLUMN reputation_earned;
