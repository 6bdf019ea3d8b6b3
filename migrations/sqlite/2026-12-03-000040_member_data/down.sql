DROP INDEX mail_outbox_by_recipient;
DROP INDEX flags_by_flagger;
DROP INDEX revisions_by_editor;
ALTER TABLE users DROP COLUMN deleted_at;
