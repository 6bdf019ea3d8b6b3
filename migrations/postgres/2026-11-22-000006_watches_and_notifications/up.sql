-- Who follows a question; the asker is added automatically.
CREATE TABLE watches (
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    question_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, question_id)
);
CREATE INDEX watches_of_question ON watches (question_id, user_id);

-- One row per watcher per event; shown at /notifications and mailed per the member's preference.
CREATE TABLE notifications (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    question_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    post_id     BIGINT REFERENCES posts (id) ON DELETE CASCADE,
    event       TEXT NOT NULL CHECK (event IN ('answer', 'official_answer', 'accepted')),
    actor_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMP NOT NULL,
    read_at     TIMESTAMP,
    -- set once the event went out by mail (at once, or in a daily digest)
    emailed_at  TIMESTAMP
);
CREATE INDEX notifications_of_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_unmailed ON notifications (user_id, id) WHERE emailed_at IS NULL;

-- each | daily | never
ALTER TABLE users ADD COLUMN email_preference TEXT NOT NULL DEFAULT 'each'
    CHECK (email_preference IN ('each', 'daily', 'never'));
ALTER TABLE users ADD COLUMN digest_sent_at TIMESTAMP;

-- Extra headers of a message (List-Unsubscribe...), as a JSON object of name -> value.
ALTER TABLE mail_outbox ADD COLUMN headers TEXT;
