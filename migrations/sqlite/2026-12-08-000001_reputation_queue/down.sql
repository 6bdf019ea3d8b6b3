DROP TABLE reputation_queue;
