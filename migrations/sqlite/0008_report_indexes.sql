-- Reports sum an account's entries up to a date (opening balances of statements and cash
-- books): with the direction and amount in the index, the sum reads the index alone.
CREATE INDEX entries_by_account_amounts ON entries (account_id, booked_on, direction, amount_minor);
