-- Remittances sent and not yet arrived (SQLite). A remittance may be recorded in transit; it is
-- then completed (arrival confirmed, with the final figures) or failed, once. The remittance
-- stays as recorded; how it ended is a record of its own, immutable like it. The settlement
-- names its remittance and transaction without foreign keys to them, so that the journal's own
-- guards, not a foreign key, refuse any attempt to remove them.
ALTER TABLE remittances ADD COLUMN in_transit INTEGER NOT NULL DEFAULT 0 CHECK (in_transit IN (0, 1));

CREATE TABLE remittance_settlements (
    remittance_id         BLOB    PRIMARY KEY,
    group_id              BLOB    NOT NULL REFERENCES groups (id),
    outcome               TEXT    NOT NULL CHECK (outcome IN ('completed', 'failed')),
    receive_amount_minor  INTEGER NOT NULL CHECK (receive_amount_minor > 0),
    fee_minor             INTEGER NOT NULL CHECK (fee_minor >= 0),
    applied_rate          TEXT    NOT NULL,
    rate_derived          INTEGER NOT NULL CHECK (rate_derived IN (0, 1)),
    mid_market_rate       TEXT,
    uses                  TEXT    NOT NULL,
    fee_kept_minor        INTEGER CHECK (fee_kept_minor >= 0),
    booked_on             TEXT    NOT NULL,
    transaction_id        BLOB    UNIQUE,
    created_by            BLOB    REFERENCES users (id),
    created_at            TEXT    NOT NULL
) STRICT;

-- The report of remittances in transit reads only those, oldest first.
CREATE INDEX remittances_in_transit ON remittances (group_id, booked_on) WHERE in_transit = 1;

CREATE TRIGGER remittance_settlements_no_update BEFORE UPDATE ON remittance_settlements
BEGIN SELECT RAISE(ABORT, 'recorded events are immutable: reverse their transaction instead'); END;
CREATE TRIGGER remittance_settlements_no_delete BEFORE DELETE ON remittance_settlements
BEGIN SELECT RAISE(ABORT, 'recorded events are immutable: reverse their transaction instead'); END;
