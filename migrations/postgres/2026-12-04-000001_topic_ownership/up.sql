-- Staff who lead a topic (a tag): told at once of each question asked in it, shown on its page
-- and on its questions. Admins name leads; staff may also lead a topic themselves.
CREATE TABLE tag_leads (
    tag_id     BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tag_id, user_id)
);
CREATE INDEX tag_leads_of_user ON tag_leads (user_id);

-- Members who watch a topic, each with how they want its new questions by mail
-- (`each`, `daily` or `never`; `daily` unless they choose).
CREATE TABLE tag_watches (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tag_id     BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    mail       TEXT NOT NULL CHECK (mail IN ('each', 'daily', 'never')),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, tag_id)
);
CREATE INDEX tag_watches_of_tag ON tag_watches (tag_id);

-- A topic's own response target, in hours, in place of the site's.
CREATE TABLE tag_response_targets (
    tag_id     BIGINT PRIMARY KEY REFERENCES tags (id) ON DELETE CASCADE,
    hours      INTEGER NOT NULL,
    updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_at TIMESTAMP NOT NULL
);

-- The staff member who took a question ("I'm on it"); at most one. The row goes when an
-- official answer is posted or the assignee gives the question back.
CREATE TABLE question_assignments (
    question_id BIGINT PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    assignee_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assigned_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    assigned_at TIMESTAMP NOT NULL
);
CREATE INDEX question_assignments_of_assignee ON question_assignments (assignee_id, assigned_at);

-- The response promised when a question was asked: the target then in force (its topic's, else
-- the site's), counted in business hours when those are set. A later change of target does not
-- move the promise already made.
CREATE TABLE response_deadlines (
    question_id  BIGINT PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    target_hours INTEGER NOT NULL,
    nearing_at   TIMESTAMP NOT NULL,
    due_at       TIMESTAMP NOT NULL
);
CREATE INDEX response_deadlines_due ON response_deadlines (due_at);
CREATE INDEX response_deadlines_nearing ON response_deadlines (nearing_at);

-- Alerts about a question that go out at most once (`asked`, `nearing`, `breached`): the key
-- makes a second node's (or a restarted node's) attempt fail and roll back with its mail.
CREATE TABLE question_alerts (
    question_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('asked', 'nearing', 'breached')),
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (question_id, kind)
);

-- When each topic watcher last got the weekly digest of their topics' best-answered questions.
CREATE TABLE topic_digests (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sent_at TIMESTAMP NOT NULL
);

-- A webhook may only want questions in some topics (tag names separated by spaces; empty: all),
-- so a team's chat channel hears of its own topics.
ALTER TABLE webhook_endpoints ADD COLUMN tags TEXT NOT NULL DEFAULT '';

-- Notifications now also tell of topics and assignments.
ALTER TABLE notifications DROP CONSTRAINT notifications_event_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_event_check
    CHECK (event IN ('answer', 'official_answer', 'accepted', 'topic_question', 'assigned', 'target_nearing', 'target_breached'));
