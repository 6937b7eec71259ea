-- Month-end balances, so that a balance on a past date costs what that date's month holds,
-- not what was booked after it.
--
-- A row holds an account's totals (every entry booked up to and including `month_end`, the
-- last day of a month) for each month in which the account had entries, for the months up to
-- the group's `closings_through`. They are derived from the entries, which stay the record:
-- the service writes them for months that have ended, and a posting booked on or before
-- `closings_through` deletes the group's rows from its month on and moves
-- `closings_through` back to the month before, to be written again.
ALTER TABLE groups ADD COLUMN closings_through TEXT;

CREATE TABLE account_closings (
    group_id        BLOB    NOT NULL REFERENCES groups (id),
    account_id      BLOB    NOT NULL REFERENCES accounts (id),
    month_end       TEXT    NOT NULL,
    debits_minor    INTEGER NOT NULL CHECK (debits_minor >= 0),
    credits_minor   INTEGER NOT NULL CHECK (credits_minor >= 0),
    PRIMARY KEY (account_id, month_end)
) STRICT, WITHOUT ROWID;

CREATE INDEX account_closings_by_group ON account_closings (group_id, month_end);
