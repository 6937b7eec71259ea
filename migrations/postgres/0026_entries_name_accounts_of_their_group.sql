-- An entry names an account of its own transaction's group, and the database says so: the
-- account is referenced by (group, id), so an entry naming another group's account is refused
-- here as well as by the service's rules. The group is then referenced through the account,
-- and the entry's own reference to the group (a check of its own for every entry written) is
-- dropped.
ALTER TABLE accounts ADD CONSTRAINT accounts_group_id_id_key UNIQUE (group_id, id);
ALTER TABLE entries
    ADD CONSTRAINT entries_account_of_group_fkey
    FOREIGN KEY (group_id, account_id) REFERENCES accounts (group_id, id);
ALTER TABLE entries DROP CONSTRAINT entries_account_id_fkey;
ALTER TABLE entries DROP CONSTRAINT entries_group_id_fkey;
