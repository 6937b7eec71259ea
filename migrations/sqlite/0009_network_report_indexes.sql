-- The reintegration report finds the payouts of members leaving among every group's
-- transactions by their metadata: a partial index holds only those few transactions, so the
-- report does not read the whole journal of the network. (The PostgreSQL migration also
-- refines the statistics of the metadata column for its planner; SQLite needs no such hint,
-- it reads the entries of the transactions found by their primary key.)
CREATE INDEX transactions_member_exits ON transactions (id)
    WHERE metadata LIKE '{"event":"member_exit",%';
