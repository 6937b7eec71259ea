-- Four more switches of a group's approval policy, each on or off on its own (PostgreSQL):
-- every disbursement, every distribution that posts, every reversal, every period close.
ALTER TABLE approval_policies ADD COLUMN disbursements BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE approval_policies ADD COLUMN distributions BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE approval_policies ADD COLUMN reversals BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE approval_policies ADD COLUMN period_closes BOOLEAN NOT NULL DEFAULT FALSE;

-- A group without a policy of its own now has the safe default (disbursements, distributions
-- and exits wait). The groups that exist now keep behaving as they did: their policy, nothing
-- waiting, is written here (docs/DECISIONS.md, "Approvals").
INSERT INTO approval_policies (group_id, withdrawals_above, expires_after_hours, updated_at,
                               updated_by, exits, disbursements, distributions, reversals,
                               period_closes)
SELECT id, '{}', 168, now(), NULL, FALSE, FALSE, FALSE, FALSE, FALSE
FROM groups
WHERE id NOT IN (SELECT group_id FROM approval_policies);
