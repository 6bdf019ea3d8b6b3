CREATE TABLE notifications_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    question_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    post_id     BIGINT REFERENCES posts (id) ON DELETE CASCADE,
    event       TEXT NOT NULL CHECK (event IN ('answer', 'official_answer', 'accepted', 'topic_question', 'assigned', 'target_nearing', 'target_breached')),
    actor_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMP NOT NULL,
    read_at     TIMESTAMP,
    emailed_at  TIMESTAMP
);
INSERT INTO notifications_new (id, user_id, question_id, post_id, event, actor_id, created_at, read_at, emailed_at)
    SELECT id, user_id, question_id, post_id, event, actor_id, created_at, read_at, emailed_at FROM notifications
    WHERE event NOT IN ('mentioned', 'edit_approved', 'edit_rejected');
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_of_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_unmailed ON notifications (user_id, id) WHERE emailed_at IS NULL;
DROP TABLE close_votes;
DROP TABLE reputation_events;
DROP INDEX users_by_reputation;
ALTER TABLE users DROP COLUMN bronze_badges;
ALTER TABLE users DROP COLUMN silver_badges;
ALTER TABLE users DROP COLUMN gold_badges;
ALTER TABLE users DROP COLUMN reputation;
