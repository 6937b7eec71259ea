-- Ledger core for SQLite. Every ledger table carries group_id: a group is the unit of
-- consistency. Amounts are integer minor units. Journal tables are append-only (triggers below).

CREATE TABLE groups (
    id              BLOB    PRIMARY KEY,
    name            TEXT    NOT NULL,
    currency        TEXT    NOT NULL,
    host_country    TEXT    NOT NULL,
    home_country    TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    closed_through  TEXT,
    head_sequence   INTEGER NOT NULL DEFAULT 0 CHECK (head_sequence >= 0),
    head_hash       TEXT    NOT NULL
) STRICT;

CREATE TABLE accounts (
    id              BLOB    PRIMARY KEY,
    group_id        BLOB    NOT NULL REFERENCES groups (id),
    code            TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    type            TEXT    NOT NULL CHECK (type IN ('asset', 'liability', 'equity', 'income', 'expense')),
    currency        TEXT    NOT NULL,
    no_overdraft    INTEGER NOT NULL CHECK (no_overdraft IN (0, 1)),
    debits_minor    INTEGER NOT NULL DEFAULT 0 CHECK (debits_minor >= 0),
    credits_minor   INTEGER NOT NULL DEFAULT 0 CHECK (credits_minor >= 0),
    created_at      TEXT    NOT NULL,
    UNIQUE (group_id, code)
) STRICT;

CREATE TABLE transactions (
    id              BLOB    PRIMARY KEY,
    group_id        BLOB    NOT NULL REFERENCES groups (id),
    sequence        INTEGER NOT NULL CHECK (sequence > 0),
    booked_on       TEXT    NOT NULL,
    recorded_at     TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    metadata        TEXT    NOT NULL,
    reverses_id     BLOB    UNIQUE REFERENCES transactions (id),
    previous_hash   TEXT    NOT NULL,
    hash            TEXT    NOT NULL,
    UNIQUE (group_id, sequence)
) STRICT;

CREATE TABLE entries (
    group_id        BLOB    NOT NULL REFERENCES groups (id),
    transaction_id  BLOB    NOT NULL REFERENCES transactions (id),
    line            INTEGER NOT NULL CHECK (line >= 0),
    account_id      BLOB    NOT NULL REFERENCES accounts (id),
    direction       TEXT    NOT NULL CHECK (direction IN ('debit', 'credit')),
    amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
    currency        TEXT    NOT NULL,
    -- Copied from the transaction (both immutable) so statements and trial balances read one table.
    booked_on       TEXT    NOT NULL,
    sequence        INTEGER NOT NULL,
    PRIMARY KEY (transaction_id, line)
) STRICT;

CREATE INDEX entries_by_account ON entries (account_id, booked_on, sequence);
CREATE INDEX entries_by_group_date ON entries (group_id, booked_on);

CREATE TABLE period_closes (
    group_id        BLOB    NOT NULL REFERENCES groups (id),
    through         TEXT    NOT NULL,
    closed_at       TEXT    NOT NULL,
    PRIMARY KEY (group_id, through)
) STRICT;

-- One outcome per idempotency key, forever. scope is the group id, or 'groups' for group creation.
CREATE TABLE idempotency_keys (
    scope           TEXT    NOT NULL,
    key             TEXT    NOT NULL,
    request_hash    TEXT    NOT NULL,
    status          INTEGER NOT NULL,
    body            TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    PRIMARY KEY (scope, key)
) STRICT;

CREATE TRIGGER transactions_no_update BEFORE UPDATE ON transactions
BEGIN SELECT RAISE(ABORT, 'transactions are immutable: post a reversal instead'); END;
CREATE TRIGGER transactions_no_delete BEFORE DELETE ON transactions
BEGIN SELECT RAISE(ABORT, 'transactions are immutable: post a reversal instead'); END;
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'entries are immutable: post a reversal instead'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'entries are immutable: post a reversal instead'); END;
CREATE TRIGGER period_closes_no_update BEFORE UPDATE ON period_closes
BEGIN SELECT RAISE(ABORT, 'period closes are immutable'); END;
CREATE TRIGGER period_closes_no_delete BEFORE DELETE ON period_closes
BEGIN SELECT RAISE(ABORT, 'period closes are immutable'); END;
CREATE TRIGGER idempotency_keys_no_update BEFORE UPDATE ON idempotency_keys
BEGIN SELECT RAISE(ABORT, 'idempotency outcomes are immutable'); END;
CREATE TRIGGER idempotency_keys_no_delete BEFORE DELETE ON idempotency_keys
BEGIN SELECT RAISE(ABORT, 'idempotency outcomes are immutable'); END;
-- Accounts change only in their running totals; what an account is never changes.
CREATE TRIGGER accounts_identity_fixed BEFORE UPDATE OF id, group_id, code, type, currency ON accounts
BEGIN SELECT RAISE(ABORT, 'an account''s identity, type and currency are fixed'); END;
CREATE TRIGGER accounts_no_delete BEFORE DELETE ON accounts
BEGIN SELECT RAISE(ABORT, 'accounts are never deleted'); END;
