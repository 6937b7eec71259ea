-- Four more switches of a group's approval policy, each on or off on its own (SQLite):
-- every disbursement, every distribution that posts, every reversal, every period close.
ALTER TABLE approval_policies ADD COLUMN disbursements INTEGER NOT NULL DEFAULT 0 CHECK (disbursements IN (0, 1));
ALTER TABLE approval_policies ADD COLUMN distributions INTEGER NOT NULL DEFAULT 0 CHECK (distributions IN (0, 1));
ALTER TABLE approval_policies ADD COLUMN reversals INTEGER NOT NULL DEFAULT 0 CHECK (reversals IN (0, 1));
ALTER TABLE approval_policies ADD COLUMN period_closes INTEGER NOT NULL DEFAULT 0 CHECK (period_closes IN (0, 1));

-- A group without a policy of its own now has the safe default (disbursements, distributions
-- and exits wait). The groups that exist now keep behaving as they did: their policy, nothing
-- waiting, is written here (docs/DECISIONS.md, "Approvals").
INSERT INTO approval_policies (group_id, withdrawals_above, expires_after_hours, updated_at,
                               updated_by, exits, disbursements, distributions, reversals,
                               period_closes)
SELECT id, '{}', 168, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), NULL, 0, 0, 0, 0, 0
FROM groups
WHERE id NOT IN (SELECT group_id FROM approval_policies);
