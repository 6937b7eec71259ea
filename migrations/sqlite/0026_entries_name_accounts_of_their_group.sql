-- An entry names an account of its own transaction's group, and the database says so: an entry
-- naming another group's account is refused here as well as by the service's rules. (On
-- PostgreSQL the entry references the account by (group, id); SQLite cannot change a table's
-- references without rebuilding it, so a trigger checks the same. An account never changes
-- group: `accounts_identity_fixed`.)
CREATE TRIGGER entries_account_of_group BEFORE INSERT ON entries
    WHEN NOT EXISTS (SELECT 1 FROM accounts WHERE id = NEW.account_id AND group_id = NEW.group_id)
    BEGIN SELECT RAISE(ABORT, 'entries_account_of_group: an entry''s account is not one of its group''s'); END;
