-- Closing questions: as a duplicate of a canonical question (which then collects the duplicate's
-- wording as an alternate phrasing), or for another reason. Reopening clears all four columns.
ALTER TABLE posts ADD COLUMN closed_at TIMESTAMP;
ALTER TABLE posts ADD COLUMN close_reason TEXT
    CHECK (close_reason IN ('duplicate', 'off-topic', 'unclear', 'resolved-elsewhere'));
ALTER TABLE posts ADD COLUMN duplicate_of_id BIGINT REFERENCES posts (id);
ALTER TABLE posts ADD COLUMN closed_by BIGINT REFERENCES users (id);
-- "Also asked as": a canonical question's duplicates.
CREATE INDEX duplicates_of_question ON posts (duplicate_of_id, id) WHERE duplicate_of_id IS NOT NULL;
