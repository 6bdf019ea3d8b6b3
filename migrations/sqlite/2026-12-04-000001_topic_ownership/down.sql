CREATE TABLE notifications_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    question_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    post_id     BIGINT REFERENCES posts (id) ON DELETE CASCADE,
    event       TEXT NOT NULL CHECK (event IN ('answer', 'official_answer', 'accepted')),
    actor_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMP NOT NULL,
    read_at     TIMESTAMP,
    -- set once mail about the event was settled: sent (at once or in a digest), or not wanted
    emailed_at  TIMESTAMP
);
INSERT INTO notifications_new (id, user_id, question_id, post_id, event, actor_id, created_at, read_at, emailed_at)
    SELECT id, user_id, question_id, post_id, event, actor_id, created_at, read_at, emailed_at FROM notifications WHERE event IN ('answer', 'official_answer', 'accepted');
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_of_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_unmailed ON notifications (user_id, id) WHERE emailed_at IS NULL;
ALTER TABLE webhook_endpoints DROP COLUMN tags;
DROP TABLE topic_digests;
DROP TABLE question_alerts;
DROP TABLE response_deadlines;
DROP TABLE question_assignments;
DROP TABLE tag_response_targets;
DROP TABLE tag_watches;
DROP TABLE tag_leads;
