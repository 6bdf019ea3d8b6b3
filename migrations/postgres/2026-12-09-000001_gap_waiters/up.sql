-- Closing the loop on FAQ gaps: people who searched without finding an answer and asked to be
-- told when one exists. A member is kept by account, a visitor by the address they typed; the
-- row is deleted when its mail is queued (the answer was linked) or after 90 days, whichever
-- comes first. The query is the search log's normalised form, so it matches its gap.
CREATE TABLE gap_waiters (
    id         BIGSERIAL PRIMARY KEY,
    query      TEXT NOT NULL,
    user_id    BIGINT REFERENCES users (id) ON DELETE CASCADE,
    email      TEXT,
    created_at TIMESTAMP NOT NULL,
    CHECK ((user_id IS NULL) <> (email IS NULL))
);
-- One wait per person and gap: asking twice changes nothing.
CREATE UNIQUE INDEX gap_waiters_member ON gap_waiters (query, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX gap_waiters_address ON gap_waiters (query, email) WHERE email IS NOT NULL;
CREATE INDEX gap_waiters_age ON gap_waiters (created_at);

-- The answer staff linked to a gap from /staff/gaps: one per gap, so two staff linking at once
-- (on two nodes) mail the waiters once. Answered gaps leave the gaps list.
CREATE TABLE gap_answers (
    query       TEXT PRIMARY KEY,
    question_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    linked_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    -- how many waiting people were mailed when it was linked
    mailed      INTEGER NOT NULL,
    linked_at   TIMESTAMP NOT NULL
);
