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
DROP INDEX reputation_events_counting;

UPDATE users SET reputation_earned = COALESCE(
    (SELECT SUM(amount) FROM reputation_events e WHERE e.user_id = users.id AND e.reversed_at IS NULL), 0);
UPDATE users SET capped_day = (now() AT TIME ZONE 'UTC')::date, capped_earned = COALESCE(
    (SELECT SUM(amount) FROM reputation_events e
      WHERE e.user_id = users.id AND e.reversed_at IS NULL
        AND e.created_at >= (now() AT TIME ZONE 'UTC')::date
        AND e.reason IN ('question_upvoted', 'answer_upvoted')), 0);
