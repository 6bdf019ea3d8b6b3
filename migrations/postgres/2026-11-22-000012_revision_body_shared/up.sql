-- A revision whose text is the post's current text stores no copy of it: body_markdown NULL
-- means "the post's body_markdown now". Only a post's latest revision can be such a row; an edit
-- first writes the outgoing text into it. Every post's first revision used to repeat its body,
-- about a third of the text a seeded or imported site writes.
ALTER TABLE revisions ALTER COLUMN body_markdown DROP NOT NULL;
