-- Members and the events treasurers record for them (PostgreSQL).

CREATE TABLE members (
    id                  UUID        PRIMARY KEY,
    group_id            UUID        NOT NULL REFERENCES groups (id),
    name                TEXT        NOT NULL,
    sex                 TEXT        NOT NULL CHECK (sex IN ('female', 'male', 'other', 'undisclosed')),
    birth_year          INTEGER,
    home_country        TEXT        NOT NULL,
    host_country        TEXT        NOT NULL,
    occupation          TEXT,
    contact             TEXT,
    joined_on           DATE        NOT NULL,
    status              TEXT        NOT NULL CHECK (status IN ('active', 'returned_home', 'exited')),
    status_on           DATE,
    savings_account_id  UUID        NOT NULL REFERENCES accounts (id),
    capital_account_id  UUID        NOT NULL REFERENCES accounts (id),
    created_at          TIMESTAMPTZ NOT NULL
);

CREATE INDEX members_by_group ON members (group_id, id);

CREATE TRIGGER members_no_delete BEFORE DELETE ON members
    FOR EACH ROW EXECUTE FUNCTION refuse_change('members are never deleted');

CREATE TABLE member_events (
    id              UUID        PRIMARY KEY,
    group_id        UUID        NOT NULL REFERENCES groups (id),
    member_id       UUID        NOT NULL REFERENCES members (id),
    kind            TEXT        NOT NULL CHECK (kind IN ('contribution', 'withdrawal')),
    amount_minor    BIGINT      NOT NULL CHECK (amount_minor > 0),
    currency        TEXT        NOT NULL,
    fund            TEXT        NOT NULL CHECK (fund IN ('savings', 'capital', 'social_fund')),
    channel         TEXT        NOT NULL CHECK (channel IN ('cash', 'bank', 'remittance', 'mobile_wallet')),
    booked_on       DATE        NOT NULL,
    receipt_no      TEXT,
    transaction_id  UUID        NOT NULL UNIQUE REFERENCES transactions (id),
    created_by      UUID        REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL
);

CREATE INDEX member_events_by_group ON member_events (group_id, kind, id);

CREATE TRIGGER member_events_immutable BEFORE UPDATE OR DELETE ON member_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change('recorded events are immutable: reverse their transaction instead');
