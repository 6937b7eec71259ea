-- The check that an account's identity, type and currency never change ran for every update
-- of an account, which is every posting's update of its totals: a call of a PL/pgSQL function
-- per account per posting. It now runs only for an update that sets one of those columns,
-- as the SQLite history's trigger always has; an update that sets any of them is still
-- checked, whatever the value it sets.
DROP TRIGGER accounts_identity_fixed ON accounts;
CREATE TRIGGER accounts_identity_fixed BEFORE UPDATE OF id, group_id, code, type, currency ON accounts
    FOR EACH ROW EXECUTE FUNCTION refuse_account_identity_change();
