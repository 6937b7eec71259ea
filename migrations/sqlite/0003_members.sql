-- Members and the events treasurers record for them (SQLite).

CREATE TABLE members (
    id                  BLOB    PRIMARY KEY,
    group_id            BLOB    NOT NULL REFERENCES groups (id),
    name                TEXT    NOT NULL,
    sex                 TEXT    NOT NULL CHECK (sex IN ('female', 'male', 'other', 'undisclosed')),
    birth_year          INTEGER,
    home_country        TEXT    NOT NULL,
    host_country        TEXT    NOT NULL,
    occupation          TEXT,
    contact             TEXT,
    joined_on           TEXT    NOT NULL,
    status              TEXT    NOT NULL CHECK (status IN ('active', 'returned_home', 'exited')),
    status_on           TEXT,
    savings_account_id  BLOB    NOT NULL REFERENCES accounts (id),
    capital_account_id  BLOB    NOT NULL REFERENCES accounts (id),
    created_at          TEXT    NOT NULL
) STRICT;

CREATE INDEX members_by_group ON members (group_id, id);

CREATE TRIGGER members_no_delete BEFORE DELETE ON members
BEGIN SELECT RAISE(ABORT, 'members are never deleted'); END;

CREATE TABLE member_events (
    id              BLOB    PRIMARY KEY,
    group_id        BLOB    NOT NULL REFERENCES groups (id),
    member_id       BLOB    NOT NULL REFERENCES members (id),
    kind            TEXT    NOT NULL CHECK (kind IN ('contribution', 'withdrawal')),
    amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
    currency        TEXT    NOT NULL,
    fund            TEXT    NOT NULL CHECK (fund IN ('savings', 'capital', 'social_fund')),
    channel         TEXT    NOT NULL CHECK (channel IN ('cash', 'bank', 'remittance', 'mobile_wallet')),
    booked_on       TEXT    NOT NULL,
    receipt_no      TEXT,
    transaction_id  BLOB    NOT NULL UNIQUE REFERENCES transactions (id),
    created_by      BLOB    REFERENCES users (id),
    created_at      TEXT    NOT NULL
) STRICT;

CREATE INDEX member_events_by_group ON member_events (group_id, kind, id);

CREATE TRIGGER member_events_no_update BEFORE UPDATE ON member_events
BEGIN SELECT RAISE(ABORT, 'recorded events are immutable: reverse their transaction instead'); END;
CREATE TRIGGER member_events_no_delete BEFORE DELETE ON member_events
BEGIN SELECT RAISE(ABORT, 'recorded events are immutable: reverse their transaction instead'); END;
