DROP INDEX audit_log_by_action;
DROP INDEX audit_log_by_actor;
DROP INDEX votes_by_user_time;
DROP INDEX comments_by_author;
DROP INDEX posts_held;
ALTER TABLE comments DROP COLUMN held_reason;
ALTER TABLE posts DROP COLUMN held_reason;
DROP TABLE flags;
