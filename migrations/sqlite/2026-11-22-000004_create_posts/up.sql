-- Questions and answers share one table, as in the Stack Exchange dump: votes, comments,
-- revisions and flags then point at one kind of row. Counters are kept on write.
CREATE TABLE posts (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    kind               TEXT NOT NULL CHECK (kind IN ('question', 'answer')),
    -- the question an answer belongs to; NULL for questions
    question_id        BIGINT REFERENCES posts (id),
    author_id          BIGINT NOT NULL REFERENCES users (id),
    title              TEXT,
    slug               TEXT,
    -- the question's tags, space-separated, in the order the asker gave them
    tags               TEXT,
    body_markdown      TEXT NOT NULL,
    -- rendered and sanitised once, at write time
    body_html          TEXT NOT NULL,
    score              INTEGER NOT NULL DEFAULT 0,
    answer_count       INTEGER NOT NULL DEFAULT 0,
    comment_count      INTEGER NOT NULL DEFAULT 0,
    view_count         BIGINT NOT NULL DEFAULT 0,
    accepted_answer_id BIGINT,
    created_at         TIMESTAMP NOT NULL,
    edited_at          TIMESTAMP,
    editor_id          BIGINT REFERENCES users (id),
    last_activity_at   TIMESTAMP NOT NULL,
    locked_at          TIMESTAMP,
    deleted_at         TIMESTAMP
);
-- Each list has an index that serves its order.
CREATE INDEX questions_newest ON posts (created_at, id) WHERE kind = 'question' AND deleted_at IS NULL;
CREATE INDEX questions_active ON posts (last_activity_at, id) WHERE kind = 'question' AND deleted_at IS NULL;
CREATE INDEX questions_votes ON posts (score, id) WHERE kind = 'question' AND deleted_at IS NULL;
CREATE INDEX questions_unanswered ON posts (created_at, id)
    WHERE kind = 'question' AND deleted_at IS NULL AND answer_count = 0;
CREATE INDEX answers_of_question ON posts (question_id, score, id) WHERE kind = 'answer';
CREATE INDEX posts_by_author ON posts (author_id, created_at, id);

CREATE TABLE tags (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL UNIQUE,
    description    TEXT,
    question_count INTEGER NOT NULL DEFAULT 0,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX tags_popular ON tags (question_count, id);

CREATE TABLE post_tags (
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag_id  BIGINT NOT NULL REFERENCES tags (id),
    PRIMARY KEY (post_id, tag_id)
);
CREATE INDEX post_tags_by_tag ON post_tags (tag_id, post_id);

CREATE TABLE votes (
    user_id    BIGINT NOT NULL REFERENCES users (id),
    post_id    BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    value      INTEGER NOT NULL CHECK (value IN (-1, 1)),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, post_id)
);
CREATE INDEX votes_by_post ON votes (post_id);

CREATE TABLE comments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id    BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_id  BIGINT NOT NULL REFERENCES users (id),
    body_markdown TEXT NOT NULL,
    body_html  TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX comments_of_post ON comments (post_id, id);

-- Every version of a post, the first included; the page shows the differences between them.
CREATE TABLE revisions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id       BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    editor_id     BIGINT NOT NULL REFERENCES users (id),
    title         TEXT,
    tags          TEXT,
    body_markdown TEXT NOT NULL,
    reason        TEXT,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX revisions_of_post ON revisions (post_id, id);
