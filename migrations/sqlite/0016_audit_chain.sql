-- The audit log becomes a hash chain (SQLite), like each group's journal: every record written
-- from now on has its place in a chain (its group's, or "service" for records naming no group),
-- the hash of the record before it and its own hash (docs/AUDIT-CHAIN.md). Records written
-- before this migration have no place in a chain; how many there were is kept in
-- service_settings, so that a record later slipped in without one is seen.
ALTER TABLE audit_events ADD COLUMN chain TEXT;
ALTER TABLE audit_events ADD COLUMN chain_sequence INTEGER;
ALTER TABLE audit_events ADD COLUMN previous_hash TEXT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;

CREATE UNIQUE INDEX audit_events_by_chain ON audit_events (chain, chain_sequence);

-- The last record of each chain, locked by whoever appends to it.
CREATE TABLE audit_heads (
    chain           TEXT    PRIMARY KEY,
    sequence        INTEGER NOT NULL,
    hash            TEXT    NOT NULL
) STRICT;

INSERT INTO service_settings (name, value)
SELECT 'audit_records_before_chain', CAST(COUNT(*) AS TEXT) FROM audit_events;
