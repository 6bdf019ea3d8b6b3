CREATE INDEX reputation_events_counting ON reputation_events (user_id, created_at, reason, amount)
    WHERE reversed_at IS NULL;
ALTER TABLE users DROP COLUMN capped_earned;
ALTER TABLE users DROP COLUMN capped_day;
ALTER TABLE users DROP COLUMN reputation_earned;
