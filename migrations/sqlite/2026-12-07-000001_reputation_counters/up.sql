-- Every upvote used to sum what its author earned today (the daily cap) and all the author's
-- counting rows (the total). The users row now keeps both, moved by each grant in the same
-- UPDATE that sets the total, so a vote reads and writes one row of `users` instead of walking
-- an index; acts that take rows back (a vote withdrawn, a post deleted, a run reversed) still
-- recompute both from the ledger, which stays the record.
--   reputation_earned: the unreversed amounts (`reputation` is 1 plus this, never below 1)
--   capped_day:        the start of the UTC day `capped_earned` counts (NULL: nothing yet)
--   capped_earned:     the unreversed amounts that day under the capped rules (upvotes)
ALTER TABLE users ADD COLUMN reputation_earned BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN capped_day TIMESTAMP;
ALTER TABLE users ADD COLUMN capped_earned BIGINT NOT NULL DEFAULT 0;

-- The ledger without AUTOINCREMENT, which wrote the `sqlite_sequence` page on every vote. An id
-- may now be used again after the newest row was deleted (a vote withdrawn); nothing keeps
-- ledger ids elsewhere, and the profile pages by them newest first, which a reused id still is.
CREATE TABLE reputation_events_new (
    id          INTEGER PRIMARY KEY,
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
INSERT INTO reputation_events_new (id, user_id, reason, amount, post_id, actor_id, created_at, reversed_at, reversal)
    SELECT id, user_id, reason, amount, post_id, actor_id, created_at, reversed_at, reversal FROM reputation_events;
DROP TABLE reputation_events;
ALTER TABLE reputation_events_new RENAME TO reputation_events;
CREATE INDEX reputation_events_of_user ON reputation_events (user_id, id);
CREATE INDEX reputation_events_of_post ON reputation_events (post_id, actor_id);
CREATE INDEX reputation_events_of_actor ON reputation_events (actor_id, created_at);
-- Every upvote asks whether its voter and author were caught voting in a run: the few rows
-- reversed for serial voting, rather than all of the voter's acts.
CREATE INDEX reputation_events_serial ON reputation_events (actor_id, user_id, reversed_at)
    WHERE reversal = 'serial_voting';

UPDATE users SET reputation_earned = COALESCE(
    (SELECT SUM(amount) FROM reputation_events e WHERE e.user_id = users.id AND e.reversed_at IS NULL), 0);
UPDATE users SET capped_day = datetime(date('now')), capped_earned = COALESCE(
    (SELECT SUM(amount) FROM reputation_events e
      WHERE e.user_id = users.id AND e.reversed_at IS NULL AND e.created_at >= datetime(date('now'))
        AND e.reason IN ('question_upvoted', 'answer_upvoted')), 0);
