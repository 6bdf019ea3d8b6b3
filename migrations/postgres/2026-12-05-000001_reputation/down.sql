DELETE FROM notifications WHERE event IN ('mentioned', 'edit_approved', 'edit_rejected');
ALTER TABLE notifications DROP CONSTRAINT notifications_event_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_event_check
    CHECK (event IN ('answer', 'official_answer', 'accepted', 'topic_question', 'assigned', 'target_nearing', 'target_breached'));
DROP TABLE close_votes;
DROP TABLE reputation_events;
DROP INDEX users_by_reputation;
ALTER TABLE users DROP COLUMN bronze_badges;
ALTER TABLE users DROP COLUMN silver_badges;
ALTER TABLE users DROP COLUMN gold_badges;
ALTER TABLE users DROP COLUMN reputation;
