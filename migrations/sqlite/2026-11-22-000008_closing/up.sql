-- Closing questions: as a duplicate of a canonical question (which then collects the duplicate's
-- wording as an alternate phrasing), or for another reason. Reopening clears all four columns.
-- duplicate_of_id and closed_by have no foreign key here because SQLite cannot drop such a column
-- in down.sql; the PostgreSQL copy has them.
ALTER TABLE posts ADD COLUMN closed_at TIMESTAMP;
ALTER TABLE posts ADD COLUMN close_reason TEXT
    CHECK (close_reason IN ('duplicate', 'off-topic', 'unclear', 'resolved-elsewhere'));
ALTER TABLE posts ADD COLUMN duplicate_of_id BIGINT;
ALTER TABLE posts ADD COLUMN closed_by BIGINT;
-- "Also asked as": a canonical question's duplicates.
CREATE INDEX duplicates_of_question ON posts (duplicate_of_id, id) WHERE duplicate_of_id IS NOT NULL;
