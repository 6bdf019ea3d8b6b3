DROP INDEX comments_by_source;
ALTER TABLE comments DROP COLUMN source_id;
ALTER TABLE comments DROP COLUMN source_site;
DROP TABLE post_sources;
DROP INDEX users_by_source;
ALTER TABLE users DROP COLUMN source_id;
ALTER TABLE users DROP COLUMN source_site;
