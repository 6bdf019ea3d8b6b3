DROP INDEX duplicates_of_question;
ALTER TABLE posts DROP COLUMN closed_by;
ALTER TABLE posts DROP COLUMN duplicate_of_id;
ALTER TABLE posts DROP COLUMN close_reason;
ALTER TABLE posts DROP COLUMN closed_at;
