DROP INDEX official_answers_newest;
DROP INDEX questions_by_id;
