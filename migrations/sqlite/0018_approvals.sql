-- Four eyes on money going out (SQLite): each group's approval policy, and the operations that
-- wait for a second person (docs/DECISIONS.md, "Approvals").
CREATE TABLE approval_policies (
    group_id            BLOB    PRIMARY KEY REFERENCES groups (id),
    -- JSON object: ISO 4217 code -> minor units; a withdrawal of more waits for approval.
    withdrawals_above   TEXT    NOT NULL,
    expires_after_hours INTEGER NOT NULL CHECK (expires_after_hours > 0),
    updated_at          TEXT    NOT NULL,
    updated_by          BLOB    REFERENCES users (id)
) STRICT;

CREATE TABLE approvals (
    id                  BLOB    PRIMARY KEY,
    group_id            BLOB    NOT NULL REFERENCES groups (id),
    kind                TEXT    NOT NULL,
    -- The operation as asked for (JSON), carried out as it is when approved.
    operation           TEXT    NOT NULL,
    -- What it would post, as it stood when asked for (JSON).
    preview             TEXT    NOT NULL,
    maker_id            BLOB    NOT NULL REFERENCES users (id),
    created_at          TEXT    NOT NULL,
    expires_at          TEXT    NOT NULL,
    status              TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by          BLOB    REFERENCES users (id),
    decided_at          TEXT,
    note                TEXT,
    result_id           BLOB,
    CHECK ((status = 'pending') = (decided_by IS NULL))
) STRICT;

CREATE INDEX approvals_by_group ON approvals (group_id, id);
CREATE INDEX approvals_pending ON approvals (status, id);
