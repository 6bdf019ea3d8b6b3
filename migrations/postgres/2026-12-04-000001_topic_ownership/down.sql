ALTER TABLE webhook_endpoints DROP COLUMN tags;
DROP TABLE topic_digests;
DROP TABLE question_alerts;
DROP TABLE response_deadlines;
DROP TABLE question_assignments;
DROP TABLE tag_response_targets;
DROP TABLE tag_watches;
DROP TABLE tag_leads;
