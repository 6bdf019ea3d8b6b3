DROP INDEX reputation_events_serial;
DROP INDEX reputation_events_counting;
