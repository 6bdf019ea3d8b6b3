-- Content imported from elsewhere (a Stack Exchange data dump) keeps where it came from: the
-- source site and its own id (so a second import of the same dump changes nothing), the original
-- URL, the original author's name and the licence it was published under (shown under the post).
ALTER TABLE users ADD COLUMN source_site TEXT;
ALTER TABLE users ADD COLUMN source_id BIGINT;
CREATE UNIQUE INDEX users_by_source ON users (source_site, source_id) WHERE source_site IS NOT NULL;

-- A table of its own: most posts were written here and have no source.
CREATE TABLE post_sources (
    post_id     BIGINT PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    source_site TEXT NOT NULL,
    source_id   BIGINT NOT NULL,
    source_url  TEXT NOT NULL,
    author_name TEXT NOT NULL,
    license     TEXT NOT NULL
);
CREATE UNIQUE INDEX post_sources_by_source ON post_sources (source_site, source_id);

ALTER TABLE comments ADD COLUMN source_site TEXT;
ALTER TABLE comments ADD COLUMN source_id BIGINT;
CREATE UNIQUE INDEX comments_by_source ON comments (source_site, source_id) WHERE source_site IS NOT NULL;
