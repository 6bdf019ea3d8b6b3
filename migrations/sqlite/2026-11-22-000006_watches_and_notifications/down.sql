ALTER TABLE mail_outbox DROP COLUMN headers;
ALTER TABLE users DROP COLUMN digest_sent_at;
ALTER TABLE users DROP COLUMN email_preference;
DROP TABLE notifications;
DROP TABLE watches;
