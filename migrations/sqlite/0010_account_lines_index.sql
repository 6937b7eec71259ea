-- An account's statement and cash book read its lines in date order, with each line's
-- direction, amount and transaction, and sum the lines before the period for the opening
-- balance. One index holding all of these serves both from the index alone, already in the
-- statement's order, and replaces the two it covers, so a posting still updates as many
-- indexes as before.
CREATE INDEX entries_by_account_lines
    ON entries (account_id, booked_on, sequence, line, direction, amount_minor, transaction_id);
DROP INDEX entries_by_account;
DROP INDEX entries_by_account_amounts;
