-- Sitemaps: the questions in id order with what a sitemap lists of them, so splitting them into
-- blocks of 50,000 and writing each block read this index alone, never the posts' text. When
-- questions can be closed as duplicates, the condition should leave those out too.
CREATE INDEX questions_by_id ON posts (id, last_activity_at, slug) WHERE kind = 'question' AND deleted_at IS NULL;
-- The official answers feed: the newest official answers first.
CREATE INDEX official_answers_newest ON posts (official_at, id)
    WHERE kind = 'answer' AND official_kind IS NOT NULL AND deleted_at IS NULL;
