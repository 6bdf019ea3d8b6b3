-- Every upvote reads what its post's author earned today (the daily cap) and sums the author's
-- counting rows (the total); both read this index alone, without visiting the ledger's rows.
CREATE INDEX reputation_events_counting ON reputation_events (user_id, created_at, reason, amount)
    WHERE reversed_at IS NULL;
-- Every upvote asks whether its voter and author were caught voting in a run: the few rows
-- reversed for serial voting, rather than all of the voter's acts.
CREATE INDEX reputation_events_serial ON reputation_events (actor_id, user_id, reversed_at)
    WHERE reversal = 'serial_voting';
