DROP TABLE deflections;
DROP TABLE search_log;
DROP TABLE search_state;
DROP TABLE search_changes;
