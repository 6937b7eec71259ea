-- Group status and distribution basis; investments, remittances, transfers and distributions
-- (SQLite). Recorded events are immutable like the journal they point to.

ALTER TABLE groups ADD COLUMN status TEXT NOT NULL DEFAULT 'provisional'
    CHECK (status IN ('provisional', 'accredited', 'suspended', 'closed'));
ALTER TABLE groups ADD COLUMN status_on TEXT;
ALTER TABLE groups ADD COLUMN accredited_on TEXT;
ALTER TABLE groups ADD COLUMN distribution_basis TEXT NOT NULL DEFAULT 'savings'
    CHECK (distribution_basis IN ('savings', 'capital', 'equal'));

-- The transaction that moved a closed period's income and expense into equity:undistributed.
ALTER TABLE period_closes ADD COLUMN closing_transaction_id BLOB REFERENCES transactions (id);

CREATE TABLE investments (
    id              BLOB    PRIMARY KEY,
    group_id        BLOB    NOT NULL REFERENCES groups (id),
    name            TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('cooperative', 'enterprise', 'livelihood', 'land', 'deposit', 'other')),
    sector          TEXT    NOT NULL,
    country         TEXT    NOT NULL,
    currency        TEXT    NOT NULL,
    partner         TEXT,
    committed_minor INTEGER CHECK (committed_minor > 0),
    women_led       INTEGER CHECK (women_led IN (0, 1)),
    status          TEXT    NOT NULL CHECK (status IN ('active', 'exited', 'written_off')),
    status_on       TEXT,
    account_id      BLOB    NOT NULL UNIQUE REFERENCES accounts (id),
    created_by      BLOB    REFERENCES users (id),
    created_at      TEXT    NOT NULL
) STRICT;

CREATE INDEX investments_by_group ON investments (group_id, id);

CREATE TRIGGER investments_no_delete BEFORE DELETE ON investments
BEGIN SELECT RAISE(ABORT, 'investments are never deleted'); END;

CREATE TABLE investment_events (
    id              BLOB    PRIMARY KEY,
    group_id        BLOB    NOT NULL REFERENCES groups (id),
    investment_id   BLOB    NOT NULL REFERENCES investments (id),
    kind            TEXT    NOT NULL CHECK (kind IN ('disbursement', 'income', 'capital_returned', 'write_down')),
    amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
    currency        TEXT    NOT NULL,
    account_code    TEXT,
    booked_on       TEXT    NOT NULL,
    note            TEXT,
    transaction_id  BLOB    NOT NULL UNIQUE REFERENCES transactions (id),
    created_by      BLOB    REFERENCES users (id),
    created_at      TEXT    NOT NULL
) STRICT;

CREATE INDEX investment_events_by_investment ON investment_events (group_id, investment_id, kind, id);

CREATE TRIGGER investment_events_no_update BEFORE UPDATE ON investment_events
BEGIN SELECT RAISE(ABORT, 'recorded events are immutable: reverse their transaction instead'); END;
CREATE TRIGGER investment_events_no_delete BEFORE DELETE ON investment_events
BEGIN SELECT RAISE(ABORT, 'recorded events are immutable: reverse their transaction instead'); END;

CREATE TABLE remittances (
    id                    BLOB    PRIMARY KEY,
    group_id              BLOB    NOT NULL REFERENCES groups (id),
    member_id             BLOB    NOT NULL REFERENCES members (id),
    send_amount_minor     INTEGER NOT NULL CHECK (send_amount_minor > 0),
    send_currency         TEXT    NOT NULL,
    fee_minor             INTEGER NOT NULL CHECK (fee_minor >= 0),
    receive_amount_minor  INTEGER NOT NULL CHECK (receive_amount_minor > 0),
    receive_currency      TEXT    NOT NULL,
    applied_rate          TEXT    NOT NULL,
    rate_derived          INTEGER NOT NULL CHECK (rate_derived IN (0, 1)),
    mid_market_rate       TEXT,
    rate_source           TEXT,
    provider              TEXT    NOT NULL,
    channel               TEXT    NOT NULL CHECK (channel IN ('bank', 'money_transfer_operator', 'mobile_wallet', 'post')),
    send_country          TEXT    NOT NULL,
    receive_country       TEXT    NOT NULL,
    uses                  TEXT    NOT NULL,
    credited_minor        INTEGER,
    credited_currency     TEXT,
    booked_on             TEXT    NOT NULL,
    transaction_id        BLOB    UNIQUE REFERENCES transactions (id),
    created_by            BLOB    REFERENCES users (id),
    created_at            TEXT    NOT NULL
) STRICT;

