-- Group status and distribution basis; investments, remittances, transfers and distributions
-- (PostgreSQL). Recorded events are immutable like the journal they point to.

ALTER TABLE groups ADD COLUMN status TEXT NOT NULL DEFAULT 'provisional'
    CHECK (status IN ('provisional', 'accredited', 'suspended', 'closed'));
ALTER TABLE groups ADD COLUMN status_on DATE;
ALTER TABLE groups ADD COLUMN accredited_on DATE;
ALTER TABLE groups ADD COLUMN distribution_basis TEXT NOT NULL DEFAULT 'savings'
    CHECK (distribution_basis IN ('savings', 'capital', 'equal'));

-- The transaction that moved a closed period's income and expense into equity:undistributed.
ALTER TABLE period_closes ADD COLUMN closing_transaction_id UUID REFERENCES transactions (id);

CREATE TABLE investments (
    id              UUID    PRIMARY KEY,
    group_id        UUID    NOT NULL REFERENCES groups (id),
    name            TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('cooperative', 'enterprise', 'livelihood', 'land', 'deposit', 'other')),
    sector          TEXT    NOT NULL,
    country         TEXT    NOT NULL,
    currency        TEXT    NOT NULL,
    partner         TEXT,
    committed_minor BIGINT  CHECK (committed_minor > 0),
    women_led       BOOLEAN,
    status          TEXT    NOT NULL CHECK (status IN ('active', 'exited', 'written_off')),
    status_on       DATE,
    account_id      UUID    NOT NULL UNIQUE REFERENCES accounts (id),
    created_by      UUID    REFERENCES users (id),
    created_at      TIMESTAMPTZ    NOT NULL
);

CREATE INDEX investments_by_group ON investments (group_id, id);

CREATE TRIGGER investments_no_delete BEFORE DELETE ON investments
    FOR EACH ROW EXECUTE FUNCTION refuse_change('investments are never deleted');
CREATE TRIGGER investments_no_truncate BEFORE TRUNCATE ON investments
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('investments are never deleted');

CREATE TABLE investment_events (
    id              UUID    PRIMARY KEY,
    group_id        UUID    NOT NULL REFERENCES groups (id),
    investment_id   UUID    NOT NULL REFERENCES investments (id),
    kind            TEXT    NOT NULL CHECK (kind IN ('disbursement', 'income', 'capital_returned', 'write_down')),
    amount_minor    BIGINT  NOT NULL CHECK (amount_minor > 0),
    currency        TEXT    NOT NULL,
    account_code    TEXT,
    booked_on       DATE    NOT NULL,
    note            TEXT,
    transaction_id  UUID    NOT NULL UNIQUE REFERENCES transactions (id),
    created_by      UUID    REFERENCES users (id),
    created_at      TIMESTAMPTZ    NOT NULL
);

CREATE INDEX investment_events_by_investment ON investment_events (group_id, investment_id, kind, id);

CREATE TRIGGER investment_events_no_update BEFORE UPDATE ON investment_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change('recorded events are immutable: reverse their transaction instead');
CREATE TRIGGER investment_events_no_delete BEFORE DELETE ON investment_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change('recorded events are immutable: reverse their transaction instead');
CREATE TRIGGER investment_events_no_truncate BEFORE TRUNCATE ON investment_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('recorded events are immutable: reverse their transaction instead');

CREATE TABLE remittances (
    id                    UUID    PRIMARY KEY,
    group_id              UUID    NOT NULL REFERENCES groups (id),
    member_id             UUID    NOT NULL REFERENCES members (id),
    send_amount_minor     BIGINT  NOT NULL CHECK (send_amount_minor > 0),
    send_currency         TEXT    NOT NULL,
    fee_minor             BIGINT  NOT NULL CHECK (fee_minor >= 0),
    receive_amount_minor  BIGINT  NOT NULL CHECK (receive_amount_minor > 0),
    receive_currency      TEXT    NOT NULL,
    applied_rate          TEXT    NOT NULL,
    rate_derived          BOOLEAN NOT NULL,
    mid_market_rate       TEXT,
    rate_source           TEXT,
    provider              TEXT    NOT NULL,
    channel               TEXT    NOT NULL CHECK (channel IN ('bank', 'money_transfer_operator', 'mobile_wallet', 'post')),
    send_country          TEXT    NOT NULL,
    receive_country       TEXT    NOT NULL,
    uses                  TEXT    NOT NULL,
    credited_minor        BIGINT,
    credited_currency     TEXT,
    booked_on             DATE    NOT NULL,
    transaction_id        UUID    UNIQUE REFERENCES transactions (id),
    created_by            UUID    REFERENCES users (id),
    created_at            TIMESTAMPTZ    NOT NULL
);

