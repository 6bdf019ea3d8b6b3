DROP TABLE gap_answers;
DROP TABLE gap_waiters;
