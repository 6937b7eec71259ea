-- The reintegration report finds the payouts of members leaving among every group's
-- transactions by their metadata: a partial index holds only those few transactions, so the
-- report does not read the whole journal of the network.
CREATE INDEX transactions_member_exits ON transactions (id)
    WHERE metadata LIKE '{"event":"member_exit",%';
