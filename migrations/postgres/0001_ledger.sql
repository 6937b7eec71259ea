-- Ledger core for PostgreSQL; the same tables as the SQLite history. Every ledger table carries
-- group_id: a group is the unit of consistency. Journal tables are append-only (triggers below).

CREATE TABLE groups (
    id              UUID        PRIMARY KEY,
    name            TEXT        NOT NULL,
    currency        TEXT        NOT NULL,
    host_country    TEXT        NOT NULL,
    home_country    TEXT        NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    closed_through  DATE,
    head_sequence   BIGINT      NOT NULL DEFAULT 0 CHECK (head_sequence >= 0),
    head_hash       TEXT        NOT NULL
);

CREATE TABLE accounts (
    id              UUID        PRIMARY KEY,
    group_id        UUID        NOT NULL REFERENCES groups (id),
    code            TEXT        NOT NULL,
    name            TEXT        NOT NULL,
    type            TEXT        NOT NULL CHECK (type IN ('asset', 'liability', 'equity', 'income', 'expense')),
    currency        TEXT        NOT NULL,
    no_overdraft    BOOLEAN     NOT NULL,
    debits_minor    BIGINT      NOT NULL DEFAULT 0 CHECK (debits_minor >= 0),
    credits_minor   BIGINT      NOT NULL DEFAULT 0 CHECK (credits_minor >= 0),
    created_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (group_id, code)
);

CREATE TABLE transactions (
    id              UUID        PRIMARY KEY,
    group_id        UUID        NOT NULL REFERENCES groups (id),
    sequence        BIGINT      NOT NULL CHECK (sequence > 0),
    booked_on       DATE        NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL,
    description     TEXT        NOT NULL,
    metadata        TEXT        NOT NULL,
    reverses_id     UUID        UNIQUE REFERENCES transactions (id),
    previous_hash   TEXT        NOT NULL,
    hash            TEXT        NOT NULL,
    UNIQUE (group_id, sequence)
);

CREATE TABLE entries (
    group_id        UUID        NOT NULL REFERENCES groups (id),
    transaction_id  UUID        NOT NULL REFERENCES transactions (id),
    line            INTEGER     NOT NULL CHECK (line >= 0),
    account_id      UUID        NOT NULL REFERENCES accounts (id),
    direction       TEXT        NOT NULL CHECK (direction IN ('debit', 'credit')),
    amount_minor    BIGINT      NOT NULL CHECK (amount_minor > 0),
    currency        TEXT        NOT NULL,
    -- Copied from the transaction (both immutable) so statements and trial balances read one table.
    booked_on       DATE        NOT NULL,
    sequence        BIGINT      NOT NULL,
    PRIMARY KEY (transaction_id, line)
);

CREATE INDEX entries_by_account ON entries (account_id, booked_on, sequence);
CREATE INDEX entries_by_group_date ON entries (group_id, booked_on);

CREATE TABLE period_closes (
    group_id        UUID        NOT NULL REFERENCES groups (id),
    through         DATE        NOT NULL,
    closed_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (group_id, through)
);

-- One outcome per idempotency key, forever. scope is the group id, or 'groups' for group creation.
CREATE TABLE idempotency_keys (
    scope           TEXT        NOT NULL,
    key             TEXT        NOT NULL,
    request_hash    TEXT        NOT NULL,
    status          INTEGER     NOT NULL,
    body            TEXT        NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % is refused: %', TG_OP, TG_TABLE_NAME, TG_ARGV[0]
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER transactions_immutable BEFORE UPDATE OR DELETE ON transactions
    FOR EACH ROW EXECUTE FUNCTION refuse_change('transactions are immutable: post a reversal instead');
CREATE TRIGGER transactions_no_truncate BEFORE TRUNCATE ON transactions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('transactions are immutable');
CREATE TRIGGER entries_immutable BEFORE UPDATE OR DELETE ON entries
    FOR EACH ROW EXECUTE FUNCTION refuse_change('entries are immutable: post a reversal instead');
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('entries are immutable');
CREATE TRIGGER period_closes_immutable BEFORE UPDATE OR DELETE ON period_closes
    FOR EACH ROW EXECUTE FUNCTION refuse_change('period closes are immutable');
CREATE TRIGGER idempotency_keys_immutable BEFORE UPDATE OR DELETE ON idempotency_keys
    FOR EACH ROW EXECUTE FUNCTION refuse_change('idempotency outcomes are immutable');
CREATE TRIGGER accounts_no_delete BEFORE DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION refuse_change('accounts are never deleted');

CREATE FUNCTION refuse_account_identity_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> OLD.id OR NEW.group_id <> OLD.group_id OR NEW.code <> OLD.code
       OR NEW.type <> OLD.type OR NEW.currency <> OLD.currency THEN
        RAISE EXCEPTION 'an account''s identity, type and currency are fixed'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER accounts_identity_fixed BEFORE UPDATE ON accounts
    FOR EACH ROW EXECUTE FUNCTION refuse_account_identity_change();
