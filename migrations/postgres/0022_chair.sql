-- A group's chair (PostgreSQL): a grant for one group that approves or rejects what waits for
-- a second person and reads the group's ledger to judge it.
ALTER TABLE grants DROP CONSTRAINT grants_role_check;
ALTER TABLE grants DROP CONSTRAINT grants_check;
ALTER TABLE grants ADD CONSTRAINT grants_role_check
    CHECK (role IN ('admin', 'auditor', 'treasurer', 'chair', 'member'));
ALTER TABLE grants ADD CONSTRAINT grants_check
    CHECK ((role IN ('admin', 'auditor') AND group_id IS NULL AND member_id IS NULL)
        OR (role IN ('treasurer', 'chair') AND group_id IS NOT NULL AND member_id IS NULL)
        OR (role = 'member' AND group_id IS NOT NULL AND member_id IS NOT NULL));
