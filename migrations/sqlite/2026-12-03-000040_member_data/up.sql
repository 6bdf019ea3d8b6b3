-- A member who deleted their account (or was deleted on request) keeps their row, anonymised, so
-- posts, votes and revisions stay attributed to one "Deleted member"; this marks such a row, which
-- never signs in again.
ALTER TABLE users ADD COLUMN deleted_at TIMESTAMP;

-- A member's export and deletion read these by member; without them each would scan the table.
CREATE INDEX revisions_by_editor ON revisions (editor_id, id);
CREATE INDEX flags_by_flagger ON flags (flagger_id, id);
CREATE INDEX mail_outbox_by_recipient ON mail_outbox (to_address);
