DROP INDEX staff_queue_views;
DROP INDEX staff_queue_oldest;
ALTER TABLE posts DROP COLUMN first_official_at;
ALTER TABLE posts DROP COLUMN first_answer_at;
ALTER TABLE posts DROP COLUMN has_official;
ALTER TABLE posts DROP COLUMN reviewed_at;
ALTER TABLE posts DROP COLUMN official_at;
ALTER TABLE posts DROP COLUMN official_by;
ALTER TABLE posts DROP COLUMN official_kind;
