-- A group's chair (SQLite): a grant for one group that approves or rejects what waits for a
-- second person and reads the group's ledger to judge it. SQLite cannot change a table's
-- checks in place, so the grants table is rebuilt with the same rows.
CREATE TABLE grants_with_chair (
    id              BLOB    PRIMARY KEY,
    user_id         BLOB    NOT NULL REFERENCES users (id),
    role            TEXT    NOT NULL
                            CHECK (role IN ('admin', 'auditor', 'treasurer', 'chair', 'member')),
    group_id        BLOB    REFERENCES groups (id),
    member_id       BLOB,
    created_at      TEXT    NOT NULL,
    CHECK ((role IN ('admin', 'auditor') AND group_id IS NULL AND member_id IS NULL)
        OR (role IN ('treasurer', 'chair') AND group_id IS NOT NULL AND member_id IS NULL)
        OR (role = 'member' AND group_id IS NOT NULL AND member_id IS NOT NULL))
) STRICT;

INSERT INTO grants_with_chair (id, user_id, role, group_id, member_id, created_at)
SELECT id, user_id, role, group_id, member_id, created_at FROM grants;

DROP TABLE grants;
ALTER TABLE grants_with_chair RENAME TO grants;
CREATE INDEX grants_by_user ON grants (user_id);
