-- Official answers: staff post them (authored) or endorse a community answer (endorsed).
-- official_by has no foreign key here because SQLite cannot drop such a column in down.sql;
-- the PostgreSQL copy has one.
ALTER TABLE posts ADD COLUMN official_kind TEXT CHECK (official_kind IN ('authored', 'endorsed'));
ALTER TABLE posts ADD COLUMN official_by BIGINT;
ALTER TABLE posts ADD COLUMN official_at TIMESTAMP;
-- "still accurate": staff renew it with one click
ALTER TABLE posts ADD COLUMN reviewed_at TIMESTAMP;
-- Kept on questions, for lists, the staff queue and the dashboard.
ALTER TABLE posts ADD COLUMN has_official BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN first_answer_at TIMESTAMP;
ALTER TABLE posts ADD COLUMN first_official_at TIMESTAMP;

-- The staff queue: open questions without an official answer, oldest or most viewed first.
CREATE INDEX staff_queue_oldest ON posts (created_at, id)
    WHERE kind = 'question' AND deleted_at IS NULL AND has_official = 0;
CREATE INDEX staff_queue_views ON posts (view_count, id)
    WHERE kind = 'question' AND deleted_at IS NULL AND has_official = 0;
