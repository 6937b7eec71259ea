-- The savings trend's figures of each closed month, by group, sex and currency, so that the
-- network's trend reads a row per group, month, sex and currency for the closed months instead
-- of every member's savings entries.
--
-- A row holds a month's figures (`domain::network::trend`) for the members of one group: the
-- people the month's cell describes, its members, who joined and who left in it, what was
-- deposited and withdrawn in it and what the savings held at its end. They are written for the
-- group's closed months (up to `closings_through`) beside the month-end balances, and deleted
-- with them from a month on when a posting dated in it, or a change of a member that the
-- month's figures depend on (sex, the day they joined or left), reopens it. A month with no
-- row for a group describes no one of it.
CREATE TABLE trend_months (
    group_id            UUID    NOT NULL REFERENCES groups (id),
    month               DATE    NOT NULL,
    sex                 TEXT    NOT NULL,
    currency            TEXT    NOT NULL,
    people              BIGINT  NOT NULL CHECK (people > 0),
    members             BIGINT  NOT NULL CHECK (members >= 0),
    joined              BIGINT  NOT NULL CHECK (joined >= 0),
    left_count          BIGINT  NOT NULL CHECK (left_count >= 0),
    deposits_minor      BIGINT  NOT NULL CHECK (deposits_minor >= 0),
    withdrawals_minor   BIGINT  NOT NULL CHECK (withdrawals_minor >= 0),
    savings_minor       BIGINT  NOT NULL,
    PRIMARY KEY (group_id, month, sex, currency)
);

-- The months closed so far have no trend rows: they are closed again, from the start, with
-- them (the service's closing task does it a group at a time; until then the reports read the
-- journal, as before).
DELETE FROM account_closings;
UPDATE groups SET closings_through = NULL;
