-- Every revision gets its own copy of its text again.
UPDATE revisions r SET body_markdown = p.body_markdown FROM posts p WHERE p.id = r.post_id AND r.body_markdown IS NULL;
ALTER TABLE revisions ALTER COLUMN body_markdown SET NOT NULL;