CREATE INDEX remittances_by_group ON remittances (group_id, id);
CREATE INDEX remittances_by_member ON remittances (group_id, member_id, id);

CREATE TRIGGER remittances_no_update BEFORE UPDATE ON remittances
BEGIN SELECT RAISE(ABORT, 'recorded events are immutable: reverse their transaction instead'); END;
CREATE TRIGGER remittances_no_delete BEFORE DELETE ON remittances
BEGIN SELECT RAISE(ABORT, 'recorded events are immutable: reverse their transaction instead'); END;

CREATE TABLE transfers (
    id                    BLOB    PRIMARY KEY,
    group_id              BLOB    NOT NULL REFERENCES groups (id),
    from_code             TEXT    NOT NULL,
    to_code               TEXT    NOT NULL,
    amount_minor          INTEGER NOT NULL CHECK (amount_minor > 0),
    currency              TEXT    NOT NULL,
    receive_amount_minor  INTEGER NOT NULL CHECK (receive_amount_minor > 0),
    receive_currency      TEXT    NOT NULL,
    fee_minor             INTEGER NOT NULL CHECK (fee_minor >= 0),
    applied_rate          TEXT,
    mid_market_rate       TEXT,
    rate_source           TEXT,
    booked_on             TEXT    NOT NULL,
    description           TEXT    NOT NULL,
    transaction_id        BLOB    NOT NULL UNIQUE REFERENCES transactions (id),
    created_by            BLOB    REFERENCES users (id),
    created_at            TEXT    NOT NULL
) STRICT;

CREATE INDEX transfers_by_group ON transfers (group_id, id);

CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers
BEGIN SELECT RAISE(ABORT, 'recorded events are immutable: reverse their transaction instead'); END;
CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers
BEGIN SELECT RAISE(ABORT, 'recorded events are immutable: reverse their transaction instead'); END;

CREATE TABLE distributions (
    id              BLOB    PRIMARY KEY,
    group_id        BLOB    NOT NULL REFERENCES groups (id),
    pool_minor      INTEGER NOT NULL CHECK (pool_minor > 0),
    currency        TEXT    NOT NULL,
    basis           TEXT    NOT NULL CHECK (basis IN ('savings', 'capital', 'equal')),
    weight_currency TEXT,
    as_of           TEXT    NOT NULL,
    pay_to          TEXT    NOT NULL CHECK (pay_to IN ('payable', 'savings', 'capital')),
    booked_on       TEXT    NOT NULL,
    transaction_id  BLOB    NOT NULL UNIQUE REFERENCES transactions (id),
    created_by      BLOB    REFERENCES users (id),
    created_at      TEXT    NOT NULL
) STRICT;

CREATE INDEX distributions_by_group ON distributions (group_id, id);

CREATE TABLE distribution_shares (
    distribution_id BLOB    NOT NULL REFERENCES distributions (id),
    group_id        BLOB    NOT NULL REFERENCES groups (id),
    member_id       BLOB    NOT NULL REFERENCES members (id),
    member_name     TEXT    NOT NULL,
    weight          INTEGER NOT NULL CHECK (weight >= 0),
    share_minor     INTEGER NOT NULL CHECK (share_minor >= 0),
    account_code    TEXT    NOT NULL,
    PRIMARY KEY (distribution_id, member_id)
) STRICT;

CREATE TRIGGER distributions_no_update BEFORE UPDATE ON distributions
BEGIN SELECT RAISE(ABORT, 'recorded events are immutable: reverse their transaction instead'); END;
CREATE TRIGGER distributions_no_delete BEFORE DELETE ON distributions
BEGIN SELECT RAISE(ABORT, 'recorded events are immutable: reverse their transaction instead'); END;
CREATE TRIGGER distribution_shares_no_update BEFORE UPDATE ON distribution_shares
BEGIN SELECT RAISE(ABORT, 'recorded events are immutable: reverse their transaction instead'); END;
CREATE TRIGGER distribution_shares_no_delete BEFORE DELETE ON distribution_shares
BEGIN SELECT RAISE(ABORT, 'recorded events are immutable: reverse their transaction instead'); END;
