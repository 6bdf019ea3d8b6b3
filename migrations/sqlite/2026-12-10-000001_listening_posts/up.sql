-- Listening posts: feeds elsewhere (a blog search, another forum's tag, a review site) that staff
-- follow with keyword rules. Each node polls a feed when next_poll_at comes, after claiming it by
-- moving next_poll_at forward in one UPDATE, so two nodes never poll the same feed at once.
CREATE TABLE listening_feeds (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    url              TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    -- one rule per line, in the search query language; an item matching any line is kept
    rules            TEXT NOT NULL,
    interval_minutes INTEGER NOT NULL,
    -- the validators of the last full answer, sent back so an unchanged feed answers 304
    etag             TEXT,
    last_modified    TEXT,
    next_poll_at     TIMESTAMP NOT NULL,
    polled_at        TIMESTAMP,
    -- what the last poll came to, as staff read it
    last_outcome     TEXT,
    -- polls failed in a row; each doubles the wait before the next, up to a day
    failures         INTEGER NOT NULL DEFAULT 0,
    added_by         BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX listening_feeds_due ON listening_feeds (next_poll_at);

-- Items heard on those feeds that matched a rule, kept once: by the item's id in its feed, and
-- by its link. Handled items are deleted 180 days after they were handled.
CREATE TABLE heard_items (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    feed_id      BIGINT NOT NULL REFERENCES listening_feeds (id) ON DELETE CASCADE,
    item_key     TEXT NOT NULL,
    link         TEXT,
    title        TEXT NOT NULL,
    excerpt      TEXT NOT NULL,
    author       TEXT,
    published_at TIMESTAMP,
    heard_at     TIMESTAMP NOT NULL,
    handled_at   TIMESTAMP,
    handled_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    -- the question staff opened here from it ("bring it home")
    question_id  BIGINT REFERENCES posts (id) ON DELETE SET NULL,
    UNIQUE (feed_id, item_key)
);
CREATE INDEX heard_items_link ON heard_items (feed_id, link);
CREATE INDEX heard_items_queue ON heard_items (handled_at, heard_at);
