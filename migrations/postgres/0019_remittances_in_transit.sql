-- Remittances sent and not yet arrived (PostgreSQL). A remittance may be recorded in transit;
-- it is then completed (arrival confirmed, with the final figures) or failed, once. The
-- remittance stays as recorded; how it ended is a record of its own, immutable like it. The
-- settlement names its remittance and transaction without foreign keys to them, so that the
-- journal's own guards, not a foreign key, refuse any attempt to remove them.
ALTER TABLE remittances ADD COLUMN in_transit BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE remittance_settlements (
    remittance_id         UUID    PRIMARY KEY,
    group_id              UUID    NOT NULL REFERENCES groups (id),
    outcome               TEXT    NOT NULL CHECK (outcome IN ('completed', 'failed')),
    receive_amount_minor  BIGINT  NOT NULL CHECK (receive_amount_minor > 0),
    fee_minor             BIGINT  NOT NULL CHECK (fee_minor >= 0),
    applied_rate          TEXT    NOT NULL,
    rate_derived          BOOLEAN NOT NULL,
    mid_market_rate       TEXT,
    uses                  TEXT    NOT NULL,
    fee_kept_minor        BIGINT  CHECK (fee_kept_minor >= 0),
    booked_on             DATE    NOT NULL,
    transaction_id        UUID    UNIQUE,
    created_by            UUID    REFERENCES users (id),
    created_at            TIMESTAMPTZ    NOT NULL
);

-- The report of remittances in transit reads only those, oldest first.
CREATE INDEX remittances_in_transit ON remittances (group_id, booked_on) WHERE in_transit;

CREATE TRIGGER remittance_settlements_no_update BEFORE UPDATE ON remittance_settlements
    FOR EACH ROW EXECUTE FUNCTION refuse_change('recorded events are immutable: reverse their transaction instead');
CREATE TRIGGER remittance_settlements_no_delete BEFORE DELETE ON remittance_settlements
    FOR EACH ROW EXECUTE FUNCTION refuse_change('recorded events are immutable: reverse their transaction instead');
CREATE TRIGGER remittance_settlements_no_truncate BEFORE TRUNCATE ON remittance_settlements
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('recorded events are immutable: reverse their transaction instead');
