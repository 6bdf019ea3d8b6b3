-- Every change that affects a question's search document, written in the same transaction as
-- the change. Each node's indexer reads past its own cursor; rows are pruned after 30 days, and
-- a node whose cursor fell behind the pruned mark rebuilds its index.
CREATE TABLE search_changes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    question_id BIGINT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX search_changes_by_time ON search_changes (created_at);

-- One row, holding the highest id pruned from search_changes.
CREATE TABLE search_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    pruned_through BIGINT NOT NULL
);
INSERT INTO search_state (id, pruned_through) VALUES (1, 0);

-- What visitors searched for (never who): the normalised query, how many results it found,
-- how long it took and which result, if any, was opened. Feeds the staff's "FAQ gaps".
CREATE TABLE search_log (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    query               TEXT NOT NULL,
    result_count        INTEGER NOT NULL,
    took_ms             INTEGER NOT NULL,
    clicked_question_id BIGINT,
    created_at          TIMESTAMP NOT NULL
);
CREATE INDEX search_log_recent ON search_log (created_at);

-- A member who was about to ask opened a suggested existing question instead.
CREATE TABLE deflections (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    question_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    -- the title the member had typed, to show staff how people phrase the question
    draft_title TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX deflections_recent ON deflections (created_at);
