-- Four eyes on money going out (PostgreSQL): each group's approval policy, and the operations
-- that wait for a second person (docs/DECISIONS.md, "Approvals").
CREATE TABLE approval_policies (
    group_id            UUID        PRIMARY KEY REFERENCES groups (id),
    -- JSON object: ISO 4217 code -> minor units; a withdrawal of more waits for approval.
    withdrawals_above   TEXT        NOT NULL,
    expires_after_hours BIGINT      NOT NULL CHECK (expires_after_hours > 0),
    updated_at          TIMESTAMPTZ NOT NULL,
    updated_by          UUID        REFERENCES users (id)
);

CREATE TABLE approvals (
    id                  UUID        PRIMARY KEY,
    group_id            UUID        NOT NULL REFERENCES groups (id),
    kind                TEXT        NOT NULL,
    -- The operation as asked for (JSON), carried out as it is when approved.
    operation           TEXT        NOT NULL,
    -- What it would post, as it stood when asked for (JSON).
    preview             TEXT        NOT NULL,
    maker_id            UUID        NOT NULL REFERENCES users (id),
    created_at          TIMESTAMPTZ NOT NULL,
    expires_at          TIMESTAMPTZ NOT NULL,
    status              TEXT        NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by          UUID        REFERENCES users (id),
    decided_at          TIMESTAMPTZ,
    note                TEXT,
    result_id           UUID,
    CHECK ((status = 'pending') = (decided_by IS NULL))
);

CREATE INDEX approvals_by_group ON approvals (group_id, id);
CREATE INDEX approvals_pending ON approvals (status, id);