CREATE INDEX remittances_by_group ON remittances (group_id, id);
CREATE INDEX remittances_by_member ON remittances (group_id, member_id, id);

CREATE TRIGGER remittances_no_update BEFORE UPDATE ON remittances
    FOR EACH ROW EXECUTE FUNCTION refuse_change('recorded events are immutable: reverse their transaction instead');
CREATE TRIGGER remittances_no_delete BEFORE DELETE ON remittances
    FOR EACH ROW EXECUTE FUNCTION refuse_change('recorded events are immutable: reverse their transaction instead');
CREATE TRIGGER remittances_no_truncate BEFORE TRUNCATE ON remittances
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('recorded events are immutable: reverse their transaction instead');

CREATE TABLE transfers (
    id                    UUID    PRIMARY KEY,
    group_id              UUID    NOT NULL REFERENCES groups (id),
    from_code             TEXT    NOT NULL,
    to_code               TEXT    NOT NULL,
    amount_minor          BIGINT  NOT NULL CHECK (amount_minor > 0),
    currency              TEXT    NOT NULL,
    receive_amount_minor  BIGINT  NOT NULL CHECK (receive_amount_minor > 0),
    receive_currency      TEXT    NOT NULL,
    fee_minor             BIGINT  NOT NULL CHECK (fee_minor >= 0),
    applied_rate          TEXT,
    mid_market_rate       TEXT,
    rate_source           TEXT,
    booked_on             DATE    NOT NULL,
    description           TEXT    NOT NULL,
    transaction_id        UUID    NOT NULL UNIQUE REFERENCES transactions (id),
    created_by            UUID    REFERENCES users (id),
    created_at            TIMESTAMPTZ    NOT NULL
);

CREATE INDEX transfers_by_group ON transfers (group_id, id);

CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers
    FOR EACH ROW EXECUTE FUNCTION refuse_change('recorded events are immutable: reverse their transaction instead');
CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers
    FOR EACH ROW EXECUTE FUNCTION refuse_change('recorded events are immutable: reverse their transaction instead');
CREATE TRIGGER transfers_no_truncate BEFORE TRUNCATE ON transfers
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('recorded events are immutable: reverse their transaction instead');

CREATE TABLE distributions (
    id              UUID    PRIMARY KEY,
    group_id        UUID    NOT NULL REFERENCES groups (id),
    pool_minor      BIGINT  NOT NULL CHECK (pool_minor > 0),
    currency        TEXT    NOT NULL,
    basis           TEXT    NOT NULL CHECK (basis IN ('savings', 'capital', 'equal')),
    weight_currency TEXT,
    as_of           DATE    NOT NULL,
    pay_to          TEXT    NOT NULL CHECK (pay_to IN ('payable', 'savings', 'capital')),
    booked_on       DATE    NOT NULL,
    transaction_id  UUID    NOT NULL UNIQUE REFERENCES transactions (id),
    created_by      UUID    REFERENCES users (id),
    created_at      TIMESTAMPTZ    NOT NULL
);

CREATE INDEX distributions_by_group ON distributions (group_id, id);

CREATE TABLE distribution_shares (
    distribution_id UUID    NOT NULL REFERENCES distributions (id),
    group_id        UUID    NOT NULL REFERENCES groups (id),
    member_id       UUID    NOT NULL REFERENCES members (id),
    member_name     TEXT    NOT NULL,
    weight          BIGINT  NOT NULL CHECK (weight >= 0),
    share_minor     BIGINT  NOT NULL CHECK (share_minor >= 0),
    account_code    TEXT    NOT NULL,
    PRIMARY KEY (distribution_id, member_id)
);

CREATE TRIGGER distributions_no_update BEFORE UPDATE ON distributions
    FOR EACH ROW EXECUTE FUNCTION refuse_change('recorded events are immutable: reverse their transaction instead');
CREATE TRIGGER distributions_no_delete BEFORE DELETE ON distributions
    FOR EACH ROW EXECUTE FUNCTION refuse_change('recorded events are immutable: reverse their transaction instead');
CREATE TRIGGER distributions_no_truncate BEFORE TRUNCATE ON distributions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('recorded events are immutable: reverse their transaction instead');
CREATE TRIGGER distribution_shares_no_update BEFORE UPDATE ON distribution_shares
    FOR EACH ROW EXECUTE FUNCTION refuse_change('recorded events are immutable: reverse their transaction instead');
CREATE TRIGGER distribution_shares_no_delete BEFORE DELETE ON distribution_shares
    FOR EACH ROW EXECUTE FUNCTION refuse_change('recorded events are immutable: reverse their transaction instead');
CREATE TRIGGER distribution_shares_no_truncate BEFORE TRUNCATE ON distribution_shares
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('recorded events are immutable: reverse their transaction instead');
